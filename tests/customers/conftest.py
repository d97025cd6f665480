"""Customers fixtures: a frozen clock, and customers and premises made through the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine

from civicbill.customers import services
from civicbill.customers.models import Customer, Premise

FROZEN_AT = dt.datetime(2026, 3, 2, 17, 30, tzinfo=dt.UTC)  # Monday 2026-03-02 09:30 in Coachella
TODAY = dt.date(2026, 3, 2)
WATER_SEWER = [services.AgreementSpec("water", "W-RES"), services.AgreementSpec("sewer", "S-RES")]


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(FROZEN_AT, tick=False) as traveller:
        yield traveller


@pytest.fixture
def make_customer(csr: Any) -> Callable[..., Customer]:
    def make(first_name: str = "María", last_name: str = "García", **fields: Any) -> Customer:
        values: dict[str, Any] = {
            "kind": "person",
            "first_name": first_name,
            "last_name": last_name,
            "mailing_line1": "PO Box 12",
            "mailing_city": "Coachella",
            "mailing_zip": "92236",
        }
        values.update(fields)
        return services.customer_create(**values, actor=csr)

    return make


@pytest.fixture
def make_premise(csr: Any) -> Callable[..., Premise]:
    def make(house_number: str = "52", street_name: str = "Avenue 48", **fields: Any) -> Premise:
        values: dict[str, Any] = {
            "house_number": house_number,
            "street_name": street_name,
            "city": "Coachella",
            "zip_code": "92236",
            "premise_type": "single_family",
        }
        values.update(fields)
        return services.premise_create(**values, actor=csr)

    return make


@pytest.fixture
def maria(make_customer: Callable[..., Customer]) -> Customer:
    return make_customer("María", "García", phone="(760) 555-0134", email="Maria.Garcia@Example.com")


@pytest.fixture
def premise_52(make_premise: Callable[..., Premise]) -> Premise:
    return make_premise("52", "Ave 48")
