"""Numbers typed by a person (a meter read, a multiplier, an accuracy): one strict reader.

Only the ASCII digits 0-9 (``Decimal`` itself would take ``٣`` or ``१``), an optional decimal point,
and thousands separators only in groups of three (``10,040`` yes, ``1,0040`` no), as amounts are read
by :meth:`civicbill.core.money.Money.parse`. No sign, no exponent, no inner spaces.
"""

from __future__ import annotations

import re
from decimal import Decimal

MAX_TYPED_DIGITS = 18  # far above any register, multiplier or percentage; keeps the text short

_TYPED = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+", re.ASCII)


def parse_typed_decimal(text: str) -> Decimal | None:
    """The non-negative number ``text`` holds, or None when it is not one written as above."""
    cleaned = (text or "").strip()
    if not _TYPED.fullmatch(cleaned):
        return None
    digits = cleaned.replace(",", "").replace(".", "")
    if len(digits) > MAX_TYPED_DIGITS:
        return None
    return Decimal(cleaned.replace(",", ""))
