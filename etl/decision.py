"""The reference of a decision that set a target: body, date, paragraph and diarienummer.

Written out as it is cited in Swedish minutes: "KS 2021-12-14 §201, dnr KS 2021/345".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

CITATION = re.compile(
    r"^(?P<body>.*?\S)\s+(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})"
    r"(?:\s*§\s*(?P<paragraph>[^,\s]+))?"
    r"(?:\s*,\s*dnr\.?\s*(?P<dnr>.+))?$",
    re.IGNORECASE,
)


def clean_paragraph(text: str | None) -> str:
    """"§ 82", "§82" and "82" are the same paragraph: "82"."""
    return (text or "").strip().lstrip("§").strip()


@dataclass(frozen=True)
class DecisionRef:
    body: str = ""
    date: dt.date | None = None  # `dt.date`: the field's own name hides the type
    paragraph: str = ""
    diarienummer: str = ""

    @property
    def text(self) -> str:
        """"KS 2021-12-14 §201, dnr KS 2021/345" (the parts that are known)."""
        parts = [self.body.strip(), self.date.isoformat() if self.date else "",
                 f"§{self.paragraph}" if self.paragraph else ""]
        text = " ".join(p for p in parts if p)
        if self.diarienummer:
            text += f", dnr {self.diarienummer}" if text else f"dnr {self.diarienummer}"
        return text

    @classmethod
    def parse(cls, text: str | None) -> DecisionRef:
        """Read a citation; text that is not one is kept whole as the body."""
        text = (text or "").strip()
        match = CITATION.match(text)
        if match is None:
            return cls(body=text)
        try:
            when = dt.date.fromisoformat(match["date"])
        except ValueError:
            return cls(body=text)
        return cls(match["body"].strip(), when, clean_paragraph(match["paragraph"]),
                   (match["dnr"] or "").strip())

    def columns(self) -> dict:
        """The target table's columns for this reference."""
        return {"decision": self.text, "decision_body": self.body,
                "decision_date": self.date, "decision_paragraph": self.paragraph,
                "diarienummer": self.diarienummer}
