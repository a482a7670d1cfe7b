"""The report as a document the board can use: the Word file's XML (template, fields,
properties, verdicts), swapping the template, the drafted narrative, and the PDF's pages."""

from __future__ import annotations

import io
import itertools
import re
import subprocess
import zipfile
from datetime import UTC, date, datetime, timedelta
from html import unescape

import pytest
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from dashboard.present import charts, words
from dashboard.present import formatting as fmt
from dashboard.present.export import report, report_docx, report_template
from etl.db import engine_for
from etl.settings import DEFAULT_DATA_DIR

# The whole module in one xdist worker, so its module fixtures are built once: spread test by
# test (`--dist loadgroup`), they were built in both workers, and again whenever a worker's
# next test was of another module.
pytestmark = pytest.mark.xdist_group("test_report_document")

TEMPLATE = DEFAULT_DATA_DIR / "report" / "rapportmall.docx"
NOW = datetime(2023, 3, 15, 9, 30)
RULE = ("Uppnått när varje bedömt mått når sitt mål; ett mått utan aktuellt värde "
        "bedöms inte.")
VERDICTS = {
    1: report.GoalVerdict("delvis", "Delvis uppnått", "◐", RULE),
    2: report.GoalVerdict("uppnatt", "Uppnått", "✓", RULE),
    3: report.GoalVerdict("kan-inte-bedomas", "Kan inte bedömas", "○", RULE),
}


@pytest.fixture(scope="module")
def model(demo_settings):
    return report.build_report(engine_for(demo_settings.database_url), demo_settings, 2022,
                               created=date(2023, 3, 15), goal_verdicts=VERDICTS)


def docx_of(model, template=TEMPLATE) -> bytes:
    return report_docx.docx_bytes(model, template, now=NOW)


@pytest.fixture(scope="module")
def docx(model) -> bytes:
    return docx_of(model)


def part(data: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name).decode("utf-8")


def field_instructions(xml: str) -> list[str]:
    return [unescape(t).strip() for t in re.findall(r"<w:instrText[^>]*>([^<]*)</w:instrText>",
                                                    xml)]


# --- Word: fields, header and footer, properties -------------------------------------------------


def test_docx_contents_are_written_out_and_word_never_asks_to_update(docx):
    body = part(docx, "word/document.xml")
    assert 'TOC \\o "1-2" \\h \\z \\u' in field_instructions(body)
    begin, separate, end = (body.index(f'w:fldCharType="{kind}"')
                            for kind in ("begin", "separate", "end"))
    assert begin < separate < end
    assert "w:dirty" not in body and "<w:updateFields" not in part(docx, "word/settings.xml")
    assert "F9" not in body  # no notes to the reader about fields
    document = Document(io.BytesIO(docx))
    entries = [p.text for p in document.paragraphs if p.style.name in ("toc 1", "toc 2")]
    assert entries[0] == "Sammanfattning" and "Gott bemötande vid telefonkontakt" in entries
    # Each entry links to a bookmark on its heading.
    anchors = re.findall(r'<w:hyperlink w:anchor="([^"]+)"', body)
    assert len(anchors) == len(entries)
    assert set(anchors) <= set(re.findall(r'<w:bookmarkStart[^>]*w:name="([^"]+)"', body))


def test_docx_footer_says_sida_x_av_y_and_header_the_title(docx, model):
    names = zipfile.ZipFile(io.BytesIO(docx)).namelist()
    footer = next(part(docx, n) for n in names if n.startswith("word/footer"))
    assert field_instructions(footer) == ["PAGE", "NUMPAGES"]
    text = "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", footer))
    assert text.startswith("Åstorps kommun") and "Sida 1 av 1" in text
    header = next(part(docx, n) for n in names if n.startswith("word/header"))
    assert model.document_title in header and "{rapport}" not in header
    assert "<pic:pic" not in header  # no logo configured: none, and no placeholder
    section = Document(io.BytesIO(docx)).sections[0]
    assert section.different_first_page_header_footer  # the title page has neither


def test_docx_properties_are_the_reports_own(docx, model):
    properties = Document(io.BytesIO(docx)).core_properties
    assert properties.title == model.document_title
    assert properties.subject == "Uppföljning 2022 – underlag till kommunstyrelsen"
    assert properties.author == properties.last_modified_by == "Åstorps kommun"
    assert properties.created.replace(tzinfo=None) == NOW
    assert properties.modified.replace(tzinfo=None) == NOW
    assert properties.language == "sv-SE"
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        for name in archive.namelist():
            assert b"python-docx" not in archive.read(name).lower(), name
        assert not any("thumbnail" in n for n in archive.namelist())


