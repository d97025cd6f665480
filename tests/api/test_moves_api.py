"""``POST /api/accounts/{number}/move-out``, ``POST /api/accounts/move-in`` and the final bill."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from civicbill.billing.services import bill_run_commit, bill_run_start, bill_run_trial
from civicbill.core import clock
from civicbill.core.accounts import api_token_create
from civicbill.customers.models import Account
from civicbill.ledger.selectors import check_books
from civicbill.meters.models import Read

pytestmark = pytest.mark.django_db
YEAR = tuple((dt.date(2025 + (9 + k) // 12, (9 + k) % 12 + 1, 28), 6_000 + 1_600 * k) for k in range(13))


def bearer(user: Any) -> dict[str, str]:
    _, plain = api_token_create(user=user, name="tests", actor=user, at=clock.now())
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def post(client: Client, path: str, body: dict[str, Any], user: Any) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json", **bearer(user))


def test_move_out_then_move_in_then_the_final_bill_through_the_api(
    client: Client, csr: Any, technician: Any, cycle: Any, make_account: Any
) -> None:
    previous = make_account(reads=YEAR)
    run = bill_run_start(
        cycle_number=1, period=dt.date(2026, 10, 1), actor=technician, as_of=dt.date(2026, 11, 1)
    )
    bill_run_trial(run_id=run.pk, actor=technician, as_of=dt.date(2026, 11, 1))
    bill_run_commit(run_id=run.pk, actor=technician, as_of=dt.date(2026, 11, 1))
    out = post(client, f"/api/accounts/{previous.number}/move-out", {
        "end_date": "2026-11-10", "read": "25800",
        "forwarding_address": {"line1": "PO Box 77", "city": "Indio", "zip": "92201"},
    }, csr)  # fmt: skip
    assert out.status_code == 201, out.content
    assert out.json() == {
        "account_number": previous.number,
        "kind": "move_out",
        "status": "final",
        "customer_name": "Test García",
        "service_address": previous.premise.address_line,
        "date": "2026-11-10",
        "read": {
            "read_on": "2026-11-10", "value": "25800.000", "meter_serial": "TS00000001", "source": "manual",
            "status": "actual", "estimated": False, "held_for_review": False, "consumption_hcf": "6.000",
            "recorded": True,
        },
        "read_note": "",
        "forwarding_address": ["PO Box 77", "Indio, CA 92201"],
    }  # fmt: skip
    again = post(client, f"/api/accounts/{previous.number}/move-out", {"end_date": "2026-11-10"}, csr)
    assert (again.status_code, again.json()["code"]) == (400, "already_closed")

    moved_in = post(client, "/api/accounts/move-in", {
        "premise_of": previous.number, "customer_name": "Luis Ortega", "language": "es",
        "phone": "760-555-0199", "start_date": "2026-11-11",
    }, csr)  # fmt: skip
    assert moved_in.status_code == 201, moved_in.content
    body = moved_in.json()
    tenant = Account.objects.get(number=body["account_number"])
    assert (body["kind"], body["status"], body["customer_name"], body["date"]) == (
        "move_in", "active", "Luis Ortega", "2026-11-11",
    )  # fmt: skip
    assert (body["read"]["read_on"], body["read"]["recorded"]) == ("2026-11-10", False)
    assert tenant.premise_id == previous.premise_id
    assert tenant.customer.preferred_language == "es"
    twice = post(client, "/api/accounts/move-in", {
        "premise_of": previous.number, "customer_name": "Luis Ortega", "start_date": "2026-11-11",
    }, csr)  # fmt: skip
    assert (twice.status_code, twice.json()["code"]) == (400, "premise_occupied")
    assert Account.objects.count() == 2

    final = post(client, f"/api/accounts/{previous.number}/final-bill", {}, csr)
    assert final.status_code == 201, final.content
    assert final.json()["number"] == f"F202611-{previous.number}"
    assert final.json()["kind"] == "final"
    assert check_books().ok


def test_a_move_out_without_a_read_is_estimated_and_marked_so(
    client: Client, csr: Any, cycle: Any, make_account: Any
) -> None:
    account = make_account(reads=YEAR)
    out = post(client, f"/api/accounts/{account.number}/move-out", {"end_date": "2026-11-10"}, csr)
    assert out.status_code == 201
    assert (out.json()["read"]["value"], out.json()["read"]["estimated"]) == ("25871.000", True)
    assert Read.objects.get(read_on=dt.date(2026, 11, 10)).status == "estimated"


def test_a_negative_read_or_an_auditor_is_refused_and_nothing_changes(
    client: Client, csr: Any, auditor: Any, cycle: Any, make_account: Any
) -> None:
    account = make_account(reads=YEAR)
    bad = post(
        client, f"/api/accounts/{account.number}/move-out", {"end_date": "2026-11-10", "read": "-5"}, csr
    )
    assert bad.status_code == 422
    refused = post(client, f"/api/accounts/{account.number}/move-out", {"end_date": "2026-11-10"}, auditor)
    assert refused.status_code == 403
    account.refresh_from_db()
    assert account.status == "active"
    assert not Read.objects.filter(read_on__gt=dt.date(2026, 10, 28)).exists()
    assert Read.objects.filter(value=Decimal(-5)).count() == 0
