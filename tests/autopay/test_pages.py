"""The autopay pages: the account page's panel (enroll, change bank, end), enrollments, draft files
(create, entries, download, cancel), returns (upload, outcomes, resolve), the monthly report (page
and CSV), who may see and do what, and that no page ever shows a clear bank account number."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from civicbill.autopay.models import AchReturn, DraftFile, Enrollment
from tests.autopay.conftest import (
    ACCOUNT_A,
    ALL_CLEAR_NUMBERS,
    DEC_1,
    DEC_18,
    DEC_21,
    DEC_23,
    Drafted,
    returns_file,
)

pytestmark = pytest.mark.django_db


def html_of(response: Any) -> str:
    assert response.status_code in (200, 422), response.status_code
    return response.content.decode()


def assert_masked(html: str) -> None:
    for clear in (*ALL_CLEAR_NUMBERS, "44445555"):
        assert clear not in html


def enroll_post(client: Client, number: str, **changes: str) -> Any:
    data = {
        "routing_number": "121042882",
        "account_number": "44445555",
        "account_number_again": "44445555",
        "account_type": "checking",
        "holder_name": "",
        "authorized_by": "Rosa Peña",
        "authorized_on": "2026-12-01",
        "authorization_method": "written",
        "authorization_reference": "Signed form, binder 3",
    }
    data.update(changes)
    return client.post(f"/accounts/{number}/autopay/enroll/", data)


def test_enrolling_from_the_account_page(client: Client, rosa_account: Any, csr: Any, at: Any) -> None:
    at(DEC_1)
    client.force_login(csr)
    page = html_of(client.get(f"/accounts/{rosa_account.number}/"))
    assert f'hx-get="/accounts/{rosa_account.number}/autopay/"' in page and 'id="autopay-status"' in page
    panel = html_of(client.get(f"/accounts/{rosa_account.number}/autopay/", headers={"HX-Request": "true"}))
    assert "This account does not pay by autopay." in panel and "Enroll in autopay" in panel

    # a typo in the routing number: refused, the numbers typed are not echoed back
    refused = enroll_post(client, rosa_account.number, routing_number="121042883")
    assert refused.status_code == 422
    body = html_of(refused)
    assert (
        "Routing number 121042883 fails its check digit: with 12104288 the ninth digit must be 2, not 3"
        in body
    )
    assert_masked(body)
    mismatch = html_of(enroll_post(client, rosa_account.number, account_number_again="44445556"))
    assert "The two account numbers differ; type both again." in mismatch
    assert "44445556" not in mismatch
    assert Enrollment.objects.count() == 0

    done = enroll_post(client, rosa_account.number)
    assert done.status_code == 302 and done["Location"] == f"/accounts/{rosa_account.number}/#autopay-heading"
    enrollment = Enrollment.objects.get()
    assert (enrollment.status, enrollment.account_number_last4, enrollment.taken_by) == (
        "prenote_pending", "5555", csr,
    )  # fmt: skip
    page = html_of(client.get(f"/accounts/{rosa_account.number}/", follow=True))
    assert "Prenote pending (Checking ****5555)" in page
    panel = html_of(client.get(f"/accounts/{rosa_account.number}/autopay/", headers={"HX-Request": "true"}))
    assert "Checking ****5555 · routing 121042882" in panel and "goes with the next draft file" in panel
    assert_masked(panel)

    # new bank details, then the end
    changed = client.post(
        f"/accounts/{rosa_account.number}/autopay/bank/",
        {"routing_number": "231380104", "account_number": "7777 8888", "account_number_again": "77778888",
         "account_type": "savings", "note": "new bank", "authorization_method": "written",
         "authorized_by": "Rosa Peña", "authorized_on": "2026-12-01", "authorization_reference": "Form 2"},
    )  # fmt: skip
    assert changed.status_code == 302
    enrollment.refresh_from_db()
    assert (enrollment.routing_number, enrollment.account_type, enrollment.account_number_last4) == (
        "231380104", "savings", "8888",
    )  # fmt: skip
    ended = client.post(
        f"/accounts/{rosa_account.number}/autopay/end/", {"reason": "customer_request", "note": ""}
    )
    assert ended.status_code == 302
    assert Enrollment.objects.get().status == "ended"
    panel = html_of(client.get(f"/accounts/{rosa_account.number}/autopay/"))
    assert "Autopay ended on 2026-12-01: Customer asked to stop." in panel
    assert "7777" not in panel.replace("****8888", "")


def test_drafting_and_cancelling_from_the_pages(
    client: Client, enrolled: Any, november_bills: Any, technician: Any, at: Any
) -> None:
    at(DEC_1)
    client.force_login(technician)
    saturday = client.post("/autopay/drafts/", {"effective_date": "2026-12-05"})
    assert saturday.status_code == 422 and "is not a banking day (weekend)" in html_of(saturday)
    created = client.post("/autopay/drafts/", {"effective_date": "2026-12-03"})
    prenotes = DraftFile.objects.get()
    assert created.status_code == 302 and created["Location"] == f"/autopay/drafts/{prenotes.pk}/"
    november_bills()
    at(DEC_18)
    client.force_login(technician)  # the session of December 1 has expired
    drafted = client.post("/autopay/drafts/", {"effective_date": "2026-12-21"})
    assert drafted.status_code == 302, html_of(drafted)[-3000:]
    draft = DraftFile.objects.get(effective_date=DEC_21)
    page = html_of(client.get(f"/autopay/drafts/{draft.pk}/"))
    assert "ach-20261221-20261218A.ach" in page and "3 · $234.33" in page and "Pending" in page
    assert_masked(page)
    listing = html_of(client.get("/autopay/drafts/"))
    assert "ach-20261203-20261201A.ach" in listing and "$234.33" in listing
    download = client.get(f"/autopay/drafts/{draft.pk}/download/")
    assert download.status_code == 200 and download["Cache-Control"] == "no-store"
    assert ACCOUNT_A.encode() in download.content and download.content.startswith(b"101 121042882")
    cancelled = client.post(f"/autopay/drafts/{draft.pk}/cancel/", {"reason": "amounts to check"})
    assert cancelled.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.cancel_reason) == ("cancelled", "amounts to check")


def test_returns_page_imports_a_file_lists_outcomes_and_resolves_an_unmatched_return(
    client: Client, drafted: Drafted, technician: Any, at: Any
) -> None:
    at(DEC_23)
    client.force_login(technician)
    content = returns_file([(drafted.ana_entry, "R01", ""), (drafted.ben_entry, "R02", "")], on=DEC_23)
    upload = client.post(
        "/autopay/returns/", {"file": SimpleUploadedFile("returns.ach", content, "application/octet-stream")}
    )
    assert upload.status_code == 302
    again = client.post(
        "/autopay/returns/", {"file": SimpleUploadedFile("again.ach", content, "application/octet-stream")}
    )
    assert again.status_code == 422 and "This return file was already imported" in html_of(again)
    page = html_of(client.get("/autopay/returns/"))
    assert "Payment reversed; autopay continues" in page
    assert "Payment reversed; autopay ended" in page
    assert_masked(page)
    record_page = html_of(client.get(upload["Location"]))
    assert "R02" in record_page and "fees $25.00" in record_page  # R01 carries the fee, R02 none
    panel = html_of(client.get(f"/accounts/{drafted.ana.number}/autopay/"))
    assert "Returned" in panel and "/workorders/letters/" in panel
    assert_masked(panel)
    ended = AchReturn.objects.get(code="R02")
    resolve = client.post(
        f"/autopay/returns/{ended.pk}/resolve/", {"trace_number": drafted.ana_entry.trace_number}
    )
    assert resolve.status_code == 302  # refused (not unmatched): a message, nothing changed
    assert AchReturn.objects.get(pk=ended.pk).outcome == "reversed_ended"


def test_the_monthly_report_page_and_csv(client: Client, drafted: Drafted, technician: Any, at: Any) -> None:
    from civicbill.autopay.services import ach_returns_import

    now = at(DEC_23)
    content = returns_file([(drafted.ana_entry, "R01", "")], on=DEC_23)
    ach_returns_import(content=content, file_name="r.ach", as_of=now, actor=technician)
    client.force_login(technician)
    page = html_of(client.get("/autopay/report/?month=2026-12"))
    assert "1 · $78.11 · 33.33% of the debits" in page
    assert "R01" in page and "Insufficient funds" in page
    csv_text = client.get("/autopay/report/?month=2026-12&format=csv").content.decode()
    assert csv_text.splitlines()[:5] == [
        "Autopay drafts and returns,2026-12",
        "",
        "Totals",
        "debits,debit_amount,prenotes,returns,returned_amount,return_rate_percent,fees,"
        "unmatched_returns_received,unmatched_amount",
        "3,234.33,3,1,78.11,33.33,25.00,0,0.00",
    ]
    assert "R01,Insufficient funds,1,78.11,33.33" in csv_text


def test_who_may_see_and_do_what(
    client: Client, drafted: Drafted, csr: Any, field_worker: Any, at: Any
) -> None:
    at(dt.date(2026, 12, 18), 12)
    client.force_login(field_worker)  # (after moving the clock: sessions expire)
    for url in ("/autopay/", "/autopay/drafts/", "/autopay/returns/", "/autopay/report/",
                f"/accounts/{drafted.ana.number}/autopay/"):  # fmt: skip
        assert client.get(url).status_code == 403, url
    client.force_login(csr)
    assert client.get("/autopay/").status_code == 200
    assert client.get(f"/autopay/drafts/{drafted.draft.pk}/").status_code == 200
    assert client.get(f"/autopay/drafts/{drafted.draft.pk}/download/").status_code == 403
    assert client.post("/autopay/drafts/", {"effective_date": "2026-12-22"}).status_code == 403
    assert client.post(f"/autopay/drafts/{drafted.draft.pk}/cancel/", {"reason": "x"}).status_code == 403
    assert client.post("/autopay/returns/", {}).status_code == 403
    assert DraftFile.objects.filter(status="created").count() == 2
    listing = html_of(client.get("/autopay/?status=active"))
    assert drafted.ana.number in listing and "Checking ****6789" in listing
    assert_masked(listing)
    assert DEC_18.isoformat() in listing
