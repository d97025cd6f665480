"""Bills made directly with the ORM (no billing run needed): a realistic Coachella bill.

Rosa Peña (Spanish) and Tom Baker (English) each have twelve earlier issued bills and one bill for
November 2026: 3/4" meter, reads 1,234 → 1,249 (15 HCF), water $36.30 (meter charge $13.80 +
15 HCF × $1.50), sewer $41.81; previous balance $90.01 paid in full; total due $78.11.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User

from civicbill.billing.documents.chart import add_months
from civicbill.billing.models import Bill, BillingCycle, BillLine, BillRun
from civicbill.customers import services
from civicbill.customers.models import Account

NOW = dt.datetime(2026, 12, 1, 17, 0, tzinfo=dt.UTC)
NOVEMBER = dt.date(2026, 11, 1)
EARLIER_USAGE_HCF = (12, 13, 15, 18, 22, 25, 27, 26, 21, 17, 14, 13)  # Nov 2025 .. Oct 2026


def make_account(
    actor: User,
    *,
    first: str,
    last: str,
    language: str,
    house: str,
    street: str,
    zip_code: str,
    paperless: bool = False,
) -> Account:
    return services.move_in_new_customer(
        data={
            "kind": "person",
            "first_name": first,
            "last_name": last,
            "phone": "760-555-0142",
            "email": f"{first.lower()}@example.com",
            "preferred_language": language,
            "house_number": house,
            "street_name": street,
            "city": "Coachella",
            "zip_code": zip_code,
            "premise_type": "single_family",
            "dwelling_units": 1,
            "billing_cycle": 1,
            "start_date": dt.date(2025, 10, 1),
            "mailing_same_as_service": True,
            "paperless": paperless,
        },
        services=[("water", "W-RES"), ("sewer", "S-RES")],
        actor=actor,
        as_of=dt.date(2025, 10, 1),
    )


def make_run(actor: User, *, status: str = BillRun.Status.COMMITTED) -> BillRun:
    cycle, _ = BillingCycle.objects.get_or_create(number=1, defaults={"name": "Cycle 1", "created_at": NOW})
    return BillRun.objects.create(
        cycle=cycle,
        period=NOVEMBER,
        period_start=dt.date(2026, 10, 29),
        period_end=dt.date(2026, 11, 28),
        bill_date=dt.date(2026, 11, 30),
        due_date=dt.date(2026, 12, 21),
        status=status,
        started_by=actor,
        started_at=NOW,
    )


def add_history(account: Account, *, prefix: str) -> None:
    """Twelve issued bills, Nov 2025 .. Oct 2026 (October estimated)."""
    for index, usage in enumerate(EARLIER_USAGE_HCF):
        period = add_months(NOVEMBER, index - 12)
        Bill.objects.create(
            number=f"{prefix}{period:%y%m}",
            account=account,
            status=Bill.Status.ISSUED,
            period=period,
            period_start=period,
            period_end=period + dt.timedelta(days=27),
            bill_date=period + dt.timedelta(days=29),
            due_date=period + dt.timedelta(days=50),
            consumption_hcf=Decimal(usage),
            estimated=index == 11,
            created_at=NOW,
        )


def make_november_bill(
    account: Account,
    run: BillRun | None,
    *,
    number: str,
    lines: list[dict[str, Any]] | None = None,
    **overrides: Any,
) -> Bill:
    values: dict[str, Any] = {
        "number": number,
        "account": account,
        "run": run,
        "status": Bill.Status.ISSUED,
        "period": NOVEMBER,
        "period_start": dt.date(2026, 10, 29),
        "period_end": dt.date(2026, 11, 28),
        "bill_date": dt.date(2026, 11, 30),
        "due_date": dt.date(2026, 12, 21),
        "language": account.customer.preferred_language,
        "meter_serial": "BDG-340017",
        "previous_read_on": dt.date(2026, 10, 28),
        "previous_read": Decimal("1234.000"),
        "current_read_on": dt.date(2026, 11, 28),
        "current_read": Decimal("1249.000"),
        "consumption_hcf": Decimal("15.000"),
        "previous_balance_cents": 9001,
        "payments_cents": -9001,
        "adjustments_cents": 0,
        "current_charges_cents": 7811,
        "total_due_cents": 7811,
        "created_at": NOW,
        "issued_at": NOW,
    }
    values.update(overrides)
    bill = Bill.objects.create(**values)
    if lines is not None:
        BillLine.objects.bulk_create(
            [BillLine(bill=bill, sequence=index, **line) for index, line in enumerate(lines, start=1)]
        )
        return bill
    label_w, label_s = "W-RES from 2017-07-01", "S-RES from 2017-07-01"
    BillLine.objects.bulk_create(
        [
            BillLine(
                bill=bill,
                sequence=1,
                service="water",
                charge_key="service_charge",
                description='Meter charge (3/4" meter)',
                quantity=Decimal(1),
                unit="month",
                price="13.80",
                amount_cents=1380,
                version_label=label_w,
                rate_version_id=1,
                line_period_start=bill.period_start,
                line_period_end=bill.period_end,
                detail={"meter_size": "3/4"},
            ),
            BillLine(
                bill=bill,
                sequence=2,
                service="water",
                charge_key="commodity_charge",
                description="Water usage, tier 1 (0–41 HCF)",
                quantity=Decimal(15),
                unit="HCF",
                tier=1,
                price="1.50",
                amount_cents=2250,
                version_label=label_w,
                rate_version_id=1,
                line_period_start=bill.period_start,
                line_period_end=bill.period_end,
                detail={"tier_from": "0", "tier_to": "41"},
            ),
            BillLine(
                bill=bill,
                sequence=3,
                service="sewer",
                charge_key="sewer_charge",
                description="Sewer service",
                quantity=Decimal(1),
                unit="unit",
                price="41.81",
                amount_cents=4181,
                version_label=label_s,
                rate_version_id=2,
                line_period_start=bill.period_start,
                line_period_end=bill.period_end,
            ),
        ]
    )
    return bill


@pytest.fixture
def bill_run(technician: User) -> BillRun:
    return make_run(technician)


@pytest.fixture
def rosa_bill(frozen: Any, csr: User, bill_run: BillRun) -> Bill:
    account = make_account(
        csr, first="Rosa", last="Peña", language="es", house="52", street="Avenue 48", zip_code="92236"
    )
    add_history(account, prefix="R")
    return make_november_bill(account, bill_run, number="2611-000001")


@pytest.fixture
def tom_bill(frozen: Any, csr: User, bill_run: BillRun) -> Bill:
    account = make_account(
        csr, first="Tom", last="Baker", language="en", house="81", street="Grapefruit Blvd", zip_code="92236"
    )
    add_history(account, prefix="T")
    return make_november_bill(account, bill_run, number="2611-000002")
