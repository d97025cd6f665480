"""Move-in: account_open makes the account, its service agreements and the audit event, or nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from civicbill.core.exceptions import ApplicationError
from civicbill.core.models import AuditEvent
from civicbill.customers import services
from civicbill.customers.models import Account, AccountNumberCounter, Customer, Premise, ServiceAgreement
from tests.customers.conftest import FROZEN_AT, TODAY, WATER_SEWER

pytestmark = pytest.mark.django_db


def agreements_of(account):
    return [
        (agreement.service, agreement.rate_schedule_code, agreement.start_date, agreement.end_date)
        for agreement in account.agreements.order_by("service")
    ]


def test_move_in_opens_an_active_account_with_its_services_from_the_start_date(csr, maria, premise_52):
    account = services.account_open(
        customer=maria,
        premise=premise_52,
        services=WATER_SEWER,
        start_date=TODAY,
        paperless=True,
        actor=csr,
        as_of=TODAY,
    )

    account.refresh_from_db()
    assert account.number == "1000001-6"
    assert account.status == Account.Status.ACTIVE
    assert account.customer == maria
    assert account.premise == premise_52
    assert account.opened_on == dt.date(2026, 3, 2)
    assert account.closed_on is None
    assert account.paperless is True
    assert account.created_at == FROZEN_AT
    assert agreements_of(account) == [
        ("sewer", "S-RES", dt.date(2026, 3, 2), None),
        ("water", "W-RES", dt.date(2026, 3, 2), None),
    ]
    event = AuditEvent.objects.get(action="account.open")
    assert event.account_number == "1000001-6"
    assert event.actor_username == "csr"
    assert event.target_type == "customers.account"
    assert event.target_id == str(account.pk)
    assert event.occurred_at == FROZEN_AT
    assert event.summary == "Move-in: María García at 52 Ave 48 from 2026-03-02"
    assert event.changes == {
        "customer": {"before": None, "after": maria.pk},
        "number": {"before": None, "after": "1000001-6"},
        "opened_on": {"before": None, "after": "2026-03-02"},
        "paperless": {"before": None, "after": True},
        "premise": {"before": None, "after": premise_52.pk},
        "status": {"before": None, "after": "active"},
        "water_service": {"before": None, "after": "W-RES from 2026-03-02"},
        "sewer_service": {"before": None, "after": "S-RES from 2026-03-02"},
    }


def test_a_move_in_starting_after_today_is_pending(csr, maria, premise_52):
    account = services.account_open(
        customer=maria,
        premise=premise_52,
        services=WATER_SEWER,
        start_date=dt.date(2026, 3, 16),
        actor=csr,
        as_of=TODAY,
    )
    assert account.status == Account.Status.PENDING
    assert account.opened_on == dt.date(2026, 3, 16)


def test_pending_or_active_is_decided_by_the_as_of_date_passed_in(csr, maria, premise_52):
    account = services.account_open(
        customer=maria,
        premise=premise_52,
        services=WATER_SEWER,
        start_date=dt.date(2026, 3, 16),
        as_of=dt.date(2026, 3, 16),
        actor=csr,
    )
    assert account.status == Account.Status.ACTIVE


def test_pending_accounts_become_active_when_their_service_starts(csr, supervisor, maria, premise_52):
    account = services.account_open(
        customer=maria,
        premise=premise_52,
        services=WATER_SEWER,
        start_date=dt.date(2026, 3, 16),
        actor=csr,
        as_of=TODAY,
    )
    assert services.account_activate_pending(as_of=dt.date(2026, 3, 15), actor=supervisor) == []
    assert services.account_activate_pending(as_of=dt.date(2026, 3, 16), actor=supervisor) == ["1000001-6"]
    assert services.account_activate_pending(as_of=dt.date(2026, 3, 17), actor=supervisor) == []
    account.refresh_from_db()
    assert account.status == Account.Status.ACTIVE
    assert AuditEvent.objects.get(action="account.activate").changes == {
        "status": {"before": "pending", "after": "active"}
    }


def test_account_numbers_follow_each_other_and_skip_numbers_already_taken(
    csr, make_customer, make_premise, maria, premise_52
):
    first = services.account_open(
        customer=maria, premise=premise_52, services=WATER_SEWER, start_date=TODAY, actor=csr, as_of=TODAY
    )
    # an account converted from the old system, number written directly
    Account.objects.create(
        number="1000500-7",
        customer=maria,
        premise=make_premise("60", "Avenue 48"),
        status=Account.Status.ACTIVE,
        opened_on=TODAY,
        created_at=FROZEN_AT,
    )
    second = services.account_open(
        customer=make_customer("José", "Peña"),
        premise=make_premise("70", "Avenue 48"),
        services=WATER_SEWER,
        start_date=TODAY,
        actor=csr,
        as_of=TODAY,
    )
    assert first.number == "1000001-6"
    assert second.number == "1000501-5"
    assert AccountNumberCounter.objects.get(name="account").last_sequence == 1_000_501


def test_a_second_occupant_is_refused_while_the_first_still_has_the_service(
    csr, make_customer, maria, premise_52
):
    services.account_open(
        customer=maria, premise=premise_52, services=WATER_SEWER, start_date=TODAY, actor=csr, as_of=TODAY
    )
    jose = make_customer("José", "Peña")
    audit_rows = AuditEvent.objects.count()

    with pytest.raises(ApplicationError) as refused:
        services.account_open(
            customer=jose,
            premise=premise_52,
            services=[services.AgreementSpec("water", "W-RES")],
            start_date=dt.date(2026, 3, 10),
            actor=csr,
            as_of=TODAY,
        )

    assert refused.value.message == (
        "52 Ave 48 already has water service on account 1000001-6 (María García) since 2026-03-02 "
        "with no end date; move that account out first."
    )
    assert refused.value.code == "premise_occupied"
    assert refused.value.field == "start_date"
    assert Account.objects.count() == 1
    assert not jose.accounts.exists()
    assert AuditEvent.objects.count() == audit_rows


def test_the_next_occupant_may_start_the_day_after_the_last_one_moved_out(
    csr, make_customer, maria, premise_52
):
    first = services.account_open(
        customer=maria, premise=premise_52, services=WATER_SEWER, start_date=TODAY, actor=csr, as_of=TODAY
    )
    services.account_close(account=first, end_date=dt.date(2026, 3, 31), actor=csr)
    jose = make_customer("José", "Peña")

    with pytest.raises(ApplicationError) as refused:
        services.account_open(
            customer=jose,
            premise=premise_52,
            services=WATER_SEWER,
            start_date=dt.date(2026, 3, 31),
            actor=csr,
            as_of=TODAY,
        )
    assert refused.value.message == (
        "52 Ave 48 already has water service on account 1000001-6 (María García) until 2026-03-31; "
        "start service on 2026-04-01 or later."
    )

    second = services.account_open(
        customer=jose,
        premise=premise_52,
        services=WATER_SEWER,
        start_date=dt.date(2026, 4, 1),
        actor=csr,
        as_of=TODAY,
    )
    assert second.number == "1000002-4"
    assert second.status == Account.Status.PENDING


def test_another_service_at_the_same_premise_is_not_an_overlap(csr, make_customer, maria, premise_52):
    """The owner may pay refuse while the tenant pays water and sewer."""
    services.account_open(
        customer=make_customer("Owner", "Landlord"),
        premise=premise_52,
        services=[services.AgreementSpec("refuse", "R-96GAL")],
        start_date=dt.date(2025, 1, 1),
        actor=csr,
        as_of=TODAY,
    )
    tenant = services.account_open(
        customer=maria, premise=premise_52, services=WATER_SEWER, start_date=TODAY, actor=csr, as_of=TODAY
    )
    assert agreements_of(tenant) == [
        ("sewer", "S-RES", TODAY, None),
        ("water", "W-RES", TODAY, None),
    ]


@pytest.mark.parametrize(
    ("service_list", "message"),
    [
        ([], "Choose at least one service to start."),
        (
            [("water", "W-RES"), ("water", "W-COM")],
            "Water is listed twice; an account has each service once.",
        ),
        ([("electric", "E-1")], "Service 'electric' is not one of: water, sewer, refuse, fire_line."),
        ([("water", "  ")], "Rate schedule is missing."),
    ],
)
def test_a_move_in_without_a_proper_list_of_services_is_refused(
    csr, maria, premise_52, service_list, message
):
    with pytest.raises(ApplicationError) as refused:
        services.account_open(
            customer=maria,
            premise=premise_52,
            services=service_list,
            start_date=TODAY,
            actor=csr,
            as_of=TODAY,
        )
    assert refused.value.message == message
    assert Account.objects.count() == 0
    assert ServiceAgreement.objects.count() == 0
    assert not AuditEvent.objects.filter(action="account.open").exists()


def test_a_start_date_must_be_a_date(csr, maria, premise_52):
    with pytest.raises(ApplicationError, match="Start date must be a date"):
        services.account_open(
            customer=maria,
            premise=premise_52,
            services=WATER_SEWER,
            start_date="2026-03-02",
            actor=csr,
            as_of=TODAY,
        )
    assert Account.objects.count() == 0


def test_the_counter_move_in_form_creates_customer_premise_and_account_together(csr):
    account = services.move_in_new_customer(
        data={
            "kind": "person",
            "first_name": "Ana",
            "last_name": "Peña",
            "phone": "760 555 0199",
            "preferred_language": "es",
            "house_number": "1200",
            "street_name": "Avenue 50",
            "unit": "7",
            "city": "Coachella",
            "zip_code": "92236",
            "premise_type": "multi_family",
            "dwelling_units": 1,
            "billing_cycle": 2,
            "mailing_same_as_service": True,
            "start_date": TODAY,
            "paperless": False,
        },
        services=[("water", "W-RES")],
        actor=csr,
        as_of=TODAY,
    )
    customer = account.customer
    assert (customer.display_name, customer.phone, customer.preferred_language) == (
        "Ana Peña",
        "760-555-0199",
        "es",
    )
    assert customer.mailing_address_lines == ["1200 Avenue 50 #7", "Coachella, CA 92236"]
    assert account.premise.search_address == "1200 AVENUE 50 UNIT 7"
    assert account.premise.billing_cycle == 2
    assert account.status == Account.Status.ACTIVE
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "premise.create",
        "customer.create",
        "account.open",
    ]


def test_the_counter_move_in_form_reuses_the_premise_already_at_that_address(csr, premise_52):
    account = services.move_in_new_customer(
        data={
            "kind": "business",
            "business_name": "Desert Sun Café",
            "preferred_language": "en",
            "house_number": "52",
            "street_name": "Avenue 48",
            "city": "Coachella",
            "zip_code": "92236",
            "premise_type": "single_family",
            "dwelling_units": 1,
            "billing_cycle": 1,
            "mailing_same_as_service": False,
            "mailing_line1": "PO Box 400",
            "mailing_city": "Indio",
            "mailing_zip": "92201",
            "start_date": TODAY,
        },
        services=[("water", "W-COM")],
        actor=csr,
        as_of=TODAY,
    )
    assert account.premise == premise_52
    assert account.customer.mailing_address_lines == ["PO Box 400", "Indio, CA 92201"]


def test_a_refused_counter_move_in_leaves_no_customer_or_premise_behind(csr):
    with pytest.raises(ApplicationError) as refused:
        services.move_in_new_customer(
            data={
                "kind": "person",
                "first_name": "Ana",
                "last_name": "Peña",
                "preferred_language": "es",
                "house_number": "1200",
                "street_name": "Avenue 50",
                "city": "Coachella",
                "zip_code": "92236",
                "premise_type": "single_family",
                "dwelling_units": 1,
                "billing_cycle": 1,
                "mailing_same_as_service": True,
                "start_date": TODAY,
            },
            services=[],
            actor=csr,
            as_of=TODAY,
        )
    assert refused.value.field == "services"
    assert AuditEvent.objects.count() == 0
    assert Customer.objects.count() == 0
    assert Premise.objects.count() == 0