def test_docx_made_now_says_now(model):
    before = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    properties = Document(io.BytesIO(report_docx.docx_bytes(model, TEMPLATE))).core_properties
    assert before <= properties.created.replace(tzinfo=UTC) <= before + timedelta(minutes=10)


def test_docx_title_page(docx):
    document = Document(io.BytesIO(docx))
    first = [p for p in document.paragraphs][:9]
    assert first[0].style.name == "Title" and first[0].text.startswith(
        "Uppföljning av kommunikationsstrategin 2022")
    assert first[1].text == "Åstorps kommun – underlag till kommunstyrelsen"
    facts = "\n".join(p.text for p in first)
    for part_ in ("Strategi: Kommunikationsstrategi", "Uppföljningsår: 2022",
                  "Beslut: antagen 2013-05-07, KS 2013-05-07 §82", "Datum: 2023-03-15"):
        assert part_ in facts, part_


# --- Word: styles from the template ---------------------------------------------------------------


def test_docx_uses_only_the_templates_styles(docx):
    document = Document(io.BytesIO(docx))
    allowed = set(report_template.PARAGRAPH_STYLES.values())
    used = {p.style.name for p in document.paragraphs}
    used |= {p.style.name for t in document.tables for r in t.rows for c in r.cells
             for p in c.paragraphs}
    assert used <= allowed, used - allowed
    assert {"Heading 1", "Heading 2", "Målbild Automatiskt underlag", "Målbild Bedömning",
            "Målbild Tabelltext", "Caption", "toc 1"} <= used
    assert {t.style.name for t in document.tables} == {report_template.TABLE_STYLE}
    for table in document.tables:
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    heading = document.styles["Heading 1"]
    assert heading.font.name == "Arial" and heading.font.color.rgb == RGBColor(0x1F, 0x4E, 0x79)
    assert not any(r.font.size or r.font.color.rgb for p in document.paragraphs
                   for r in p.runs)  # sizes and colours come from the styles only


def test_docx_has_a_verdict_after_each_goal_heading(docx):
    paragraphs = Document(io.BytesIO(docx)).paragraphs
    found = {}
    for before, after in itertools.pairwise(paragraphs):
        if before.style.name == "Heading 1" and before.text.startswith("Mål "):
            assert after.style.name == "Målbild Bedömning", before.text
            found[before.text[:5]] = after.text
    assert found == {"Mål 1": "Bedömning 2022: ◐ Delvis uppnått",
                     "Mål 2": "Bedömning 2022: ✓ Uppnått",
                     "Mål 3": "Bedömning 2022: ○ Kan inte bedömas"}
    summary = Document(io.BytesIO(docx)).tables[0]
    groups = [r.cells[0].text for r in summary.rows if r.cells[0].text.startswith("Mål ")]
    assert groups[0].endswith("– ◐ Delvis uppnått") and len(groups) == 3


def test_verdicts_come_from_the_follow_up_model(demo_settings):
    plain = report.build_report(engine_for(demo_settings.database_url), demo_settings, 2022)
    found = {g.number: (g.verdict.symbol, g.verdict.label) for g in plain.goals}
    # Goal 2: webbinformation and delaktighet both within their margins, so every verdict is
    # possible; goal 1: e-post has no current value, telefonsvar is within its margin.
    assert found == {1: ("±", "Ej uppnått eller delvis uppnått"),
                     2: ("±", "Ej uppnått, delvis uppnått eller uppnått"),
                     3: ("✗", "Ej uppnått")}
    assert plain.goals[0].verdict.rule.startswith(
        "2 av 3 mått bedömda, 0 når målet, 1 inom felmarginalen")
    plain.goals[0].verdict = None  # a goal without a verdict shows none
    document = Document(io.BytesIO(docx_of(plain)))
    assert len([p for p in document.paragraphs if p.style.name == "Målbild Bedömning"]) == 2


