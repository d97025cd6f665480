"""Shared fixtures: staff users in each role, a frozen business clock, one account owing money."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Group, User

from civicbill.core.money import Money
from civicbill.core.permissions import ROLES
from civicbill.customers import services
from civicbill.customers.models import Account
from civicbill.ledger import chart
from civicbill.ledger.posting import PostingLine
from civicbill.ledger.services import entry_post


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Argon2 is deliberately slow; tests hash many throw-away passwords (production keeps Argon2)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    def make(role: str, username: str | None = None) -> User:
        assert role in ROLES, role
        user = User.objects.create_user(username=username or role.lower(), password="test-password-1")
        group, _ = Group.objects.get_or_create(name=role)
        user.groups.add(group)
        return user

    return make


@pytest.fixture
def csr(make_user: Callable[..., User]) -> User:
    return make_user("CSR")


@pytest.fixture
def technician(make_user: Callable[..., User]) -> User:
    return make_user("Technician")


@pytest.fixture
def supervisor(make_user: Callable[..., User]) -> User:
    return make_user("Supervisor")


@pytest.fixture
def auditor(make_user: Callable[..., User]) -> User:
    return make_user("Auditor")


@pytest.fixture
def field_worker(make_user: Callable[..., User]) -> User:
    return make_user("Field")


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
