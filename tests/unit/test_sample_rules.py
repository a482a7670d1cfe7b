"""The sample rules of data/sample_sizes.toml: which n a claim must hold at."""

import pytest

from etl.errors import InputError
from etl.followup import samples
from etl.settings import DEFAULT_DATA_DIR


def test_the_survey_total_is_a_bound_checked_at_nine_tenths():
    rules = samples.load_rules(DEFAULT_DATA_DIR / "sample_sizes.toml")
    rule = samples.rule_for(rules, "N00640", "Medborgarundersökningen - Bra bemötande")
    assert rule.n_is_bound and rule.share_valid("N00640") == 0.9
    assert rule.claim_n("N00640", 390) == 351 and rule.claim_n("N00640", None) is None
    service = samples.rule_for(rules, "N00673", "Servicemätning - Tydligt svar, index")
    assert not service.n_is_bound and service.claim_n("N00673", 40) == 40


def test_valid_share_per_kpi_and_a_bad_share(tmp_path):
    path = tmp_path / "sample_sizes.toml"
    path.write_text('[[rule]]\nkpis = ["N00640", "N00647"]\nn_from_kpi = "N00528"\n'
                    'n_is_bound = true\nvalid_share_by_kpi = { N00647 = 0.7 }\n',
                    encoding="utf-8")
    rule = samples.load_rules(path)[0]
    assert (rule.claim_n("N00640", 400), rule.claim_n("N00647", 400)) == (360, 280)
    path.write_text('[[rule]]\nkpis = ["N00640"]\nvalid_share = 1.5\n', encoding="utf-8")
    samples.load_rules.cache_clear()
    with pytest.raises(InputError, match=r"valid_share «1\.5» är ingen andel"):
        samples.load_rules(path)
