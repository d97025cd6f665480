"""Issue 13: every determinant the quote accepts reaches the billing run.

For each determinant an account is built with the fact, billed by a real run (trial, then commit),
and its bill's lines are compared with ``rate_quote`` for the same facts, to the cent:

- ``winter_average_ccf``: the account's own average water use on its December, January and February
  bills of the last winter (``civicbill.billing.periods.winter_window``);
- ``containers`` and ``container_size``: the refuse agreement's;
- ``dwelling_units``: the premise's;
- ``meter_size`` of a fire line: the agreement's fire service size, not the domestic meter's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pytest

from civicbill.billing.models import Bill, BillException
from civicbill.billing.periods import winter_window
from civicbill.billing.services import bill_run_commit, bill_run_start, bill_run_trial
from civicbill.customers.services import AgreementSpec
from civicbill.ledger.selectors import check_books
from civicbill.rates.quotes import rate_quote
from civicbill.rates.services import schedule_version_load
from tests.fixtures.billing import NOV

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 1)
NOV_END = dt.date(2026, 11, 28)  # cycle 1's November period 2026-10-29 .. 2026-11-28: 31 days


def _bill_month(technician: Any, period: dt.date) -> None:
    run = bill_run_start(cycle_number=1, period=period, actor=technician, as_of=TODAY)
    bill_run_trial(run_id=run.pk, actor=technician, as_of=TODAY)
    bill_run_commit(run_id=run.pk, actor=technician, as_of=TODAY)


def _november(technician: Any, account: Any) -> Bill:
    _bill_month(technician, NOV)
    bill = Bill.objects.get(account=account, period=NOV)
    assert bill.status == Bill.Status.ISSUED
    return bill


def _assert_bill_equals_quote(
    bill: Bill,
    *,
    service: str,
    schedule: str,
    customer_class: str,
    usage: Decimal,
    meter_size: str | None = None,
    variables: Mapping[str, str] | None = None,
) -> list[tuple[str, str, Decimal, int]]:
    quote = rate_quote(
        schedule_code=schedule,
        customer_class=customer_class,
        usage_hcf=usage,
        as_of=bill.period_end,
        days=(bill.period_end - bill.period_start).days + 1,
        cycle_days=31,
        meter_size=meter_size,
        variables=variables or {},
    )
    billed = [
        (line.charge_key, line.description, line.quantity, line.amount_cents)
        for line in bill.lines.filter(service=service).order_by("sequence")
    ]
    quoted = [(line.charge_key, line.description, line.quantity, line.amount_cents) for line in quote.lines]
    assert billed == quoted
    assert sum(cents for *_, cents in billed) == quote.total_cents
    return billed


# -- winter average ------------------------------------------------------------------------------
WINTER_READS = (
    (dt.date(2025, 11, 28), 10_000),
    (dt.date(2025, 12, 28), 11_000),  # December 2025: 10 HCF
    (dt.date(2026, 1, 28), 12_200),  # January 2026: 12 HCF
    (dt.date(2026, 2, 28), 13_700),  # February 2026: 15 HCF
    (dt.date(2026, 10, 28), 20_000),
    (dt.date(2026, 11, 28), 23_000),  # November 2026: 30 HCF
)


def test_the_window_is_the_last_december_to_february_before_the_bill() -> None:
    assert winter_window(NOV) == (dt.date(2025, 12, 1), dt.date(2026, 1, 1), dt.date(2026, 2, 1))
    assert winter_window(dt.date(2026, 3, 1)) == (
        dt.date(2025, 12, 1),
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 1),
    )
    assert winter_window(dt.date(2026, 2, 1)) == (
        dt.date(2024, 12, 1),
        dt.date(2025, 1, 1),
        dt.date(2025, 2, 1),
    )


def test_the_sewer_volume_is_capped_at_the_accounts_own_winter_average(
    cycle: Any, make_account: Any, technician: Any
) -> None:
    """Winter bills of 10, 12 and 15 HCF: average 37/3 = 12.333… → 12.33 HCF. November uses 30 HCF:
    S-COM $41.81 + 12.33 × $1.95 = $24.0435 → $24.04: $65.85 (uncapped it would be $100.31)."""
    account = make_account(
        premise_type="commercial", services=(("water", "W-COM"), ("sewer", "S-COM")), reads=WINTER_READS
    )
    newcomer = make_account(  # billed only in January and February: no winter average, no cap
        premise_type="commercial",
        services=(("water", "W-COM"), ("sewer", "S-COM")),
        start_date=dt.date(2026, 1, 1),
        reads=WINTER_READS,
    )
    for month in winter_window(NOV):
        _bill_month(technician, month)
    assert Bill.objects.filter(account=account, status=Bill.Status.ISSUED).count() == 3
    bill = _november(technician, account)
    billed = _assert_bill_equals_quote(
        bill,
        service="sewer",
        schedule="S-COM",
        customer_class="COMMERCIAL",
        usage=Decimal(30),
        variables={"winter_average_ccf": "12.33"},
    )
    assert [(key, quantity, cents) for key, _, quantity, cents in billed] == [
        ("sewer_service_charge", Decimal(1), 4181),
        ("sewer_volume_charge", Decimal("12.33"), 2404),
    ]
    volume = bill.lines.get(charge_key="sewer_volume_charge")
    assert (volume.detail["cap"], volume.detail["cap_from"]) == ("12.33", "winter_average_ccf")
    uncapped = _november_bill_of(newcomer)
    _assert_bill_equals_quote(
        uncapped, service="sewer", schedule="S-COM", customer_class="COMMERCIAL", usage=Decimal(30)
    )
    assert uncapped.lines.get(charge_key="sewer_volume_charge").amount_cents == 5850  # 30 × $1.95
    assert check_books().ok


def _november_bill_of(account: Any) -> Bill:
    return Bill.objects.get(account=account, period=NOV)


# -- refuse containers and their size -------------------------------------------------------------
def test_the_refuse_agreements_container_count_is_billed(
    cycle: Any, make_account: Any, technician: Any
) -> None:
    """Two 96-gallon carts: 2 × $28.50 = $57.00."""
    account = make_account(
        services=(("water", "W-RES"), ("sewer", "S-RES"), AgreementSpec("refuse", "R-96GAL", containers=2)),
        usage_hcf=15,
    )
    bill = _november(technician, account)
    billed = _assert_bill_equals_quote(
        bill,
        service="refuse",
        schedule="R-96GAL",
        customer_class="RESIDENTIAL_SINGLE",
        usage=Decimal(15),
        variables={"containers": "2"},
    )
    assert [(key, quantity, cents) for key, _, quantity, cents in billed] == [
        ("refuse_charge", Decimal(2), 5700)
    ]
    assert check_books().ok


R_CART = """
schedule: R-CART
service: refuse
name: Refuse cart by size
effective_from: 2017-07-01
classes:
  ALL:
    charges:
      - key: refuse_charge
        type: fixed
        description: Refuse collection
        per: container
        by: container_size
        prices: {"64": 24.00, "96": 28.50}
