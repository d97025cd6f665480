"""Enrolling, changing bank details, ending: the checks (routing check digit, account number shape,
one live enrollment, open accounts only) with messages that never repeat the account number, the
new prenote after staff change the bank, and who may do it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from civicbill.autopay.models import Enrollment, EnrollmentEvent
from civicbill.autopay.services import autopay_bank_change, autopay_end, autopay_enroll
from civicbill.autopay.services.enrollment import bank_account_number
from civicbill.core.exceptions import ApplicationError, PermissionDeniedError
from civicbill.core.models import AuditEvent
from civicbill.customers.models import Account
from tests.autopay.conftest import DEC_1, local, written
from tests.fixtures.database import assert_nothing_changed

pytestmark = pytest.mark.django_db
NOW = local(DEC_1)


def enroll(account: Any, actor: Any, **changes: Any) -> Enrollment:
    data = {
        "account": account,
        "routing_number": "121042882",
        "account_number": "000123456789",
        "account_type": "checking",
        "authorization": written(DEC_1, "Rosa Peña"),
        "as_of": NOW,
        "actor": actor,
    }
    data.update(changes)
    return autopay_enroll(**data)


def refusal(account: Any, actor: Any, **changes: Any) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        enroll(account, actor, **changes)
    assert Enrollment.objects.count() == 0
    return caught.value


def test_enrolling_keeps_leading_zeros_encrypts_the_number_and_audits_it_masked(
    rosa_account: Any, csr: Any
) -> None:
    enrollment = enroll(rosa_account, csr, holder_name="Rosa M. Peña")
    assert (enrollment.status, enrollment.account_number_last4, enrollment.holder_name) == (
        "prenote_pending", "6789", "Rosa M. Peña",
    )  # fmt: skip
    assert bank_account_number(enrollment) == "000123456789"
    assert "123456789" not in enrollment.account_number_encrypted
    assert str(enrollment) == f"Autopay {enrollment.pk} checking ****6789 (prenote_pending)"
    event = AuditEvent.objects.get(action="autopay.enroll")
    assert event.account_number == rosa_account.number
    assert event.changes["account_number"] == "****6789"
    assert event.summary == "Enrolled in autopay: checking ****6789 at 121042882, authorized by Rosa Peña"
    assert (event.changes["authorization_method"], event.changes["authorization_copy"]) == (
        "written",
        "reference",
    )
    assert EnrollmentEvent.objects.get().detail == (
        "checking ****6789 at 121042882; authorized written and signed by Rosa Peña on 2026-12-01 "
        "(reference Signed form in the autopay binder)"
    )


def test_a_routing_number_failing_its_check_digit_names_the_expected_digit(
    rosa_account: Any, csr: Any
) -> None:
    error = refusal(rosa_account, csr, routing_number="121042883")
    assert (error.code, error.field) == ("bad_routing_number", "routing_number")
    assert error.message == (
        "Routing number 121042883 fails its check digit: with 12104288 the ninth digit must be 2, not 3. "
        "Check the number on the customer's check or bank letter."
    )
    assert (
        refusal(rosa_account, csr, routing_number="12104288").message
        == "A routing number has exactly 9 digits"
    )


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("", "Enter the bank account number"),
        ("12AB5678", "A bank account number has digits only"),
        ("123", "A bank account number has 4 to 17 digits; this one has 3"),
        ("1" * 18, "A bank account number has 4 to 17 digits; this one has 18"),
    ],
)
def test_a_bad_account_number_is_refused_without_repeating_it(
    rosa_account: Any, csr: Any, number: str, message: str
) -> None:
    error = refusal(rosa_account, csr, account_number=number)
    assert (error.message, error.field) == (message, "account_number")


def test_other_refusals(rosa_account: Any, csr: Any) -> None:
    assert refusal(rosa_account, csr, account_type="money_market").field == "account_type"
    future = written(dt.date(2026, 12, 2), "Rosa Peña")
    assert refusal(rosa_account, csr, authorization=future).code == "authorization_in_future"
    assert refusal(rosa_account, csr, authorization=written(DEC_1, "  ")).field == "authorized_by"
    enroll(rosa_account, csr)
    with pytest.raises(ApplicationError, match=r"already enrolled \(prenote pending, \*\*\*\*6789\)"):
        enroll(rosa_account, csr, account_number="55556666")
    Account.objects.filter(pk=rosa_account.pk).update(status="closed")
    Enrollment.objects.update(status="ended", ended_on=DEC_1, end_reason="other")
    rosa_account.refresh_from_db()
    with pytest.raises(ApplicationError, match="is closed"):
        enroll(rosa_account, csr)


def test_new_bank_details_from_staff_need_a_new_prenote(rosa_account: Any, csr: Any) -> None:
    enrollment = enroll(rosa_account, csr)
    Enrollment.objects.filter(pk=enrollment.pk).update(
        status="active", prenote_sent_on=dt.date(2026, 11, 2), activated_on=dt.date(2026, 11, 11)
    )
    changed = autopay_bank_change(
        enrollment=enrollment, routing_number="231380104", account_number="99990000", account_type="savings",
        note="new bank", authorization=written(DEC_1, "Rosa Peña", "Form 2"), as_of=NOW, actor=csr,
    )  # fmt: skip
    assert (changed.status, changed.prenote_sent_on, changed.activated_on) == ("prenote_pending", None, None)
    assert (changed.routing_number, changed.account_type, changed.account_number_last4) == (
        "231380104", "savings", "0000",
    )  # fmt: skip
    audit = AuditEvent.objects.get(action="autopay.bank_change")
    assert audit.changes["account_number"] == {"before": "****6789", "after": "****0000"}
    assert audit.changes["routing_number"] == {"before": "121042882", "after": "231380104"}
    with pytest.raises(ApplicationError, match="already on file"):
        autopay_bank_change(
            enrollment=changed, routing_number="231380104", account_number="9999-0000",
            account_type="savings", authorization=written(DEC_1, "Rosa Peña"), as_of=NOW, actor=csr,
        )  # fmt: skip


def test_ending_autopay_at_the_customers_request(rosa_account: Any, csr: Any) -> None:
    enrollment = enroll(rosa_account, csr)
    with pytest.raises(ApplicationError, match="Say why"):
        autopay_end(enrollment=enrollment, reason="other", note="", as_of=NOW, actor=csr)
    ended = autopay_end(enrollment=enrollment, reason="customer_request", note="moving", as_of=NOW, actor=csr)
    assert (ended.status, ended.ended_on, ended.end_reason, ended.end_note) == (
        "ended", DEC_1, "customer_request", "moving",
    )  # fmt: skip
    with pytest.raises(ApplicationError, match="already ended"):
        autopay_end(enrollment=ended, reason="customer_request", note="", as_of=NOW, actor=csr)
    again = enroll(rosa_account, csr, account_number="11112222")  # a new enrollment after the end
    assert again.status == "prenote_pending"


def test_field_workers_and_auditors_may_not_enroll(
    rosa_account: Any, field_worker: Any, auditor: Any
) -> None:
    for actor in (field_worker, auditor):
        with assert_nothing_changed(), pytest.raises(PermissionDeniedError, match=r"autopay\.enroll"):
            enroll(rosa_account, actor)
    assert Enrollment.objects.count() == 0
