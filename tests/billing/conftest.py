"""Billing fixtures: Coachella rates, cycle 1 read on the 28th, accounts with a metered history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from civicbill.billing.models import BillingCycle
from civicbill.billing.services import billing_cycle_ensure
from civicbill.core import clock
from civicbill.customers import services as customer_services
from civicbill.customers.models import Account
from civicbill.meters.conversion import MeterRow, meters_convert
from civicbill.rates.services import load_demo_schedules_trusted

NOV = dt.date(2026, 11, 1)  # billed Oct 29 - Nov 28 (31 days), bill date Nov 30, due Dec 21


@pytest.fixture
def cycle(frozen: Any, technician: Any) -> BillingCycle:
    load_demo_schedules_trusted(actor=technician, as_of=dt.date(2026, 12, 1))
    return billing_cycle_ensure(number=1, name="North", read_day=28, actor=technician, at=clock.now())


@pytest.fixture
def make_account(frozen: Any, csr: Any, technician: Any) -> Callable[..., Account]:
    """An account at a new premise with a meter read monthly on the 28th (``usage`` HCF per month,
    ``reads`` overriding the dated register values in CF)."""
    counter = {"n": 0}

    def make(
        *,
        premise_type: str = "single_family",
        services: tuple[tuple[str, str], ...] = (("water", "W-RES"), ("sewer", "S-RES")),
        meter_size: str = "3/4",
        start_date: dt.date = dt.date(2025, 1, 2),
        reads: tuple[tuple[dt.date, int], ...] | None = None,
        usage_hcf: int = 15,
        dwelling_units: int = 1,
        cycle_number: int = 1,
        last_name: str = "García",
    ) -> Account:
        counter["n"] += 1
        n = counter["n"]
        account = customer_services.move_in_new_customer(
            data={
                "kind": "person",
                "first_name": "Test",
                "last_name": last_name,
                "phone": f"760-555-{n:04d}",
                "email": "",
                "preferred_language": "en",
                "house_number": str(100 + n),
                "street_name": "Avenue 50",
                "city": "Coachella",
                "zip_code": "92236",
                "premise_type": premise_type,
                "dwelling_units": dwelling_units,
                "billing_cycle": cycle_number,
                "start_date": start_date,
                "mailing_same_as_service": True,
            },
            services=list(services),
            actor=csr,
            as_of=start_date,
        )
        if reads is None:
            reads = ((dt.date(2026, 9, 28), 10_000), (dt.date(2026, 10, 28), 11_000),
                     (dt.date(2026, 11, 28), 11_000 + usage_hcf * 100))  # fmt: skip
        meters_convert(
            rows=[
                MeterRow(
                    serial_number=f"TS{n:08d}",
                    make="Badger",
                    model="M25",
                    size=meter_size,
                    meter_type="amr",
                    dials=6,
                    read_unit="CF",
                    premise_id=account.premise_id,
                    read_route="R01001",
                    route_sequence=n * 10,
                    installed_on=dt.date(2024, 1, 1),
                    install_read=Decimal(5_000),
                    reads=tuple((day, Decimal(value)) for day, value in reads),
                )
            ],
            received_on=dt.date(2024, 1, 1),
            actor=technician,
        )
        return account

    return make
