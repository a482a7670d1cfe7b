"""An address's query string, read and written without a web framework: the pages, the
downloads and the command line build links and read selections with these.

What a request may carry is bounded here, so that a download reached without the page is read
exactly as the page reads it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from urllib.parse import urlencode

from etl import digits

# What a page is drawn with at most: more parameters, longer values or a parameter given
# several times come from no link of Målbild's, and must not cost more than a normal address.
MAX_PARAMETERS = 20
MAX_VALUE_CHARACTERS = 1_000


def query_string(params: Mapping[str, object]) -> str:
    """"?ar=2025&kommuner=1277,1280" for links (empty values left out)."""
    clean = {k: ",".join(map(str, v)) if isinstance(v, list | tuple) else v
             for k, v in params.items() if v not in (None, "", [], ())}
    return "?" + urlencode(clean, safe=",") if clean else ""


YEAR = "ar"  # the follow-up year, carried by every link between the pages


def with_year(path: str, year: int | None) -> str:
    """"/mal/1?ar=2021#epost-svar": a page's address in the follow-up year (`path` may end in
    a fragment; None leaves it as it is)."""
    if year is None:
        return path
    address, hash_, fragment = path.partition("#")
    joiner = "&" if "?" in address else "?"
    return f"{address}{joiner}{YEAR}={year}{hash_}{fragment}"


def int_param(value: object, allowed: Iterable[int], default: int | None) -> int | None:
    """A query parameter as one of the allowed whole numbers, else the default."""
    number = digits.whole_number(value)
    return number if number is not None and number in set(allowed) else default


def bounded_query(query: Mapping[str, object]) -> dict[str, str]:
    """The first MAX_PARAMETERS parameters, each as one text of at most MAX_VALUE_CHARACTERS
    (the first value of a parameter given several times)."""
    bounded = {}
    for name, value in itertools.islice(query.items(), MAX_PARAMETERS):
        if isinstance(value, list | tuple):
            value = value[0] if value else ""
        bounded[str(name)[:MAX_VALUE_CHARACTERS]] = \
            "" if value is None else str(value)[:MAX_VALUE_CHARACTERS]
    return bounded


def list_param(value: object, limit: int) -> tuple[list[str], bool]:
    """"1277,1280,1277" → (["1277", "1280"], False): each entry once, at most `limit` of them,
    and whether more were left out."""
    parts = value if isinstance(value, list | tuple) else \
        ("" if value is None else str(value)[:MAX_VALUE_CHARACTERS]).split(",")
    entries = list(dict.fromkeys(str(part) for part in parts if part not in (None, "")))
    return entries[:limit], len(entries) > limit
