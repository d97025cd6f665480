"""The counter pages: open a drawer, take payments (search, scan line, several accounts, split tender,
double submit), receipts, a void approved by a supervisor at the counter, misc receipts, closing a
drawer, the supervisor's approval and the day close with its deposit slip. Frozen at 2026-12-01 09:00 PT."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from civicbill.core.money import Money
from civicbill.core.scanline import build_scan_line
from civicbill.ledger.selectors import account_balance
from civicbill.payments import services
from civicbill.payments.models import DayClose, Deposit, DrawerSession, Payment
from tests.fixtures.database import assert_nothing_changed
from tests.fixtures.payments import books_ok

pytestmark = pytest.mark.django_db
M = Money.parse
TUESDAY = dt.date(2026, 12, 1)


@pytest.fixture
def csr_client(client: Client, csr: Any) -> Client:
    client.force_login(csr)
    return client


@pytest.fixture
def open_session(frozen: Any, csr: Any, drawers: Any) -> DrawerSession:
    return services.drawer_session_open(
        drawer=drawers[0], starting_float=M("200.00"), as_of=frozen_now(), actor=csr
    )


def frozen_now() -> dt.datetime:
    from civicbill.core import clock

    return clock.now()


def _pay(client: Client, numbers: list[str], amounts: list[str], **tenders: str) -> Any:
    data: dict[str, Any] = {"a": numbers, "idempotency_key": tenders.pop("key", "web:test-1")}
    for number, amount in zip(numbers, amounts, strict=True):
        data[f"amount-{number}"] = amount
    data.update(tenders)
    return client.post("/counter/pay/", data)


# -- permissions ---------------------------------------------------------------------------------------
def test_the_counter_pages_need_sign_in_and_the_permission(client: Client, technician: Any, auditor: Any):
    assert client.get("/counter/").status_code == 302
    client.force_login(technician)
    assert client.get("/counter/").status_code == 403
    assert client.get("/counter/pay/").status_code == 403
    assert client.get("/counter/day-close/").status_code == 403
    client.force_login(auditor)
    assert client.get("/counter/sessions/").status_code == 200  # payments.view: read only
    with assert_nothing_changed():
        assert client.post("/counter/sessions/1/approve/").status_code == 403
    assert client.get("/counter/misc/").status_code == 403


# -- my drawer -----------------------------------------------------------------------------------------
def test_a_cashier_opens_a_drawer_and_sees_its_running_totals(
    frozen: Any,
    csr_client: Client,
    csr: Any,
    drawers: Any,
):
    page = csr_client.get("/counter/")
    assert page.status_code == 200
    assert "Open a drawer session" in page.content.decode()
    with assert_nothing_changed():
        refused = csr_client.post("/counter/", {"drawer": "CH-1", "starting_float": "-5"})
    assert refused.status_code == 422
    assert "cannot be negative" in refused.content.decode()
    response = csr_client.post("/counter/", {"drawer": "CH-1", "starting_float": "200.00"})
    assert response.status_code == 302
    session = DrawerSession.objects.get()
    assert (session.cashier, session.starting_float_cents, session.business_date) == (csr, 20000, TUESDAY)
    text = csr_client.get("/counter/").content.decode()
    assert "My drawer" in text and "CH-1" in text and "$200.00" in text
    assert "No payments yet." in text


def test_a_drawer_in_use_is_refused_by_name(
    frozen: Any,
    client: Client,
    make_user: Any,
    open_session: DrawerSession,
):
    client.force_login(make_user("CSR", "ben"))
    with assert_nothing_changed():
        response = client.post("/counter/", {"drawer": "CH-1", "starting_float": "100.00"})
    assert response.status_code == 422
    assert "Drawer CH-1 is already open" in response.content.decode()


# -- take a payment ------------------------------------------------------------------------------------
def test_taking_a_payment_needs_an_open_drawer(frozen: Any, csr_client: Client, drawers: Any):
    response = csr_client.get("/counter/pay/")
    assert response.status_code == 302 and response["Location"] == "/counter/"


def test_the_search_box_finds_the_account_and_shows_what_it_owes(
    csr_client: Client, open_session: DrawerSession, rosa_account: Any
):
    page = csr_client.get("/counter/pay/", {"q": rosa_account.number}).content.decode()
    assert f'name="amount-{rosa_account.number}" value="90.01"' in page
    assert "Water $48.20" in page and "Sewer $41.81" in page
    assert 'name="idempotency_key"' in page


def test_a_scanned_stub_fills_the_account_and_the_amount_on_the_stub(
    csr_client: Client, open_session: DrawerSession, rosa_account: Any
):
    scan = build_scan_line(account_number=rosa_account.number, amount_due=M("90.01"), due_date=TUESDAY)
    page = csr_client.get("/counter/pay/", {"q": scan}).content.decode()
    assert f'name="amount-{rosa_account.number}" value="90.01"' in page
    wrong = scan[:-1] + str((int(scan[-1]) + 1) % 10)
    page = csr_client.get("/counter/pay/", {"q": wrong}).content.decode()
    assert "Scan line not accepted" in page


def test_a_cash_payment_gives_change_posts_once_and_shows_the_receipt(
    csr_client: Client, open_session: DrawerSession, rosa_account: Any
):
    number = rosa_account.number
    response = _pay(csr_client, [number], ["90.01"], cash="100.00")
    payment = Payment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/counter/receipts/{payment.receipt_number}/"
    assert (payment.amount_cents, payment.change_cents, payment.language) == (9001, 999, "es")
    assert account_balance(rosa_account) == Money.zero()
    # the same form posted again (a double click, a retry) returns the same receipt
    again = _pay(csr_client, [number], ["90.01"], cash="100.00")
    assert again["Location"] == response["Location"]
    assert Payment.objects.count() == 1
    page = csr_client.get(response["Location"]).content.decode()
    assert f"Receipt {payment.receipt_number}" in page and "$9.99" in page and "Español" in page
    bare = csr_client.get(f"/counter/receipts/{payment.receipt_number}/print/")
    assert bare["X-Frame-Options"] == "SAMEORIGIN"  # the receipt page shows it in a frame to print it
    printed = bare.content.decode()
    assert '<html lang="es">' in printed and "100.00" in printed and "9.99" in printed
    drawer = csr_client.get("/counter/").content.decode()
    assert payment.receipt_number in drawer and "$90.01" in drawer
    books_ok()


def test_one_payment_on_two_accounts_with_a_split_tender(
    csr_client: Client,
    open_session: DrawerSession,
    rosa_account: Any,
    make_account: Any,
):
    lupe = make_account(last_name="Ortiz", house="90", owing={"water": "30.00", "sewer": "20.00"})
    page = csr_client.get("/counter/pay/", {"q": lupe.number, "a": [rosa_account.number]}).content.decode()
    assert f"amount-{rosa_account.number}" in page and f"amount-{lupe.number}" in page
    response = _pay(
        csr_client,
        [rosa_account.number, lupe.number],
        ["90.01", "50.00"],
        check_amount="100.00",
        check_number="2231",
        bank_name="Coachella Valley Bank",
        cash="50.00",
    )
    assert response.status_code == 302
    payment = Payment.objects.get()
    assert (payment.amount_cents, payment.change_cents, payment.account) == (14001, 999, None)
    assert sorted((t.kind, t.amount_cents, t.tendered_cents) for t in payment.tenders.all()) == [
        ("cash", 4001, 5000),
        ("check", 10000, 10000),
    ]
    assert account_balance(lupe) == Money.zero()


def test_a_payment_refusal_is_specific_and_posts_nothing(
    csr_client: Client, open_session: DrawerSession, rosa_account: Any
):
    number = rosa_account.number
    short = _pay(csr_client, [number], ["90.01"], cash="50.00")
    assert short.status_code == 422
    assert "short of the payment of 90.01 by 40.01" in short.content.decode()
    no_check_number = _pay(csr_client, [number], ["90.01"], check_amount="90.01")
    assert "the check number is required" in no_check_number.content.decode()
    card_number = _pay(
        csr_client, [number], ["90.01"], card_amount="90.01", card_reference="4111111111111111"
    )
    assert "looks like a card number" in card_number.content.decode()
    bad_amount = _pay(csr_client, [number], ["ninety"], cash="100")
    assert "“ninety” is not an amount." in bad_amount.content.decode()
    no_tender = _pay(csr_client, [number], ["90.01"])
    assert "Enter how the customer pays" in no_tender.content.decode()
    assert Payment.objects.count() == 0


# -- receipts, reprint, void ---------------------------------------------------------------------------
@pytest.fixture
def rosa_paid(csr_client: Client, open_session: DrawerSession, rosa_account: Any) -> Payment:
    _pay(csr_client, [rosa_account.number], ["90.01"], cash="100.00")
    return Payment.objects.get()


def test_a_reprint_is_counted_and_says_reprint(csr_client: Client, rosa_paid: Payment):
    response = csr_client.post(f"/counter/receipts/{rosa_paid.receipt_number}/reprint/")
    assert response["Location"] == f"/counter/receipts/{rosa_paid.receipt_number}/?reprint=1"
    rosa_paid.refresh_from_db()
    assert rosa_paid.reprint_count == 1
    page = csr_client.get(response["Location"]).content.decode()
    assert f"/counter/receipts/{rosa_paid.receipt_number}/print/?reprint=1" in page
    pdf = csr_client.get(f"/counter/receipts/{rosa_paid.receipt_number}/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_an_unknown_receipt_is_404(csr_client: Client, open_session: DrawerSession):
    assert csr_client.get("/counter/receipts/99-0001/").status_code == 404


def test_a_void_needs_a_supervisors_password_and_a_reason(
    csr_client: Client, rosa_paid: Payment, supervisor: Any, make_user: Any, rosa_account: Any
):
    url = f"/counter/receipts/{rosa_paid.receipt_number}/void/"
    make_user("CSR", "ben")
    with assert_nothing_changed(ignore=["core_loginfailure"]):  # the wrong password counts towards a lockout
        wrong = csr_client.post(
            url, {"reason": "Wrong account", "supervisor": "supervisor", "supervisor_password": "nope"}
        )
    assert wrong.status_code == 422
    refusal = "user name or password was not accepted, or that person may not approve this."
    assert refusal in wrong.content.decode()
    not_a_supervisor = csr_client.post(
        url, {"reason": "Wrong account", "supervisor": "ben", "supervisor_password": "test-password-1"}
    )
    assert refusal in not_a_supervisor.content.decode()
    assert "ben may not" not in not_a_supervisor.content.decode()
    assert Payment.objects.get().status == "posted"
    done = csr_client.post(
        url, {"reason": "Wrong account", "supervisor": "supervisor", "supervisor_password": "test-password-1"}
    )
    assert done.status_code == 302
    payment = Payment.objects.get()
    assert (payment.status, payment.void_approved_by, payment.void_reason) == (
        "voided",
        supervisor,
        "Wrong account",
    )
    assert account_balance(rosa_account) == M("90.01")
    printed = csr_client.get(f"/counter/receipts/{payment.receipt_number}/print/").content.decode()
    assert "ANULADO" in printed or "VOID" in printed
    assert "VOID" in csr_client.get(f"/counter/receipts/{payment.receipt_number}/").content.decode()
    books_ok()


def test_a_supervisor_cannot_approve_their_own_void(
    frozen: Any,
    client: Client,
    supervisor: Any,
    drawers: Any,
    rosa_account: Any,
):
    client.force_login(supervisor)
    client.post("/counter/", {"drawer": "CH-2", "starting_float": "0"})
    _pay(client, [rosa_account.number], ["10.00"], cash="10.00")
    payment = Payment.objects.get()
    response = client.post(
        f"/counter/receipts/{payment.receipt_number}/void/",
        {"reason": "Test", "supervisor": "supervisor", "supervisor_password": "test-password-1"},
    )
    assert "Another person must approve a void" in response.content.decode()


# -- misc receipts -------------------------------------------------------------------------------------
def test_a_parking_citation_needs_its_number(csr_client: Client, open_session: DrawerSession):
    data = {"receipt_code": "PARKING", "amount": "35.00", "cash": "40.00", "idempotency_key": "web:misc-1"}
    with assert_nothing_changed():
        missing = csr_client.post("/counter/misc/", data)
    assert missing.status_code == 422
    assert "citation number is required" in missing.content.decode()
    response = csr_client.post("/counter/misc/", {**data, "reference": "C-55120"})
    payment = Payment.objects.get()
    assert response["Location"] == f"/counter/receipts/{payment.receipt_number}/"
    assert (
        payment.receipt_code and payment.receipt_code.code,
        payment.reference,
        payment.amount_cents,
        payment.change_cents,
    ) == (
        "PARKING",
        "C-55120",
        3500,
        500,
    )


# -- close, approve, day close -------------------------------------------------------------------------
def test_closing_counting_approving_and_closing_the_day(
    csr_client: Client, csr: Any, supervisor: Any, rosa_paid: Payment, client: Client
):
    session = rosa_paid.session
    assert session is not None
    page = csr_client.get(f"/counter/sessions/{session.pk}/close/").content.decode()
    assert 'name="cash_10000"' in page and 'name="cash_1"' in page
    # float 200.00 + cash 90.01 = 290.01 expected; counted 289.01: short 1.00
    counts = {"cash_10000": "2", "cash_2000": "4", "cash_500": "1", "cash_100": "4", "cash_1": "1"}
    counts.update(check_count="0", check_total="0", money_order_count="0", money_order_total="0")
    counts.update(card_count="0", card_total="0", note="")
    response = csr_client.post(f"/counter/sessions/{session.pk}/close/", counts)
    assert response["Location"] == f"/counter/sessions/{session.pk}/"
    session.refresh_from_db()
    assert (session.status, session.expected_cash_cents, session.counted_cash_cents) == (
        "closed",
        29001,
        28901,
    )
    assert session.over_short_cents == -100
    page = csr_client.get(response["Location"]).content.decode()
    assert "Expected and counted" in page and "($1.00) short" in page and "read-only" in page
    assert "Approve close" not in page  # a cashier does not approve their own
    with assert_nothing_changed():
        assert csr_client.post(f"/counter/sessions/{session.pk}/approve/").status_code == 403

    client.force_login(supervisor)
    blocked = client.get("/counter/day-close/", {"date": "2026-12-01"}).content.decode()
    assert "The day cannot close" in blocked and "closed, waiting for a supervisor" in blocked
    with assert_nothing_changed():
        refused = client.post("/counter/day-close/", {"date": "2026-12-01"})
    assert refused.status_code == 422 and "not yet approved" in refused.content.decode()
    review = client.get("/counter/sessions/", {"date": "2026-12-01"}).content.decode()
    assert "1 to approve" in review and "($1.00) short" in review
    assert "Approve close" in client.get(f"/counter/sessions/{session.pk}/").content.decode()
    approved = client.post(f"/counter/sessions/{session.pk}/approve/", {"note": "Counted twice"})
    assert approved.status_code == 302
    session.refresh_from_db()
    assert (session.status, session.approved_by, session.approval_note) == (
        "approved",
        supervisor,
        "Counted twice",
    )

    ready = client.get("/counter/day-close/", {"date": "2026-12-01"}).content.decode()
    assert "Close the day and prepare the deposit" in ready and "$90.01" in ready
    closed = client.post("/counter/day-close/", {"date": "2026-12-01"})
    assert closed.status_code == 302
    day = DayClose.objects.get()
    deposit = Deposit.objects.get()
    assert (day.receipts_cents, day.over_short_cents) == (9001, -100)
    assert (deposit.cash_cents, deposit.checks_cents, deposit.total_cents) == (8901, 0, 8901)
    page = client.get(closed["Location"]).content.decode()
    assert deposit.slip_number in page and "$89.01" in page and "cannot be reopened" in page
    slip = client.get("/counter/day-close/2026-12-01/deposit-slip/")
    assert slip.status_code == 200 and "89.01" in slip.content.decode()
    pdf = client.get("/counter/day-close/2026-12-01/deposit-slip/", {"format": "pdf"})
    assert pdf.content.startswith(b"%PDF")
    assert client.get("/counter/day-close/2026-11-30/deposit-slip/").status_code == 404
    books_ok()


def test_a_supervisor_adds_a_drawer(frozen: Any, client: Client, supervisor: Any, csr: Any):
    client.force_login(supervisor)
    data = {"location_code": "CH", "location_name": "City Hall counter", "code": "CH-9", "name": "Window 9"}
    assert client.post("/counter/sessions/", data).status_code == 302
    with assert_nothing_changed():
        again = client.post("/counter/sessions/", data)
    assert again.status_code == 422 and "There is already a drawer CH-9" in again.content.decode()
    client.force_login(csr)
    with assert_nothing_changed():
        assert client.post("/counter/sessions/", data).status_code == 403


def test_the_counter_pages_render_in_spanish(csr_client: Client, rosa_paid: Payment, supervisor: Any):
    csr_client.cookies["django_language"] = "es"
    for url in (
        "/counter/",
        "/counter/pay/",
        "/counter/misc/",
        f"/counter/receipts/{rosa_paid.receipt_number}/",
    ):
        assert csr_client.get(url).status_code == 200, url
    assert rosa_paid.session is not None
    assert csr_client.get(f"/counter/sessions/{rosa_paid.session.pk}/close/").status_code == 200
    csr_client.force_login(supervisor)
    csr_client.cookies["django_language"] = "es"
    for url in ("/counter/sessions/", "/counter/day-close/", f"/counter/sessions/{rosa_paid.session.pk}/"):
        assert csr_client.get(url).status_code == 200, url


def test_each_payment_form_shown_carries_a_new_idempotency_key(
    csr_client: Client, open_session: DrawerSession, rosa_account: Any
):
    import re

    keys = {
        re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        for page in (
            csr_client.get("/counter/pay/", {"a": rosa_account.number}).content.decode() for _ in range(2)
        )
    }
    assert len(keys) == 2 and all(key.startswith("web:") for key in keys)
