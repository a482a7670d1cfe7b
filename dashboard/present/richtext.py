"""Light Markdown for analysis texts, parsed into plain text runs (never into HTML).

What an administrator can write:

* paragraphs, separated by an empty line (single line breaks join into one paragraph);
* lists: lines that start with "- " or "* ", or numbered "1. " / "1) ";
* **bold**, *italic* or _italic_; a backslash keeps the next character as it is (\\*).

The parser is markdown-it-py (CommonMark) with only those rules switched on, read as tokens:
its HTML renderer is never used. Anything else, HTML, links and script included, is text: the
page, the Word file and the PDF each lay out these runs with their own escaping, so nothing a
user writes is ever run or rendered as markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Block:
    """A paragraph ("p", one item) or a list ("ul" or "ol", one item per entry)."""

    kind: str
    items: tuple[tuple[Run, ...], ...]


@cache
def _parser() -> MarkdownIt:
    # "zero" has paragraphs and text only; no HTML, links, images, headings or code blocks.
    return MarkdownIt("zero").enable(["list", "emphasis", "escape", "newline"])


def _runs(inline_token: Token) -> list[Run]:
    runs: list[Run] = []
    bold = italic = 0
    for child in inline_token.children or []:
        match child.type:
            case "strong_open" | "strong_close":
                bold += 1 if child.nesting > 0 else -1
            case "em_open" | "em_close":
                italic += 1 if child.nesting > 0 else -1
            case "softbreak" | "hardbreak":
                runs.append(Run(" ", bold > 0, italic > 0))
            case _:
                # Text, and any mark that stays as written (an escaped "*" arrives as text).
                runs.append(Run(child.content, bold > 0, italic > 0))
    return runs


def _merged(runs: list[Run]) -> tuple[Run, ...]:
    """Neighbouring runs of the same style as one, the way they read."""
    merged: list[Run] = []
    for run in runs:
        if merged and (merged[-1].bold, merged[-1].italic) == (run.bold, run.italic):
            merged[-1] = Run(merged[-1].text + run.text, run.bold, run.italic)
        else:
            merged.append(run)
    return tuple(run for run in merged if run.text)


def inline(text: str) -> tuple[Run, ...]:
    """"Det **ökade** *mycket*" → runs of text with their bold and italic flags."""
    tokens = _parser().parseInline(text)
    return _merged(_runs(tokens[0])) if tokens else ()


def parse(body: str | None) -> list[Block]:
    """The text's paragraphs and lists (a list inside a list item reads as the item's text)."""
    blocks: list[Block] = []
    items: list[list[Run]] = []
    list_kind: str | None = None
    depth = 0  # of lists: only the outermost list makes blocks and items
    for token in _parser().parse(body or ""):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
            if depth == 1:
                list_kind, items = ("ul" if token.type == "bullet_list_open" else "ol"), []
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
            if depth == 0:
                _add_list(blocks, list_kind, items)
        elif token.type == "list_item_open" and depth == 1:
            items.append([])
        elif token.type == "inline":
            runs = _runs(token)
            if depth == 0:
                blocks.append(Block("p", (_merged(runs),)))
            else:
                if items[-1]:
                    runs = [Run(" "), *runs]
                items[-1].extend(runs)
    blocks = [block for block in blocks if any(block.items)]
    if not blocks and (body or "").strip():
        # A lone list mark ("-", "*") is an empty list to CommonMark; the writer meant the mark.
        return [Block("p", ((Run((body or "").strip()),),))]
    return blocks


def _add_list(blocks: list[Block], kind: str | None, items: list[list[Run]]) -> None:
    """A list after a list of the same kind continues it ("1." then "2)" is one list here,
    as writers mean it, where CommonMark starts a new list at the new delimiter)."""
    entries = tuple(_merged(item) for item in items)
    if blocks and blocks[-1].kind == kind:
        blocks[-1] = Block(kind, blocks[-1].items + entries)
    else:
        blocks.append(Block(kind, entries))


def plain_text(body: str | None) -> str:
    """The text without its Markdown marks (for summaries and searches)."""
    lines = []
    for block in parse(body):
        for number, item in enumerate(block.items, 1):
            text = "".join(run.text for run in item)
            lines.append({"ul": f"• {text}", "ol": f"{number}. {text}"}.get(block.kind, text))
    return "\n".join(lines)
