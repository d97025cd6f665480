"""Payment transfers through the receipt page (CSRF enforced), the API and the CLI (issue 11, 20b)."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from civicbill.core.money import Money
from civicbill.customers.models import Account
from civicbill.ledger.selectors import account_balance
from civicbill.payments import services
from civicbill.payments.models import Payment, PaymentTransfer
from civicbill.payments.services import AccountAmount, TenderInput
from tests.fixtures.payments import at, books_ok

M = Money.parse
pytestmark = pytest.mark.django_db
DEC_3 = dt.datetime(2026, 12, 3, 18, 0, tzinfo=dt.UTC)  # 10:00 in Coachella


@pytest.fixture
def paid(frozen: Any, drawers: Any, ana: Any, rosa_account: Account) -> Payment:
    session = services.drawer_session_open(
        drawer=drawers[0], starting_float=M("100.00"), as_of=at(8), actor=ana
    )
    payment = services.payment_take(
        session=session,
        accounts=[AccountAmount(rosa_account, M("90.01"))],
        tenders=[TenderInput("cash", M("90.01"))],
        idempotency_key="pay-1",
        as_of=at(9),
        actor=ana,
    )
    frozen.move_to(DEC_3)
    return payment


@pytest.fixture
def lopez(make_account: Any) -> Account:
    return make_account(last_name="Lopez", house="77", owing={"water": "20.00", "refuse": "30.00"})


def test_the_receipt_page_moves_a_payment_with_csrf_checked(
    paid: Payment, lopez: Account, rosa_account: Account, technician: Any
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(technician)
    receipt = client.get(f"/counter/receipts/{paid.receipt_number}/").content.decode()
    url = f"/counter/receipts/{paid.receipt_number}/transfer/"
    assert url in receipt and "Transfer to another account" in receipt
    page = client.get(url)
    assert page.status_code == 200
    token = client.cookies["csrftoken"].value
    assert (
        client.post(url, {"to_account": lopez.number, "reason": "wrong stub"}).status_code == 403
    )  # no token
    unknown = client.post(
        url, {"to_account": "1234567-0", "reason": "wrong stub", "csrfmiddlewaretoken": token}
    )
    assert unknown.status_code == 422
    assert "No account 1234567-0" in unknown.content.decode()
    assert PaymentTransfer.objects.count() == 0

    done = client.post(
        url, {"to_account": lopez.number, "reason": "wrong stub", "csrfmiddlewaretoken": token}
    )

    assert (done.status_code, done["Location"]) == (302, f"/counter/receipts/{paid.receipt_number}/")
    after = client.get(done["Location"]).content.decode()
    assert f"to account {lopez.number} on 2026-12-03 by technician: wrong stub" in after
    assert "Transfer to another account" not in after
    assert (account_balance(rosa_account), account_balance(lopez)) == (M("90.01"), M("-40.01"))
    books_ok()


def test_a_cashier_does_not_get_the_transfer_page(paid: Payment, client: Client, csr: Any) -> None:
    client.force_login(csr)
    assert (
        "Transfer to another account"
        not in client.get(f"/counter/receipts/{paid.receipt_number}/").content.decode()
    )
    assert client.get(f"/counter/receipts/{paid.receipt_number}/transfer/").status_code == 403


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, body, content_type="application/json")


def test_the_api_moves_a_payment_and_names_what_is_wrong(
    paid: Payment, lopez: Account, client: Client, supervisor: Any, csr: Any
) -> None:
    url = f"/api/payments/{paid.receipt_number}/transfer"
    client.force_login(csr)
    assert _post(client, url, {"to_account": lopez.number, "reason": "wrong stub"}).status_code == 403
    client.force_login(supervisor)
    unknown = _post(client, url, {"to_account": "1234567-0", "reason": "wrong stub"})
    assert (unknown.status_code, unknown.json()["field"]) == (404, "to_account")
    assert (
        _post(
            client, "/api/payments/NOPE-1/transfer", {"to_account": lopez.number, "reason": "x"}
        ).status_code
        == 404
    )

    done = _post(client, url, {"to_account": lopez.number, "reason": "wrong stub"})

    assert done.status_code == 200, done.content
    transfer = PaymentTransfer.objects.get()
    assert done.json()["transfer"] == {
        "from_account": paid.account.number,
        "to_account": lopez.number,
        "amount_cents": 9001,
        "business_date": "2026-12-03",
        "transferred_at": "2026-12-03T18:00:00+00:00",
        "transferred_by": "supervisor",
        "reason": "wrong stub",
        "reversal_entry": str(transfer.reversal_entry_id),
        "entry": str(transfer.entry_id),
    }
    again = _post(client, url, {"to_account": lopez.number, "reason": "wrong stub"})
    assert (again.status_code, again.json()["code"]) == (400, "already_transferred")
    assert client.get(f"/api/payments/{paid.receipt_number}").json()["transfer"]["to_account"] == lopez.number
    books_ok()


def test_the_cli_moves_a_payment(paid: Payment, lopez: Account, technician: Any) -> None:
    out = StringIO()
    call_command(
        "payments", "transfer", paid.receipt_number, "--to", lopez.number, "--reason", "wrong stub",
        "--user", "technician", "--json", stdout=out,
    )  # fmt: skip
    transfer = PaymentTransfer.objects.get()
    assert json.loads(out.getvalue()) == {
        "receipt": paid.receipt_number,
        "amount_cents": 9001,
        "from_account": paid.account.number,
        "to_account": lopez.number,
        "business_date": "2026-12-03",
        "reversal_entry": str(transfer.reversal_entry_id),
        "entry": str(transfer.entry_id),
    }
    with pytest.raises(CommandError, match="already transferred to account"):
        call_command(
            "payments", "transfer", paid.receipt_number, "--to", lopez.number, "--reason", "again",
            "--user", "technician", stdout=StringIO(),
        )  # fmt: skip
    books_ok()
