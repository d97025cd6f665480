"""Web/API fixtures: one account with an opening balance, made through the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from civicbill.core.money import Money
from civicbill.customers import services
from civicbill.customers.models import Account
from civicbill.ledger import chart
from civicbill.ledger.posting import PostingLine
from civicbill.ledger.services import entry_post

FROZEN_AT = dt.datetime(2026, 12, 1, 17, 0, tzinfo=dt.UTC)  # Tuesday 2026-12-01, 09:00 in Coachella


@pytest.fixture
def frozen() -> Iterator[Any]:
    with time_machine.travel(FROZEN_AT, tick=False) as traveller:
        yield traveller


@pytest.fixture
def rosa_account(frozen: Any, csr: Any, technician: Any) -> Account:
    account = services.move_in_new_customer(
        data={
            "kind": "person",
            "first_name": "Rosa",
            "last_name": "Peña",
            "phone": "760-555-0142",
            "email": "rosa@example.com",
            "preferred_language": "es",
            "house_number": "52",
            "street_name": "Avenue 48",
            "city": "Coachella",
            "zip_code": "92236",
            "premise_type": "single_family",
            "dwelling_units": 1,
            "billing_cycle": 1,
            "start_date": dt.date(2026, 11, 2),
            "mailing_same_as_service": True,
        },
        services=[("water", "W-RES"), ("sewer", "S-RES")],
        actor=csr,
        as_of=dt.date(2026, 12, 1),
    )
    owing = {"water": Money.parse("48.20"), "sewer": Money.parse("41.81")}
    lines = []
    for service, amount in owing.items():
        lines.append(
            PostingLine.debit(
                chart.receivable_control_for(service).code,
                amount,
                customer_account_id=account.pk,
                service=service,
            )
        )
        lines.append(PostingLine.credit(chart.conversion_equity_for(chart.fund_for(service)).code, amount))
    entry_post(
        lines=lines,
        accounting_date=dt.date(2026, 11, 30),
        source_type="conversion",
        source_ref="legacy 77",
        idempotency_key=f"conversion:{account.number}",
        reason="conversion",
        actor=technician,
    )
    return account
