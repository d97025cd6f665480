"""Normalisation for search, account numbers and what a query is. Pure functions, no database."""

from __future__ import annotations

import pytest

from civicbill.customers.normalize import (
    ClassifiedQuery,
    QueryKind,
    account_number_for,
    account_sequence_of,
    business_search_names,
    canonical_account_number,
    classify_query,
    format_phone,
    is_us_phone,
    is_valid_account_number,
    normalize_email,
    normalize_name,
    normalize_unit,
    person_search_names,
    phone_digits,
    premise_search_address,
    premise_search_street,
)

# -- account numbers -------------------------------------------------------------------------------


def test_account_number_is_seven_digit_sequence_dash_mod10_check_digit():
    # 1000001: 1*2 + 0 + 0 + 0 + 0 + 0 + 1*2 = 4 -> check (10 - 4) % 10 = 6
    assert account_number_for(1_000_001) == "1000001-6"
    assert account_number_for(1_000_002) == "1000002-4"
    assert account_number_for(1_234_567) == "1234567-4"
    assert account_number_for(1) == "0000001-8"


@pytest.mark.parametrize("sequence", [0, -1, 10_000_000])
def test_account_sequence_outside_seven_digits_is_refused(sequence):
    with pytest.raises(ValueError, match=r"outside 1\.\.9999999"):
        account_number_for(sequence)


def test_account_number_accepts_dash_or_none_and_catches_a_typo():
    assert canonical_account_number("1000001-6") == "1000001-6"
    assert canonical_account_number("10000016") == "1000001-6"
    assert canonical_account_number(" 1000001 - 6 ") == "1000001-6"
    assert is_valid_account_number("1234567-4")
    assert not is_valid_account_number("1234567-5")  # wrong check digit
    assert not is_valid_account_number("1243567-4")  # transposed digits
    assert not is_valid_account_number("123456-7")
    assert not is_valid_account_number("")
    assert account_sequence_of("1000002-4") == 1_000_002
    assert account_sequence_of("1000002-5") is None


# -- names, phone, email ---------------------------------------------------------------------------


def test_names_are_upper_case_without_accents_so_pena_finds_pena():
    assert normalize_name("Peña") == "PENA"
    assert normalize_name("peña") == normalize_name("PENA") == "PENA"
    assert normalize_name("  María   José  Núñez ") == "MARIA JOSE NUNEZ"
    assert normalize_name("García-López") == "GARCIA LOPEZ"
    assert normalize_name("O'Brien") == normalize_name("O\u2019Brien") == "OBRIEN"
    assert normalize_name("Müller") == "MULLER"


def test_a_person_is_searchable_first_last_and_last_first():
    assert person_search_names("María", "García López") == ("MARIA GARCIA LOPEZ", "GARCIA LOPEZ MARIA")
    assert person_search_names("", "Smith") == ("SMITH", "SMITH")


def test_a_business_is_searchable_with_and_without_the():
    assert business_search_names("The Home Depot") == ("THE HOME DEPOT", "HOME DEPOT")
    assert business_search_names("Desert Sun Café") == ("DESERT SUN CAFE", "DESERT SUN CAFE")


def test_phone_numbers_become_ten_digits_whatever_the_formatting():
    assert phone_digits("(760) 555-0134") == "7605550134"
    assert phone_digits("1-760-555-0134") == "7605550134"
    assert phone_digits("+1 760.555.0134") == "7605550134"
    assert phone_digits("555-0134") == "5550134"
    assert is_us_phone("7605550134")
    assert not is_us_phone("5550134")
    assert not is_us_phone("0605550134")  # no area code starts with 0
    assert format_phone("7605550134") == "760-555-0134"


def test_email_is_lower_case():
    assert normalize_email("  Maria.Garcia@Example.COM ") == "maria.garcia@example.com"


# -- service addresses -----------------------------------------------------------------------------