def _alternative_template(path, *, drop: str | None = None):
    """The bundled template with other fonts, sizes and colours (and maybe a style less)."""
    document = Document(str(TEMPLATE))
    for name, font, size, colour in (("Normal", "Georgia", 12, "800000"),
                                     ("Heading 1", "Verdana", 20, "006400"),
                                     ("Målbild Bedömning", "Verdana", 14, "000080")):
        style = document.styles[name]
        style.font.name, style.font.size = font, Pt(size)
        style.font.color.rgb = RGBColor.from_string(colour)
    if drop:
        document.styles[drop].element.getparent().remove(document.styles[drop].element)
    document.save(str(path))
    return path


def _content(data: bytes) -> list:
    document = Document(io.BytesIO(data))
    return ([(p.style.name, p.text) for p in document.paragraphs]
            + [[c.text for c in r.cells] for t in document.tables for r in t.rows])


def test_swapping_the_template_changes_the_styles_and_nothing_else(model, docx, tmp_path):
    swapped = docx_of(model, _alternative_template(tmp_path / "egen-mall.docx"))
    assert _content(swapped) == _content(docx)
    assert part(swapped, "word/document.xml") == part(docx, "word/document.xml")
    assert part(swapped, "word/styles.xml") != part(docx, "word/styles.xml")
    heading = Document(io.BytesIO(swapped)).styles["Heading 1"]
    assert heading.font.name == "Verdana" and heading.font.size == Pt(20)


def test_a_template_without_a_style_falls_back_and_says_so(model, tmp_path, caplog):
    template = _alternative_template(tmp_path / "halv-mall.docx", drop="Målbild Bedömning")
    assert report_template.missing_styles(template) == ["Målbild Bedömning"]
    document = Document(io.BytesIO(docx_of(model, template)))
    verdicts = [p for p in document.paragraphs if p.text.startswith("Bedömning 2022")]
    assert len(verdicts) == 3 and {p.style.name for p in verdicts} == {"Normal"}
    assert "saknar formatmallen «Målbild Bedömning»" in caplog.text


def test_a_missing_template_is_a_clear_error(model, tmp_path):
    from etl.errors import InputError

    with pytest.raises(InputError, match=r"rapportmallen .*finns inte"):
        docx_of(model, tmp_path / "finns-inte.docx")


def test_template_is_found_through_the_setting(demo_settings, tmp_path):
    from etl.settings import Settings

    assert report_template.template_path(demo_settings) == TEMPLATE
    own = Settings(database_url=demo_settings.database_url, report_template=tmp_path / "x.docx")
    assert report_template.template_path(own) == tmp_path / "x.docx"
    assert all(s.type == WD_STYLE_TYPE.PARAGRAPH for s in (
        Document(str(TEMPLATE)).styles[n] for n in report_template.PARAGRAPH_STYLES.values()))


# --- The drafted narrative ------------------------------------------------------------------------


def sections(model) -> dict[str, report.MeasureSection]:
    return {s.item.info.id: s for g in model.goals for s in g.measures}


def test_narrative_is_drafted_from_the_data(model):
    narrative = [s.replace("\u00a0", " ") for s in sections(model)["telefon-bemotande"].narrative]
    assert narrative == [
        "Åstorp hade 80,0 % år 2022 (95 %-intervall 75,7–83,7 %, n ≤ 390), mot målet 85,0 % "
        "(exempel): ej uppnått (sannolikhet att målet är nått: under 1 %).",
        # 390 is all who answered the survey, an upper bound of this question's n: at
        # 0,9 × 390 the interval reaches the mean 83,73, so no "lower than".
        "Mätkommunernas medelvärde var 83,7 % (n = 137); Åstorp låg 3,7 procentenheter under "
        "medelvärdet, men skillnaden ryms inom felmarginalen (plats 111 av 137, trolig plats "
        "65–127).",
        # p = 0,27: the change carries its interval and no stronger word than it allows
        "Sedan förra mätningen med samma metod (2021: 83,0 %) har värdet minskat med 3,0 "
        "procentenheter, men förändringen ryms inom felmarginalen (95 %-intervall "
        "−8,40–2,38): ingen säkerställd förändring.",
    ]
    survey = sections(model)["intern-kommunikation"].narrative
    assert survey[0].startswith("I medarbetarenkäten 2021 (senaste mätningen till och med "
                                "2022) gav de anställda i snitt 3,59 (exempeldata)")
    assert survey[1] == ("Sedan förra enkäten (2019: 3,39) har värdet ökat med 0,20, också med "
                         "hänsyn till felmarginalen (95\u00a0%-intervall 0,065–0,332).")


