"""The billing run's memoised rating never lets two accounts share a result they should not."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from civicbill.billing.services.rating import rate_function
from civicbill.rates.services import load_demo_schedules
from civicbill.rates.types import Determinants

pytestmark = pytest.mark.django_db

START, END = dt.date(2026, 10, 29), dt.date(2026, 11, 28)
UNCAPPED, CAPPED = Decimal("100.31"), Decimal("65.21")  # S-COM at 30 HCF; capped at 12 HCF of winter use


def test_accounts_differing_only_in_a_variable_are_rated_apart(frozen: Any, technician: Any) -> None:
    load_demo_schedules(actor=technician, as_of=dt.date(2026, 12, 1))
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
