"""Creating and changing customers and premises: search columns filled, bad input refused, changes audited."""

from __future__ import annotations

import pytest

from civicbill.core.exceptions import ApplicationError
from civicbill.core.models import AuditEvent
from civicbill.customers import services
from civicbill.customers.models import Customer, Premise
from tests.customers.conftest import FROZEN_AT

pytestmark = pytest.mark.django_db


def test_a_new_customer_gets_normalised_search_columns(maria):
    maria.refresh_from_db()
    assert maria.display_name == "María García"
    assert maria.search_name == "MARIA GARCIA"
    assert maria.search_name_reversed == "GARCIA MARIA"
    assert maria.phone == "760-555-0134"
    assert maria.phone_digits == "7605550134"
    assert maria.phone_digits_reversed == "4310555067"
    assert maria.email == "Maria.Garcia@Example.com"
    assert maria.email_lower == "maria.garcia@example.com"
    assert maria.mailing_state == "CA"
    assert maria.preferred_language == "en"
    assert maria.created_at == FROZEN_AT
    event = AuditEvent.objects.get(action="customer.create")
    assert event.summary == "Customer María García created"
    assert event.changes["last_name"] == {"before": None, "after": "García"}
    assert event.account_number == ""


def test_a_business_customer_is_searchable_with_and_without_the(make_customer):
    business = make_customer(
        first_name="", last_name="", kind="business", business_name="The Desert Sun Café"
    )
    assert (business.search_name, business.search_name_reversed) == ("THE DESERT SUN CAFE", "DESERT SUN CAFE")
    assert business.display_name == "The Desert Sun Café"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"last_name": " "}, "last_name", "A person needs a last name."),
        (
            {"kind": "business", "business_name": ""},
            "business_name",
            "A business customer needs a business name.",
        ),
        ({"kind": "robot"}, "kind", "Customer type 'robot' is not one of: person, business."),
        (
            {"phone": "555-12"},
            "phone",
            "Phone '555-12' is not a 10-digit US phone number (area code and number).",
        ),
        ({"email": "maria@"}, "email", "Email 'maria@' is not an email address."),
        (
            {"mailing_zip": "9223"},
            "mailing_zip",
            "Mailing ZIP code '9223' is not a 5-digit ZIP code (or ZIP+4 like 92236-1234).",
        ),
        (
            {"mailing_state": "Cal"},
            "mailing_state",
            "Mailing state 'CAL' is not a two-letter state code like CA.",
        ),
        ({"mailing_line1": ""}, "mailing_line1", "Mailing address is missing."),
        ({"preferred_language": "fr"}, "preferred_language", "Language 'fr' is not one of: en, es."),
        ({"first_name": "A" * 81}, "first_name", "First name is too long: 81 characters, at most 80."),
    ],
)
def test_a_customer_with_bad_input_is_refused_naming_the_field(make_customer, fields, field, message):
    with pytest.raises(ApplicationError) as refused:
        make_customer(**fields)
    assert (refused.value.field, refused.value.message) == (field, message)
    assert Customer.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_changing_a_customer_records_before_and_after_and_refreshes_search_columns(csr, maria):
    changed = services.customer_update(customer=maria, phone="1 (760) 555-0188", last_name="Peña", actor=csr)

    changed.refresh_from_db()
    assert (changed.phone, changed.phone_digits) == ("760-555-0188", "7605550188")
    assert (changed.search_name, changed.search_name_reversed) == ("MARIA PENA", "PENA MARIA")
    event = AuditEvent.objects.get(action="customer.update")
    assert event.changes == {
        "last_name": {"before": "García", "after": "Peña"},
        "phone": {"before": "760-555-0134", "after": "760-555-0188"},
    }
    assert event.summary == "Customer María Peña changed: last_name, phone"


def test_changing_nothing_writes_nothing(csr, maria):
    services.customer_update(customer=maria, phone="(760) 555-0134", actor=csr)
    assert not AuditEvent.objects.filter(action="customer.update").exists()


def test_a_field_that_is_not_the_customers_to_change_is_refused(csr, maria):
    with pytest.raises(ApplicationError) as refused:
        services.customer_update(customer=maria, search_name="HACKED", actor=csr)
    assert refused.value.message == "search_name cannot be changed on a customer."
    maria.refresh_from_db()
    assert maria.search_name == "MARIA GARCIA"


def test_a_bad_change_is_refused_and_the_customer_is_unchanged(csr, maria):
    with pytest.raises(ApplicationError) as refused:
        services.customer_update(customer=maria, email="nope", phone="760-555-0188", actor=csr)
    assert refused.value.message == "Email 'nope' is not an email address."
    maria.refresh_from_db()
    assert (maria.email, maria.phone) == ("Maria.Garcia@Example.com", "760-555-0134")
    assert not AuditEvent.objects.filter(action="customer.update").exists()


def test_a_new_premise_gets_both_search_columns(premise_52):
    premise_52.refresh_from_db()
    assert premise_52.address_line == "52 Ave 48"
    assert premise_52.search_address == "52 AVENUE 48"
    assert premise_52.search_street == "AVENUE 48 52"
    assert premise_52.full_address == "52 Ave 48, Coachella, CA 92236"
    assert (
        AuditEvent.objects.get(action="premise.create").summary
        == "Premise 52 Ave 48, Coachella, CA 92236 created"
    )


def test_the_same_address_cannot_be_two_premises(make_premise, premise_52):
    with pytest.raises(ApplicationError) as refused:
        make_premise("52", "Avenue 48")
    assert refused.value.message == (
        f"52 Ave 48, Coachella, CA 92236 is already a premise (#{premise_52.pk}); "
        "open the account at that premise."
    )
    assert Premise.objects.count() == 1
    assert make_premise("52", "Avenue 48", unit="B").search_address == "52 AVENUE 48 UNIT B"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"house_number": ""}, "house_number", "House number is missing."),
        (
            {"premise_type": "castle"},
            "premise_type",
            "Premise type 'castle' is not one of: single_family, "
            "multi_family, commercial, industrial, irrigation, institutional.",
        ),
        ({"dwelling_units": 0}, "dwelling_units", "Dwelling units 0 must be between 1 and 100000."),
        ({"billing_cycle": "2"}, "billing_cycle", "Billing cycle must be a whole number, not '2'."),
        (
            {"zip_code": "ABCDE"},
            "zip_code",
            "ZIP code 'ABCDE' is not a 5-digit ZIP code (or ZIP+4 like 92236-1234).",
        ),
    ],
)
def test_a_premise_with_bad_input_is_refused_naming_the_field(make_premise, fields, field, message):
    with pytest.raises(ApplicationError) as refused:
        make_premise(**fields)
    assert (refused.value.field, refused.value.message) == (field, message)
    assert Premise.objects.count() == 0


def test_correcting_a_premise_is_audited_and_refreshes_its_search_columns(csr, premise_52):
    changed = services.premise_update(
        premise=premise_52, street_name="Avenue 48", dwelling_units=2, actor=csr
    )
    assert (changed.search_address, changed.dwelling_units) == ("52 AVENUE 48", 2)
    assert AuditEvent.objects.get(action="premise.update").changes == {
        "dwelling_units": {"before": 1, "after": 2},
        "street_name": {"before": "Ave 48", "after": "Avenue 48"},
    }
