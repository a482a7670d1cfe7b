"""Light Markdown for analysis texts: paragraphs, lists, bold and italic — everything else,
HTML and script included, stays text on the page, in Word and in the PDF."""

from dash import html

from dashboard.present.richtext import Block, Run, inline, parse, plain_text
from dashboard.web.components.admin import rich_text

SCRIPT = "<script>alert('x')</script>"


def test_paragraphs_lists_bold_and_italic():
    blocks = parse("Det **ökade** i *år*.\nSamma stycke.\n\n- ett\n- två\n  fortsätter\n"
                   "1. först\n2) sedan")
    assert blocks == [
        Block("p", ((Run("Det "), Run("ökade", bold=True), Run(" i "),
                     Run("år", italic=True), Run(". Samma stycke.")),)),
        Block("ul", ((Run("ett"),), (Run("två fortsätter"),))),
        Block("ol", ((Run("först"),), (Run("sedan"),))),
    ]


def test_marks_that_are_not_markup_stay_as_written():
    assert inline("2 * 3 * 4 och snake_case_namn") == (Run("2 * 3 * 4 och snake_case_namn"),)
    assert inline(r"\*\*inte fet\*\*") == (Run("**inte fet**"),)
    assert inline("**fet med _kursiv_ i**") == (
        Run("fet med ", bold=True), Run("kursiv", bold=True, italic=True),
        Run(" i", bold=True))


def test_html_and_script_are_plain_text():
    body = f"{SCRIPT}\n\n- <img src=x onerror=alert(1)>\n\n[länk](javascript:alert(1))"
    assert plain_text(body) == (f"{SCRIPT}\n• <img src=x onerror=alert(1)>\n"
                                "[länk](javascript:alert(1))")


def test_on_the_page_text_is_a_string_child_never_markup():
    components = rich_text(f"**Obs** {SCRIPT}\n\n- <b>fet?</b>")
    paragraph, bullets = components
    assert isinstance(paragraph, html.P) and isinstance(bullets, html.Ul)
    strong, text = paragraph.children
    assert isinstance(strong, html.Strong) and strong.children == "Obs"
    assert text == f" {SCRIPT}"  # a string: React writes it as text
    assert bullets.children[0].children == ["<b>fet?</b>"]


def test_a_lone_mark_stays_as_written_and_an_empty_item_is_dropped():
    assert plain_text("-") == "-"
    assert plain_text("*") == "*"
    assert parse("Text\n\n- ") == [Block("p", ((Run("Text"),),))]


def test_numbered_items_with_either_delimiter_are_one_list():
    assert parse("1. först\n2) sedan") == [Block("ol", ((Run("först"),), (Run("sedan"),)))]


def test_unclosed_markers_up_to_the_longest_text_are_plain_text():
    """An analysis text of unclosed markers (up to 20 000 characters) took half a minute per
    page with the markers' patterns backtracking; markdown-it reads them in linear time."""
    for unit in ("*a ", "**a ", "_a "):
        text = unit * (20_000 // len(unit))
        assert plain_text(text) == text.strip()
    assert inline("**a *b* c**") == (Run("a ", bold=True), Run("b", bold=True, italic=True),
                                     Run(" c", bold=True))
