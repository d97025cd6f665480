"""The payment channels API: upload a payment file (multipart), the suspense queue and applying an
item, a returned check, the payment reports as JSON. Exact figures, 403, 404, validation errors and
the duplicate file refusal."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from civicbill.ledger.selectors import account_balance
from civicbill.payments.models import Payment, PaymentImport, ReturnedItem, SuspenseItem
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
        f"D,,{kim.number},55.00,1002,,Test Kim",
        "D,,9999999-9,12.34,1004,,Nobody Known",
        "D,only,three",
        "T,4,117.34",
    )


def post_file(client: Client, content: bytes, file_format: str = "lockbox-csv", name: str = "lb.csv") -> Any:
    return client.post(
        "/api/payment-files",
        {"format": file_format, "file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


def test_upload_a_payment_file(client: Client, technician: Any, accounts: Any) -> None:
    lopez, kim = accounts
    client.force_login(technician)
    response = post_file(client, lockbox(lopez, kim))
    assert response.status_code == 201, response.content
    body = response.json()
    record = PaymentImport.objects.get()
    assert {k: body[k] for k in ("detail_count", "total_cents", "posted_count", "posted_cents")} == {
        "detail_count": 4,
        "total_cents": 11734,
        "posted_count": 2,
        "posted_cents": 10500,
    }
    assert (body["suspense_count"], body["suspense_cents"], body["error_count"]) == (1, 1234, 1)
    assert body["errors"][0]["line"] == 5
    assert body["payments"] == [
        {"receipt_number": f"LB{record.pk}-2", "line": 2, "account": lopez.number, "amount_cents": 5000},
        {"receipt_number": f"LB{record.pk}-3", "line": 3, "account": kim.number, "amount_cents": 5500},
    ]
    assert [(s["line"], s["reason"], s["amount_cents"]) for s in body["suspense"]] == [
        (4, "unknown_account", 1234)
    ]
    books_ok()


def test_the_same_file_twice_is_refused(client: Client, technician: Any, accounts: Any) -> None:
    client.force_login(technician)
    assert post_file(client, lockbox(*accounts)).status_code == 201
    with assert_nothing_changed():
        again = post_file(client, lockbox(*accounts), name="other-name.csv")
    assert again.status_code == 400
    assert again.json()["code"] == "duplicate_file"
    assert again.json()["detail"].endswith("nothing was posted")
    assert PaymentImport.objects.count() == 1 and Payment.objects.count() == 2


def test_upload_validation_and_permissions(client: Client, technician: Any, csr: Any, accounts: Any) -> None:
    client.force_login(csr)
    with assert_nothing_changed():
        assert post_file(client, lockbox(*accounts)).status_code == 403
        client.force_login(technician)
        assert post_file(client, lockbox(*accounts), file_format="excel").status_code == 422
        missing = client.post("/api/payment-files", {"format": "lockbox-csv"})
        assert missing.status_code == 422
        bad = post_file(client, csv_file("H,LB1,2026-12-01", "D,,1000001-6,1.00,1,,X", "T,1,2.00"))
        assert bad.status_code == 400
        assert bad.json()["code"] == "file_refused"
    assert PaymentImport.objects.count() == 0


def test_the_suspense_queue_and_applying_an_item(
    client: Client, technician: Any, csr: Any, auditor: Any, accounts: Any
) -> None:
    lopez, _kim = accounts
    client.force_login(technician)
    post_file(client, lockbox(*accounts))
    item = SuspenseItem.objects.get()
    client.force_login(auditor)
    with assert_nothing_changed():
        assert client.get("/api/suspense").status_code == 403
        client.force_login(csr)
        queue = client.get("/api/suspense").json()
        assert (queue["count"], queue["amount_cents"]) == (1, 1234)
        assert queue["items"][0]["account_number_in_file"] == "9999999-9"
        assert client.post(f"/api/suspense/{item.pk + 100}/apply", {"account": lopez.number},
                           content_type="application/json").status_code == 404  # fmt: skip
        unknown = client.post(
            f"/api/suspense/{item.pk}/apply", {"account": "1234567-0"}, content_type="application/json"
        )
        assert unknown.status_code == 404 and unknown.json()["field"] == "account"
    applied = client.post(
        f"/api/suspense/{item.pk}/apply",
        {"account": lopez.number, "note": "Phoned"},
        content_type="application/json",
    )
    assert applied.status_code == 200
    body = applied.json()
    assert (body["status"], body["applied_receipt"]) == ("applied", f"SU{item.pk}")
    assert body["payment"]["allocations"] == [
        {"service": "water", "fund": "water", "gl_code": "500-1210", "amount_cents": 661},
        {"service": "sewer", "fund": "sewer", "gl_code": "510-1220", "amount_cents": 573},
    ]
    assert str(account_balance(lopez)) == "27.67"
    with assert_nothing_changed():
        twice = client.post(
            f"/api/suspense/{item.pk}/apply", {"account": lopez.number}, content_type="application/json"
        )
    assert twice.status_code == 400 and twice.json()["code"] == "already_applied"
    assert client.get("/api/suspense?status=all").json()["count"] == 1
    books_ok()


def test_a_returned_check(client: Client, technician: Any, csr: Any, accounts: Any) -> None:
    lopez, _kim = accounts
    client.force_login(technician)
    post_file(client, lockbox(*accounts))
    receipt = Payment.objects.get(account=lopez).receipt_number
    client.force_login(csr)
    with assert_nothing_changed():
        assert (
            client.post(
                f"/api/payments/{receipt}/return", {"reason": "NSF"}, content_type="application/json"
            ).status_code
            == 403
        )
        client.force_login(technician)
        assert (
            client.post(
                "/api/payments/NOPE-1/return", {"reason": "NSF"}, content_type="application/json"
            ).status_code
            == 404
        )
        blank = client.post(
            f"/api/payments/{receipt}/return", {"reason": " "}, content_type="application/json"
        )
        assert blank.status_code == 400 and blank.json()["field"] == "reason"
    done = client.post(f"/api/payments/{receipt}/return", {"reason": "NSF"}, content_type="application/json")
    assert done.status_code == 201
    assert {k: done.json()[k] for k in ("account", "amount_cents", "fee_cents", "returned_on")} == {
        "account": lopez.number,
        "amount_cents": 5000,
        "fee_cents": 2500,
        "returned_on": "2026-12-01",
    }
    with assert_nothing_changed():
        again = client.post(
            f"/api/payments/{receipt}/return", {"reason": "NSF"}, content_type="application/json"
        )
    assert again.status_code == 400 and again.json()["code"] == "already_returned"
    assert ReturnedItem.objects.count() == 1
    assert str(account_balance(lopez)) == "115.01"
    books_ok()


def test_reports_as_json(client: Client, auditor: Any, field_worker: Any, day: Any) -> None:
    client.force_login(field_worker)
    with assert_nothing_changed():
        assert client.get("/api/reports/daily-balance?date=2026-12-01").status_code == 403
    client.force_login(auditor)
    balance = client.get("/api/reports/daily-balance?date=2026-12-01").json()
    assert [(t["key"], t["left_cents"], t["right_cents"], t["status"]) for t in balance["ties"]] == [
        ("tenders", 25001, 25001, "OK"),
        ("allocations", 25001, 25001, "OK"),
        ("postings", 25001, 25001, "OK"),
        ("deposit", 24901, 24901, "OK"),
        ("deposit_entry", 24901, 24901, "OK"),
    ]
    journal = client.get("/api/reports/cash-receipts?from=2026-12-01&to=2026-12-01").json()
    assert journal["tables"]["by_drawer"]["rows"] == [
        {"name": "CH-1", "count": 3, "amount_cents": 25001},
        {"name": "lockbox", "count": 2, "amount_cents": 6734},
    ]
    channels = client.get("/api/reports/by-channel?date=2026-12-01").json()
    assert channels["tables"]["channels"]["total"]["net_cents"] == 26235
    assert client.get("/api/reports/nope?date=2026-12-01").status_code == 404
    missing = client.get("/api/reports/daily-balance")
    assert missing.status_code == 400 and missing.json()["code"] == "missing_date"
    assert client.get("/api/reports/daily-balance?date=2026-13-01").status_code == 422
    backwards = client.get("/api/reports/by-channel?from=2026-12-02&to=2026-12-01")
    assert backwards.status_code == 400 and backwards.json()["code"] == "bad_period"
