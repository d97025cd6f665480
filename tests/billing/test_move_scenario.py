"""Scenarios across time: two houses on cycle 1 billed from September to December 2026; at one of them
the owner moves out on November 10 (a read, a forwarding address, the final bill) and a tenant moves in
on November 11 (no read given: the move-out read starts the tenant's use). Each customer is billed
exactly the water they used, and every unit each meter measured is billed once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from civicbill.billing.documents import bill_document
from civicbill.billing.models import Bill
from civicbill.billing.services import bill_run_commit, bill_run_start, bill_run_trial, final_bill_issue
from civicbill.customers.models import Account
from civicbill.ledger.selectors import account_balance, check_books
from civicbill.meters.services.moves import account_move_in, account_move_out, services_at
from civicbill.meters.services.reads import read_record

pytestmark = pytest.mark.django_db
# a year of monthly reads, 16 HCF (1,600 CF) a month: Oct 28 2025 at 6,000 ... Oct 28 2026 at 25,200
YEAR = tuple((dt.date(2025 + (9 + k) // 12, (9 + k) % 12 + 1, 28), 6_000 + 1_600 * k) for k in range(13))


def _month(period: dt.date, technician: Any, as_of: dt.date) -> None:
    run = bill_run_start(cycle_number=1, period=period, actor=technician, as_of=as_of)
    bill_run_trial(run_id=run.pk, actor=technician, as_of=as_of)
    bill_run_commit(run_id=run.pk, actor=technician, as_of=as_of)


def _billed(account: Account) -> list[tuple[str, str, Decimal, int]]:
    return [
        (bill.kind, f"{bill.period_start:%m-%d}..{bill.period_end:%m-%d}", bill.consumption_hcf,
         bill.current_charges_cents)
        for bill in Bill.objects.filter(account=account).order_by("period", "kind")
    ]  # fmt: skip


def _read(serial: str, day: dt.date, value: int, actor: Any) -> None:
    outcome = read_record(meter_serial=serial, read_on=day, value=Decimal(value), source="handheld",
                          actor=actor, as_of=day)  # fmt: skip
    assert outcome.accepted, outcome.message


def test_a_move_out_and_a_move_in_bill_each_customer_their_own_water_from_september_to_december(
    cycle: Any, make_account: Any, csr: Any, technician: Any
) -> None:
    owner = make_account(reads=YEAR)
    neighbour = make_account(reads=YEAR, last_name="Ruiz")
    _month(dt.date(2026, 9, 1), technician, dt.date(2026, 10, 1))
    _month(dt.date(2026, 10, 1), technician, dt.date(2026, 11, 1))

    moved_out = account_move_out(
        account=owner, end_date=dt.date(2026, 11, 10), read=Decimal(25_800), actor=csr,
        as_of=dt.date(2026, 11, 10),
        forwarding_address={"mailing_line1": "PO Box 77", "mailing_city": "Indio", "mailing_zip": "92201"},
    )  # fmt: skip
    moved_in = account_move_in(
        data={"kind": "person", "first_name": "Luis", "last_name": "Ortega", "preferred_language": "es",
              "start_date": dt.date(2026, 11, 11), "mailing_same_as_service": True},
        services=services_at(owner), premise=owner.premise, read=None, actor=csr, as_of=dt.date(2026, 11, 11),
    )  # fmt: skip
    tenant = moved_in.account
    assert moved_in.read is not None and moved_in.read.read.pk == moved_out.read.read.pk  # type: ignore[union-attr]
    final = final_bill_issue(account_number=owner.number, actor=csr, as_of=dt.date(2026, 11, 12))

    _read("TS00000001", dt.date(2026, 11, 28), 26_800, technician)  # 10 HCF since the move-out read
    _read("TS00000002", dt.date(2026, 11, 28), 26_800, technician)
    _month(dt.date(2026, 11, 1), technician, dt.date(2026, 12, 1))
    _read("TS00000001", dt.date(2026, 12, 28), 28_000, technician)  # 12 HCF
    _read("TS00000002", dt.date(2026, 12, 28), 28_400, technician)
    _month(dt.date(2026, 12, 1), technician, dt.date(2026, 12, 30))

    # a full month of 16 HCF: 13.80 + 16 × 1.50 water + 41.81 sewer = 79.61
    assert _billed(owner) == [
        ("regular", "08-29..09-28", Decimal(16), 7961),
        ("regular", "09-29..10-28", Decimal(16), 7961),
        # Oct 29 - Nov 10, 13 of 31 days: 13.80 × 13/31 = 5.79, 6 × 1.50 = 9.00, 41.81 × 13/31 = 17.53
        ("final", "10-29..11-10", Decimal(6), 579 + 900 + 1753),
    ]
    assert _billed(tenant) == [
        # Nov 11 - Nov 28, 18 of 31 days: 13.80 × 18/31 = 8.01, 10 × 1.50 = 15.00, 41.81 × 18/31 = 24.28
        ("regular", "10-29..11-28", Decimal(10), 801 + 1500 + 2428),
        # Nov 29 - Dec 28 in full: 13.80 + 12 × 1.50 + 41.81
        ("regular", "11-29..12-28", Decimal(12), 1380 + 1800 + 4181),
    ]
    assert _billed(neighbour) == [
        ("regular", "08-29..09-28", Decimal(16), 7961),
        ("regular", "09-29..10-28", Decimal(16), 7961),
        ("regular", "10-29..11-28", Decimal(16), 7961),
        ("regular", "11-29..12-28", Decimal(16), 7961),
    ]
    # the house's meter measured 28 HCF from Oct 28 to Dec 28: billed once, split at the move-out read
    assert final.consumption_hcf + sum(row[2] for row in _billed(tenant)) == Decimal(28)
    assert bill_document(bill_number=final.number).mailing_lines == ("PO Box 77", "Indio, CA 92201")
    assert account_balance(tenant).cents == 801 + 1500 + 2428 + 1380 + 1800 + 4181
    assert check_books().ok
