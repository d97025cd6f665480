"""Return and NOC files: the R-code rules, returned prenotes, corrections, the refusals (the same
file twice, a file with NACHA errors), and a return that matches nothing: held in suspense until
staff name its draft entry."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db.models import Sum

from civicbill.autopay import config
from civicbill.autopay.bank_files import ReturnSpec, corrected_data, return_file
from civicbill.autopay.models import AchReturn, DraftEntry, Enrollment, ReturnFile
from civicbill.autopay.services import ach_draft_create, ach_return_resolve, ach_returns_import
from civicbill.autopay.services.enrollment import bank_account_number
from civicbill.core.exceptions import ApplicationError, PermissionDeniedError
from civicbill.correspondence.models import Letter
from civicbill.ledger.models import JournalLine
from civicbill.ledger.selectors import account_balance, check_books
from civicbill.payments.models import ReturnedItem
from tests.autopay.conftest import DEC_1, DEC_3, DEC_23, Drafted, returns_file, written
from tests.fixtures.database import assert_nothing_changed

pytestmark = pytest.mark.django_db


def gl(code: str) -> int:
    totals = JournalLine.objects.filter(gl_account__code=code).aggregate(
        d=Sum("debit_cents"), c=Sum("credit_cents")
    )
    return (totals["d"] or 0) - (totals["c"] or 0)


def test_r01_and_r09_keep_autopay_every_other_code_ends_it(
    drafted: Drafted, at: Any, technician: Any
) -> None:
    now = at(DEC_23)
    content = returns_file(
        [(drafted.ana_entry, "R09", ""), (drafted.ben_entry, "R10", ""), (drafted.carla_entry, "R16", "")],
        on=DEC_23,
    )
    ach_returns_import(content=content, file_name="r.ach", as_of=now, actor=technician)
    statuses = dict(Enrollment.objects.values_list("account_id", "status"))
    assert statuses == {drafted.ana.pk: "active", drafted.ben.pk: "ended", drafted.carla.pk: "ended"}
    assert dict(AchReturn.objects.values_list("code", "outcome")) == {
        "R09": "reversed_kept", "R10": "reversed_ended", "R16": "reversed_ended",
    }  # fmt: skip
    assert gl("500-4510") == -2500  # one returned-payment fee: R09's (R10 and R16 carry none)
    assert dict(AchReturn.objects.values_list("code", "fee_cents")) == {"R09": 2500, "R10": 0, "R16": 0}
    assert check_books().ok


def test_the_fee_comes_from_the_setting(drafted: Drafted, at: Any, technician: Any, settings: Any) -> None:
    settings.CIVICBILL_ACH_RETURN_FEE = "0"
    content = returns_file([(drafted.ana_entry, "R01", "")], on=DEC_23)
    record = ach_returns_import(content=content, file_name="r.ach", as_of=at(DEC_23), actor=technician)
    assert record.fees_cents == 0
    assert account_balance(drafted.ana).cents == 7811
    assert ReturnedItem.objects.get().fee_entry is None


def test_a_returned_prenote_ends_the_enrollment_and_writes_to_the_customer(
    enrolled: Any, at: Any, technician: Any
) -> None:
    prenotes = ach_draft_create(effective_date=DEC_3, as_of=at(DEC_1), actor=technician)
    entry = DraftEntry.objects.get(draft_file=prenotes, account=enrolled[0].account)
    content = returns_file([(entry, "R03", "")], on=dt.date(2026, 12, 7))
    ach_returns_import(content=content, file_name="r.ach", as_of=at(dt.date(2026, 12, 7)), actor=technician)
    enrollment = Enrollment.objects.get(pk=enrolled[0].pk)
    assert (enrollment.status, enrollment.end_reason, enrollment.end_note) == (
        "ended", "prenote_return", "R03 No account / unable to locate account",
    )  # fmt: skip
    item = AchReturn.objects.get()
    assert (item.outcome, item.fee_cents) == ("prenote_ended", 0)
    assert item.letter is not None and item.letter.context["return_kind"] == "prenote"
    assert ReturnedItem.objects.count() == 0
    assert check_books().ok


def test_notifications_of_change_correct_routing_and_account_type_without_a_new_prenote(
    drafted: Drafted, at: Any, technician: Any
) -> None:
    content = returns_file(
        [
            (drafted.ana_entry, "C02", corrected_data("C02", routing_number="091000019")),
            (drafted.ben_entry, "C05", corrected_data("C05", transaction_code=37)),
            (drafted.carla_entry, "C07", corrected_data("C07", routing_number="231380104",
                                                        account_number="777888999", transaction_code=27)),
        ],
        on=DEC_23,
    )  # fmt: skip
    record = ach_returns_import(content=content, file_name="noc.ach", as_of=at(DEC_23), actor=technician)
    assert (record.change_count, record.return_count, record.returned_cents) == (3, 0, 0)
    ana, ben, carla = (Enrollment.objects.get(pk=e.pk) for e in drafted.enrollments)
    assert (ana.routing_number, ana.status) == ("091000019", "active")
    assert (ben.account_type, ben.status) == ("savings", "active")
    assert (carla.routing_number, carla.account_type, carla.account_number_last4) == (
        "231380104",
        "checking",
        "8999",
    )
    assert bank_account_number(carla) == "777888999"
    assert set(AchReturn.objects.values_list("outcome", flat=True)) == {"corrected"}
    for account in (drafted.ana, drafted.ben, drafted.carla):
        assert account_balance(account).cents == 0  # a notification moves no money


def test_a_return_of_an_unknown_trace_is_held_in_suspense_until_resolved(
    drafted: Drafted, at: Any, technician: Any
) -> None:
    settings = config.ach_settings()
    stranger = ReturnSpec(
        original_trace_number="121042880999999", code="R01", routing_number="121042882",
        account_number="44445555", amount_cents=7811, name="SOMEONE ELSE",
    )  # fmt: skip
    content = return_file(originator=settings.originator, items=[stranger], created_on=DEC_23)
    cash_before = gl("100-1000")
    record = ach_returns_import(content=content, file_name="r.ach", as_of=at(DEC_23), actor=technician)
    assert (record.unmatched_count, record.return_count, record.fees_cents) == (1, 1, 0)
    item = AchReturn.objects.get()
    assert (item.outcome, item.detail) == ("unmatched", "No draft entry has trace number 121042880999999")
    assert (item.account_last4_in_file, item.name_in_file) == ("5555", "SOMEONE ELSE")
    assert gl("100-2900") == 7811 and gl("100-1000") == cash_before - 7811  # held: Dr suspense / Cr cash
    assert ReturnedItem.objects.count() == 0 and Letter.objects.count() == 0
    assert account_balance(drafted.ana).cents == 0

    # staff find it was Ana's draft (the bank mistyped the trace)
    water_sewer_cash = gl("500-1000") + gl("510-1000")
    with pytest.raises(ApplicationError, match="No draft entry has trace number 121042880000099"):
        ach_return_resolve(
            ach_return=item, trace_number="121042880000099", as_of=at(DEC_23, 11), actor=technician
        )
    resolved = ach_return_resolve(
        ach_return=item, trace_number=drafted.ana_entry.trace_number, as_of=at(DEC_23, 11), actor=technician
    )
    assert resolved.outcome == "resolved" and resolved.draft_entry_id == drafted.ana_entry.pk
    assert resolved.detail.startswith("Resolved to trace 121042880000004: Payment reversed; autopay")
    assert gl("100-2900") == 0 and gl("100-1000") == cash_before  # out of suspense ...
    assert gl("500-1000") + gl("510-1000") == water_sewer_cash - 7811  # ... and off the funds it paid
    assert account_balance(drafted.ana).cents == 7811 + 2500
    assert Enrollment.objects.get(account=drafted.ana).status == "active"
    assert check_books().ok
    with pytest.raises(ApplicationError, match="is not waiting to be matched"):
        ach_return_resolve(
            ach_return=resolved, trace_number="121042880000004", as_of=at(DEC_23, 12), actor=technician
        )


def test_the_same_return_of_one_draft_twice_reverses_it_once(
    drafted: Drafted, at: Any, technician: Any
) -> None:
    first = returns_file([(drafted.ana_entry, "R01", "")], on=DEC_23)
    second = returns_file([(drafted.ana_entry, "R01", "")], on=dt.date(2026, 12, 24), modifier="B")
    ach_returns_import(content=first, file_name="a.ach", as_of=at(DEC_23), actor=technician)
    ach_returns_import(content=second, file_name="b.ach", as_of=at(dt.date(2026, 12, 24)), actor=technician)
    assert list(AchReturn.objects.order_by("id").values_list("outcome", flat=True)) == [
        "reversed_kept", "already_returned",
    ]  # fmt: skip
    assert account_balance(drafted.ana).cents == 7811 + 2500


def test_a_file_with_nacha_errors_is_refused_whole(drafted: Drafted, at: Any, technician: Any) -> None:
    content = returns_file([(drafted.ana_entry, "R01", "")], on=DEC_23)
    broken = content.replace(b"\n9000001", b"\n9000002", 1)  # the file control's batch count
    with pytest.raises(ApplicationError, match="refused, nothing done: line") as caught:
        ach_returns_import(content=broken, file_name="broken.ach", as_of=at(DEC_23), actor=technician)
    assert caught.value.code == "file_invalid" and "batch_count" in caught.value.message
    assert ReturnFile.objects.count() == 0 and AchReturn.objects.count() == 0


def test_only_technicians_and_supervisors_import_returns(drafted: Drafted, at: Any, csr: Any) -> None:
    content = returns_file([(drafted.ana_entry, "R01", "")], on=DEC_23)
    with assert_nothing_changed(), pytest.raises(PermissionDeniedError, match=r"autopay\.returns"):
        ach_returns_import(content=content, file_name="r.ach", as_of=at(DEC_23), actor=csr)
    assert ReturnFile.objects.count() == 0


def test_the_letter_follows_the_customers_language(drafted: Drafted, at: Any, technician: Any) -> None:
    from civicbill.correspondence.render import letter_html, letter_pdf
    from civicbill.customers.models import Customer

    Customer.objects.filter(pk=drafted.carla.customer_id).update(preferred_language="es")
    content = returns_file([(drafted.carla_entry, "R01", "")], on=DEC_23)
    ach_returns_import(content=content, file_name="r.ach", as_of=at(DEC_23), actor=technician)
    letter = Letter.objects.get()
    assert (letter.language, letter.subject) == ("es", "Su banco devolvió su pago automático")
    html = letter_html(letter)
    assert "Su banco devolvió el pago porque no había fondos suficientes en la cuenta." in html.replace(
        "\n", " "
    )
    assert "El 21 de diciembre de 2026 cobramos <strong>$78.11</strong>" in html
    assert "Su pago automático sigue activo" in html and "****1234" in html
    assert letter_pdf(letter).startswith(b"%PDF")


def test_a_return_of_a_replaced_bank_account_does_not_end_autopay(
    drafted: Drafted, at: Any, technician: Any, csr: Any
) -> None:
    from civicbill.autopay.services import autopay_bank_change

    now = at(dt.date(2026, 12, 22))
    autopay_bank_change(
        enrollment=drafted.enrollments[1], routing_number="091000019", account_number="12121212",
        account_type="checking", note="closed the old account",
        authorization=written(dt.date(2026, 12, 22), "Ben Ortiz"), as_of=now, actor=csr,
    )  # fmt: skip
    content = returns_file([(drafted.ben_entry, "R02", "")], on=DEC_23)
    ach_returns_import(content=content, file_name="r.ach", as_of=at(DEC_23), actor=technician)
    ben = Enrollment.objects.get(pk=drafted.enrollments[1].pk)
    assert (ben.status, ben.routing_number) == ("prenote_pending", "091000019")  # waits for its new prenote
    assert AchReturn.objects.get().outcome == "reversed_kept"
    assert account_balance(drafted.ben).cents == 7811  # R02 carries no fee
