"""The one search box: account number, name (either order, accents or not), address, phone, email.

The street (all made through the services):

    1000001-6  Pedro Ruiz               52 Ave 48           final (moved out 2026-02-28)
    1000002-4  María García             52 Ave 48           active, (760) 555-0134, Maria.Garcia@Example.com
    1000003-2  José Peña                60 Avenue 48        active, 760-555-0188
    1000004-0  Ana Peña                 1200 Avenue 50 #7   active
    1000005-7  María Elena García López 83 Grapefruit Blvd  active
    1000006-5  García Tire Shop         520 Avenue 48       active
"""

from __future__ import annotations

import datetime as dt

import pytest

from civicbill.customers import services
from civicbill.customers.selectors import AccountHit, account_search
from tests.customers.conftest import TODAY, WATER_SEWER

pytestmark = pytest.mark.django_db


@pytest.fixture
def street(csr, make_customer, make_premise):
    def move_in(customer, premise, start=dt.date(2026, 1, 1)):
        return services.account_open(
            customer=customer, premise=premise, services=WATER_SEWER, start_date=start, actor=csr, as_of=TODAY
        )

    p52 = make_premise("52", "Ave 48")
    pedro = move_in(make_customer("Pedro", "Ruiz"), p52, dt.date(2025, 1, 1))
    services.account_close(account=pedro, end_date=dt.date(2026, 2, 28), actor=csr)
    move_in(
        make_customer("María", "García", phone="(760) 555-0134", email="Maria.Garcia@Example.com"),
        p52,
        dt.date(2026, 3, 1),
    )
    move_in(make_customer("José", "Peña", phone="760-555-0188"), make_premise("60", "Avenue 48"))
    move_in(make_customer("Ana", "Peña"), make_premise("1200", "Avenue 50", unit="7"))
    move_in(make_customer("María Elena", "García López"), make_premise("83", "Grapefruit Blvd"))
    move_in(
        make_customer("", "", kind="business", business_name="García Tire Shop"),
        make_premise("520", "Avenue 48"),
    )


def numbers(query, **kwargs):
    return [hit.number for hit in account_search(query, **kwargs)]


def test_an_exact_account_number_finds_that_account_first(street):
    hits = account_search("1000002-4")
    assert hits == [
        AccountHit(
            account_id=hits[0].account_id,
            number="1000002-4",
            customer_name="María García",
            service_address="52 Ave 48",
            status="active",
            phone="760-555-0134",
            matched_on="account_number",
        )
    ]
    assert numbers("10000024") == ["1000002-4"]
    assert numbers(" 1000002 - 4 ") == ["1000002-4"]


def test_an_account_number_without_its_check_digit_finds_the_account(street):
    assert numbers("1000002") == ["1000002-4"]
    assert account_search("1000002")[0].matched_on == "account_prefix"


def test_an_account_number_with_a_wrong_check_digit_finds_nothing(street):
    assert numbers("1000002-5") == []


def test_a_name_is_found_in_either_order_with_or_without_accents(street):
    for typed in ("maria garcia", "garcia maria", "María García", "GARCIA, MARIA", "garcía maría"):
        assert numbers(typed)[0] == "1000002-4", typed


def test_spanish_accents_do_not_matter(street):
    assert numbers("peña") == numbers("pena") == numbers("PENA") == ["1000004-0", "1000003-2"]
    assert [hit.customer_name for hit in account_search("pena")] == ["Ana Peña", "José Peña"]


def test_a_last_name_lists_everyone_with_it_exact_matches_first(street):
    assert [hit.customer_name for hit in account_search("garcia")] == [
        "María Elena García López",  # GARCIA LOPEZ MARIA ELENA
        "María García",  # GARCIA MARIA
        "García Tire Shop",  # GARCIA TIRE SHOP
    ]
    assert [hit.customer_name for hit in account_search("garcia maria")] == [
        "María García",  # exactly the name typed
        "María Elena García López",  # María and García are words of her name
    ]


