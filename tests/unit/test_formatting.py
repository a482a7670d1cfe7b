"""Swedish number formats."""

from dashboard.present import formatting as fmt

NBSP = "\u00a0"


def test_decimal_comma_and_thousands_space():
    assert fmt.number(1234567.891, 1) == f"1{NBSP}234{NBSP}567,9"
    assert fmt.number(83, 1) == "83,0"
    assert fmt.number(-2.5, 1) == "−2,5"


def test_percent_and_units():
    assert fmt.percent(83.0) == f"83,0{NBSP}%"
    assert fmt.with_unit(83.04, "%") == f"83,0{NBSP}%"
    assert fmt.with_unit(3.5833, "medelvärde 1–5", 2) == "3,58"
    assert fmt.with_unit(12345.0, "kr", 0) == f"12{NBSP}345{NBSP}kr"


def test_missing_is_a_dash_not_zero():
    assert fmt.number(None) == "–"
    assert fmt.percent(float("nan")) == "–"
    assert fmt.count(None) == "–"


def test_a_place_wraps_only_after_its_comma():
    assert fmt.phrases_unbroken("plats 111 av 137, trolig plats 74–129") == (
        "plats\u00a0111\u00a0av\u00a0137, trolig\u00a0plats\u00a074\u2060–\u2060129")
    assert fmt.phrases_unbroken("244 av 289") == "244\u00a0av\u00a0289"
    assert fmt.phrases_unbroken("") == ""
