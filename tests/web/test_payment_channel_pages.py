"""The back-office pages for payments from other channels: upload a lockbox file and see its result
(posted, suspense, bad rows; the same file twice refused), apply a suspense item to an account found
with the search box, record a returned check, request a refund of a credit and approve it, and the
GL export download. Frozen at 2026-12-01 09:00 PT."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from civicbill.ledger.selectors import account_balance
from civicbill.payments.models import Payment, PaymentImport, Refund, ReturnedItem, SuspenseItem
from tests.fixtures.database import assert_nothing_changed
from tests.fixtures.payments import books_ok, csv_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(make_account: Any) -> tuple[Any, Any]:
    lopez = make_account(last_name="Lopez", house="100", owing={"water": "48.20", "sewer": "41.81"})
    kim = make_account(last_name="Kim", house="102", owing={"water": "30.00", "refuse": "25.00"})
    return lopez, kim


def lockbox(lopez: Any, kim: Any) -> bytes:
    return csv_file(
        "H,LB0001,2026-12-01",
        f"D,,{lopez.number},50.00,1001,,Test Lopez",
        f"D,,{kim.number},70.00,1002,,Test Kim",
        "D,,9999999-9,12.34,1004,,Nobody Known",
        "D,only,three",
        "T,4,132.34",
    )


def upload(
    client: Client, content: bytes, name: str = "lb-20261201.csv", file_format: str = "lockbox-csv"
) -> Any:
    return client.post(
        "/payments/files/",
        {"file_format": file_format, "file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


def test_the_pages_check_permissions(client: Client, csr: Any, auditor: Any) -> None:
    client.force_login(csr)
    assert client.get("/payments/files/").status_code == 403  # payments.import
    assert client.get("/payments/returns/").status_code == 403  # payments.return
    assert client.get("/payments/refunds/").status_code == 403  # refunds.approve
    assert client.get("/ledger/gl-export/").status_code == 403  # ledger.export
    assert client.get("/payments/suspense/").status_code == 200  # payments.suspense
    client.force_login(auditor)
    assert client.get("/payments/suspense/").status_code == 403
    assert client.get("/accounts/1000001-6/refund/").status_code == 403


def test_upload_a_lockbox_file_and_see_what_it_did(client: Client, technician: Any, accounts: Any) -> None:
    lopez, kim = accounts
    client.force_login(technician)
    response = upload(client, lockbox(lopez, kim))
    record = PaymentImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/payments/files/{record.pk}/"
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "Imported lb-20261201.csv: 2 payments posted, 1 to suspense, 1 bad rows." in html
    assert "4 · $132.34" in html  # the trailer
    assert "2 · $120.00" in html and "1 · $12.34" in html
    assert "has 3 fields; a detail record has 7" in html
    assert "No such account" in html
    assert f"LB{record.pk}-2" in html and f"LB{record.pk}-3" in html
    books_ok()

    again = upload(client, lockbox(lopez, kim), name="renamed.csv")
    assert again.status_code == 422
    assert (
        f"This file was already imported as lb-20261201.csv (import {record.pk}) on 2026-12-01 09:00 by "
        f"{technician.username}; nothing was posted" in again.content.decode()
    )
    assert PaymentImport.objects.count() == 1


def test_a_file_whose_trailer_does_not_tie_is_refused_whole(
    client: Client, technician: Any, accounts: Any
) -> None:
    lopez, _kim = accounts
    client.force_login(technician)
    bad = csv_file("H,LB0002,2026-12-01", f"D,,{lopez.number},50.00,1001,,Test Lopez", "T,1,60.00")
    response = upload(client, bad)
    assert response.status_code == 422
    assert "60.00" in response.content.decode()
    assert PaymentImport.objects.count() == 0 and Payment.objects.count() == 0
    with assert_nothing_changed():
        missing = client.post("/payments/files/", {"file_format": "lockbox-csv"})
    assert missing.status_code == 422
    assert "This field is required." in missing.content.decode()


def test_apply_a_suspense_item_to_an_account_found_by_search(
    client: Client, technician: Any, csr: Any, accounts: Any
) -> None:
    lopez, kim = accounts
    client.force_login(technician)
    upload(client, lockbox(lopez, kim))
    item = SuspenseItem.objects.get()
    client.force_login(csr)
    queue = client.get("/payments/suspense/").content.decode()
    assert "Open items: $12.34" in queue and "9999999-9" in queue
    found = client.get(f"/payments/suspense/{item.pk}/apply/?q=Lopez")
    assert found.status_code == 200
    assert lopez.number in found.content.decode()
    with assert_nothing_changed():
        refused = client.post(f"/payments/suspense/{item.pk}/apply/", {"account": "1234567-0", "note": ""})
    assert refused.status_code == 422
    item.refresh_from_db()
    assert item.status == "open"
    applied = client.post(f"/payments/suspense/{item.pk}/apply/", {"account": lopez.number, "note": "Phoned"})
    assert applied.status_code == 302
    item.refresh_from_db()
    assert item.applied_payment is not None
    assert (item.status, item.applied_payment.receipt_number, item.note) == (
        "applied",
        f"SU{item.pk}",
        "Phoned",
    )
    assert str(account_balance(lopez)) == "27.67"  # 90.01 - 50.00 - 12.34
    assert client.get(f"/payments/suspense/{item.pk}/apply/").content.decode().count("Already applied") == 1
    books_ok()


def test_record_a_returned_check(client: Client, technician: Any, accounts: Any) -> None:
    lopez, kim = accounts
    client.force_login(technician)
    upload(client, lockbox(lopez, kim))
    receipt = Payment.objects.get(account=lopez).receipt_number
    assert client.get("/payments/returns/?receipt=NOPE-1").status_code == 404
    form = client.get(f"/payments/returns/?receipt={receipt}")
    assert "$50.00" in form.content.decode() and "($25.00)" in form.content.decode()
    with assert_nothing_changed():
        missing = client.post("/payments/returns/", {"receipt": receipt, "reason": "", "charge_fee": "on"})
    assert missing.status_code == 422
    assert ReturnedItem.objects.count() == 0
    done = client.post("/payments/returns/", {"receipt": receipt, "reason": "NSF", "charge_fee": "on"})
    assert done.status_code == 302 and done["Location"] == f"/accounts/{lopez.number}/"
    returned = ReturnedItem.objects.get()
    assert (returned.reason, returned.fee_cents) == ("NSF", 2500)
    assert str(account_balance(lopez)) == "115.01"  # 90.01 owed again + 25.00 fee
    twice = client.get(f"/payments/returns/?receipt={receipt}").content.decode()
    assert "already recorded as returned" in twice
    books_ok()


def test_request_a_refund_and_a_supervisor_approves_it_once_the_check_has_cleared(
    client: Client, technician: Any, csr: Any, supervisor: Any, accounts: Any, frozen: Any
) -> None:
    lopez, kim = accounts
    client.force_login(technician)
    upload(client, lockbox(lopez, kim))  # Kim paid 70.00 on 55.00: 15.00 credit
    client.force_login(csr)
    page = client.get(f"/accounts/{kim.number}/refund/")
    assert "$15.00 CR" in page.content.decode()
    with assert_nothing_changed():
        too_much = client.post(f"/accounts/{kim.number}/refund/", {"amount": "20.00", "reason": "Moved away"})
    assert too_much.status_code == 422
    assert "has $15.00 of credit available to refund" in too_much.content.decode()
    asked = client.post(f"/accounts/{kim.number}/refund/", {"amount": "15.00", "reason": "Moved away"})
    assert asked.status_code == 302
    refund = Refund.objects.get()
    client.force_login(supervisor)
    waiting = client.get("/payments/refunds/").content.decode()
    assert "Moved away" in waiting and "$15.00" in waiting
    assert (
        "Waits: the credit comes from money that can still come back: the $70.00 check of 2026-12-01 "
        "clears on 2026-12-15."
    ) in waiting
    held = client.post(f"/payments/refunds/{refund.pk}/decide/", {"decision": "approve", "note": ""})
    assert held.status_code == 302  # back to the queue, saying why
    assert (
        f"Refund {refund.pk} of $15.00 waits: the credit comes from money that can still come back: the "
        "$70.00 check of 2026-12-01 clears on 2026-12-15."
    ) in client.get(held["Location"]).content.decode()
    refund.refresh_from_db()
    assert refund.status == "requested"
    frozen.move_to(dt.datetime(2026, 12, 15, 17, 0, tzinfo=dt.UTC))
    client.force_login(supervisor)  # a new day's session
    assert "Waits:" not in client.get("/payments/refunds/").content.decode()
    approved = client.post(f"/payments/refunds/{refund.pk}/decide/", {"decision": "approve", "note": ""})
    assert approved.status_code == 302
    refund.refresh_from_db()
    assert (refund.status, refund.decided_by) == ("approved", supervisor)
    assert str(account_balance(kim)) == "0.00"
    assert client.post("/payments/refunds/99999/decide/", {"decision": "approve"}).status_code == 404
    books_ok()


def test_gl_export_downloads_the_csv_once(
    client: Client, technician: Any, supervisor: Any, accounts: Any
) -> None:
    lopez, kim = accounts
    client.force_login(technician)
    upload(client, lockbox(lopez, kim))
    client.force_login(supervisor)
    assert client.get("/ledger/gl-export/").status_code == 200
    response = client.post("/ledger/gl-export/", {"date": "2026-12-01"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="gl-2026-12-01.csv"'
    lines = response.content.decode().splitlines()
    assert lines[0] == "date,fund,gl_code,gl_name,debit,credit,entry_count"
    assert "2026-12-01,100,100-2900,Suspense - unapplied cash,0.00,12.34,1" in lines
    with assert_nothing_changed():
        again = client.post("/ledger/gl-export/", {"date": "2026-12-01"})
    assert again.status_code == 422
    assert "was already exported" in again.content.decode()
    assert client.post("/ledger/gl-export/", {"date": "2026-12-01", "again": "on"}).status_code == 200
