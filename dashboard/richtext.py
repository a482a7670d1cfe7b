"""Light Markdown for analysis texts, parsed into plain text runs (never into HTML).

What an administrator can write:

* paragraphs, separated by an empty line (single line breaks join into one paragraph);
* lists: lines that start with "- " or "* ", or numbered "1. " / "1) ";
* **bold**, *italic* or _italic_; a backslash keeps the next character as it is (\\*).

Anything else, HTML and script included, is text: the page, the Word file and the PDF each
lay out these runs with their own escaping, so nothing a user writes is ever run or rendered
as markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BULLET = re.compile(r"^\s{0,3}[-*]\s+(.*)$")
NUMBERED = re.compile(r"^\s{0,3}[0-9]{1,3}[.)]\s+(.*)$")
CONTINUATION = re.compile(r"^\s{2,}\S")
# The marked text never holds its own marker, so a marker that is never closed is given up at
# the next one: a text of unclosed markers is read in linear time, not quadratic.
STRONG = re.compile(r"\*\*(?=\S)((?:[^*]|\*(?!\*))+?)(?<=\S)\*\*")
EMPHASIS = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*]+?)(?<=[^\s*])\*(?![\w*])"
                      r"|(?<!\w)_(?=\S)([^_]+?)(?<=\S)_(?!\w)")
ESCAPED = re.compile(r"\\([\\*_\-#.()\[\]])")
# Escaped characters travel through the parser as private-use code points.
_HIDE = {c: chr(0xE000 + i) for i, c in enumerate("\\*_-#.()[]")}
_SHOW = {v: k for k, v in _HIDE.items()}


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


def _show(text: str) -> str:
    return "".join(_SHOW.get(c, c) for c in text)


def _emphasis(text: str, bold: bool) -> list[Run]:
    runs, last = [], 0
    for match in EMPHASIS.finditer(text):
        if match.start() > last:
            runs.append(Run(_show(text[last:match.start()]), bold))
        runs.append(Run(_show(match.group(1) or match.group(2)), bold, True))
        last = match.end()
    if last < len(text):
        runs.append(Run(_show(text[last:]), bold))
    return runs


def inline(text: str) -> tuple[Run, ...]:
    """"Det **ökade** *mycket*" → runs of text with their bold and italic flags."""
    text = ESCAPED.sub(lambda m: _HIDE[m.group(1)], text)
    runs, last = [], 0
    for match in STRONG.finditer(text):
        runs += _emphasis(text[last:match.start()], False)
        runs += _emphasis(match.group(1), True)
        last = match.end()
    runs += _emphasis(text[last:], False)
    return tuple(r for r in runs if r.text)


def parse(body: str | None) -> list[Block]:
    """The text's paragraphs and lists."""
    blocks: list[Block] = []
    kind: str | None = None
    items: list[list[str]] = []

    def close() -> None:
        nonlocal kind, items
        if kind and items:
            blocks.append(Block(kind, tuple(inline(" ".join(p.strip() for p in item))
                                            for item in items)))
        kind, items = None, []

    for line in (body or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not line.strip():
            close()
            continue
        bullet, numbered = BULLET.match(line), NUMBERED.match(line)
        if bullet or numbered:
            wanted = "ul" if bullet else "ol"
            if kind != wanted:
                close()
                kind = wanted
            items.append([(bullet or numbered).group(1)])
        elif kind in ("ul", "ol") and CONTINUATION.match(line):
            items[-1].append(line)
        else:
            if kind != "p":
                close()
                kind = "p"
                items = [[]]
            items[0].append(line)
    close()
    return blocks


def plain_text(body: str | None) -> str:
    """The text without its Markdown marks (for summaries and searches)."""
    lines = []
    for block in parse(body):
        for number, item in enumerate(block.items, 1):
            text = "".join(run.text for run in item)
            lines.append({"ul": f"• {text}", "ol": f"{number}. {text}"}.get(block.kind, text))
    return "\n".join(lines)
