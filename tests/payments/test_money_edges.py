"""Money at the edges (issue 11, points 0, 5 and 11): every place that takes a typed or filed amount
reads it with ``Money.parse`` (ASCII digits, groups of three, two decimals, at most $10,000,000.00)
and refuses anything else with a clear 400/422 naming the field or the file line; after each refusal
nothing was posted and the books check. A tender far above the amount needs a confirmation.
Frozen at 2026-12-01 09:00 PT."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from civicbill.customers.models import Account
from civicbill.ledger.models import JournalEntry, JournalLine
from civicbill.ledger.selectors import account_balance, check_books
from civicbill.payments import services
from civicbill.payments.models import Payment, Refund
from tests.fixtures.payments import IMPORT_AT, books_ok, csv_file, fixed_detail

pytestmark = pytest.mark.django_db

PROBE = "92233720368547758.07"  # 2**63 - 1 cents: the payment that broke check-books
CRASHERS = [".", "²", "①", "1" * 29, "9" * 29 + ".99"]  # decimal.InvalidOperation before the fix
LENIENT = ["1,00", "5 0", "\u0661\u0660\u0660", "12,3456"]  # read as $100.00, $50.00, $100.00 ... before


def _post(client: Client, url: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(url, body, content_type="application/json", headers=headers)


def _nothing_posted(entries_before: int) -> None:
    assert JournalEntry.objects.count() == entries_before
    assert not Payment.objects.exists()
    report = check_books()
    assert report.ok, [check.problems for check in report.failed]


@pytest.fixture
def cashier(frozen: Any, client: Client, csr: Any, drawers: Any) -> Client:
    client.force_login(csr)
    assert (
        _post(client, "/api/drawer-sessions", {"drawer": "CH-1", "starting_float": "200.00"}).status_code
        == 201
    )
    return client


def _pay(client: Client, account: Account, amount: str, cash: str, key: str, **extra: Any) -> Any:
    body = {
        "accounts": [{"account": account.number, "amount": amount}],
        "tenders": [{"kind": "cash", "amount": cash}],
        **extra,
    }
    return _post(client, "/api/payments", body, **{"Idempotency-Key": key})


@pytest.fixture
def importer(make_user: Any) -> Any:
    return make_user("Technician", "ivan")


# -- the API -------------------------------------------------------------------------------------------
def test_the_probes_overflowing_payment_is_refused_naming_the_limit(cashier: Client, rosa_account: Any):
    before = JournalEntry.objects.count()
    refused = _pay(cashier, rosa_account, PROBE, PROBE, "probe")
    assert refused.status_code == 400
    assert refused.json() == {
        "detail": f"accounts.amount '{PROBE}' is over the limit of $10,000,000.00 for one amount",
        "code": "amount_over_limit",
        "field": "accounts.amount",
    }
    tender = _pay(cashier, rosa_account, "90.01", PROBE, "probe-tender")
    assert (tender.status_code, tender.json()["field"], tender.json()["code"]) == (
        400,
        "tenders.amount",
        "amount_over_limit",
    )
    _nothing_posted(before)
    assert account_balance(rosa_account).cents == 9001


@pytest.mark.parametrize("text", CRASHERS + LENIENT)
def test_api_amounts_that_crashed_or_were_misread_are_refused_with_400(
    cashier: Client, rosa_account: Any, text: str
):
    before = JournalEntry.objects.count()
    for response, field in [
        (_pay(cashier, rosa_account, text, "100.00", "k1"), "accounts.amount"),
        (_pay(cashier, rosa_account, "90.01", text, "k2"), "tenders.amount"),
        (
            _post(
                cashier,
                "/api/misc-receipts",
                {"receipt_code": "COPIES", "amount": text, "tenders": [{"kind": "cash", "amount": "5.00"}]},
                **{"Idempotency-Key": "k3"},
            ),
            "amount",
        ),
        (_post(cashier, f"/api/accounts/{rosa_account.number}/deposits", {"amount": text}), "amount"),
    ]:
        assert response.status_code == 400, response.content
        body = response.json()
        assert body["field"] == field
        assert body["code"] in ("bad_amount", "amount_over_limit")
        assert body["detail"].startswith(f"{field} '")
    _nothing_posted(before)


def test_an_api_amount_longer_than_forty_characters_fails_the_schema(cashier: Client, rosa_account: Any):
    response = _pay(cashier, rosa_account, "1" * 41, "100.00", "long")
    assert response.status_code == 422
    assert not Payment.objects.exists()


def test_api_amounts_with_separators_in_groups_of_three_are_read(cashier: Client, rosa_account: Any):
    response = _pay(cashier, rosa_account, "$90.01", "1,000.00", "grouped", confirm_large_tender=True)
    assert response.status_code == 201, response.content
    assert (response.json()["amount_cents"], response.json()["change_cents"]) == (9001, 90999)
    books_ok()


def test_the_api_asks_to_confirm_a_tender_far_above_the_payment(cashier: Client, rosa_account: Any):
    before = JournalEntry.objects.count()
    refused = _pay(cashier, rosa_account, "90.01", "5000.00", "typo")
    assert refused.status_code == 400
    assert refused.json() == {
        "detail": "Large tender not confirmed: the tenders total $5,000.00, more than 10 times the payment "
        "of $90.01 (change $4,909.99); check the amount, or confirm the large tender",
        "code": "large_tender_unconfirmed",
        "field": "confirm_large_tender",
    }
    _nothing_posted(before)
    taken = _pay(cashier, rosa_account, "90.01", "5000.00", "typo-confirmed", confirm_large_tender=True)
    assert taken.status_code == 201
    assert (taken.json()["amount_cents"], taken.json()["change_cents"]) == (9001, 490999)
    books_ok()


def test_the_api_asks_to_confirm_more_than_ten_thousand_dollars_of_cash(
    cashier: Client,
    make_account: Any,
):
    big = make_account(last_name="Grande", house="300", owing={"water": "12000.00"})
    refused = _pay(cashier, big, "12000.00", "12000.00", "cash-12k")
    assert (refused.status_code, refused.json()["code"]) == (400, "large_tender_unconfirmed")
    assert "the cash handed over is $12,000.00, more than $10,000.00" in refused.json()["detail"]
    misc = _post(
        cashier,
        "/api/misc-receipts",
        {"receipt_code": "COPIES", "amount": "0.50", "tenders": [{"kind": "cash", "amount": "200.00"}]},
        **{"Idempotency-Key": "misc-big"},
    )
    assert (misc.status_code, misc.json()["code"]) == (400, "large_tender_unconfirmed")
    assert not Payment.objects.exists()
    ok = _pay(cashier, big, "12000.00", "12000.00", "cash-12k-ok", confirm_large_tender=True)
    assert ok.status_code == 201
    books_ok()


def test_a_drawer_float_over_the_limit_is_refused(frozen: Any, client: Client, csr: Any, drawers: Any):
    client.force_login(csr)
    refused = _post(client, "/api/drawer-sessions", {"drawer": "CH-1", "starting_float": PROBE})
    assert (refused.status_code, refused.json()["code"], refused.json()["field"]) == (
        400,
        "amount_over_limit",
        "starting_float",
    )


# -- the counter pages ---------------------------------------------------------------------------------
@pytest.fixture
def counter(frozen: Any, client: Client, csr: Any, drawers: Any) -> Client:
    client.force_login(csr)
    assert client.post("/counter/", {"drawer": "CH-1", "starting_float": "200.00"}).status_code == 302
    return client


def _pay_page(client: Client, account: Account, amount: str, **tenders: str) -> Any:
    data = {"a": [account.number], f"amount-{account.number}": amount, "idempotency_key": "web:edge"}
    data.update(tenders)
    return client.post("/counter/pay/", data)


@pytest.mark.parametrize("text", CRASHERS + LENIENT)
def test_the_counter_page_refuses_what_is_not_an_amount(counter: Client, rosa_account: Any, text: str):
    before = JournalEntry.objects.count()
    in_amount = _pay_page(counter, rosa_account, text, cash="100.00")
    in_cash = _pay_page(counter, rosa_account, "90.01", cash=text)
    assert (in_amount.status_code, in_cash.status_code) == (422, 422)
    for page in (in_amount.content.decode(), in_cash.content.decode()):
        assert "is not an amount" in page or "is over the limit of $10,000,000.00 for one amount" in page
    _nothing_posted(before)


def test_the_counter_page_names_the_limit(counter: Client, rosa_account: Any):
    before = JournalEntry.objects.count()
    page = _pay_page(counter, rosa_account, PROBE, cash=PROBE)
    assert page.status_code == 422
    text = page.content.decode()
    assert f"“{PROBE}” is over the limit of $10,000,000.00 for one amount." in text
    _nothing_posted(before)


def test_the_counter_page_asks_to_confirm_a_large_tender(counter: Client, rosa_account: Any):
    before = JournalEntry.objects.count()
    first = _pay_page(counter, rosa_account, "90.01", cash="5000.00")
    assert first.status_code == 422
    page = first.content.decode()
    assert 'name="confirm_large_tender"' in page
    assert "more than 10 times the payment of $90.01 (change $4,909.99)" in page
    _nothing_posted(before)
    assert 'name="confirm_large_tender"' not in counter.get("/counter/pay/").content.decode()
    confirmed = _pay_page(counter, rosa_account, "90.01", cash="5000.00", confirm_large_tender="on")
    assert confirmed.status_code == 302
    assert Payment.objects.get().change_cents == 490999
    books_ok()


@pytest.mark.parametrize("text", [".", "1,00", "5 0", "²", PROBE])
def test_the_misc_receipt_page_refuses_a_bad_amount(counter: Client, text: str):
    before = JournalEntry.objects.count()
    data = {"receipt_code": "COPIES", "amount": text, "cash": "40.00", "idempotency_key": "web:misc-edge"}
    response = counter.post("/counter/misc/", data)
    assert response.status_code == 422
    assert "is not an amount" in response.content.decode() or "over the limit" in response.content.decode()
    _nothing_posted(before)


def test_the_misc_receipt_page_asks_to_confirm_a_large_tender(counter: Client):
    data = {"receipt_code": "COPIES", "amount": "0.50", "cash": "500.00", "idempotency_key": "web:misc-big"}
    refused = counter.post("/counter/misc/", data)
    assert refused.status_code == 422 and 'name="confirm_large_tender"' in refused.content.decode()
    assert not Payment.objects.exists()
    assert counter.post("/counter/misc/", {**data, "confirm_large_tender": "on"}).status_code == 302
    assert Payment.objects.get().change_cents == 49950


@pytest.mark.parametrize("text", [".", "1,00", "²", PROBE, "1" * 19])
def test_the_deposit_page_refuses_a_bad_amount(client: Client, csr: Any, rosa_account: Any, text: str):
    client.force_login(csr)
    before = JournalEntry.objects.count()
    response = client.post(f"/accounts/{rosa_account.number}/deposit/", {"amount": text, "memo": ""})
    assert response.status_code == 422
    _nothing_posted(before)


def test_the_refund_page_refuses_an_amount_over_the_limit(
    client: Client,
    csr: Any,
    importer: Any,
    make_account: Any,
):
    kim = make_account(last_name="Kim", house="102", owing={"water": "55.00"})
    lockbox = csv_file("H,LB0001,2026-12-01", f"D,,{kim.number},70.00,1002,,Test Kim", "T,1,70.00")
    services.payment_file_import(
        content=lockbox, file_name="lb.csv", file_format="lockbox-csv", as_of=IMPORT_AT, actor=importer
    )  # Kim paid 70.00 on 55.00: a credit of 15.00
    client.force_login(csr)
    for text, message in [
        (PROBE, f"“{PROBE}” is over the limit of $10,000,000.00 for one amount."),
        ("1,00", "“1,00” is not an amount: type dollars and cents, like 90.01."),
    ]:
        response = client.post(f"/accounts/{kim.number}/refund/", {"amount": text, "reason": "Moved"})
        assert response.status_code == 422
        assert message in response.content.decode()
    assert not Refund.objects.exists()
    assert (
        client.post(f"/accounts/{kim.number}/refund/", {"amount": "15.00", "reason": "Moved"}).status_code
        == 302
    )


# -- payment files -------------------------------------------------------------------------------------
def test_a_lockbox_row_over_the_limit_is_refused_naming_its_line(
    make_account: Any,
    importer: Any,
):
    lopez = make_account(last_name="Lopez", house="100", owing={"water": "48.20", "sewer": "41.81"})
    content = csv_file(
        "H,LB0001,2026-12-01",
        f"D,,{lopez.number},50.00,1001,,Test Lopez",
        f"D,,{lopez.number},10000000.01,1002,,Too Much",
        f"D,,{lopez.number},1²3.00,1003,,Superscript",
        "T,3,10000050.01",
    )
    result = services.payment_file_import(
        content=content, file_name="lb.csv", file_format="lockbox-csv", as_of=IMPORT_AT, actor=importer
    )
    record = result.payment_import
    assert (record.posted_count, record.posted_cents) == (1, 5000)
    assert record.errors == [
        {"line": 3, "reason": "amount $10,000,000.01 is over the limit of $10,000,000.00 for one payment"},
        {"line": 4, "reason": "amount '1²3.00' is not like 123.45"},
    ]
    assert account_balance(lopez).cents == 4001
    books_ok()


def test_a_fixed_width_lockbox_row_over_the_limit_is_refused_naming_its_line(
    make_account: Any,
    importer: Any,
):
    lopez = make_account(last_name="Lopez", house="100", owing={"water": "48.20", "sewer": "41.81"})
    content = csv_file(
        "HLB00000001" + "20261201",
        fixed_detail(account=lopez.number, cents=2000, check="1", date="20261201", payer="A"),
        fixed_detail(account=lopez.number, cents=9_999_999_999, check="2", date="20261201", payer="B"),
        "T000002" + f"{10_000_001_999:012d}",
    )
    result = services.payment_file_import(
        content=content, file_name="lb.txt", file_format="lockbox-fixed", as_of=IMPORT_AT, actor=importer
    )
    record = result.payment_import
    assert (record.posted_count, record.posted_cents) == (1, 2000)
    assert record.errors == [
        {"line": 3, "reason": "amount $99,999,999.99 is over the limit of $10,000,000.00 for one payment"}
    ]
    books_ok()


def test_an_online_row_over_the_limit_is_refused_naming_its_line(
    make_account: Any,
    importer: Any,
):
    lopez = make_account(last_name="Lopez", house="100", owing={"water": "48.20", "sewer": "41.81"})
    content = csv_file(
        "confirmation,account_number,amount,paid_on,method,payer_name",
        f"W-1,{lopez.number},90.01,2026-12-01,card,Test Lopez",
        f"W-2,{lopez.number},20000000.00,2026-12-01,card,Too Much",
        "TRAILER,2,20000090.01",
    )
    result = services.online_file_import(
        content=content, file_name="web.csv", as_of=IMPORT_AT, actor=importer
    )
    record = result.payment_import
    assert (record.posted_count, record.posted_cents) == (1, 9001)
    assert record.errors == [
        {"line": 3, "reason": "amount $20,000,000.00 is over the limit of $10,000,000.00 for one payment"}
    ]
    assert JournalLine.objects.filter(debit_cents__gt=10**9).count() == 0
    books_ok()
