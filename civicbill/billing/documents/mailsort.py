"""Mail sort order for a print run. Pure.

Bills are printed in the order the post office wants them: by 5-digit ZIP code, then by street and
house number within the ZIP (a carrier walks a street; civicbill holds no carrier-route codes, so
the street stands in for the route), then by unit and account number so the order is total.
"""

from __future__ import annotations

import re

_HOUSE = re.compile(r"^\s*(\d+)\s*([A-Za-z]?)\s+(.*)$")
_SPACES = re.compile(r"\s+")


def mail_sort_key(
    *, mailing_zip: str, mailing_line1: str, account_number: str
) -> tuple[str, str, int, str, str]:
    """``("92236", "AVENUE 48", 52, "", "1000001-6")``; a P.O. box or a line without a house number
    sorts with house number 0 at the start of its ZIP."""
    zip5 = (mailing_zip or "").strip()[:5]
    line = _SPACES.sub(" ", (mailing_line1 or "").strip().upper())
    match = _HOUSE.match(line)
    if match:
        house, suffix, street = int(match[1]), match[2], match[3]
    else:
        house, suffix, street = 0, "", line
    return (zip5, street, house, suffix, account_number)
