"""Usage belongs to the customer who used it: a move-out read closes the outgoing customer's use and
opens the incoming one's; no unit is billed twice and none is lost (issue 13).

The story of the audit: the previous occupant moved out on 2026-11-10 with a read (6 HCF since the
October read); a tenant moved in on 11-11; the cycle read on 11-28 measured 10 HCF more. The tenant was
billed 16 HCF, the 6 of the previous occupant's final bill among them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from civicbill.billing.models import Bill, BillKind
from civicbill.billing.services import bill_run_commit, bill_run_start, bill_run_trial, final_bill_issue
from civicbill.customers import services as customer_services
from civicbill.customers.models import Account
from civicbill.ledger.selectors import check_books
from civicbill.meters.services.reads import read_record
from tests.fixtures.billing import NOV

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 1)
OCT = dt.date(2026, 10, 1)
# 16 HCF a month before the move: Aug 28 → Sep 28 → Oct 28
HISTORY = ((dt.date(2026, 8, 28), 8_800), (dt.date(2026, 9, 28), 10_400), (dt.date(2026, 10, 28), 12_000))


def _run(period: dt.date, technician: Any, as_of: dt.date) -> None:
    run = bill_run_start(cycle_number=1, period=period, actor=technician, as_of=as_of)
    bill_run_trial(run_id=run.pk, actor=technician, as_of=as_of)
    bill_run_commit(run_id=run.pk, actor=technician, as_of=as_of)


def _tenant_at(account: Account, *, start: dt.date, csr: Any) -> Account:
    tenant = customer_services.customer_create(
        kind="person", first_name="Luis", last_name="Ortega", mailing_line1=account.premise.address_line,
        mailing_city="Coachella", mailing_zip="92236", preferred_language="es", actor=csr,
    )  # fmt: skip
    return customer_services.account_open(
        customer=tenant,
        premise=account.premise,
        services=[("water", "W-RES"), ("sewer", "S-RES")],
        start_date=start,
        as_of=start,
        actor=csr,
    )


def _moved(make_account: Any, csr: Any, technician: Any) -> tuple[Account, Account]:
    """The previous occupant reads 12,000 CF on Oct 28, moves out on Nov 10 at 12,600 (6 HCF); the
    tenant moves in on Nov 11; the cycle read on Nov 28 is 13,600 (10 HCF more): 16 HCF in all."""
    previous = make_account(reads=HISTORY)
    _run(OCT, technician, dt.date(2026, 11, 1))
    customer_services.account_close(account=previous, end_date=dt.date(2026, 11, 10), actor=csr)
    serial = previous.premise.service_points.get().installations.get().meter.serial_number
    out = read_record(meter_serial=serial, read_on=dt.date(2026, 11, 10), value=Decimal(12_600),
                      source="manual", actor=csr, as_of=dt.date(2026, 11, 10))  # fmt: skip
    assert (out.accepted, out.consumption_hcf) == (True, Decimal(6))
    tenant = _tenant_at(previous, start=dt.date(2026, 11, 11), csr=csr)
    cycle_read = read_record(meter_serial=serial, read_on=dt.date(2026, 11, 28), value=Decimal(13_600),
                             source="manual", actor=technician, as_of=dt.date(2026, 11, 28))  # fmt: skip
    assert (cycle_read.accepted, cycle_read.consumption_hcf) == (True, Decimal(10))
    return previous, tenant


def test_the_tenant_who_moved_in_on_11_11_is_billed_only_the_10_hcf_since_the_move_out_read(
    cycle: Any, make_account: Any, csr: Any, technician: Any
) -> None:
    previous, tenant = _moved(make_account, csr, technician)
    final = final_bill_issue(account_number=previous.number, actor=csr, as_of=dt.date(2026, 11, 12))
    assert (final.kind, final.period_start, final.period_end) == (
        BillKind.FINAL, dt.date(2026, 10, 29), dt.date(2026, 11, 10),
    )  # fmt: skip
    assert final.consumption_hcf == 6
    _run(NOV, technician, TODAY)

    bill = Bill.objects.get(account=tenant)
    assert bill.consumption_hcf == 10  # not 16
    assert (bill.previous_read_on, bill.previous_read) == (dt.date(2026, 11, 10), Decimal(12_600))
    assert (bill.current_read_on, bill.current_read) == (dt.date(2026, 11, 28), Decimal(13_600))
    commodity = bill.lines.get(charge_key="commodity_charge")
    assert commodity.amount_cents == 1500  # 10 HCF × $1.50
    assert not Bill.objects.filter(account=previous, kind=BillKind.REGULAR, period=NOV).exists()
    # every unit the meter measured from Oct 28 to Nov 28 is billed exactly once
    assert final.consumption_hcf + bill.consumption_hcf == Decimal(16)
    assert check_books().ok


def test_a_run_before_the_final_bill_splits_the_use_at_the_move_out_read(
    cycle: Any, make_account: Any, csr: Any, technician: Any
) -> None:
    previous, tenant = _moved(make_account, csr, technician)
    _run(NOV, technician, TODAY)

    outgoing = Bill.objects.get(account=previous, period=NOV)
    incoming = Bill.objects.get(account=tenant, period=NOV)
    assert (outgoing.consumption_hcf, incoming.consumption_hcf) == (6, 10)
    assert (outgoing.previous_read_on, outgoing.current_read_on) == (
        dt.date(2026, 10, 28),
        dt.date(2026, 11, 10),
    )
    assert (incoming.previous_read_on, incoming.current_read_on) == (
        dt.date(2026, 11, 10),
        dt.date(2026, 11, 28),
    )
    assert check_books().ok


def test_a_move_in_read_on_the_move_in_day_starts_the_tenants_use(
    cycle: Any, make_account: Any, csr: Any, technician: Any
) -> None:
    """No move-out read; the tenant's start read on Nov 11 (12,700) is the boundary: the previous occupant
    is billed to it (7 HCF), the tenant from it (9 HCF)."""
    previous = make_account(reads=HISTORY)
    _run(OCT, technician, dt.date(2026, 11, 1))
    customer_services.account_close(account=previous, end_date=dt.date(2026, 11, 10), actor=csr)
    tenant = _tenant_at(previous, start=dt.date(2026, 11, 11), csr=csr)
    serial = previous.premise.service_points.get().installations.get().meter.serial_number
    for day, value in ((dt.date(2026, 11, 11), 12_700), (dt.date(2026, 11, 28), 13_600)):
        read_record(meter_serial=serial, read_on=day, value=Decimal(value), source="manual", actor=csr,
                    as_of=day)  # fmt: skip
    _run(NOV, technician, TODAY)

    assert Bill.objects.get(account=previous, period=NOV).consumption_hcf == 7
    assert Bill.objects.get(account=tenant, period=NOV).consumption_hcf == 9
    assert check_books().ok
