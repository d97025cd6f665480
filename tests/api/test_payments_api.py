"""The cashiering API: open a drawer, take payments (idempotent), show and void them, misc receipts,
close and approve a drawer, close the day. Frozen at 2026-12-01 09:00 PT; exact cents."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from civicbill.core.money import Money
from civicbill.customers.models import Account
from civicbill.ledger.selectors import account_balance
from civicbill.payments.models import DrawerSession, Payment
from tests.fixtures.database import assert_nothing_changed
from tests.fixtures.payments import books_ok

pytestmark = pytest.mark.django_db


def _post(client: Client, url: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(url, body, content_type="application/json", headers=headers)


@pytest.fixture
def cashier(frozen: Any, client: Client, csr: Any, drawers: Any) -> Client:
    client.force_login(csr)
    response = _post(client, "/api/drawer-sessions", {"drawer": "CH-1", "starting_float": "200.00"})
    assert response.status_code == 201, response.content
    return client


def _rosa_payment(client: Client, key: str = "pay-1", cash: str = "100.00", amount: str = "90.01") -> Any:
    """Rosa (rosa_account) owes water 48.20 and sewer 41.81."""
    number = Account.objects.get(customer__last_name="Peña").number
    return _post(
        client,
        "/api/payments",
        {"accounts": [{"account": number, "amount": amount}], "tenders": [{"kind": "cash", "amount": cash}]},
        **{"Idempotency-Key": key},
    )


@pytest.fixture
def rosa(rosa_account: Any) -> Any:
    return rosa_account


def test_opening_a_session_returns_it(frozen: Any, client: Client, csr: Any, drawers: Any):
    client.force_login(csr)
    body = _post(client, "/api/drawer-sessions", {"drawer": "CH-1", "starting_float": "200.00"}).json()
    session = DrawerSession.objects.get()
    assert body["id"] == session.pk
    assert (body["drawer"], body["cashier"], body["business_date"], body["status"]) == (
        "CH-1",
        "csr",
        "2026-12-01",
        "open",
    )
    assert (body["starting_float_cents"], body["taken_cents"]) == (20000, 0)
    with assert_nothing_changed():
        again = _post(client, "/api/drawer-sessions", {"drawer": "CH-2", "starting_float": "10.00"})
    assert again.status_code == 400
    assert again.json()["code"] == "cashier_has_open_session"


def test_session_validation_errors(frozen: Any, client: Client, csr: Any, drawers: Any):
    client.force_login(csr)
    with assert_nothing_changed():
        bad = _post(client, "/api/drawer-sessions", {"drawer": "CH-1", "starting_float": "lots"})
        assert bad.status_code == 400
        assert bad.json() == {
            "detail": "starting_float 'lots' is not an amount: "
            'send dollars and cents as a string, like "90.01"',
            "code": "bad_amount",
            "field": "starting_float",
        }
        assert (
            _post(client, "/api/drawer-sessions", {"drawer": "CH-1", "starting_float": 200.0}).status_code
            == 422
        )
        missing = _post(client, "/api/drawer-sessions", {"drawer": "XX-9", "starting_float": "1.00"})
        assert missing.status_code == 404 and missing.json()["detail"] == "There is no drawer XX-9"


def test_a_payment_posts_with_exact_allocations_and_change(cashier: Client, rosa: Any):
    response = _rosa_payment(cashier)
    assert response.status_code == 201
    body = response.json()
    session = DrawerSession.objects.get()
    assert body["receipt_number"] == f"{session.pk}-0001"
    assert (body["amount_cents"], body["change_cents"], body["language"], body["status"]) == (
        9001,
        999,
        "es",
        "posted",
    )
    assert [
        (t["kind"], t["amount_cents"], t["tendered_cents"], t["change_cents"]) for t in body["tenders"]
    ] == [("cash", 9001, 10000, 999)]
    assert [
        (a["service"], a["kind"], a["fund"], a["gl_code"], a["amount_cents"]) for a in body["allocations"]
    ] == [
        ("water", "charge", "water", "500-1210", 4820),
        ("sewer", "charge", "sewer", "510-1220", 4181),
    ]
    assert account_balance(rosa) == Money.zero()
    shown = cashier.get(f"/api/payments/{body['receipt_number']}").json()
    assert shown == body
    assert cashier.get(f"/api/drawer-sessions/{session.pk}").json()["taken_by_tender_cents"] == {"cash": 9001}
    books_ok()


def test_a_retried_request_with_the_same_key_posts_once(cashier: Client, rosa: Any):
    first = _rosa_payment(cashier, key="retry-me")
    second = _rosa_payment(cashier, key="retry-me")
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json() == first.json()
    assert Payment.objects.count() == 1
    with assert_nothing_changed():
        conflict = _rosa_payment(cashier, key="retry-me", amount="50.00", cash="50.00")
    assert conflict.status_code == 409 and conflict.json()["code"] == "idempotency_conflict"
    body_key = _post(
        cashier,
        "/api/payments",
        {
            "accounts": [{"account": rosa.number, "amount": "5.00"}],
            "tenders": [{"kind": "card", "amount": "5.00", "card_reference": "AUTH-77"}],
            "idempotency_key": "in-the-body",
        },
    )
    assert body_key.status_code == 201 and body_key.json()["amount_cents"] == 500
    assert Payment.objects.count() == 2


def test_a_payment_without_a_key_or_with_bad_tenders_is_refused(cashier: Client, rosa: Any):
    with assert_nothing_changed():
        no_key = _post(
            cashier,
            "/api/payments",
            {
                "accounts": [{"account": rosa.number, "amount": "90.01"}],
                "tenders": [{"kind": "cash", "amount": "100"}],
            },
        )
        assert no_key.status_code == 400 and no_key.json()["code"] == "missing_idempotency_key"
        short = _rosa_payment(cashier, key="short", cash="50.00")
        assert short.status_code == 400
        assert (
            short.json()["detail"]
            == "Tenders not accepted: the tenders total 50.00, short of the payment of 90.01 by 40.01"
        )
        unknown = _post(
            cashier,
            "/api/payments",
            {
                "accounts": [{"account": "9999999-9", "amount": "1.00"}],
                "tenders": [{"kind": "cash", "amount": "1"}],
            },
            **{"Idempotency-Key": "nobody"},
        )
        assert unknown.status_code == 404 and unknown.json()["field"] == "accounts"
        bad_kind = _post(
            cashier,
            "/api/payments",
            {
                "accounts": [{"account": rosa.number, "amount": "1.00"}],
                "tenders": [{"kind": "bitcoin", "amount": "1"}],
            },
            **{"Idempotency-Key": "coins"},
        )
        assert bad_kind.status_code == 422
    assert Payment.objects.count() == 0
    assert cashier.get("/api/payments/99-0001").status_code == 404


def test_permissions(frozen: Any, client: Client, technician: Any, auditor: Any, drawers: Any, rosa: Any):
    client.force_login(technician)
    with assert_nothing_changed():
        assert (
            _post(client, "/api/drawer-sessions", {"drawer": "CH-1", "starting_float": "1.00"}).status_code
            == 403
        )
        assert _rosa_payment(client).status_code == 403
        assert _post(client, "/api/day-close", {"date": "2026-12-01"}).status_code == 403
        client.force_login(auditor)
        assert (
            _post(
                client, "/api/misc-receipts", {"receipt_code": "COPIES", "amount": "1.00", "tenders": []}
            ).status_code
            == 403
        )
        client.logout()
        assert _rosa_payment(client).status_code == 401


def test_a_void_needs_a_supervisors_password(cashier: Client, rosa: Any, supervisor: Any):
    receipt = _rosa_payment(cashier).json()["receipt_number"]
    url = f"/api/payments/{receipt}/void"
    with assert_nothing_changed(ignore=["core_loginfailure"]):  # the wrong password counts towards a lockout
        wrong = _post(
            cashier,
            url,
            {"reason": "Wrong account", "approver_username": "supervisor", "approver_password": "x"},
        )
        assert wrong.status_code == 400 and wrong.json()["code"] == "approval_refused"
        own = _post(
            cashier,
            url,
            {"reason": "Wrong account", "approver_username": "csr", "approver_password": "test-password-1"},
        )
        assert own.status_code == 400 and own.json()["code"] == "own_approval"
    done = _post(
        cashier,
        url,
        {
            "reason": "Wrong account",
            "approver_username": "supervisor",
            "approver_password": "test-password-1",
        },
    )
    assert done.status_code == 200
    assert done.json()["status"] == "voided"
    assert (
        done.json()["void"]["approved_by"] == "supervisor"
        and done.json()["void"]["reason"] == "Wrong account"
    )
    assert account_balance(rosa) == Money.parse("90.01")
    with assert_nothing_changed():
        twice = _post(
            cashier,
            url,
            {"reason": "Again", "approver_username": "supervisor", "approver_password": "test-password-1"},
        )
    assert twice.status_code == 400 and twice.json()["code"] == "already_void"
    books_ok()


def test_a_misc_receipt(cashier: Client):
    body = {"receipt_code": "PARKING", "amount": "35.00", "tenders": [{"kind": "cash", "amount": "40.00"}]}
    with assert_nothing_changed():
        missing = _post(cashier, "/api/misc-receipts", body, **{"Idempotency-Key": "m1"})
    assert missing.status_code == 400 and missing.json()["code"] == "missing_reference"
    done = _post(cashier, "/api/misc-receipts", {**body, "reference": "C-55120"}, **{"Idempotency-Key": "m1"})
    assert done.status_code == 201
    row = done.json()
    assert (row["receipt_code"], row["reference"], row["amount_cents"], row["change_cents"]) == (
        "PARKING",
        "C-55120",
        3500,
        500,
    )
    assert [(a["gl_code"], a["fund"], a["amount_cents"]) for a in row["allocations"]] == [
        ("100-4310", "general", 3500)
    ]
    again = _post(
        cashier, "/api/misc-receipts", {**body, "reference": "C-55120"}, **{"Idempotency-Key": "m1"}
    )
    assert again.status_code == 200 and again.json() == row
    with assert_nothing_changed():
        unknown = _post(
            cashier, "/api/misc-receipts", {**body, "receipt_code": "NOPE"}, **{"Idempotency-Key": "m2"}
        )
    assert unknown.status_code == 404


def test_close_approve_and_close_the_day(cashier: Client, rosa: Any, client: Client, supervisor: Any):
    _rosa_payment(cashier)
    session = DrawerSession.objects.get()
    # float 200.00 + 90.01 cash expected; counted 290.51: over 0.50
    counts = [
        {"kind": "cash", "quantity": 2, "denomination": "100.00"},
        {"kind": "cash", "quantity": 4, "denomination": "20.00"},
        {"kind": "cash", "quantity": 2, "denomination": "5.00"},
        {"kind": "cash", "quantity": 51, "denomination": "0.01"},
    ]
    closed = _post(cashier, f"/api/drawer-sessions/{session.pk}/close", {"counts": counts})
    assert closed.status_code == 200, closed.content
    body = closed.json()
    assert (
        body["status"],
        body["expected_cash_cents"],
        body["counted_cash_cents"],
        body["over_short_cents"],
    ) == (
        "closed",
        29001,
        29051,
        50,
    )
    with assert_nothing_changed():
        own = _post(cashier, f"/api/drawer-sessions/{session.pk}/approve", {})
        assert own.status_code == 403
        assert _post(cashier, "/api/drawer-sessions/999/close", {"counts": []}).status_code == 404

    cashier.force_login(supervisor)
    with assert_nothing_changed():
        early = _post(cashier, "/api/day-close", {"date": "2026-12-01"})
    assert early.status_code == 400 and early.json()["code"] == "sessions_not_approved"
    approved = _post(cashier, f"/api/drawer-sessions/{session.pk}/approve", {"note": "ok"})
    assert approved.status_code == 200 and approved.json()["approved_by"] == "supervisor"
    day = _post(cashier, "/api/day-close", {"date": "2026-12-01"})
    assert day.status_code == 201
    row = day.json()
    assert (row["receipts_cents"], row["over_short_cents"], row["payment_count"]) == (9001, 50, 1)
    assert row["deposit"]["cash_cents"] == 9051 and row["deposit"]["total_cents"] == 9051
    assert row["totals"]["by_fund"] == {"sewer": 4181, "water": 4820}
    with assert_nothing_changed():
        assert _post(cashier, "/api/day-close", {"date": "2026-12-01"}).json()["code"] == "day_closed"
        assert _post(cashier, "/api/day-close", {"date": "not-a-date"}).status_code == 422
    books_ok()


def test_the_routes_are_in_the_api_docs(client: Client, csr: Any):
    client.force_login(csr)
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/drawer-sessions",
        "/api/drawer-sessions/{session_id}/close",
        "/api/drawer-sessions/{session_id}/approve",
        "/api/payments",
        "/api/payments/{receipt_number}",
        "/api/payments/{receipt_number}/void",
        "/api/misc-receipts",
        "/api/day-close",
    ):
        assert path in paths, path
