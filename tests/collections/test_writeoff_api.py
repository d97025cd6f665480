"""The write-off JSON API: a technician proposes, a supervisor approves; the books balance."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from civicbill.customers import services as customer_services
from civicbill.ledger.selectors import check_books


@pytest.fixture
def moved_out(make_account: Any, csr: Any) -> Any:
    account = make_account(first_name="Ana", last_name="Ruiz", owing={"water": "48.20", "sewer": "41.81"})
    return customer_services.account_close(account=account, end_date=dt.date(2026, 11, 30), actor=csr)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_propose_and_approve_over_the_api(moved_out: Any, technician: Any, supervisor: Any, csr: Any) -> None:
    listed = _client(csr).get("/api/collections/closed-unpaid?as_of=2027-06-01").json()
    assert [(a["account"], a["balance_cents"]) for a in listed["accounts"]] == [(moved_out.number, 9001)]
    refused = _client(csr).post(
        "/api/collections/writeoffs", {"as_of": "2027-06-01"}, content_type="application/json"
    )
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    proposed = _client(technician).post(
        "/api/collections/writeoffs", {"as_of": "2027-06-01"}, content_type="application/json"
    )
    assert proposed.status_code == 201, proposed.json()
    batch = proposed.json()["batch"]
    approved = _client(supervisor).post(
        f"/api/collections/writeoffs/{batch}/approve", {"note": "ok"}, content_type="application/json"
    )
    assert (approved.status_code, approved.json()["status"], approved.json()["totals_cents"]["total"]) == (
        200, "posted", 9001
    )  # fmt: skip
    assert check_books().ok
    missing = _client(supervisor).get("/api/collections/writeoffs/999")
    assert (missing.status_code, missing.json()["field"]) == (404, "batch")
