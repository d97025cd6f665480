"""Fixtures for payments from other channels: the cashiering accounts fixture, file builders and
helpers reading GL balances."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db.models import Sum

from civicbill.core.money import Money
from civicbill.core.scanline import build_scan_line
from civicbill.ledger.models import JournalLine
from tests.payments.cashiering.conftest import at, books_ok, make_account  # noqa: F401 (fixtures)

IMPORT_AT = dt.datetime(2026, 12, 1, 18, 0, tzinfo=dt.UTC)  # 10:00 in Coachella


@pytest.fixture
def importer(make_user: Any) -> Any:
    return make_user("Technician", "ivan")


def scan(account: Any, due: str, day: dt.date = dt.date(2026, 12, 22)) -> str:
    return build_scan_line(account_number=account.number, amount_due=Money.parse(due), due_date=day)


def gl(code: str) -> str:
    """The net (debit - credit) of a GL account, as text."""
    totals = JournalLine.objects.filter(gl_account__code=code).aggregate(
        d=Sum("debit_cents"), c=Sum("credit_cents")
    )
    return str(Money.from_cents((totals["d"] or 0) - (totals["c"] or 0)))


def csv_file(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def fixed_detail(
    *, scan_line: str = "", account: str = "", cents: int, check: str = "", date: str = "", payer: str = ""
) -> str:
    return f"D{scan_line:<26}{account:<10}{cents:010d}{check:<10}{date:<8}{payer:<30}"
