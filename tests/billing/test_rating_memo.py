"""The billing run's memoised rating never lets two accounts share a result they should not."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from civicbill.billing.services.rating import rate_function
from civicbill.rates.services import load_demo_schedules_trusted
from civicbill.rates.types import Determinants

pytestmark = pytest.mark.django_db

START, END = dt.date(2026, 10, 29), dt.date(2026, 11, 28)
UNCAPPED, CAPPED = Decimal("100.31"), Decimal("65.21")  # S-COM at 30 HCF; capped at 12 HCF of winter use


def test_accounts_differing_only_in_a_variable_are_rated_apart(frozen: Any, technician: Any) -> None:
    load_demo_schedules_trusted(actor=technician, as_of=dt.date(2026, 12, 1))
    rate = rate_function(codes=["S-COM"], period_start=START, period_end=END)

    def sewer_total(variables: dict[str, Decimal]) -> Decimal:
        determinants = Determinants(
            usage_hcf=Decimal(30), customer_class="COMMERCIAL", meter_size="1", variables=variables
        )
        result = rate("S-COM", determinants, START, END, 30)
        assert result is not None and not result.errors
        return result.total

    uncapped = sewer_total({})
    capped = sewer_total({"winter_average_ccf": Decimal(12)})

    assert (uncapped, capped) == (UNCAPPED, CAPPED)


def test_a_bill_line_has_room_for_a_full_precision_proration_factor() -> None:
    """27 of 31 days as Decimal gives it is 30 characters of text (31 for some ratios), which PostgreSQL
    refused in the first 30-character column when the demo city billed a move-in (SQLite never checks)."""
    from civicbill.billing.models import BillLine

    factor = str(Decimal(27) / Decimal(31))
    assert factor == "0.8709677419354838709677419355"
    assert BillLine._meta.get_field("proration").max_length == 60
    assert BillLine._meta.get_field("price").max_length == 60


def test_a_winter_average_splits_the_rating_only_where_a_schedule_reads_it(
    frozen: Any, technician: Any
) -> None:
    """S-RES (flat) ignores the winter average: two accounts that differ only in it share one rating
    (one tuple of lines, prepared for the database once); on S-COM (capped) they are rated apart."""
    from civicbill.billing.calculation import AccountFacts, AgreementFacts, Charged, WaterFacts, draft_bill

    load_demo_schedules_trusted(actor=technician, as_of=dt.date(2026, 12, 1))
    rate = rate_function(codes=["W-COM", "S-RES", "S-COM"], period_start=START, period_end=END)
    memo: dict[Any, Charged] = {}

    def draft(code: str, winter: str) -> Any:
        facts = AccountFacts(
            account_id=1,
            number="1000001-6",
            language="en",
            premise_type="commercial",
            dwelling_units=1,
            customer_class="COMMERCIAL" if code == "S-COM" else "RESIDENTIAL_SINGLE",
            agreements=(
                AgreementFacts("water", "W-COM", dt.date(2020, 1, 1), None),
                AgreementFacts("sewer", code, dt.date(2020, 1, 1), None),
            ),
            water=WaterFacts(Decimal(30), estimated=False, missing=False, meter_size="1"),
            balance_now_cents=0,
            previous_balance_cents=0,
            payments_cents=0,
            usual_bill_cents=None,
            winter_average_hcf=Decimal(winter),
        )
        return draft_bill(
            facts, number="N", period_start=START, period_end=END, standard_days=31, rate=rate, memo=memo
        )

    flat_a, flat_b = draft("S-RES", "12"), draft("S-RES", "20")
    assert flat_a.lines is flat_b.lines and flat_a.charges_by_service["sewer"] == 4181
    capped_a, capped_b = draft("S-COM", "12"), draft("S-COM", "20")
    capped = (capped_a.charges_by_service["sewer"], capped_b.charges_by_service["sewer"])
    assert capped == (6521, 8081)  # $41.81 + 12 or 20 HCF × $1.95