"""


def test_the_refuse_agreements_container_size_is_billed(
    cycle: Any, make_account: Any, technician: Any, supervisor: Any
) -> None:
    """Three 64-gallon carts on a schedule priced by size: 3 × $24.00 = $72.00."""
    schedule_version_load(text=R_CART, source_name="R-CART.yaml", actor=supervisor, as_of=dt.date(2017, 7, 1))
    account = make_account(
        services=(
            ("water", "W-RES"),
            AgreementSpec("refuse", "R-CART", containers=3, container_size="64"),
        ),
        usage_hcf=15,
    )
    bill = _november(technician, account)
    billed = _assert_bill_equals_quote(
        bill,
        service="refuse",
        schedule="R-CART",
        customer_class="RESIDENTIAL_SINGLE",
        usage=Decimal(15),
        variables={"containers": "3", "container_size": "64"},
    )
    assert [(key, quantity, cents) for key, _, quantity, cents in billed] == [
        ("refuse_charge", Decimal(3), 7200)
    ]
    assert bill.lines.get(service="refuse").detail["container_size"] == "64"
    assert check_books().ok


# -- dwelling units ---------------------------------------------------------------------------------
def test_the_premises_dwelling_units_are_billed(cycle: Any, make_account: Any, technician: Any) -> None:
    """A fourplex on S-MF: 4 × $41.81 = $167.24."""
    account = make_account(
        premise_type="multi_family",
        dwelling_units=4,
        services=(("water", "W-MF"), ("sewer", "S-MF")),
        usage_hcf=15,
    )
    bill = _november(technician, account)
    billed = _assert_bill_equals_quote(
        bill,
        service="sewer",
        schedule="S-MF",
        customer_class="RESIDENTIAL_MULTI",
        usage=Decimal(15),
        variables={"dwelling_units": "4"},
    )
    assert [(key, quantity, cents) for key, _, quantity, cents in billed] == [
        ("sewer_charge", Decimal(4), 16724)
    ]
    assert check_books().ok


# -- fire service size ------------------------------------------------------------------------------
def test_a_fire_line_is_billed_by_its_own_size_not_the_domestic_meters(
    cycle: Any, make_account: Any, technician: Any
) -> None:
    """A 6" fire line behind a 2" domestic meter: F-LINE 6" = $72.90 (the 2" price would be $18.75)."""
    account = make_account(
        premise_type="commercial",
        meter_size="2",
        services=(("water", "W-COM"), AgreementSpec("fire_line", "F-LINE", service_size="6")),
        usage_hcf=15,
    )
    bill = _november(technician, account)
    billed = _assert_bill_equals_quote(
        bill,
        service="fire_line",
        schedule="F-LINE",
        customer_class="COMMERCIAL",
        usage=Decimal(15),
        meter_size="6",
    )
    assert [(key, cents) for key, _, _, cents in billed] == [("fire_line_charge", 7290)]
    # the domestic water service still uses the 2" meter
    _assert_bill_equals_quote(
        bill,
        service="water",
        schedule="W-COM",
        customer_class="COMMERCIAL",
        usage=Decimal(15),
        meter_size="2",
    )
    assert check_books().ok


def test_a_fire_line_without_a_recorded_size_is_held_not_billed_by_the_meter(
    cycle: Any, make_account: Any, technician: Any
) -> None:
    account = make_account(
        premise_type="commercial",
        meter_size="2",
        services=(("water", "W-COM"), ("fire_line", "F-LINE")),
        usage_hcf=15,
    )
    run = bill_run_start(cycle_number=1, period=NOV, actor=technician, as_of=TODAY)
    bill_run_trial(run_id=run.pk, actor=technician, as_of=TODAY)
    exception = BillException.objects.get(account=account)
    assert (exception.code, exception.blocking) == ("rating_error", True)
    assert exception.message == (
        "F-LINE: F-LINE: fire_line_charge is priced by meter_size, and no meter_size was given "
        "(the fire line agreement has no fire service size: enter the line's size)"
    )


# -- changing an open agreement's determinants ----------------------------------------------------
def test_changing_the_container_count_is_audited_and_billed_from_the_next_bill(
    cycle: Any, make_account: Any, technician: Any, csr: Any
) -> None:
    """Two 96-gallon carts become three before the November run: 3 × $28.50 = $85.50."""
    from civicbill.core.models import AuditEvent
    from civicbill.customers.services import agreement_determinants_set

    account = make_account(
        services=(("water", "W-RES"), ("sewer", "S-RES"), AgreementSpec("refuse", "R-96GAL", containers=2)),
        usage_hcf=15,
    )
    agreement = agreement_determinants_set(account=account, service="refuse", containers=3, actor=csr)
    assert (agreement.containers, agreement.container_size) == (3, "")
    event = AuditEvent.objects.get(action="agreement.determinants")
    assert event.account_number == account.number
    assert event.changes == {"containers": {"before": 2, "after": 3}}
    agreement_determinants_set(account=account, service="refuse", containers=3, actor=csr)  # no change
    assert AuditEvent.objects.filter(action="agreement.determinants").count() == 1
    bill = _november(technician, account)
    assert bill.lines.get(charge_key="refuse_charge").amount_cents == 8550
    assert check_books().ok


@pytest.mark.parametrize(
    ("service", "changes", "field", "message"),
    [
        (
            "water",
            {"containers": 2},
            "containers",
            "Containers and their size are for a refuse service only.",
        ),
        ("refuse", {"containers": 0}, "containers", "Containers must be 1 to 99, not 0."),
        ("water", {"service_size": "4"}, "service_size", "A service size is for a fire line only."),
        ("fire_line", {"service_size": "4"}, "service", "Account {number} has no open fire line agreement."),
        (
            "water",
            {"meter_size": "1"},
            "meter_size",
            "meter_size is not a determinant of a service agreement.",
        ),
        ("gas", {"containers": 1}, "service", None),
    ],
)
def test_a_determinant_change_that_does_not_fit_is_refused_and_changes_nothing(
    cycle: Any,
    make_account: Any,
    csr: Any,
    service: str,
    changes: dict[str, Any],
    field: str,
    message: str | None,
) -> None:
    from civicbill.core.exceptions import ApplicationError
    from civicbill.core.models import AuditEvent
    from civicbill.customers.services import agreement_determinants_set

    account = make_account(services=(("water", "W-RES"), AgreementSpec("refuse", "R-96GAL", containers=2)))
    with pytest.raises(ApplicationError) as refused:
        agreement_determinants_set(account=account, service=service, actor=csr, **changes)
    assert refused.value.field == field
    if message is not None:
        assert refused.value.message == message.format(number=account.number)
    assert not AuditEvent.objects.filter(action="agreement.determinants").exists()
    assert account.agreements.get(service="refuse").containers == 2


def test_an_auditor_may_not_change_determinants(cycle: Any, make_account: Any, auditor: Any) -> None:
    from civicbill.core.exceptions import PermissionDeniedError
    from civicbill.customers.services import agreement_determinants_set

    account = make_account(services=(("water", "W-RES"), AgreementSpec("refuse", "R-96GAL", containers=2)))
    with pytest.raises(PermissionDeniedError):
        agreement_determinants_set(account=account, service="refuse", containers=1, actor=auditor)
    assert account.agreements.get(service="refuse").containers == 2
