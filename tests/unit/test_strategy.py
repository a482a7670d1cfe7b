"""The strategy file: the shipped one is valid, and every mistake names its line."""

import re
from pathlib import Path

import pytest

from etl.errors import StrategyError
from etl.settings import DEFAULT_DATA_DIR
from etl.strategy import load_strategy

STRATEGY = DEFAULT_DATA_DIR / "strategy.toml"
KNOWN = {"U00412", "U00413", "U00414", "U00415", "U00416", "N00673", "N00647", "N00640",
         "N00652", "N00651", "U00200"}


def edited(tmp_path: Path, old: str, new: str) -> Path:
    text = STRATEGY.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "strategy.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if needle in line)


def test_shipped_strategy_has_three_goals_and_six_measures():
    strategy = load_strategy(STRATEGY, known_kpis=KNOWN)
    assert [g.number for g in strategy.goals] == [1, 2, 3]
    assert [m.id for m in strategy.measures] == [
        "epost-svar", "telefon-svar", "telefon-bemotande", "webbinformation", "delaktighet",
        "intern-kommunikation"]
    bemotande = strategy.measure("telefon-bemotande")
    assert bemotande.kpi_for(2015) == "U00414"
    assert bemotande.kpi_for(2021) == "N00640"
    targets = strategy.targets(bemotande)
    assert targets[0].decision == "KS 2013-05-07 §82" and targets[0].is_example


def test_unknown_kpi_names_its_line(tmp_path):
    path = edited(tmp_path, '{ kpi = "N00640"', '{ kpi = "N99999"')
    with pytest.raises(StrategyError) as error:
        load_strategy(path, known_kpis=KNOWN)
    message = str(error.value)
    assert "N99999" in message and "okänt" in message
    assert f"rad {line_of(path, 'N99999')}" in message


def test_overlapping_lineage_years_name_the_line(tmp_path):
    path = edited(tmp_path, 'kpi = "U00414", first_year = 2012, last_year = 2020',
                  'kpi = "U00414", first_year = 2012, last_year = 2021')
    with pytest.raises(StrategyError) as error:
        load_strategy(path, known_kpis=KNOWN)
    assert "överlappar" in str(error.value)
    assert f"rad {line_of(path, 'N00640')}" in str(error.value)


def test_target_outside_the_scale_names_the_line(tmp_path):
    path = edited(tmp_path, "values = { 2013 = 3.5,", "values = { 2013 = 7.5,")
    with pytest.raises(StrategyError) as error:
        load_strategy(path, known_kpis=KNOWN)
    assert "utanför skalan 1–5" in str(error.value)
    assert f"rad {line_of(path, '2013 = 7.5')}" in str(error.value)


def test_wrong_direction_word_names_the_field_and_line(tmp_path):
    path = edited(tmp_path, 'direction = "higher"', 'direction = "upp"')
    with pytest.raises(StrategyError) as error:
        load_strategy(path, known_kpis=KNOWN)
    assert "direction" in str(error.value)
    line = line_of(path, 'direction = "upp"')
    assert f"rad {line}" in str(error.value)
    assert "har värdet «upp», som inte är tillåtet. Skriv ett av: «higher», «lower», «none»." \
        in str(error.value)
    assert "Input should" not in str(error.value)


ENGLISH = re.compile(r"\b(Input|should|Field|required|valid|Extra|inputs|permitted|"
                     r"integer|string|greater|less|than|Value error)\b")


