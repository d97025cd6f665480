"""Who may write: an auditor reads and changes nothing; field staff may only add notes."""

from __future__ import annotations

import datetime as dt

import pytest

from civicbill.core.exceptions import PermissionDeniedError
from civicbill.core.models import AuditEvent
from civicbill.customers import services
from civicbill.customers.models import Account, Customer, Premise, ServiceAgreement
from tests.customers.conftest import TODAY, WATER_SEWER
from tests.fixtures.database import assert_nothing_changed

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["auditor", "field_worker"])
def test_an_auditor_or_field_user_cannot_move_someone_in_and_nothing_is_written(
    request, role, maria, premise_52
):
    user = request.getfixturevalue(role)
    audit_rows = AuditEvent.objects.count()

    with assert_nothing_changed(), pytest.raises(PermissionDeniedError) as refused:
        services.account_open(
            customer=maria,
            premise=premise_52,
            services=WATER_SEWER,
            start_date=TODAY,
            actor=user,
            as_of=TODAY,
        )

    assert refused.value.message == (
        f"{user.username} may not open an account and start service (move-in) (customers.move_in)"
    )
    assert refused.value.code == "permission_denied"
    assert Account.objects.count() == 0
    assert ServiceAgreement.objects.count() == 0
    assert AuditEvent.objects.count() == audit_rows


def test_an_auditor_cannot_use_the_counter_move_in_form(auditor):
    with assert_nothing_changed(), pytest.raises(PermissionDeniedError):
        services.move_in_new_customer(
            data={"kind": "person", "last_name": "Peña"}, services=[], actor=auditor, as_of=TODAY
        )
    assert (Customer.objects.count(), Premise.objects.count(), AuditEvent.objects.count()) == (0, 0, 0)


@pytest.mark.parametrize("role", ["auditor", "field_worker"])
def test_an_auditor_or_field_user_cannot_create_or_change_customers(request, role, maria):
    user = request.getfixturevalue(role)
    with assert_nothing_changed(), pytest.raises(PermissionDeniedError, match=r"\(customers.edit\)"):
        services.customer_create(
            kind="person",
            last_name="Peña",
            mailing_line1="1 Main St",
            mailing_city="Indio",
            mailing_zip="92201",
            actor=user,
        )
    with assert_nothing_changed(), pytest.raises(PermissionDeniedError, match=r"\(customers.edit\)"):
        services.customer_update(customer=maria, phone="760-555-9999", actor=user)
    maria.refresh_from_db()
    assert maria.phone == "760-555-0134"
    assert Customer.objects.count() == 1


@pytest.mark.parametrize("role", ["auditor", "field_worker"])
def test_an_auditor_or_field_user_cannot_move_out_or_transfer(
    request, role, csr, maria, premise_52, make_premise
):
    account = services.account_open(
        customer=maria, premise=premise_52, services=WATER_SEWER, start_date=TODAY, actor=csr, as_of=TODAY
    )
    user = request.getfixturevalue(role)
    with assert_nothing_changed(), pytest.raises(PermissionDeniedError, match=r"\(customers.move_out\)"):
        services.account_close(account=account, end_date=TODAY, actor=user)
    new_premise = make_premise("60", "Avenue 48")
    with assert_nothing_changed(), pytest.raises(PermissionDeniedError, match=r"\(customers.transfer\)"):
        services.customer_transfer(
            account=account,
            new_premise=new_premise,
            move_date=dt.date(2026, 3, 31),
            actor=user,
            as_of=TODAY,
        )
    account.refresh_from_db()
    assert account.status == Account.Status.ACTIVE
    assert Account.objects.count() == 1


def test_an_auditor_cannot_add_a_note(auditor, csr, maria, premise_52):
    account = services.account_open(
        customer=maria, premise=premise_52, services=WATER_SEWER, start_date=TODAY, actor=csr, as_of=TODAY
    )
    with assert_nothing_changed(), pytest.raises(PermissionDeniedError, match=r"auditor may not add notes"):
        services.note_add(account=account, body="Looks fine", actor=auditor)
    assert not account.notes.exists()


def test_an_anonymous_actor_may_do_nothing(maria, premise_52):
    with assert_nothing_changed(), pytest.raises(PermissionDeniedError, match="an anonymous user may not"):
        services.account_open(
            customer=maria,
            premise=premise_52,
            services=WATER_SEWER,
            start_date=TODAY,
            actor=None,
            as_of=TODAY,
        )
    assert Account.objects.count() == 0
