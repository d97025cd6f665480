"""December 2026 at the utility, told as autopay lives it.

Three customers enroll on Tuesday December 1 (Ana García and Ben Ortiz from checking, Carla Núñez
from savings). The prenotes go in the file dated Thursday December 3; they wait six business days
(to Friday December 11) without a return. November's bills ($78.11 each, due Monday December 21)
are drafted in the file created Friday December 18 for December 21. On Wednesday December 23 the
bank returns Ana's draft R01 (insufficient funds: autopay stays on) and Ben's R02 (account closed:
autopay ends), and tells us Carla's account number changed (C01).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from civicbill.autopay import crypto, selectors
from civicbill.autopay.bank_files import corrected_data
from civicbill.autopay.models import AchReturn, DraftEntry, DraftFile, Enrollment
from civicbill.autopay.services import ach_draft_create, ach_returns_import, autopay_enroll
from civicbill.autopay.services.enrollment import bank_account_number
from civicbill.core.models import AuditEvent
from civicbill.correspondence.models import Letter
from civicbill.correspondence.render import letter_html
from civicbill.customers.models import Customer
from civicbill.ledger.selectors import account_balance, check_books
from civicbill.nacha import read_file
from civicbill.payments.models import Payment, ReturnedItem
from tests.autopay.conftest import (
    ACCOUNT_A,
    ACCOUNT_B,
    ACCOUNT_C,
    ROUTING_A,
    ROUTING_B,
    ROUTING_C,
    returns_file,
    written,
)

pytestmark = pytest.mark.django_db

DEC_1 = dt.date(2026, 12, 1)
DEC_3 = dt.date(2026, 12, 3)
DEC_18 = dt.date(2026, 12, 18)
DEC_21 = dt.date(2026, 12, 21)
DEC_23 = dt.date(2026, 12, 23)


def test_a_month_of_autopay_enroll_prenote_draft_r01_r02_and_a_c01(
    make_account: Any, november_bills: Any, at: Any, csr: Any, technician: Any, supervisor: Any
) -> None:
    ana = make_account(last_name="García", usage_hcf=15)
    ben = make_account(last_name="Ortiz", usage_hcf=15)
    carla = make_account(last_name="Núñez", usage_hcf=15)
    Customer.objects.filter(pk=carla.customer_id).update(preferred_language="es")
    carla.refresh_from_db()

    # Tuesday December 1: three enrollments at the counter
    now = at(DEC_1)
    enrollments = {}
    for account, routing, number, kind in (
        (ana, ROUTING_A, ACCOUNT_A, "checking"),
        (ben, ROUTING_B, ACCOUNT_B, "checking"),
        (carla, ROUTING_C, "555-000-1234", "savings"),
    ):
        enrollments[account.pk] = autopay_enroll(
            account=account, routing_number=routing, account_number=number, account_type=kind,
            authorization=written(DEC_1, account.customer.display_name), as_of=now, actor=csr,
        )  # fmt: skip
    assert {e.status for e in enrollments.values()} == {"prenote_pending"}
    assert enrollments[carla.pk].account_number_last4 == "1234"
    assert bank_account_number(enrollments[carla.pk]) == ACCOUNT_C  # dashes dropped, stored encrypted
    assert ACCOUNT_C not in enrollments[carla.pk].account_number_encrypted
    november_bills()

    # the prenote file, effective Thursday December 3: zero-dollar 28/38 entries, nothing posted
    prenotes = ach_draft_create(effective_date=DEC_3, as_of=now, actor=technician)
    assert (prenotes.debit_count, prenotes.prenote_count, prenotes.total_debit_cents) == (0, 3, 0)
    assert prenotes.file_id_modifier == "A" and prenotes.file_name == "ach-20261203-20261201A.ach"
    codes = sorted(prenotes.entries.values_list("transaction_code", "amount_cents"))
    assert codes == [(28, 0), (28, 0), (38, 0)]
    assert Payment.objects.filter(channel="ach").count() == 0
    assert set(Enrollment.objects.values_list("prenote_sent_on", flat=True)) == {DEC_3}

    # Friday December 18: the draft for Monday December 21 activates the three and drafts the bills
    now = at(DEC_18)
    draft = ach_draft_create(effective_date=DEC_21, as_of=now, actor=technician)
    assert set(Enrollment.objects.values_list("status", "activated_on")) == {("active", DEC_18)}
    assert (draft.debit_count, draft.prenote_count, draft.total_debit_cents) == (3, 0, 3 * 7811)
    assert (draft.first_trace_sequence, draft.last_trace_sequence) == (4, 6)  # after the prenotes' 1-3
    data = selectors.draft_file_bytes(draft)
    read = read_file(data, strict=True)
    assert read.valid and read.file is not None
    by_account = {e.identification_number: e for e in read.file.entries}
    assert by_account[ana.number].account_number == ACCOUNT_A
    assert (by_account[ana.number].transaction_code, by_account[ana.number].amount_cents) == (27, 7811)
    assert by_account[carla.number].transaction_code == 37
    for account in (ana, ben, carla):
        assert account_balance(account).cents == 0  # paid by the drafts (pending)
    entries = {e.account_id: e for e in DraftEntry.objects.filter(draft_file=draft)}
    ana_entry, ben_entry, carla_entry = entries[ana.pk], entries[ben.pk], entries[carla.pk]
    assert ana_entry.clears_on == dt.date(2026, 12, 23)  # two business days after the 21st
    views = selectors.draft_file_entries(draft, today=DEC_21)
    assert {v.state.label for v in views} == {"pending"}
    payment = Payment.objects.get(pk=ana_entry.payment_id)
    assert (payment.channel, payment.amount_cents, payment.business_date) == ("ach", 7811, DEC_21)
    assert payment.receipt_number == f"ACH{draft.pk}-{ana_entry.sequence}"
    assert payment.reference == ana_entry.trace_number
    assert check_books().ok

    # Wednesday December 23: the bank's return file
    now = at(DEC_23)
    content = returns_file(
        [
            (ana_entry, "R01", ""),
            (ben_entry, "R02", ""),
            (carla_entry, "C01", corrected_data("C01", account_number="5550009876")),
        ],
        on=DEC_23,
    )
    record = ach_returns_import(
        content=content, file_name="returns-20261223.ach", as_of=now, actor=technician
    )
    assert (record.return_count, record.change_count, record.unmatched_count) == (2, 1, 0)
    assert (record.returned_cents, record.fees_cents) == (2 * 7811, 2500)  # the fee: R01 only
    outcomes = dict(AchReturn.objects.values_list("code", "outcome"))
    assert outcomes == {"R01": "reversed_kept", "R02": "reversed_ended", "C01": "corrected"}

    # Ana: the draft reversed, the $25.00 fee charged, autopay on (the bill stays due)
    assert account_balance(ana).cents == 7811 + 2500
    ana_enrollment = Enrollment.objects.get(account=ana)
    assert ana_enrollment.status == "active"
    returned = ReturnedItem.objects.get(payment_id=ana_entry.payment_id)
    assert (returned.reason, returned.fee_cents, returned.returned_on) == (
        "ACH return R01 Insufficient funds", 2500, DEC_23,
    )  # fmt: skip
    # Ben: reversed, no fee (R02 is not a code the fee policy names), autopay ended at once
    assert account_balance(ben).cents == 7811
    ben_enrollment = Enrollment.objects.get(account=ben)
    assert (ben_enrollment.status, ben_enrollment.ended_on, ben_enrollment.end_reason) == (
        "ended", DEC_23, "bank_return",
    )  # fmt: skip
    assert ben_enrollment.end_note == "R02 Account closed"
    # Carla: paid, her account number corrected without a new prenote
    assert account_balance(carla).cents == 0
    carla_enrollment = Enrollment.objects.get(account=carla)
    assert (carla_enrollment.status, carla_enrollment.account_number_last4) == ("active", "9876")
    assert bank_account_number(carla_enrollment) == "5550009876"
    assert DraftEntry.objects.get(pk=carla_entry.pk).status == "drafted"
    assert set(
        DraftEntry.objects.filter(pk__in=[ana_entry.pk, ben_entry.pk]).values_list("status", flat=True)
    ) == {"returned"}
    correction = AuditEvent.objects.get(action="autopay.correct")
    assert correction.changes == {
        "account_number": {"before": "****1234", "after": "****9876"},
        "bank_version": {"before": 1, "after": 2},
    }

    # letters in each customer's language, for the two returns
    letters = {letter.account_id: letter for letter in Letter.objects.filter(kind="autopay_return")}
    assert set(letters) == {ana.pk, ben.pk}
    assert letters[ana.pk].language == "en"
    html = letter_html(letters[ana.pk])
    assert "there were not enough funds in the account" in html and "$25.00" in html and "****6789" in html
    assert ACCOUNT_A not in html

    # the same file again is refused and changes nothing
    from civicbill.core.exceptions import ApplicationError

    with pytest.raises(ApplicationError, match="already imported") as refused:
        ach_returns_import(content=content, file_name="again.ach", as_of=now, actor=technician)
    assert refused.value.code == "duplicate_file"
    assert AchReturn.objects.count() == 3
    assert DraftFile.objects.count() == 2
    assert check_books().ok
    for clear in (ACCOUNT_A, ACCOUNT_B, ACCOUNT_C, "5550009876"):
        assert not AuditEvent.objects.filter(changes__icontains=clear).exists()
        assert not AuditEvent.objects.filter(summary__icontains=clear).exists()
    assert crypto.masked("9876") == "****9876"
