"""Meter (and lateral) size spellings. Pure.

civicbill stores ``3/4`` and ``1-1/2``; OWRS files write ``3/4"``, ``1|1/2"`` or ``1 1/2"``. Both
sides are compared through :func:`normalize_size`.
"""

from __future__ import annotations

import re
from functools import lru_cache

_FRACTIONS = {".5": "-1/2", "½": "-1/2", ".25": "-1/4", "¼": "-1/4", ".75": "-3/4", "¾": "-3/4"}


@lru_cache(maxsize=512)
def _normalize(text: str) -> str:
    size = text.strip().replace('"', "").replace("''", "").replace("inch", "").strip()
    for written, fraction in _FRACTIONS.items():
        if size.endswith(written) and size[: -len(written)].isdigit():
            return size[: -len(written)] + fraction
    return re.sub(r"^(\d+)\s*[|\s\-]\s*(\d+/\d+)$", r"\1-\2", size)


def normalize_size(text: object) -> str:
    """``1|1/2"``, ``1 1/2"``, ``1.5"``, ``1½`` and ``1-1/2`` all become ``1-1/2``; ``3/4"`` → ``3/4``."""
    return _normalize(str(text))


def owrs_size(size: str) -> str:
    """The usual OWRS spelling of a civicbill size: ``3/4`` → ``3/4"``, ``1-1/2`` → ``1|1/2"``."""
    return normalize_size(size).replace("-", "|") + '"'
