"""Issue 11, points 15, 18 and 19: a notification of change applies only to the bank details its entry
was drafted from; returns outside their NACHA window are held for review (dishonor or accept); the
fee only for the codes the policy names; ACH dates on the Federal Reserve's calendar with a limit on
how far ahead a draft may be dated; reserved entry descriptions refused at start-up; authorizations
recorded with their method and copy, a new one for new bank details, kept two years after they end."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from typing import Any

import pytest
from django.core.checks import run_checks
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import ProtectedError, Sum
from django.test import Client

from civicbill.autopay import banking, config
from civicbill.autopay.bank_files import corrected_data
from civicbill.autopay.models import AchReturn, Authorization, DraftEntry, Enrollment, EnrollmentEvent
from civicbill.autopay.selectors import review_queue
from civicbill.autopay.services import (
    ach_draft_create,
    ach_return_review,
    ach_returns_import,
    autopay_bank_change,
    autopay_end,
)
from civicbill.autopay.services.enrollment import bank_account_number, retained_until
from civicbill.core.exceptions import ApplicationError
from civicbill.correspondence.models import Letter
from civicbill.ledger.models import JournalLine
from civicbill.ledger.selectors import account_balance, check_books
from civicbill.payments.models import Payment, ReturnedItem
from tests.autopay.conftest import (
    ACCOUNT_B,
    DEC_1,
    DEC_3,
    DEC_18,
    DEC_21,
    DEC_23,
    ROUTING_B,
    Drafted,
    returns_file,
    written,
)

pytestmark = pytest.mark.django_db

DEC_22 = dt.date(2026, 12, 22)
NEW_ROUTING, NEW_ACCOUNT = "091000019", "12121212"


def gl(code: str) -> int:
    totals = JournalLine.objects.filter(gl_account__code=code).aggregate(
        d=Sum("debit_cents"), c=Sum("credit_cents")
    )
    return (totals["d"] or 0) - (totals["c"] or 0)


def csrf_post(client: Client, page: str, url: str, data: dict[str, Any]) -> Any:
    """POST as a browser would: the CSRF token taken from the page the form is on."""
    html = client.get(page).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token is not None, page
    return client.post(url, {**data, "csrfmiddlewaretoken": token.group(1)})


def change_bens_bank(drafted: Drafted, at: Any, csr: Any) -> Enrollment:
    return autopay_bank_change(
        enrollment=drafted.enrollments[1], routing_number=NEW_ROUTING, account_number=NEW_ACCOUNT,
        account_type="checking", note="moved banks",
        authorization=written(DEC_22, "Ben Ortiz", "Form 2 (new bank)"), as_of=at(DEC_22), actor=csr,
    )  # fmt: skip


# -- 15: a notification of change for replaced bank details ---------------------------------------------
def test_a_c01_about_the_old_bank_does_not_overwrite_the_customers_new_details(
    drafted: Drafted, at: Any, technician: Any, csr: Any
) -> None:
    assert drafted.ben_entry.bank_version == 1
    changed = change_bens_bank(drafted, at, csr)
    assert (changed.bank_version, changed.status, changed.prenote_sent_on) == (2, "prenote_pending", None)
    content = returns_file(
        [(drafted.ben_entry, "C01", corrected_data("C01", account_number="777888999"))], on=DEC_23
    )
    ach_returns_import(content=content, file_name="noc.ach", as_of=at(DEC_23), actor=technician)

    ben = Enrollment.objects.get(pk=changed.pk)
    assert (ben.routing_number, bank_account_number(ben), ben.account_number_last4) == (
        NEW_ROUTING, NEW_ACCOUNT, "1212",
    )  # fmt: skip
    assert (ben.status, ben.prenote_sent_on, ben.bank_version) == (
        "prenote_pending",
        None,
        2,
    )  # prenote still due
    item = AchReturn.objects.get()
    assert (item.outcome, item.awaits_review) == ("change_not_applied", True)
    assert item.detail == (
        "C01 Incorrect DFI account number: not applied; trace 121042880000005 was drafted from checking "
        f"****3210 at {ROUTING_B}, but the enrollment now holds checking ****1212 at {NEW_ROUTING} "
        "(changed since). Check with the customer"
    )
    assert list(review_queue()) == [item]
    event = EnrollmentEvent.objects.filter(enrollment=ben).latest("id")
    assert (event.kind, event.detail) == (
        "change_not_applied",
        "C01 Incorrect DFI account number for the draft of 2026-12-21 "
        f"(checking ****3210 at {ROUTING_B}) not applied: the bank details have changed since; staff review",
    )
    # the next file carries Ben's new prenote, to the new account
    draft = ach_draft_create(effective_date=dt.date(2026, 12, 28), as_of=at(DEC_23, 10), actor=technician)
    prenote = DraftEntry.objects.get(draft_file=draft, enrollment=ben)
    assert (prenote.kind, prenote.routing_number, prenote.bank_version) == ("prenote", NEW_ROUTING, 2)
    assert check_books().ok


def test_an_entry_drafted_before_versions_were_kept_is_compared_by_its_bank_details(
    drafted: Drafted, at: Any, technician: Any, csr: Any
) -> None:
    DraftEntry.objects.update(bank_version=None)  # as migration 0002 leaves the entries drafted before it
    change_bens_bank(drafted, at, csr)
    content = returns_file(
        [
            (
                DraftEntry.objects.get(pk=drafted.ben_entry.pk),
                "C01",
                corrected_data("C01", account_number="7778"),
            ),
            (
                DraftEntry.objects.get(pk=drafted.ana_entry.pk),
                "C05",
                corrected_data("C05", transaction_code=37),
            ),
        ],
        on=DEC_23,
    )
    ach_returns_import(content=content, file_name="noc.ach", as_of=at(DEC_23), actor=technician)
    assert dict(AchReturn.objects.values_list("code", "outcome")) == {
        "C01": "change_not_applied", "C05": "corrected",
    }  # fmt: skip
    assert bank_account_number(Enrollment.objects.get(pk=drafted.enrollments[1].pk)) == NEW_ACCOUNT
    assert Enrollment.objects.get(pk=drafted.enrollments[0].pk).account_type == "savings"


def test_a_noc_about_the_details_still_on_file_is_applied(drafted: Drafted, at: Any, technician: Any) -> None:
    content = returns_file(
        [(drafted.ben_entry, "C01", corrected_data("C01", account_number="777888999"))], on=DEC_23
    )
    ach_returns_import(content=content, file_name="noc.ach", as_of=at(DEC_23), actor=technician)
    ben = Enrollment.objects.get(pk=drafted.enrollments[1].pk)
    assert (bank_account_number(ben), ben.bank_version, ben.status) == ("777888999", 2, "active")
    assert AchReturn.objects.get().outcome == "corrected" and not review_queue().exists()


def test_staff_see_the_unapplied_noc_on_the_account_and_in_the_queue_and_acknowledge_it(
    drafted: Drafted, at: Any, technician: Any, csr: Any, tmp_path: Any
) -> None:
    change_bens_bank(drafted, at, csr)
    content = returns_file(
        [(drafted.ben_entry, "C01", corrected_data("C01", account_number="777888999"))], on=DEC_23
    )
    at(DEC_23)
    path = tmp_path / "noc.ach"
    path.write_bytes(content)
    out = io.StringIO()
    call_command("ach", "returns", str(path), "--json", "--user", technician.username, stdout=out)
    document = json.loads(out.getvalue())
    assert document["to_review"] == 1
    assert (document["items"][0]["outcome"], document["items"][0]["awaits_review"]) == (
        "change_not_applied",
        True,
    )

    client = Client(enforce_csrf_checks=True)
    client.force_login(technician)
    panel = client.get(f"/accounts/{drafted.ben.number}/autopay/").content.decode()
    assert 'id="autopay-review-notice"' in panel and "Not applied: the bank details have changed" in panel
    queue = client.get("/autopay/review/").content.decode()
    assert "C01" in queue and drafted.ben.number in queue and "777888999" not in queue
    listed = io.StringIO()
    call_command("ach", "review", "--json", stdout=listed)
    item_id = json.loads(listed.getvalue())["review"][0]["id"]
    refused = csrf_post(
        client, "/autopay/review/", f"/autopay/review/{item_id}/", {"decision": "dishonor", "note": "x"}
    )
    assert refused.status_code == 302 and AchReturn.objects.get().review_decision == ""
    decided = csrf_post(
        client, "/autopay/review/", f"/autopay/review/{item_id}/",
        {"decision": "acknowledge", "note": "Customer confirmed the new account"},
    )  # fmt: skip
    assert decided.status_code == 302
    item = AchReturn.objects.get()
    assert (item.review_decision, item.reviewed_by, item.review_note) == (
        "acknowledged", technician, "Customer confirmed the new account",
    )  # fmt: skip
    assert not review_queue().exists()


# -- 18: returns outside their NACHA window ---------------------------------------------------------------
JAN_7 = dt.date(2027, 1, 7)  # 11 banking days after Monday December 21 (the 25th and January 1 closed)


def test_an_r01_eleven_banking_days_late_is_held_then_dishonored_and_the_payment_stands(
    drafted: Drafted, at: Any, technician: Any
) -> None:
    assert banking.banking_calendar().business_days_between(DEC_21, JAN_7) == 11
    cash_before, suspense_before = gl("100-1000"), gl("100-2900")
    content = returns_file([(drafted.ana_entry, "R01", "")], on=JAN_7)
    record = ach_returns_import(content=content, file_name="late.ach", as_of=at(JAN_7), actor=technician)
    item = AchReturn.objects.get()
    assert (item.outcome, item.received_on, item.deadline, item.fee_cents) == (
        "held_untimely", JAN_7, DEC_23, 0,
    )  # fmt: skip
    assert item.dishonor_by == dt.date(2027, 1, 14)  # 5 banking days to send the dishonored return
    assert item.detail == (
        "R01 Insufficient funds received 2027-01-07, after its deadline 2026-12-23 (2 banking days from the "
        "settlement on 2026-12-21; 15 days late): held for review; dishonor it or accept it"
    )
    assert (record.return_count, record.fees_cents) == (1, 0)
    # nothing reversed: the payment stands, no fee, no letter; the bank's debit waits in suspense
    assert ReturnedItem.objects.count() == 0 and Letter.objects.count() == 0
    assert account_balance(drafted.ana).cents == 0
    assert DraftEntry.objects.get(pk=drafted.ana_entry.pk).status == "drafted"
    assert (gl("100-2900") - suspense_before, gl("100-1000") - cash_before) == (7811, -7811)
    assert Enrollment.objects.get(pk=drafted.enrollments[0].pk).status == "active"

    with pytest.raises(ApplicationError, match="late return: dishonor it or accept it"):
        ach_return_review(
            ach_return=item, decision="acknowledge", note="seen", as_of=at(JAN_7, 10), actor=technician
        )
    with pytest.raises(ApplicationError, match="Say why"):
        ach_return_review(
            ach_return=item, decision="dishonor", note=" ", as_of=at(JAN_7, 10), actor=technician
        )
    client = Client(enforce_csrf_checks=True)
    client.force_login(technician)
    response = csrf_post(
        client, "/autopay/review/", f"/autopay/review/{item.pk}/",
        {"decision": "dishonor", "note": "R68 sent through the bank portal"},
    )  # fmt: skip
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.outcome, item.review_decision, item.review_note) == (
        "dishonored", "dishonored", "R68 sent through the bank portal",
    )  # fmt: skip
    assert item.detail.startswith(f"Dishonored by {technician.username} on 2027-01-07 (R68 untimely return")
    assert Payment.objects.get(pk=drafted.ana_entry.payment_id).status != "voided"
    assert account_balance(drafted.ana).cents == 0 and ReturnedItem.objects.count() == 0
    assert (gl("100-2900"), gl("100-1000")) == (suspense_before, cash_before)
    assert not review_queue().exists()
    with pytest.raises(ApplicationError, match="not waiting for review"):
        ach_return_review(
            ach_return=item, decision="accept", note="again", as_of=at(JAN_7, 11), actor=technician
        )
    # the same late return sent again changes nothing
    again = returns_file([(drafted.ana_entry, "R01", "")], on=dt.date(2027, 1, 8), modifier="B")
    ach_returns_import(content=again, file_name="again.ach", as_of=at(dt.date(2027, 1, 8)), actor=technician)
    assert AchReturn.objects.latest("id").outcome == "already_returned"
    assert check_books().ok


def test_an_unmatched_return_resolved_to_an_old_draft_is_held_for_review(
    drafted: Drafted, at: Any, technician: Any
) -> None:
    from civicbill.autopay.bank_files import ReturnSpec, return_file
    from civicbill.autopay.services import ach_return_resolve

    stranger = ReturnSpec(
        original_trace_number="121042880999999", code="R01", routing_number="121042882",
        account_number="123456789", amount_cents=7811, name="ANA GARCIA",
    )  # fmt: skip
    content = return_file(originator=config.ach_settings().originator, items=[stranger], created_on=JAN_7)
    ach_returns_import(content=content, file_name="r.ach", as_of=at(JAN_7), actor=technician)
    suspense = gl("100-2900")
    item = ach_return_resolve(
        ach_return=AchReturn.objects.get(), trace_number=drafted.ana_entry.trace_number,
        as_of=at(JAN_7, 11), actor=technician,
    )  # fmt: skip
    assert (item.outcome, item.draft_entry_id, item.deadline, item.awaits_review) == (
        "held_untimely", drafted.ana_entry.pk, DEC_23, True,
    )  # fmt: skip
    assert item.detail.startswith(
        "Resolved to trace 121042880000004. R01 Insufficient funds received 2027-01-07"
    )
    assert gl("100-2900") == suspense == 7811 and ReturnedItem.objects.count() == 0  # still held, once
    ach_return_review(
        ach_return=item, decision="accept", note="bank proved it", as_of=at(JAN_7, 12), actor=technician
    )
    assert gl("100-2900") == 0 and account_balance(drafted.ana).cents == 7811 + 2500
    assert AchReturn.objects.get().outcome == "reversed_kept"
    assert check_books().ok


APR_9 = dt.date(2027, 4, 9)  # 109 days after December 21


def test_an_r10_109_days_late_is_held_and_accepted_reverses_without_a_fee(
    client: Client, drafted: Drafted, at: Any, technician: Any
) -> None:
    content = returns_file([(drafted.ben_entry, "R10", "")], on=APR_9)
    ach_returns_import(content=content, file_name="late.ach", as_of=at(APR_9), actor=technician)
    item = AchReturn.objects.get()
    assert (item.outcome, item.deadline) == (
        "held_untimely",
        dt.date(2027, 2, 22),
    )  # the 60th day is a Friday
    assert "60 calendar days from the settlement on 2026-12-21" in item.detail
    client.force_login(technician)
    answer = client.get("/api/autopay/review").json()["review"]
    assert [(row["id"], row["outcome"], row["deadline"], row["dishonor_by"]) for row in answer] == [
        (item.pk, "held_untimely", "2027-02-22", "2027-04-16")
    ]
    decided = client.post(
        f"/api/autopay/review/{item.pk}", {"decision": "accept", "note": "Customer's bank insists"},
        content_type="application/json",
    )  # fmt: skip
    assert decided.status_code == 200, decided.content
    row = decided.json()
    assert (row["outcome"], row["review_decision"], row["fee_cents"]) == ("reversed_ended", "accepted", 0)
    assert account_balance(drafted.ben).cents == 7811  # reversed; an unauthorized return never carries a fee
    assert Enrollment.objects.get(pk=drafted.enrollments[1].pk).status == "ended"
    assert ReturnedItem.objects.get().fee_cents == 0 and Letter.objects.count() == 1
    assert gl("100-2900") == 0
    assert check_books().ok


def test_the_command_line_lists_and_decides_the_queue_and_a_csr_may_not_decide(
    client: Client, drafted: Drafted, at: Any, technician: Any, csr: Any
) -> None:
    content = returns_file([(drafted.carla_entry, "R01", "")], on=JAN_7)
    ach_returns_import(content=content, file_name="late.ach", as_of=at(JAN_7), actor=technician)
    item = AchReturn.objects.get()
    listed = io.StringIO()
    call_command("ach", "review", stdout=listed)
    assert listed.getvalue().splitlines()[0] == "Review queue: 1 waiting"
    assert f"  {item.pk}: R01 trace {drafted.carla_entry.trace_number}" in listed.getvalue()
    client.force_login(csr)
    refused = client.post(
        f"/api/autopay/review/{item.pk}",
        {"decision": "dishonor", "note": "late"},
        content_type="application/json",
    )
    assert refused.status_code == 403 and AchReturn.objects.get().review_decision == ""
    with pytest.raises(CommandError, match="Give --decision"):
        call_command("ach", "review", str(item.pk), "--decision", "dishonor")
    out = io.StringIO()
    call_command(
        "ach", "review", str(item.pk), "--decision", "dishonor", "--note", "R68 sent", "--json",
        "--user", technician.username, stdout=out,
    )  # fmt: skip
    row = json.loads(out.getvalue())
    assert (row["outcome"], row["review_decision"], row["reviewed_by"], row["awaits_review"]) == (
        "dishonored", "dishonored", technician.username, False,
    )  # fmt: skip
    assert "5550001234" not in out.getvalue()
    with pytest.raises(CommandError, match="not waiting for review") as again:
        call_command(
            "ach", "review", str(item.pk), "--decision", "accept", "--note", "x", "--user", "technician"
        )
    assert again.value.returncode == 1
    with pytest.raises(CommandError, match="Give --user USERNAME") as anonymous:
        call_command("ach", "review", str(item.pk), "--decision", "accept", "--note", "x")
    assert anonymous.value.returncode == 1


def test_an_r10_on_the_banking_day_after_the_sixtieth_day_is_timely(
    drafted: Drafted, at: Any, technician: Any
) -> None:
    on = dt.date(2027, 2, 22)  # December 21 + 60 days is Friday February 19
    content = returns_file([(drafted.ben_entry, "R10", "")], on=on)
    ach_returns_import(content=content, file_name="r10.ach", as_of=at(on), actor=technician)
    item = AchReturn.objects.get()
    assert (item.outcome, item.fee_cents, item.deadline) == ("reversed_ended", 0, on)
    late = returns_file([(drafted.carla_entry, "R07", "")], on=dt.date(2027, 2, 23), modifier="B")
    ach_returns_import(content=late, file_name="r07.ach", as_of=at(dt.date(2027, 2, 23)), actor=technician)
    assert AchReturn.objects.get(code="R07").outcome == "held_untimely"


def test_the_fee_codes_are_configurable_but_never_an_unauthorized_code(
    drafted: Drafted, at: Any, technician: Any, settings: Any
) -> None:
    found, problems = config.settings_problems(
        {**config.configured_values(), config.RETURN_FEE_CODES: "R01,R10"}
    )
    assert found is None and problems == [
        (
            "CIVICBILL_ACH_RETURN_FEE_CODES",
            "R10: unauthorized-entry return codes (the customer did not authorize the debit) never carry a "
            "returned-payment fee",
        )
    ]
    _found, problems = config.settings_problems(
        {**config.configured_values(), config.RETURN_FEE_CODES: "R01,X9"}
    )
    assert problems[0][1].endswith("not return codes: X9")
    settings.CIVICBILL_ACH_RETURN_FEE_CODES = "R01,R02"
    content = returns_file([(drafted.ana_entry, "R02", ""), (drafted.ben_entry, "R09", "")], on=DEC_23)
    ach_returns_import(content=content, file_name="r.ach", as_of=at(DEC_23), actor=technician)
    assert dict(AchReturn.objects.values_list("code", "fee_cents")) == {"R02": 2500, "R09": 0}


# -- 19: the Federal Reserve's calendar, the limit ahead, reserved descriptions --------------------------
def test_ach_dates_follow_the_federal_reserve_not_the_state() -> None:
    calendar = banking.banking_calendar()
    closed = {
        dt.date(2026, 10, 12): "Federal Reserve holiday: Columbus Day",
        dt.date(2026, 11, 11): "Federal Reserve holiday: Veterans Day",
        dt.date(2026, 12, 25): "Federal Reserve holiday: Christmas Day",
    }
    for day, why in closed.items():
        assert calendar.why_closed(day) == why
    # open at the Federal Reserve, closed at a California office
    for day in (
        dt.date(2026, 12, 24), dt.date(2026, 12, 31), dt.date(2027, 3, 31),  # César Chávez Day
        dt.date(2026, 11, 27), dt.date(2026, 7, 3), dt.date(2027, 12, 24),  # Saturday holidays not moved
    ):  # fmt: skip
        assert calendar.is_business_day(day), day
    # the day after Thanksgiving is a banking day (the office's calendar would give November 30)
    assert calendar.add_business_days(dt.date(2026, 11, 25), 1) == dt.date(2026, 11, 27)


def test_a_draft_on_columbus_day_is_refused_and_on_christmas_eve_accepted(
    enrolled: Any, at: Any, technician: Any
) -> None:
    with pytest.raises(
        ApplicationError, match=r"2026-10-12 is not a banking day \(Federal Reserve holiday: Columbus"
    ):
        ach_draft_create(
            effective_date=dt.date(2026, 10, 12), as_of=at(dt.date(2026, 10, 8)), actor=technician
        )
    draft = ach_draft_create(effective_date=dt.date(2026, 12, 24), as_of=at(DEC_18), actor=technician)
    assert (draft.effective_date, draft.prenote_count) == (dt.date(2026, 12, 24), 3)


def test_a_draft_dated_too_far_ahead_is_refused(
    enrolled: Any, at: Any, technician: Any, settings: Any
) -> None:
    settings.CIVICBILL_ACH_MAX_DAYS_AHEAD = "14"
    with pytest.raises(ApplicationError) as refused:
        ach_draft_create(effective_date=dt.date(2026, 12, 16), as_of=at(DEC_1), actor=technician)
    assert (refused.value.code, refused.value.message) == (
        "date_too_far_ahead",
        "The effective entry date 2026-12-16 is 15 days ahead; a draft may be dated at most 14 days ahead "
        "(by 2026-12-15, CIVICBILL_ACH_MAX_DAYS_AHEAD): create it closer to the day",
    )
    assert ach_draft_create(effective_date=dt.date(2026, 12, 15), as_of=at(DEC_1), actor=technician).pk
    settings.CIVICBILL_ACH_MAX_DAYS_AHEAD = "91"
    assert [m.id for m in run_checks(tags=["civicbill"]) if m.id == "autopay.E001"] == ["autopay.E001"]


@pytest.mark.parametrize("description", ["REVERSAL", "return fee", "PAYROLL", "NONSETTLED", "ACCTVERIFY"])
def test_a_reserved_entry_description_stops_the_start(settings: Any, description: str) -> None:
    settings.CIVICBILL_ACH_ENTRY_DESCRIPTION = description
    errors = [m.msg for m in run_checks(tags=["civicbill"]) if m.id == "autopay.E001"]
    assert len(errors) == 1 and errors[0].startswith(
        f"CIVICBILL_ACH_ENTRY_DESCRIPTION: {description!r} is a company entry description NACHA reserves"
    )


# -- 19: authorizations -------------------------------------------------------------------------------------
def test_enrolling_takes_the_authorizations_method_and_copy(
    rosa_account: Any, at: Any, csr: Any, auditor: Any
) -> None:
    at(DEC_1)
    client = Client(enforce_csrf_checks=True)
    client.force_login(csr)
    page = f"/accounts/{rosa_account.number}/autopay/"
    data = {
        "routing_number": "121042882", "account_number": "44445555", "account_number_again": "44445555",
        "account_type": "checking", "holder_name": "", "authorized_by": "Rosa Peña",
        "authorized_on": "2026-12-01", "authorization_method": "phone_recorded",
        "authorization_reference": "",
    }  # fmt: skip
    missing = csrf_post(client, page, f"{page}enroll/", data)
    assert missing.status_code == 422 and "Attach a copy of the authorization" in missing.content.decode()
    assert Enrollment.objects.count() == 0
    copy = b"%PDF-1.4 signed form for account 44445555"
    enrolled = csrf_post(
        client, page, f"{page}enroll/",
        {**data, "authorization_document": SimpleUploadedFile("form.pdf", copy, "application/pdf")},
    )  # fmt: skip
    assert enrolled.status_code == 302, enrolled.content.decode()[:2000]
    authorization = Authorization.objects.get()
    assert (authorization.method, authorization.document_name, authorization.bank_version) == (
        "phone_recorded", "form.pdf", 1,
    )  # fmt: skip
    assert b"44445555" not in authorization.document_encrypted.encode()  # encrypted at rest
    download = client.get(f"/autopay/authorizations/{authorization.pk}/document/")
    assert (download.status_code, download.content, download["Cache-Control"]) == (200, copy, "no-store")
    panel = client.get(page).content.decode()
    assert "Telephone, recorded" in panel and "44445555" not in panel
    assert download["Content-Type"] == "application/pdf"
    client.force_login(auditor)
    assert client.get(f"/autopay/authorizations/{authorization.pk}/document/").status_code == 403


def test_new_bank_details_take_a_new_authorization_and_the_old_one_is_kept(
    drafted: Drafted, at: Any, csr: Any, client: Client
) -> None:
    at(DEC_22)
    client.force_login(csr)
    body = {"routing_number": NEW_ROUTING, "account_number": NEW_ACCOUNT, "account_type": "checking"}
    url = f"/api/autopay/enrollments/{drafted.enrollments[1].pk}/bank"
    refused = client.post(url, body, content_type="application/json")
    assert (
        refused.status_code == 422 and Enrollment.objects.get(pk=drafted.enrollments[1].pk).bank_version == 1
    )
    no_copy = client.post(
        url, {**body, "authorization_method": "online", "authorized_on": "2026-12-22",
              "authorized_by": "Ben"},
        content_type="application/json",
    )  # fmt: skip
    assert no_copy.status_code == 400 and no_copy.json()["field"] == "authorization_reference"
    changed = client.post(
        url, {**body, "authorization_method": "online", "authorized_on": "2026-12-22", "authorized_by": "Ben",
              "authorization_reference": "Portal consent 8812"},
        content_type="application/json",
    )  # fmt: skip
    assert changed.status_code == 200, changed.content
    detail = client.get(f"/api/autopay/enrollments/{drafted.enrollments[1].pk}").json()
    assert [
        (a["method"], a["bank_version"], a["ended_on"], a["retain_until"]) for a in detail["authorizations"]
    ] == [
        ("online", 2, None, None),
        ("written", 1, "2026-12-22", "2028-12-22"),
    ]
    assert ACCOUNT_B not in changed.content.decode() and NEW_ACCOUNT not in json.dumps(detail)


def test_an_ended_enrollments_authorization_cannot_be_deleted_for_two_years(
    rosa_account: Any, at: Any, csr: Any
) -> None:
    from civicbill.autopay.services import autopay_enroll

    enrollment = autopay_enroll(
        account=rosa_account, routing_number="121042882", account_number="44445555", account_type="checking",
        authorization=written(DEC_1, "Rosa Peña"), as_of=at(DEC_1), actor=csr,
    )  # fmt: skip
    authorization = Authorization.objects.get()
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        Authorization.objects.filter(pk=authorization.pk).delete()  # live: kept
    autopay_end(enrollment=enrollment, reason="customer_request", note="", as_of=at(DEC_3), actor=csr)
    authorization.refresh_from_db()
    assert (authorization.ended_on, authorization.retain_until) == (DEC_3, dt.date(2028, 12, 3))
    assert retained_until(dt.date(2028, 2, 29)) == dt.date(2030, 3, 1)
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        Authorization.objects.filter(pk=authorization.pk).delete()  # cancelled, but not two years ago
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        Authorization.objects.filter(pk=authorization.pk).update(retain_until=dt.date(2020, 1, 1))
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        Authorization.objects.filter(pk=authorization.pk).update(reference="something else")
    with pytest.raises((ProtectedError, IntegrityError)), transaction.atomic():
        Enrollment.objects.filter(pk=enrollment.pk).delete()
    assert Authorization.objects.filter(pk=authorization.pk).exists()
    # one that ended more than two years ago may go
    old = Authorization.objects.create(
        enrollment=enrollment, bank_version=99, routing_number="121042882", account_number_last4="5555",
        account_type="checking", method="written", authorized_on=dt.date(2019, 1, 2), authorized_by="Rosa",
        reference="Box 1", taken_by=csr, recorded_at=at(DEC_3), ended_on=dt.date(2020, 1, 2),
        retain_until=dt.date(2022, 1, 2),
    )  # fmt: skip
    Authorization.objects.filter(pk=old.pk).delete()
    assert not Authorization.objects.filter(pk=old.pk).exists()