def test_a_name_with_a_word_left_out_is_found(street):
    assert numbers("maria lopez") == ["1000005-7"]
    assert numbers("elena garcia") == ["1000005-7"]
    assert numbers("maria garcia lopez") == ["1000005-7"]


def test_a_name_still_being_typed_is_found(street):
    assert numbers("maria gar") == ["1000002-4", "1000005-7"]
    assert numbers("jos") == ["1000003-2"]


def test_an_address_fragment_with_abbreviations_finds_the_premise_active_account_first(street):
    hits = account_search("52 ave 48")
    assert [(hit.number, hit.customer_name, hit.status, hit.matched_on) for hit in hits] == [
        ("1000002-4", "María García", "active", "address"),
        ("1000001-6", "Pedro Ruiz", "final", "address"),
    ]
    assert (
        numbers("52 Avenue 48") == numbers("52 av 48") == numbers("52 AVE. 48") == ["1000002-4", "1000001-6"]
    )


def test_a_house_number_alone_finds_that_house_not_longer_numbers(street):
    assert numbers("52") == ["1000002-4", "1000001-6"]
    assert numbers("1200") == ["1000004-0"]


def test_a_unit_may_be_typed_as_hash_apt_or_unit(street):
    assert (
        numbers("1200 avenue 50 #7")
        == numbers("1200 ave 50 apt 7")
        == numbers("1200 av 50 unit 7")
        == ["1000004-0"]
    )


def test_a_street_alone_finds_every_premise_on_it(street):
    hits = account_search("avenue 48")
    assert [(hit.service_address, hit.status) for hit in hits] == [
        ("52 Ave 48", "active"),
        ("520 Avenue 48", "active"),
        ("60 Avenue 48", "active"),
        ("52 Ave 48", "final"),
    ]
    assert {hit.matched_on for hit in hits} == {"street"}
    assert numbers("ave 48") == numbers("avenue 48")
    assert numbers("grapefruit blvd") == numbers("grapefruit boulevard") == ["1000005-7"]


def test_a_phone_number_is_found_however_it_is_typed(street):
    for typed in ("(760) 555-0134", "760-555-0134", "7605550134", "1-760-555-0134", "760.555.0134"):
        assert numbers(typed) == ["1000002-4"], typed
    assert account_search("760 555 0134")[0].matched_on == "phone"


def test_a_phone_number_without_its_area_code_is_found(street):
    assert numbers("555-0188") == ["1000003-2"]
    assert account_search("5550188")[0].matched_on == "phone_local"


def test_an_email_is_found_in_any_case_and_by_its_start(street):
    assert numbers("maria.garcia@example.com") == ["1000002-4"]
    assert numbers("MARIA.GARCIA@") == ["1000002-4"]


def test_the_limit_caps_the_results(street):
    assert len(account_search("avenue", limit=2)) == 2
    assert numbers("a", limit=1) == ["1000004-0"]  # ANA PENA, the first name starting with A


def test_an_empty_or_unmatched_query_finds_nothing(street):
    assert account_search("") == []
    assert account_search("   ") == []
    assert account_search("zzz") == []
    assert account_search("999 nowhere st") == []


def test_a_name_ranks_before_a_street_and_a_street_before_nothing(street, csr, make_customer, make_premise):
    services.account_open(
        customer=make_customer("", "", kind="business", business_name="Avenue 48 Market"),
        premise=make_premise("9", "Palm Dr"),
        services=WATER_SEWER,
        start_date=dt.date(2026, 1, 1),
        actor=csr,
        as_of=TODAY,
    )
    hits = account_search("avenue 48")
    assert [(hit.customer_name, hit.matched_on) for hit in hits] == [
        ("Avenue 48 Market", "name"),
        ("María García", "street"),
        ("García Tire Shop", "street"),
        ("José Peña", "street"),
        ("Pedro Ruiz", "street"),
    ]
