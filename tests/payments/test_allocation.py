"""The allocation order: deposits, penalties, then oldest charges; pro rata across services of the
same age; overpayment a credit."""

from __future__ import annotations

import datetime as dt

import pytest

from civicbill.payments.allocation import (
    Allocation,
    AllocationPolicy,
    Movement,
    OpenItem,
    allocate,
    credit_service_for,
    open_items,
)

OCT, NOV, DEC = dt.date(2026, 10, 31), dt.date(2026, 11, 30), dt.date(2026, 12, 1)


def test_a_payment_pays_deposits_then_penalties_then_oldest_charges() -> None:
    items = [
        OpenItem("water", "charge", NOV, 4000),
        OpenItem("water", "charge", OCT, 3000),
        OpenItem("water", "penalty", NOV, 400),
        OpenItem("water", "deposit", DEC, 10000),
    ]
    assert allocate(amount_cents=14000, items=items) == [
        Allocation("water", "deposit", 10000),
        Allocation("water", "penalty", 400),
        Allocation("water", "charge", 3600),
    ]


def test_charges_of_the_same_age_on_several_services_are_paid_pro_rata() -> None:
    items = [OpenItem("water", "charge", NOV, 4820), OpenItem("sewer", "charge", NOV, 4181)]
    # 50.00 of 90.01: water 4820*5000/9001 = 2677.48 -> 2677, sewer 2322.52 -> 2323 (largest remainder)
    assert allocate(amount_cents=5000, items=items) == [
        Allocation("water", "charge", 2677),
        Allocation("sewer", "charge", 2323),
    ]


def test_an_older_charge_on_one_service_is_paid_before_a_newer_one_on_another() -> None:
    items = [OpenItem("sewer", "charge", OCT, 1000), OpenItem("water", "charge", NOV, 4000)]
    assert allocate(amount_cents=2500, items=items) == [
        Allocation("sewer", "charge", 1000),
        Allocation("water", "charge", 1500),
    ]


def test_an_overpayment_becomes_a_credit_on_the_credit_service() -> None:
    items = [OpenItem("sewer", "charge", NOV, 4181)]
    assert allocate(amount_cents=5000, items=items, credit_service="water") == [
        Allocation("sewer", "charge", 4181),
        Allocation("water", "credit", 819),
    ]
    assert allocate(amount_cents=100, items=[]) == [Allocation("water", "credit", 100)]


def test_the_credit_goes_to_the_first_service_when_the_account_has_no_water() -> None:
    assert credit_service_for(["refuse", "sewer"]) == "sewer"
    assert credit_service_for(["sewer", "water"]) == "water"
    assert credit_service_for([]) == "water"


def test_a_configured_order_puts_charges_before_penalties() -> None:
    policy = AllocationPolicy(kind_order=("charge", "penalty", "deposit"))
    items = [OpenItem("water", "penalty", OCT, 400), OpenItem("water", "charge", NOV, 4000)]
    assert allocate(amount_cents=4200, items=items, policy=policy) == [
        Allocation("water", "charge", 4000),
        Allocation("water", "penalty", 200),
    ]


def test_a_policy_must_order_every_kind() -> None:
    with pytest.raises(ValueError, match=r"kind_order"):
        AllocationPolicy(kind_order=("charge",))


def test_a_payment_must_be_positive() -> None:
    with pytest.raises(ValueError, match=r"positive"):
        allocate(amount_cents=0, items=[])


def test_open_items_settle_earlier_credits_in_the_same_order() -> None:
    movements = [
        Movement("water", "bill", OCT, 3000),
        Movement("water", "penalty", NOV, 400),
        Movement("water", "bill", NOV, 4000),
        Movement("sewer", "bill", NOV, 2000),
        Movement("water", "payment", NOV, -3200),  # penalty 4.00, then October 28.00
        Movement("sewer", "payment", NOV, -2500),  # sewer paid, 5.00 credit waiting
        Movement("sewer", "bill", DEC, 1800),  # the credit takes 5.00 of it
    ]
    assert open_items(movements) == [
        OpenItem("water", "charge", OCT, 200),
        OpenItem("water", "charge", NOV, 4000),
        OpenItem("sewer", "charge", DEC, 1300),
    ]


def test_a_deposit_entry_makes_a_deposit_item() -> None:
    assert open_items([Movement("water", "deposit", DEC, 15000)]) == [
        OpenItem("water", "deposit", DEC, 15000)
    ]
