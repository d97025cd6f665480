"""Text the API takes fits its column and holds no control characters (issue 11, point 6).

Before: on PostgreSQL a 10,000-character payer name, a 200-character check number or a NUL in a
note, an interaction, a payer name or an idempotency key gave 500s; on SQLite the long name was
stored in its 120-character column. Now each is a 422 naming the field, and nothing is written.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from civicbill.customers.models import Interaction
from civicbill.payments.models import DrawerSession, Payment, Tender
from tests.fixtures.database import assert_nothing_changed

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


def _payment(number: str, **changes: Any) -> dict[str, Any]:
    return {
        "accounts": [{"account": number, "amount": "90.01"}],
        "tenders": [{"kind": "cash", "amount": "100.00"}],
        **changes,
    }


def _refused(response: Any, field: str) -> None:
    assert response.status_code == 422, response.content
    body = response.json()
    assert (body["code"], body["field"]) == ("invalid_request", field), body
    assert body["detail"].startswith(f"{field}: ")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"payer_name": "x" * 10_000}, "payer_name"),
        ({"payer_name": "x" * 121}, "payer_name"),
        ({"payer_name": "Rosa\x00"}, "payer_name"),
        ({"payer_name": "Rosa\nPeña"}, "payer_name"),
        (
            {"tenders": [{"kind": "check", "amount": "90.01", "check_number": "1" * 200}]},
            "tenders.0.check_number",
        ),
        ({"tenders": [{"kind": "check", "amount": "90.01", "bank_name": "B\x07"}]}, "tenders.0.bank_name"),
        ({"idempotency_key": "k\x00"}, "idempotency_key"),
        ({"idempotency_key": "k" * 101}, "idempotency_key"),
    ],
)
def test_a_payment_with_bad_text_is_a_422_naming_the_field(
    cashier: Client, rosa_account: Any, changes: dict[str, Any], field: str
):
    with assert_nothing_changed():
        response = cashier.post(
            "/api/payments",
            _payment(rosa_account.number, **changes),
            content_type="application/json",
            headers={"Idempotency-Key": "t-1"} if field != "idempotency_key" else {},
        )
    _refused(response, field)
    assert Payment.objects.count() == 0


def test_a_nul_in_the_idempotency_key_header_is_a_422(cashier: Client, rosa_account: Any):
    with assert_nothing_changed():
        response = cashier.post(
            "/api/payments",
            _payment(rosa_account.number),
            content_type="application/json",
            headers={"Idempotency-Key": "a\x01b"},
        )
    assert response.status_code == 422, response.content
    assert response.json()["field"] == "Idempotency-Key"
    assert Payment.objects.count() == 0


def test_a_payer_name_of_the_column_length_is_taken(cashier: Client, rosa_account: Any):
    response = cashier.post(
        "/api/payments",
        _payment(
            rosa_account.number,
            payer_name="x" * 120,
            tenders=[{"kind": "check", "amount": "90.01", "check_number": "9" * 20}],
        ),
        content_type="application/json",
        headers={"Idempotency-Key": "t-1"},
    )
    assert response.status_code == 201, response.content
    assert Payment.objects.get().payer_name == "x" * 120
    assert Tender.objects.get().check_number == "9" * 20


def test_a_note_may_hold_line_breaks_but_not_a_nul(cashier: Client):
    session = DrawerSession.objects.get()
    url = f"/api/drawer-sessions/{session.pk}/close"
    counts = [{"kind": "cash", "quantity": 10, "denomination": "20.00"}]
    with assert_nothing_changed():
        _refused(
            cashier.post(url, {"counts": counts, "note": "short\x00"}, content_type="application/json"),
            "note",
        )
        _refused(
            cashier.post(url, {"counts": counts, "note": "x" * 301}, content_type="application/json"), "note"
        )
    assert DrawerSession.objects.get().status == "open"
    closed = cashier.post(
        url, {"counts": counts, "note": "line 1\nline 2\ttab"}, content_type="application/json"
    )
    assert closed.status_code == 200, closed.content
    assert DrawerSession.objects.get().close_note == "line 1\nline 2\ttab"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"channel": "phone", "subject": "Hi\x00"}, "subject"),
        ({"channel": "phone", "subject": "x" * 201}, "subject"),
        ({"channel": "phone", "subject": "Hi", "outcome": "ok\x00"}, "outcome"),
    ],
)
def test_an_interaction_with_bad_text_is_a_422(
    client: Client, csr: Any, rosa_account: Any, body: Any, field: str
):
    client.force_login(csr)
    with assert_nothing_changed():
        response = client.post(
            f"/api/accounts/{rosa_account.number}/interactions", body, content_type="application/json"
        )
    _refused(response, field)
    assert Interaction.objects.count() == 0


def test_a_nul_in_a_query_parameter_is_a_422(client: Client, csr: Any):
    client.force_login(csr)
    _refused(client.get("/api/accounts/", {"q": "pe\x00na"}), "q")


def test_the_schema_carries_the_column_sizes(client: Client, csr: Any):
    client.force_login(csr)
    components = client.get("/api/openapi.json").json()["components"]["schemas"]
    lengths = {
        ("PaymentIn", "payer_name"): Payment._meta.get_field("payer_name").max_length,
        ("TenderIn", "check_number"): Tender._meta.get_field("check_number").max_length,
        ("MiscReceiptIn", "reference"): Payment._meta.get_field("reference").max_length,
        ("InteractionIn", "subject"): Interaction._meta.get_field("subject").max_length,
        ("SessionCloseIn", "note"): DrawerSession._meta.get_field("close_note").max_length,
    }
    assert {key: components[key[0]]["properties"][key[1]]["maxLength"] for key in lengths} == lengths


@pytest.mark.parametrize("url", ["/api/meters/AB%00C", "/api/payments/1-%00001", "/api/accounts/12%0034"])
def test_a_nul_in_a_path_parameter_is_a_422(client: Client, csr: Any, url: str):
    client.force_login(csr)
    response = client.get(url)
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid_request"