def test_every_field_error_is_reported_at_once_in_swedish_with_line_and_remedy(tmp_path):
    path = edited(tmp_path, 'direction = "higher"', 'direction = "upp"')
    text = path.read_text(encoding="utf-8")
    for old, new in (('municipality = "1277"', 'municipality = "12"'),
                     ('id = "delaktighet"', 'id = "Delaktighet i kommunen"'),
                     ("goal = 2", 'goal = "två"'),
                     ('name = "Svar på e-post inom två arbetsdagar"',
                      'namn = "Svar på e-post inom två arbetsdagar"'),
                     ("\ncadence = 2", "\ncadence = 9")):
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(StrategyError) as caught:
        load_strategy(path, known_kpis=KNOWN)
    problems = caught.value.problems
    message = str(caught.value)
    assert message.count("\n– ") == len(problems) >= 7
    assert not ENGLISH.search(message), ENGLISH.search(message)
    lines = [p.where.line for p in problems]
    assert lines == sorted(lines)  # in the order of the file
    for needle, words in (('municipality = "12"', "kommunkod med fyra siffror"),
                          ('"Delaktighet i kommunen"', "små bokstäver a–z"),
                          ('goal = "två"', "ska vara ett heltal"),
                          ("namn =", "«measures.0.namn» finns inte i en strategifil"),
                          ("cadence = 9", "ska vara högst 5"),
                          ('direction = "upp"', "som inte är tillåtet")):
        found = [p for p in problems if words in p.problem]
        assert found and found[0].where.line == line_of(path, needle), (needle, found)
        assert found[0].hint  # what to do
    assert any("«measures.0.name» saknas" in p.problem for p in problems)


