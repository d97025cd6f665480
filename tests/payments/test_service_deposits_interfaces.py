"""A service deposit charged from the account's deposit page, the JSON API and the command line:
the same service, the same checks (role, amount), the same ledger entry; the held amount shown."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from civicbill.core import clock
from civicbill.core.accounts import api_token_create
from civicbill.ledger.models import JournalEntry
from civicbill.ledger.selectors import account_balance, check_books
from civicbill.payments.deposit_selectors import customer_deposit_held_cents

pytestmark = pytest.mark.django_db


def bearer(user: Any) -> dict[str, str]:
    _, plain = api_token_create(user=user, name="tests", actor=user, at=clock.now())
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def test_the_deposit_page_charges_a_deposit_and_shows_what_is_held(
    client: Client, csr: Any, rosa_account: Any
) -> None:
    client.force_login(csr)
    page = client.get(f"/accounts/{rosa_account.number}/deposit/")
    assert page.status_code == 200
    assert "Deposit held" in page.content.decode()
    assert (
        f'href="/accounts/{rosa_account.number}/deposit/"'
        in client.get(f"/accounts/{rosa_account.number}/").content.decode()
    )

    refused = client.post(f"/accounts/{rosa_account.number}/deposit/", {"amount": "-20.00", "memo": ""})
    assert refused.status_code == 422
    assert JournalEntry.objects.filter(source_type="deposit").count() == 0

    done = client.post(
        f"/accounts/{rosa_account.number}/deposit/", {"amount": "125.00", "memo": "No credit history"}
    )
    assert done.status_code == 302
    assert customer_deposit_held_cents(rosa_account.pk) == 12500
    assert account_balance(rosa_account).cents == 9001 + 12500  # her opening balance, and the deposit due
    shown = client.get(f"/accounts/{rosa_account.number}/deposit/").content.decode()
    assert "$125.00" in shown and "No credit history" in shown
    assert check_books().ok


def test_an_auditor_cannot_charge_a_deposit_on_the_page_or_the_api(
    client: Client, auditor: Any, rosa_account: Any
) -> None:
    client.force_login(auditor)
    assert client.get(f"/accounts/{rosa_account.number}/deposit/").status_code == 403
    client.logout()
    response = client.post(
        f"/api/accounts/{rosa_account.number}/deposits",
        json.dumps({"amount": "50.00"}),
        content_type="application/json",
        **bearer(auditor),
    )
    assert response.status_code == 403
    assert not JournalEntry.objects.filter(source_type="deposit").exists()


def test_the_api_charges_once_per_idempotency_key_and_refuses_a_bad_amount(
    client: Client, csr: Any, supervisor: Any, rosa_account: Any
) -> None:
    url = f"/api/accounts/{rosa_account.number}/deposits"
    body = json.dumps({"amount": "80.00", "memo": "Tenant", "idempotency_key": "dep-1"})
    first = client.post(url, body, content_type="application/json", **bearer(csr))
    again = client.post(url, body, content_type="application/json", **bearer(csr))
    bad = client.post(url, json.dumps({"amount": "eighty"}), content_type="application/json", **bearer(csr))

    assert (first.status_code, again.status_code, bad.status_code) == (201, 200, 400)  # a retry: 200
    assert first.json()["held_cents"] == again.json()["held_cents"] == 8000
    assert first.json()["entry_id"] == again.json()["entry_id"]
    assert bad.json()["code"] == "bad_amount"
    shown = client.get(f"/api/accounts/{rosa_account.number}/deposit", **bearer(supervisor))
    assert shown.json() == {"account_number": rosa_account.number, "held_cents": 8000, "entry_id": None}


def test_the_command_line_charges_and_shows_a_deposit(csr: Any, rosa_account: Any) -> None:
    out = StringIO()
    call_command(
        "payments", "service-deposit-charge", rosa_account.number, "--amount", "60.00", "--memo", "Renter",
        "--user", csr.username, "--json", stdout=out,
    )  # fmt: skip
    charged = json.loads(out.getvalue())
    assert (charged["charged_cents"], charged["held_cents"]) == (6000, 6000)

    out = StringIO()
    call_command("payments", "service-deposit", rosa_account.number, stdout=out)
    assert out.getvalue().strip() == f"Deposit held for {rosa_account.number}: $60.00"
    with pytest.raises(CommandError, match="is not an amount"):
        call_command(
            "payments",
            "service-deposit-charge",
            rosa_account.number,
            "--amount",
            "6O.00",
            "--user",
            csr.username,
        )
    assert check_books().ok
