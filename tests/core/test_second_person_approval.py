"""A second person's approval (a supervisor approving a void at the counter) goes through the sign-in
lockout and answers one refusal whatever went wrong, so it is no password oracle (issue 11, point 1).
Through the API and the counter page; frozen at 2026-12-01 09:00 PT (lockout 5 failures / 15 min)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from civicbill.core.accounts import APPROVAL_REFUSED
from civicbill.core.models import LoginFailure
from civicbill.customers.models import Account
from civicbill.payments.models import Payment

pytestmark = pytest.mark.django_db
RIGHT = "test-password-1"


def _post(client: Client, url: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(url, body, content_type="application/json", headers=headers)


@pytest.fixture
def receipt(frozen: Any, client: Client, csr: Any, drawers: Any, rosa_account: Any) -> str:
    client.force_login(csr)
    assert (
        _post(client, "/api/drawer-sessions", {"drawer": "CH-1", "starting_float": "200.00"}).status_code
        == 201
    )
    number = Account.objects.get(customer__last_name="Peña").number
    paid = _post(
        client,
        "/api/payments",
        {
            "accounts": [{"account": number, "amount": "90.01"}],
            "tenders": [{"kind": "cash", "amount": "100.00"}],
        },
        **{"Idempotency-Key": "approval-1"},
    )
    assert paid.status_code == 201, paid.content
    return str(paid.json()["receipt_number"])


def _void(client: Client, receipt: str, username: str, password: str, reason: str = "Wrong account") -> Any:
    return _post(
        client,
        f"/api/payments/{receipt}/void",
        {"reason": reason, "approver_username": username, "approver_password": password},
    )


def test_every_refusal_reads_the_same(client: Client, receipt: str, supervisor: Any, make_user: Any):
    make_user("CSR", "ben")
    make_user("Supervisor", "sam")
    for _ in range(5):  # lock sam out
        _void(client, receipt, "sam", "guess")
    answers = {
        "wrong password": _void(client, receipt, "supervisor", "nope"),
        "no permission (right password)": _void(client, receipt, "ben", RIGHT),
        "locked out (right password)": _void(client, receipt, "sam", RIGHT),
        "unknown user": _void(client, receipt, "nobody", RIGHT),
    }
    for why, answer in answers.items():
        assert (answer.status_code, answer.json()) == (
            400,
            {"code": "approval_refused", "detail": APPROVAL_REFUSED, "field": "approver_password"},
        ), why
    assert APPROVAL_REFUSED == (
        "The approver's user name or password was not accepted, or that person may not approve this."
    )
    assert Payment.objects.get().status == "posted"


def test_seven_wrong_tries_lock_the_approver_and_are_recorded(client: Client, receipt: str, supervisor: Any):
    for _ in range(7):
        assert _void(client, receipt, "supervisor", "guess").status_code == 400
    # 5 recorded by wrong passwords; once locked, tries are refused without looking at the password
    assert LoginFailure.objects.filter(username="supervisor").count() == 5
    locked = _void(client, receipt, "supervisor", RIGHT)
    assert (locked.status_code, locked.json()["code"]) == (400, "approval_refused")
    assert Payment.objects.get().status == "posted"
    # the lockout is the sign-in's: the supervisor cannot sign in either
    signed_in = Client().post("/login/", {"username": "supervisor", "password": RIGHT})
    assert signed_in.status_code == 401


def test_a_right_password_without_the_permission_counts_as_a_failure(
    client: Client, receipt: str, make_user: Any
):
    make_user("CSR", "ben")
    _void(client, receipt, "ben", RIGHT)
    assert list(LoginFailure.objects.values_list("username", flat=True)) == ["ben"]


def test_the_payment_is_checked_before_the_credentials(client: Client, receipt: str, supervisor: Any):
    assert _void(client, receipt, "supervisor", RIGHT).status_code == 200
    again = _void(client, receipt, "supervisor", "guess")
    assert (again.status_code, again.json()["code"]) == (400, "already_void")
    no_reason = _void(client, receipt, "supervisor", "guess", reason="  ")
    assert no_reason.json()["code"] == "missing_reason"
    assert LoginFailure.objects.count() == 0


def test_asking_oneself_is_refused_before_any_password_is_looked_at(client: Client, receipt: str):
    own = _void(client, receipt, "CSR", "anything")
    assert (own.status_code, own.json()["code"]) == (400, "own_approval")
    assert LoginFailure.objects.count() == 0


def test_the_counter_page_answers_the_same_refusal_and_locks(
    client: Client, receipt: str, supervisor: Any, make_user: Any
):
    make_user("CSR", "ben")
    url = f"/counter/receipts/{receipt}/void/"
    refusal = (
        "The approver&#x27;s user name or password was not accepted, or that person may not approve this."
    )
    pages = [
        client.post(url, {"reason": "Wrong account", "supervisor": "ben", "supervisor_password": RIGHT}),
        *[
            client.post(
                url, {"reason": "Wrong account", "supervisor": "supervisor", "supervisor_password": "x"}
            )
            for _ in range(6)
        ],
        client.post(
            url, {"reason": "Wrong account", "supervisor": "supervisor", "supervisor_password": RIGHT}
        ),
    ]
    for page in pages:
        assert page.status_code == 422
        assert refusal in page.content.decode()
    assert Payment.objects.get().status == "posted"
    assert LoginFailure.objects.filter(username="supervisor").count() == 5
