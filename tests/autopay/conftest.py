"""Autopay fixtures: the billing fixtures (Coachella rates, cycle 1 read on the 28th: the November
bills are dated 2026-11-30 and due Monday 2026-12-21), three customers with bank accounts, and
helpers that move the clock and build the bank's return files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from civicbill.autopay import bank_files, config
from civicbill.autopay.models import DraftEntry
from civicbill.billing.services import bill_run_commit, bill_run_start, bill_run_trial
from civicbill.core import clock
from tests.fixtures.billing import NOV

# bank details of the sample customers (routing numbers with valid check digits)
ROUTING_A = "121042882"
ROUTING_B = "231380104"
ROUTING_C = "011000015"
ACCOUNT_A = "123456789"
ACCOUNT_B = "9876543210"
ACCOUNT_C = "5550001234"
ALL_CLEAR_NUMBERS = (ACCOUNT_A, ACCOUNT_B, ACCOUNT_C)


def written(on: dt.date, by: str, reference: str = "Signed form in the autopay binder") -> Any:
    """A written authorization whose copy is filed (the usual case at the counter)."""
    from civicbill.autopay.services import AuthorizationIn

    return AuthorizationIn(method="written", authorized_on=on, authorized_by=by, reference=reference)


def local(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    """An aware instant at ``hour:minute`` in Coachella on ``day``."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=clock.utility_zone())


@pytest.fixture
def at(frozen: Any) -> Callable[[dt.date], dt.datetime]:
    """Move the frozen clock to 09:00 Coachella time on a day and return that instant."""

    def move(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
        instant = local(day, hour, minute)
        frozen.move_to(instant)
        return instant

    return move


@pytest.fixture
def november_bills(cycle: Any, technician: Any) -> Callable[[], Any]:
    def run() -> Any:
        today = dt.date(2026, 12, 1)
        started = bill_run_start(cycle_number=1, period=NOV, actor=technician, as_of=today)
        bill_run_trial(run_id=started.pk, actor=technician, as_of=today)
        return bill_run_commit(run_id=started.pk, actor=technician, as_of=today)

    return run


def returns_file(items: list[tuple[DraftEntry, str, str]], *, on: dt.date, modifier: str = "A") -> bytes:
    """The bank's return/NOC file for ``(draft entry, code, corrected data)`` triples."""
    return bank_files.return_file(
        originator=config.ach_settings().originator,
        items=bank_files.return_specs(items),
        created_on=on,
        file_id_modifier=modifier,
    )


DEC_1 = dt.date(2026, 12, 1)
DEC_3 = dt.date(2026, 12, 3)
DEC_18 = dt.date(2026, 12, 18)
DEC_21 = dt.date(2026, 12, 21)
DEC_23 = dt.date(2026, 12, 23)


class Drafted:
    """Three enrolled accounts whose November bills ($78.11) are in the file for December 21."""

    def __init__(self, accounts: list[Any], enrollments: list[Any], draft: Any) -> None:
        self.ana, self.ben, self.carla = accounts
        self.enrollments = enrollments
        self.draft = draft
        by_account = {e.account_id: e for e in DraftEntry.objects.filter(draft_file=draft)}
        self.ana_entry, self.ben_entry, self.carla_entry = (by_account[a.pk] for a in accounts)


@pytest.fixture
def enrolled(make_account: Any, at: Any, csr: Any) -> list[Any]:
    """Ana (checking), Ben (checking) and Carla (savings), enrolled on December 1."""
    from civicbill.autopay.services import autopay_enroll

    now = at(DEC_1)
    accounts = [make_account(last_name=name, usage_hcf=15) for name in ("García", "Ortiz", "Núñez")]
    details = (
        (ROUTING_A, ACCOUNT_A, "checking"),
        (ROUTING_B, ACCOUNT_B, "checking"),
        (ROUTING_C, ACCOUNT_C, "savings"),
    )
    return [
        autopay_enroll(
            account=account,
            routing_number=routing,
            account_number=number,
            account_type=kind,
            authorization=written(DEC_1, account.customer.display_name),
            as_of=now,
            actor=csr,
        )
        for account, (routing, number, kind) in zip(accounts, details, strict=True)
    ]


@pytest.fixture
def drafted(enrolled: list[Any], november_bills: Any, at: Any, technician: Any) -> Drafted:
    from civicbill.autopay.services import ach_draft_create

    ach_draft_create(effective_date=DEC_3, as_of=at(DEC_1), actor=technician)
    november_bills()
    draft = ach_draft_create(effective_date=DEC_21, as_of=at(DEC_18), actor=technician)
    return Drafted([e.account for e in enrolled], enrolled, draft)
