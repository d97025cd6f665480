"""Finding the account from a scanned stub, and what an account still owes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from civicbill.core.exceptions import NotFoundError
from civicbill.core.money import Money
from civicbill.core.scanline import build_scan_line
from civicbill.payments import selectors
from civicbill.payments.allocation import OpenItem

pytestmark = pytest.mark.django_db


def test_a_scanned_stub_finds_its_account(rosa_account: Any) -> None:
    line = build_scan_line(
        account_number=rosa_account.number, amount_due=Money.parse("90.01"), due_date=dt.date(2026, 12, 22)
    )
    account, scan = selectors.account_by_scan_line(line)
    assert (account, scan.amount_due, scan.due_date) == (
        rosa_account,
        Money.parse("90.01"),
        dt.date(2026, 12, 22),
    )


def test_a_scan_line_with_a_wrong_check_digit_is_refused(rosa_account: Any) -> None:
    line = build_scan_line(
        account_number=rosa_account.number, amount_due=Money.parse("90.01"), due_date=dt.date(2026, 12, 22)
    )
    wrong = line[:-1] + str((int(line[-1]) + 1) % 10)
    with pytest.raises(NotFoundError, match="Scan line not accepted"):
        selectors.account_by_scan_line(wrong)


def test_open_items_of_an_account(rosa_account: Any) -> None:
    assert selectors.account_open_items(rosa_account) == [
        OpenItem("water", "charge", dt.date(2026, 11, 30), 4820),
        OpenItem("sewer", "charge", dt.date(2026, 11, 30), 4181),
    ]
