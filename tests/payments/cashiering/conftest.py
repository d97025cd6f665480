"""Cashiering fixtures: two drawers, two cashiers, accounts owing known amounts (posted as
conversion balances dated 2026-11-30), helpers to post and count."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from civicbill.core.money import Money
from civicbill.customers import services as customer_services
from civicbill.customers.models import Account
from civicbill.ledger import chart
from civicbill.ledger.posting import PostingLine
from civicbill.ledger.selectors import check_books
from civicbill.ledger.services import entry_post
from civicbill.payments import services
from civicbill.payments.models import CashDrawer

RATE = {"water": "W-RES", "sewer": "S-RES", "refuse": "R-96GAL"}


def at(hour: int, minute: int = 0) -> dt.datetime:
    """An instant on Tuesday 2026-12-01, Coachella time (UTC-8)."""
    return dt.datetime(2026, 12, 1, hour, minute, tzinfo=ZoneInfo("America/Los_Angeles"))


def books_ok() -> None:
    report = check_books()
    assert report.ok, [check.problems for check in report.failed]


@pytest.fixture
def ana(make_user: Callable[..., Any]) -> Any:
    return make_user("CSR", "ana")


@pytest.fixture
def ben(make_user: Callable[..., Any]) -> Any:
    return make_user("CSR", "ben")


@pytest.fixture
def drawers(supervisor: Any) -> tuple[CashDrawer, CashDrawer]:
    one = services.drawer_create(
        location_code="CH", location_name="City Hall counter", code="CH-1", name="Window 1", actor=supervisor
    )
    two = services.drawer_create(
        location_code="CH", location_name="City Hall counter", code="CH-2", name="Window 2", actor=supervisor
    )
    return one, two


@pytest.fixture
def make_account(frozen: Any, csr: Any, technician: Any) -> Callable[..., Account]:
    def make(last_name: str, house: str, owing: dict[str, str], language: str = "en") -> Account:
        account = customer_services.move_in_new_customer(
            data={
                "kind": "person",
                "first_name": "Test",
                "last_name": last_name,
                "phone": "760-555-0100",
                "email": "",
                "preferred_language": language,
                "house_number": house,
                "street_name": "Grapefruit Blvd",
                "city": "Coachella",
                "zip_code": "92236",
                "premise_type": "single_family",
                "dwelling_units": 1,
                "billing_cycle": 1,
                "start_date": dt.date(2026, 11, 2),
                "mailing_same_as_service": True,
            },
            services=[(service, RATE[service]) for service in owing],
            actor=csr,
            as_of=dt.date(2026, 12, 1),
        )
        lines = []
        for service, text in owing.items():
            amount = Money.parse(text)
            lines += [
                PostingLine.debit(
                    chart.receivable_control_for(service).code,
                    amount,
                    customer_account_id=account.pk,
                    service=service,
                ),
                PostingLine.credit(chart.conversion_equity_for(chart.fund_for(service)).code, amount),
            ]
        entry_post(
            lines=lines,
            accounting_date=dt.date(2026, 11, 30),
            source_type="conversion",
            source_ref=last_name,
            idempotency_key=f"conversion:{account.number}",
            reason="conversion",
            actor=technician,
        )
        return account

    return make
