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