def test_narrative_names_a_method_break_instead_of_a_change(demo_settings):
    model = report.build_report(engine_for(demo_settings.database_url), demo_settings, 2021)
    narrative = sections(model)["telefon-bemotande"].narrative
    assert narrative[-1].startswith("Mätmetoden byttes 2021 (U00414 ersattes av N00640), så "
                                    "värdet kan inte jämföras med förra mätningen (2020:")


def test_every_number_in_the_narrative_is_in_the_data(model):
    """Each number the sentences use is a value, interval, mean, n, rank, target, year or a
    difference of two shown values; no sentence speaks of causes."""
    for section in sections(model).values():
        item, text = section.item, " ".join(section.narrative).replace("\u00a0", " ")
        allowed = {"1", "5", "4", "95", str(model.year)}  # the scale, "95 %", the report year
        for row in item.rows:
            for value in (row.value, row.comparison_mean, row.target, row.ci_low, row.ci_high):
                if value is not None:
                    allowed.add(words.value_text(item.info, value).split("\u00a0")[0])
            if row.share_positive is not None:
                allowed.add(fmt.number(row.share_positive, 0))
            allowed |= {str(v) for v in (row.year, row.comparison_n, row.peer_rank,
                                         row.rank_low, row.rank_high, row.sample_n,
                                         row.respondents) if v is not None}
            for value in (row.change_ci_low, row.change_ci_high):  # the change's interval
                if value is not None:
                    allowed.add(fmt.number(abs(value), item.info.decimals + 1))
            if row.p_target is not None:  # "sannolikhet att målet är nått: 21 %"
                allowed.add(fmt.number(100 * row.p_target, 0))
        allowed |= {d for pair in re.findall(r"med (\d+,\d+)|(\d+,\d+) procentenhet", text)
                    for d in pair if d}
        numbers = {n for n in re.findall(r"(?<![\d,])\d+(?:,\d+)?", text)}
        assert numbers <= allowed, (item.info.id, numbers - allowed)
        assert not re.search(r"\b(eftersom|beror|på grund av|tack vare)\b", text)


def test_fixed_analysis_replaces_the_draft(model, demo_settings, tmp_path):
    from sqlalchemy import insert

    from etl import schema
    from tests.conftest import copy_of

    with copy_of(demo_settings, tmp_path) as settings:
        engine = engine_for(settings.database_url)
        with engine.begin() as connection:
            connection.execute(insert(schema.AnalysisText), [
                {"measure_id": "telefon-svar", "year": 2022, "body": "Fastställd text.",
                 "state": "fastställd", "updated_at": NOW, "updated_by": "anna"},
                {"measure_id": "delaktighet", "year": 2022, "body": "Ett utkast.",
                 "state": "utkast", "updated_at": NOW, "updated_by": "anna"}])
        annotated = sections(report.build_report(engine, settings, 2022))
        assert annotated["telefon-svar"].narrative == []
        assert annotated["delaktighet"].narrative  # an utkast is no analysis yet
        engine.dispose()
    assert all(s.narrative for s in sections(model).values())
    assert report.DRAFT_LABEL == "Automatiskt underlag – granska innan beslut"


def test_measure_table_is_the_pages_table_for_the_last_years(model):
    section = sections(model)["telefon-bemotande"]
    full = list(charts.display_table(section.item).columns)
    assert section.table.header == [c for c in full if c not in report.TABLE_LEAVES_OUT]
    assert [row[0] for row in section.table.rows] == ["2018", "2019", "2020", "2021", "2022"]
    assert section.table.caption == "Gott bemötande vid telefonkontakt, 2018–2022"


# --- PDF pages ------------------------------------------------------------------------------------


HEADING_LINE_PT = 13.5
"""Lines at least this tall are headings (h2 and h3); body text and tables are smaller."""


def pdf_pages(path) -> list[list[tuple[float, str, bool]]]:
    """Per page, its text lines (bottom y, text, is heading-sized) inside the page margins."""
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    pages = []
    for page in re.findall(r"<page [^>]*>(.*?)</page>", xml, re.S):
        lines = []
        for y_min, y_max, body in re.findall(
                r'<line [^>]*yMin="([\d.]+)"[^>]*yMax="([\d.]+)">(.*?)</line>', page, re.S):
            words = [unescape(w) for w in re.findall(r"<word [^>]*>(.*?)</word>", body)]
            if 60 < float(y_max) < 782:
                lines.append((float(y_max), " ".join(words),
                              float(y_max) - float(y_min) >= HEADING_LINE_PT))
        pages.append(sorted(lines))
    return pages


