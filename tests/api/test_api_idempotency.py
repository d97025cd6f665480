"""An idempotency key names one request (issue 11, point 8).

A retry of the same request gets the payment already taken (201 first, 200 after: the same body);
the key sent again with a different request (another split, tender kind, tendered amount, payer,
reference, code, deposit amount) is refused with 409 naming the key, and nothing is posted. The
fingerprint is kept with the key (``Payment.request_sha256``, civicbill.payments.idempotency).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from django.test import Client

from civicbill.core import clock
from civicbill.core.accounts import api_token_create
from civicbill.customers.models import Account
from civicbill.ledger.models import JournalEntry
from civicbill.ledger.selectors import account_balance
from civicbill.payments.idempotency import request_fingerprint
from civicbill.payments.models import Payment
from tests.fixtures.concurrency import run_concurrently, values
from tests.fixtures.database import assert_nothing_changed
from tests.fixtures.payments import books_ok

pytestmark = pytest.mark.django_db


@pytest.fixture
def cashier(frozen: Any, client: Client, csr: Any, drawers: Any) -> Client:
    client.force_login(csr)
    opened = client.post(
        "/api/drawer-sessions",
        {"drawer": "CH-1", "starting_float": "200.00"},
        content_type="application/json",
    )
    assert opened.status_code == 201, opened.content
    return client


def _pay(client: Client, body: dict[str, Any], key: str = "k-1") -> Any:
    return client.post(
        "/api/payments", body, content_type="application/json", headers={"Idempotency-Key": key}
    )


def _payment(number: str, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "accounts": [{"account": number, "amount": "90.01"}],
        "tenders": [{"kind": "cash", "amount": "100.00"}],
        "payer_name": "Rosa Peña",
    }
    return {**body, **changes}


def test_the_fingerprint_is_canonical():
    assert request_fingerprint({"a": 1, "b": [1, 2]}) == request_fingerprint({"b": [1, 2], "a": 1})
    assert request_fingerprint({"a": 1}) != request_fingerprint({"a": 2})
    assert len(request_fingerprint({})) == 64


def test_a_retry_of_the_same_payment_returns_it(cashier: Client, rosa_account: Any):
    body = _payment(rosa_account.number)
    first, again = _pay(cashier, body), _pay(cashier, body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    payment = Payment.objects.get()
    assert len(payment.request_sha256) == 64


@pytest.mark.parametrize(
    "change",
    [
        "another tender kind",
        "another tendered amount",
        "another payer",
        "another split",
        "a check number",
    ],
)
def test_the_same_key_with_a_different_payment_is_a_409_and_posts_nothing(
    cashier: Client,
    rosa_account: Any,
    make_account: Any,
    change: str,
):
    other = make_account(last_name="Ortiz", house="77", owing={"water": "10.00"})
    number = rosa_account.number
    different = {
        "another tender kind": _payment(number, tenders=[{"kind": "check", "amount": "90.01"}]),
        "another tendered amount": _payment(number, tenders=[{"kind": "cash", "amount": "95.00"}]),
        "another payer": _payment(number, payer_name="Someone Else"),
        "another split": _payment(
            number,
            accounts=[{"account": number, "amount": "80.01"}, {"account": other.number, "amount": "10.00"}],
        ),
        "a check number": _payment(
            number, tenders=[{"kind": "check", "amount": "90.01", "check_number": "1043"}]
        ),
    }[change]
    if change == "another split":  # the first request names both accounts too, with another split
        first_body = _payment(
            number,
            accounts=[{"account": number, "amount": "85.01"}, {"account": other.number, "amount": "5.00"}],
        )
    else:
        first_body = _payment(number)
    first = _pay(cashier, first_body)
    assert first.status_code == 201, first.content
    balances = (account_balance(rosa_account), account_balance(other))
    entries = JournalEntry.objects.count()

    with assert_nothing_changed():
        refused = _pay(cashier, different)

    assert refused.status_code == 409, refused.content
    body = refused.json()
    assert (body["code"], body["field"]) == ("idempotency_conflict", "idempotency_key")
    assert "Idempotency key 'k-1' was already used" in body["detail"]  # as the client sent it
    assert "api:" not in body["detail"]
    assert f"receipt {first.json()['receipt_number']}" in body["detail"]
    assert Payment.objects.count() == 1
    assert JournalEntry.objects.count() == entries
    assert (account_balance(rosa_account), account_balance(other)) == balances
    books_ok()


def test_a_misc_receipt_key_with_another_reference_or_code_is_a_409(cashier: Client):
    body = {
        "receipt_code": "PARKING",
        "amount": "35.00",
        "reference": "C-55120",
        "tenders": [{"kind": "cash", "amount": "40.00"}],
    }
    url = "/api/misc-receipts"
    headers = {"Idempotency-Key": "m-1"}
    first = cashier.post(url, body, content_type="application/json", headers=headers)
    assert first.status_code == 201, first.content
    with assert_nothing_changed():
        for changed in (
            {**body, "reference": "C-99999"},
            {**body, "receipt_code": "COPIES", "reference": ""},
        ):
            refused = cashier.post(url, changed, content_type="application/json", headers=headers)
            assert refused.status_code == 409, refused.content
            assert refused.json()["code"] == "idempotency_conflict"
    again = cashier.post(url, body, content_type="application/json", headers=headers)
    assert (again.status_code, again.json()) == (200, first.json())
    assert Payment.objects.count() == 1


def test_a_deposit_key_with_another_amount_is_a_409(client: Client, csr: Any, rosa_account: Any):
    _, token = api_token_create(user=csr, name="t", actor=csr, at=clock.now())
    auth = {"Authorization": f"Bearer {token}"}
    url = f"/api/accounts/{rosa_account.number}/deposits"
    body = {"amount": "50.00", "memo": "Tenant", "idempotency_key": "dep-1"}
    first = client.post(url, body, content_type="application/json", headers=auth)
    assert first.status_code == 201, first.content
    entries = JournalEntry.objects.count()
    with assert_nothing_changed():
        for changed in ({**body, "amount": "75.00"}, {**body, "memo": "Owner"}):
            refused = client.post(url, changed, content_type="application/json", headers=auth)
            assert refused.status_code == 409, refused.content
            assert refused.json()["code"] == "idempotency_conflict"
            assert "Idempotency key 'dep-1' was already used" in refused.json()["detail"]
    assert JournalEntry.objects.count() == entries
    again = client.post(url, body, content_type="application/json", headers=auth)
    assert (again.status_code, again.json()) == (200, first.json())
    assert again.json()["held_cents"] == 5000


def test_two_users_may_use_the_same_deposit_key(client: Client, csr: Any, supervisor: Any, rosa_account: Any):
    url = f"/api/accounts/{rosa_account.number}/deposits"
    body = {"amount": "50.00", "idempotency_key": "dep-1"}
    for user in (csr, supervisor):
        _, token = api_token_create(user=user, name="t", actor=user, at=clock.now())
        answer = client.post(
            url, body, content_type="application/json", headers={"Authorization": f"Bearer {token}"}
        )
        assert answer.status_code == 201, answer.content
    assert Account.objects.get(pk=rosa_account.pk).number == rosa_account.number
    assert JournalEntry.objects.filter(source_type="deposit").count() == 2


# -- concurrent retries against a real server (both databases) -----------------------------------------
def _send(url: str, body: dict[str, Any], headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(  # noqa: S310 (the test's own server)
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json", **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_concurrent_retries_of_one_payment_post_once(api_server: Any):
    """Four copies of one request sent at the same moment: one 201, three 200 with the same
    receipt; no second posting, no 500. Then the key with another amount: 409."""
    token = api_server.token("csr")
    auth = {"Authorization": f"Bearer {token}"}
    status, opened = _send(
        f"{api_server.url}/api/drawer-sessions", {"drawer": "CH-2", "starting_float": "100.00"}, auth
    )
    assert status in {201, 400}, opened  # 400: this csr already has a session open today
    body = {
        "accounts": [{"account": "1000002-4", "amount": "12.34"}],
        "tenders": [{"kind": "cash", "amount": "20.00"}],
    }
    headers = {**auth, "Idempotency-Key": "concurrent-1"}
    answers = values(run_concurrently(*[lambda: _send(f"{api_server.url}/api/payments", body, headers)] * 4))
    assert sorted(status for status, _ in answers) == [200, 200, 200, 201], answers
    assert len({answer["receipt_number"] for _, answer in answers}) == 1
    status, refused = _send(
        f"{api_server.url}/api/payments",
        {**body, "accounts": [{"account": "1000002-4", "amount": "12.35"}]},
        headers,
    )
    assert (status, refused["code"]) == (409, "idempotency_conflict")


def test_concurrent_retries_of_one_deposit_post_once(api_server: Any):
    """Four copies of one deposit request at the same moment: one 201, three 200 naming the same
    journal entry; the deposit is held once."""
    token = api_server.token("supervisor")
    auth = {"Authorization": f"Bearer {token}"}
    url = f"{api_server.url}/api/accounts/1000002-4/deposits"
    body = {"amount": "50.00", "memo": "Tenant", "idempotency_key": "dep-concurrent-1"}
    answers = values(run_concurrently(*[lambda: _send(url, body, auth)] * 4))
    assert sorted(status for status, _ in answers) == [200, 200, 200, 201], answers
    assert len({answer["entry_id"] for _, answer in answers}) == 1
    assert len({answer["held_cents"] for _, answer in answers}) == 1