def test_street_suffixes_and_directions_are_spelled_out():
    assert premise_search_address("52", "Ave 48") == "52 AVENUE 48"
    assert premise_search_address("52", "av. 48") == "52 AVENUE 48"
    assert premise_search_address("1500", "N. Main St") == "1500 NORTH MAIN STREET"
    assert premise_search_address("83", "Grapefruit Blvd") == "83 GRAPEFRUIT BOULEVARD"
    assert premise_search_address("9", "Palm Dr") == "9 PALM DRIVE"
    assert premise_search_address("9", "Dillon Rd") == "9 DILLON ROAD"
    assert premise_search_address("9", "Orchid Ln") == "9 ORCHID LANE"
    assert premise_search_address("9", "Sage Ct") == "9 SAGE COURT"
    assert premise_search_address("9", "Date Pl") == "9 DATE PLACE"
    assert premise_search_address("9", "S Harrison St") == "9 SOUTH HARRISON STREET"
    assert premise_search_address("9", "E Sixth St") == "9 EAST SIXTH STREET"
    assert premise_search_address("9", "W Calle Tampico") == "9 WEST CALLE TAMPICO"


def test_units_are_written_one_way():
    assert normalize_unit("#3") == normalize_unit("Apt 3") == normalize_unit("3") == "UNIT 3"
    assert normalize_unit("Unit #3B") == "UNIT 3B"
    assert normalize_unit("") == ""
    assert premise_search_address("1200", "Avenue 50", "Apt. 7") == "1200 AVENUE 50 UNIT 7"


def test_the_street_column_puts_the_street_first():
    assert premise_search_street("52", "Ave 48") == "AVENUE 48 52"
    assert premise_search_street("1200", "Avenue 50", "#7") == "AVENUE 50 1200 UNIT 7"


def test_a_street_name_with_an_accent_matches_without():
    assert premise_search_address("45", "Calle Peña") == "45 CALLE PENA"


# -- what a query is ---------------------------------------------------------------------------------


def test_a_full_account_number_is_an_exact_account_number():
    assert classify_query("1000001-6") == ClassifiedQuery(text="1000001-6", account_number="1000001-6")
    assert classify_query("10000016").kinds == {QueryKind.ACCOUNT_NUMBER}


def test_an_account_number_with_a_wrong_check_digit_is_not_an_account_number():
    query = classify_query("1000001-7")
    assert query.account_number == ""
    assert query.bad_check_digit is True


def test_seven_digits_are_a_number_without_check_digit_or_a_local_phone():
    query = classify_query("1000001")
    assert query.kinds == {QueryKind.ACCOUNT_PREFIX, QueryKind.PHONE_LOCAL}
    assert query.account_prefix == "1000001"
    assert classify_query("555-0134").phone_local == "5550134"


def test_ten_digits_in_any_formatting_are_a_phone():
    for typed in ("(760) 555-0134", "760-555-0134", "7605550134", "1 760 555 0134", "760.555.0134"):
        query = classify_query(typed)
        assert query.kinds == {QueryKind.PHONE}, typed
        assert query.phone_prefix == "7605550134"


def test_an_at_sign_makes_an_email():
    query = classify_query("Maria.Garcia@")
    assert query.kinds == {QueryKind.EMAIL}
    assert query.email == "maria.garcia@"


def test_a_house_number_first_makes_an_address():
    query = classify_query("52 ave 48")
    assert query.kinds == {QueryKind.ADDRESS}
    assert query.address_prefixes == ("52 AVENUE 48",)


def test_an_address_still_being_typed_is_read_both_ways():
    assert classify_query("52 s").address_prefixes == ("52 SOUTH", "52 S")
    assert classify_query("52 main st").address_prefixes == ("52 MAIN STREET", "52 MAIN ST")


def test_a_numbered_street_is_an_address_and_a_street():
    query = classify_query("1st st")
    assert query.kinds == {QueryKind.ADDRESS, QueryKind.STREET}
    assert query.street_prefixes == ("1ST STREET", "1ST ST")


def test_words_are_a_name_or_a_street():
    query = classify_query("garcia maría")
    assert query.kinds == {QueryKind.NAME, QueryKind.STREET}
    assert query.name == "GARCIA MARIA"
    assert classify_query("avenue 48").street_prefixes == ("AVENUE 48",)


def test_a_short_number_is_a_house_number_and_five_digits_also_an_account_prefix():
    assert classify_query("52") == ClassifiedQuery(text="52", address_prefixes=("52 ",))
    query = classify_query("10000")
    assert query.kinds == {QueryKind.ACCOUNT_PREFIX, QueryKind.ADDRESS}


def test_an_empty_query_is_nothing():
    assert classify_query("   ").kinds == frozenset()