def layout_problems(path, headings: list[str]) -> list[str]:
    """What breaks the layout rules: a heading or table caption ending a page, a page under a
    third full (except the last)."""
    problems = []
    pages = pdf_pages(path)
    top, bottom = 70.9, 779.6  # A4 less the 2.5 cm top and 2.2 cm bottom margins
    for number, lines in enumerate(pages, 1):
        if not lines:
            problems.append(f"sida {number} är tom")
            continue
        if lines[0][1] == "Innehåll":
            continue  # the contents have a page of their own, however short
        _y, last, tall = lines[-1]
        if (tall and any(last in heading for heading in headings)) or re.match(
                r"Tabell \d+\.", last):
            problems.append(f"sida {number} slutar med rubriken «{last}»")
        filled = (lines[-1][0] - top) / (bottom - top)
        if number < len(pages) and filled < 1 / 3:
            problems.append(f"sida {number} är bara till {filled:.0%} fylld")
    return problems


@pytest.fixture(scope="module")
def pdf(model, chart_renderer, tmp_path_factory):
    from dashboard.present.export import report_pdf

    report.render_charts(model, ("svg",), chart_renderer)
    path = tmp_path_factory.mktemp("pdf") / "rapport.pdf"
    path.write_bytes(report_pdf.pdf_bytes(model, chart_renderer))
    return path


def headings_of(model) -> list[str]:
    out = ["Sammanfattning", "Bilaga: källor och metod", "Källor", "Metod",
           "Nyckeltal per mått (KPI-historik)", "Metodbyten (brott i serierna)",
           "Reviderade värden sedan förra årets rapport"]
    for goal in model.goals:
        out.append(goal.heading)
        out += [m.name for m in goal.measures]
    return out


@pytest.mark.browser
def test_pdf_no_heading_ends_a_page_and_no_page_is_nearly_empty(pdf, model):
    assert layout_problems(pdf, headings_of(model)) == []


@pytest.mark.browser
def test_pdf_keeps_each_chart_with_its_heading_and_caption(pdf, model):
    pages = ["\n".join(text for _y, text, _tall in lines).replace("\u00a0", " ")
             if lines and lines[0][1] != "Innehåll" else "" for lines in pdf_pages(pdf)]
    for goal in model.goals:
        for measure in goal.measures:
            page = next(p for p in pages if measure.name in p.split("\n"))
            # The heading, the chart's own title (inside the SVG) and the caption's first words.
            assert page.split("\n").count(measure.name) == 2, measure.name
            caption = measure.summary[:30].replace("\u00a0", " ")
            assert caption in page.replace("\n", " "), measure.name
        number = next(n for n, lines in enumerate(pdf_pages(pdf))
                      if any(tall and text.startswith(goal.heading[:12])
                             for _y, text, tall in lines))
        assert goal.measures[0].name in pages[number].split("\n"), goal.heading


@pytest.mark.browser
def test_pdf_table_headers_never_split_a_word(pdf, model):
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    headers = [model.summary_header, model.lineage_header]
    headers += [model.revision_header] if len(model.revisions) else []
    words = {w for h in headers for cell in h for w in cell.split()}
    words |= {w for g in model.goals for m in g.measures for cell in m.table.header
              for w in cell.split()}
    for word in words:
        assert re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text), word
    assert not re.search(r"Nyckelt\s*$|Mätkommuner\s*$", text, re.M)


@pytest.mark.browser
def test_pdf_has_verdicts_grouped_summary_and_the_drafts_label(pdf):
    text = re.sub(r"\s+", " ", subprocess.run(["pdftotext", str(pdf), "-"],
                                              capture_output=True, text=True,
                                              check=True).stdout)
    assert "Bedömning 2022: ◐ Delvis uppnått" in text
    assert text.count("Automatiskt underlag – granska innan beslut") == 6
    assert "Arbetsversion, ej fastställd – granska innan beslut" in text
    assert "Mål 2: Medborgarna känner delaktighet i kommunens verksamhet – ✓ Uppnått" in text
    assert "✗ Ej uppnått" in text and "◇ I nivå med mitten, plats 111 av 137" in text
    # E-post: the method has been discontinued. The cell wraps over three lines, and
    # pdftotext puts the next cell's second line ("(exempel)") among them.
    assert re.search(r"– Ingen (\(exempel\) )?aktuell bedömning", text)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