def test_every_content_error_is_reported_at_once(tmp_path):
    path = edited(tmp_path, '{ kpi = "N00640"', '{ kpi = "N99999"')
    text = path.read_text(encoding="utf-8").replace("values = { 2013 = 3.5,",
                                                    "values = { 2013 = 7.5,", 1)
    text = text.replace('id = "delaktighet"\ngoal = 2', 'id = "delaktighet"\ngoal = 7', 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(StrategyError) as caught:
        load_strategy(path, known_kpis=KNOWN)
    message = str(caught.value)
    assert "strategifilen har 3 fel" in message
    for needle, words in (("N99999", "okänt"), ("2013 = 7.5", "utanför skalan 1–5"),
                          ("goal = 7", "mål 7, som inte finns")):
        assert f"rad {line_of(path, needle)}: " in message and words in message
    assert all(p.hint for p in caught.value.problems)


def test_broken_toml_names_its_line(tmp_path):
    path = edited(tmp_path, 'name = "Svar på e-post inom två arbetsdagar"',
                  'name = "Svar på e-post inom två arbetsdagar')
    with pytest.raises(StrategyError) as error:
        load_strategy(path, known_kpis=KNOWN)
    assert "TOML" in str(error.value)
    assert f"rad {line_of(path, 'Svar på e-post inom två arbetsdagar')}" in str(error.value)


def test_measure_of_a_missing_goal(tmp_path):
    path = edited(tmp_path, 'id = "delaktighet"\ngoal = 2', 'id = "delaktighet"\ngoal = 7')
    with pytest.raises(StrategyError, match="mål 7, som inte finns"):
        load_strategy(path, known_kpis=KNOWN)


# --- The own measurement (test contacts) --------------------------------------------------------


def test_shipped_strategy_has_the_own_measurement_rules():
    strategy = load_strategy(STRATEGY, known_kpis=KNOWN)
    assert strategy.own_measurement.response_days == {"e-post": 2, "telefon": 1, "brev": 2}
    assert strategy.own_measurement.good_grade_min == 3
    assert {m.id: m.own_series for m in strategy.measures if m.own_series} == {
        "epost-svar": "epost-inom-regel", "telefon-svar": "telefon-handlaggare",
        "telefon-bemotande": "telefon-gott-bemotande"}


def test_unknown_own_series_names_its_line(tmp_path):
    wrong = 'own_series = "telefon-svar"'
    path = edited(tmp_path, 'own_series = "telefon-handlaggare"', 'own_series = "telefon-svar"')
    with pytest.raises(StrategyError) as error:
        load_strategy(path, known_kpis=KNOWN)
    assert "own_series" in str(error.value)
    assert f"rad {line_of(path, wrong)}" in str(error.value)


def test_missing_channel_rule_names_its_line(tmp_path):
    path = edited(tmp_path, "{ e-post = 2, telefon = 1, brev = 2 }", "{ e-post = 2, telefon = 1 }")
    with pytest.raises(StrategyError) as error:
        load_strategy(path, known_kpis=KNOWN)
    assert "brev" in str(error.value)
    assert f"rad {line_of(path, 'response_days =')}" in str(error.value)


def test_unknown_channel_in_the_rule_names_its_line(tmp_path):
    path = edited(tmp_path, "brev = 2 }", "brev = 2, fax = 3 }")
    with pytest.raises(StrategyError) as error:
        load_strategy(path, known_kpis=KNOWN)
    assert "fax" in str(error.value)
    assert f"rad {line_of(path, 'response_days =')}" in str(error.value)


def test_own_series_without_the_rules_is_refused(tmp_path):
    path = edited(tmp_path, "[own_measurement]\n", "[own_measurement_removed]\n")
    text = path.read_text(encoding="utf-8").replace("[own_measurement_removed]\n", "")
    text = text.replace("response_days = { e-post = 2, telefon = 1, brev = 2 }\n", "")
    text = text.replace("good_grade_min = 3  #", "#")
    path.write_text(text, encoding="utf-8")
    first_own = 'own_series = "epost-inom-regel"'
    with pytest.raises(StrategyError) as error:
        load_strategy(path, known_kpis=KNOWN)
    assert "[own_measurement]" in str(error.value)
    assert f"rad {line_of(path, first_own)}" in str(error.value)


UNITS = {kpi: "%" for kpi in KNOWN} | {"N00673": "index", "U00200": "index"}


def test_a_target_in_per_cent_on_an_index_kpi_is_refused(tmp_path):
    assert load_strategy(STRATEGY, known_kpis=KNOWN, kpi_units=UNITS)  # unit = "index" set
    path = edited(tmp_path, 'unit = "index"  #', "# unit =")
    with pytest.raises(StrategyError) as caught:
        load_strategy(path, known_kpis=KNOWN, kpi_units=UNITS)
    message = str(caught.value)
    assert "målet 85 för 2022 är i procent" in message and "N00673" in message
    # One error per target year of the decision, each saying what to do.
    assert caught.value.problems and all('unit = "index"' in p.hint
                                         for p in caught.value.problems)
    assert f"rad {line_of(path, 'values = { 2022 = 85')}" in message


# --- A starting file for another municipality -------------------------------------------------


def test_strategy_new_writes_a_commented_valid_starting_file_for_the_municipality(tmp_path):
    from tests.cli import run_cli

    out = tmp_path / "bjuv.toml"
    written = run_cli("strategy", "new", "--municipality", "1260", "--out", str(out))
    assert written.returncode == 0, written.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Startfil för Bjuvs kommun (1260)")
    assert "«Kommunikationsstrategi för Åstorps kommun»" in text.split("\n\n")[0]
    strategy = load_strategy(out, known_kpis=KNOWN)
    assert strategy.strategy.municipality == "1260"
    assert strategy.strategy.name == "Kommunikationsstrategi för Bjuvs kommun"
    # Åstorp's adoption is not Bjuv's; its targets are examples until Bjuv writes its own.
    assert strategy.strategy.adopted is None and strategy.strategy.decision == ""
    assert strategy.strategy.targets_are_examples
    header = text.split("\n[strategy]\n")[1].split("\n[own_measurement]\n")[0]
    assert "KS 2013-05-07" not in header and "Åstorp" not in header
    assert run_cli("strategy", "check", str(out)).returncode == 0
    again = run_cli("strategy", "new", "--municipality", "1260", "--out", str(out))
    assert again.returncode != 0 and "finns redan" in again.stderr
    unknown = run_cli("strategy", "new", "--municipality", "9999", "--out",
                      str(tmp_path / "x.toml"))
    assert "kommunkoden «9999» finns inte" in unknown.stderr and not (tmp_path / "x.toml").exists()
