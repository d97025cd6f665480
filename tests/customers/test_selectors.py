"""Reading one account: by number, its page's facts, a customer's accounts, a premise by address."""

from __future__ import annotations

import datetime as dt

import pytest

from civicbill.core.exceptions import NotFoundError
from civicbill.customers import services
from civicbill.customers.selectors import account_detail, account_get, accounts_for_customer, premise_find
from tests.customers.conftest import TODAY, WATER_SEWER

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(csr, maria, premise_52):
    return services.account_open(
        customer=maria,
        premise=premise_52,
        services=WATER_SEWER,
        start_date=dt.date(2025, 6, 1),
        actor=csr,
        as_of=TODAY,
    )


def test_an_account_is_got_by_its_number_with_or_without_the_dash(account):
    assert account_get("1000001-6") == account
    assert account_get("10000016") == account
    assert account_get(" 1000001-6 ") == account


def test_an_unknown_account_number_says_so(account):
    with pytest.raises(NotFoundError) as missing:
        account_get("1000002-4")
    assert missing.value.message == "No account 1000002-4"
    assert missing.value.code == "not_found"


def test_a_mistyped_account_number_says_the_check_digit_is_wrong(account):
    with pytest.raises(NotFoundError) as missing:
        account_get("1000001-7")
    assert missing.value.message == (
        "No account 1000001-7: the check digit (the last digit) does not match; check the number."
    )
    with pytest.raises(
        NotFoundError, match=r"No account 12345: an account number has 8 digits, like 1000001-8."
    ):
        account_get("12345")


def test_the_account_page_splits_active_and_past_services_and_lists_notes_newest_first(
    csr, account, frozen_clock
):
    account.agreements.filter(service="sewer").update(end_date=dt.date(2026, 1, 31))
    services.note_add(account=account, body="First note", actor=csr)
    frozen_clock.shift(dt.timedelta(minutes=5))
    services.note_add(account=account, body="Second note", actor=csr)
    services.interaction_log(
        account=account,
        channel="visit",
        subject="Paid at counter",
        occurred_at=dt.datetime(2026, 3, 2, 17, 0, tzinfo=dt.UTC),
        actor=csr,
    )

    detail = account_detail(account, as_of=dt.date(2026, 3, 2))

    assert detail.account == account
    assert detail.customer.display_name == "María García"
    assert detail.premise.address_line == "52 Ave 48"
    assert [(a.service, a.end_date) for a in detail.active_agreements] == [("water", None)]
    assert [(a.service, a.end_date) for a in detail.past_agreements] == [("sewer", dt.date(2026, 1, 31))]
    assert [a.service for a in detail.agreements] == ["water", "sewer"]
    assert [note.body for note in detail.notes] == ["Second note", "First note"]
    assert [item.subject for item in detail.interactions] == ["Paid at counter"]
    assert detail.other_accounts == ()


def test_an_agreement_ending_later_is_still_active_today(csr, account):
    services.account_close(account=account, end_date=dt.date(2026, 3, 31), actor=csr)
    detail = account_detail(account, as_of=dt.date(2026, 3, 2))
    assert [a.service for a in detail.active_agreements] == ["sewer", "water"]
    assert account_detail(account, as_of=dt.date(2026, 4, 1)).active_agreements == ()


def test_a_customers_accounts_newest_first(csr, maria, account, make_premise):
    new = services.customer_transfer(
        account=account,
        new_premise=make_premise("60", "Avenue 48"),
        move_date=dt.date(2026, 2, 27),
        actor=csr,
        as_of=TODAY,
    )
    assert [a.number for a in accounts_for_customer(maria)] == [new.number, "1000001-6"]
    assert [a.number for a in account_detail(new, as_of=TODAY).other_accounts] == ["1000001-6"]


def test_a_premise_is_found_by_its_address_however_it_is_abbreviated(premise_52, make_premise):
    make_premise("52", "Avenue 48", unit="B")
    assert premise_find(house_number="52", street_name="avenue 48") == premise_52
    assert premise_find(house_number="52", street_name="AVE 48", zip_code="92236") == premise_52
    assert premise_find(house_number="52", street_name="Ave 48", zip_code="92201") is None
    assert premise_find(house_number="54", street_name="Ave 48") is None
    assert premise_find(house_number="", street_name="") is None
