"""Lockbox files: good, unmatched, bad-check-digit and malformed rows; duplicate and bad-trailer
refusals; suspense applied to an account. Figures are exact; the books check after each step."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from civicbill.core.audit import AuditEvent
from civicbill.core.exceptions import ApplicationError, PermissionDeniedError
from civicbill.core.money import Money
from civicbill.customers.models import Account
from civicbill.ledger import selectors as ledger_selectors
from civicbill.ledger.models import JournalEntry, JournalLine
from civicbill.payments import services
from civicbill.payments.models import ChannelPayment, Payment, PaymentAllocation, PaymentImport, SuspenseItem
from civicbill.payments.services import lockbox
from tests.fixtures.database import assert_nothing_changed
from tests.fixtures.payments import IMPORT_AT, books_ok, csv_file, fixed_detail, gl, scan

pytestmark = pytest.mark.django_db


def bad_check_digit(scan_line: str) -> str:
    return scan_line[:-1] + str((int(scan_line[-1]) + 1) % 10)


@pytest.fixture
def accounts(make_account: Any) -> tuple[Account, Account]:
    lopez = make_account(last_name="Lopez", house="100", owing={"water": "48.20", "sewer": "41.81"})
    kim = make_account(last_name="Kim", house="102", owing={"water": "30.00", "refuse": "25.00"})
    return lopez, kim


def the_file(lopez: Account, kim: Account) -> bytes:
    return csv_file(
        "H,LB0001,2026-12-01",
        f"D,{scan(lopez, '90.01')},,50.00,1001,2026-12-01,Test Lopez",
        f"D,,{kim.number},55.00,1002,,Test Kim",
        f"D,{bad_check_digit(scan(lopez, '90.01'))},,20.00,1003,,Misread Stub",
        "D,,9999999-9,12.34,1004,,Nobody Known",
        f"D,,{lopez.number},12.3x,1005,,Bad Amount",
        "D,only,three",
        "T,6,137.34",
    )


def test_a_lockbox_file_posts_good_rows_holds_doubtful_ones_and_reports_bad_ones(
    accounts: tuple[Account, Account], importer: Any
) -> None:
    lopez, kim = accounts

    result = services.payment_file_import(
        content=the_file(lopez, kim), file_name="lb-20261201.csv", file_format="lockbox-csv",
        as_of=IMPORT_AT, actor=importer,
    )  # fmt: skip

    record = result.payment_import
    assert (record.detail_count, record.total_cents) == (6, 13734)
    assert (record.posted_count, record.posted_cents) == (2, 10500)
    assert (record.suspense_count, record.suspense_cents) == (2, 3234)
    assert record.errors == [
        {"line": 6, "reason": "amount '12.3x' is not like 123.45"},
        {
            "line": 7,
            "reason": "has 3 fields; a detail record has 7 (D, scan line, account, amount, check number, "
            "deposit date, payer)",
        },
    ]
    assert [(p.receipt_number, p.channel, p.account_id, p.amount_cents) for p in result.payments] == [
        (f"LB{record.pk}-2", "lockbox", lopez.pk, 5000),
        (f"LB{record.pk}-3", "lockbox", kim.pk, 5500),
    ]
    assert list(
        PaymentAllocation.objects.order_by("pk").values_list(
            "account_id", "service", "gl_code", "amount_cents"
        )
    ) == [
        (lopez.pk, "water", "500-1210", 2677),
        (lopez.pk, "sewer", "510-1220", 2323),
        (kim.pk, "water", "500-1210", 3000),
        (kim.pk, "refuse", "520-1230", 2500),
    ]
    assert list(ChannelPayment.objects.order_by("pk").values_list("line_number", "check_number")) == [
        (2, "1001"),
        (3, "1002"),
    ]
    assert [(s.line_number, s.reason, s.amount_cents, s.check_number) for s in result.suspense_items] == [
        (4, "bad_scan_line", 2000, "1003"),
        (5, "unknown_account", 1234, "1004"),
    ]
    assert ledger_selectors.account_balance(lopez).cents == 4001
    assert ledger_selectors.account_balance(kim).cents == 0
    # lockbox money is in the bank: Dr cash per fund; the unmatched in suspense (General Fund)
    assert (gl("500-1000"), gl("510-1000"), gl("520-1000"), gl("100-1000")) == (
        "56.77",
        "23.23",
        "25.00",
        "32.34",
    )
    assert gl("100-2900") == "-32.34"
    assert gl("500-1010") == "0.00"  # not undeposited: no drawer holds it
    entry = Payment.objects.get(receipt_number=f"LB{record.pk}-2").journal_entry
    assert (entry.source_type, entry.reason, entry.accounting_date) == (
        "payment",
        "lockbox_payment",
        dt.date(2026, 12, 1),
    )
    assert AuditEvent.objects.filter(action="payments.import").count() == 1
    books_ok()


def test_the_same_file_twice_is_refused_and_posts_nothing(
    accounts: tuple[Account, Account], importer: Any
) -> None:
    content = the_file(*accounts)
    services.payment_file_import(
        content=content, file_name="a.csv", file_format="lockbox-csv", as_of=IMPORT_AT, actor=importer
    )
    entries = JournalEntry.objects.count()

    with pytest.raises(ApplicationError) as refused:
        services.payment_file_import(
            content=content,
            file_name="renamed.csv",
            file_format="lockbox-csv",
            as_of=IMPORT_AT,
            actor=importer,
        )

    assert refused.value.code == "duplicate_file"
    assert "already imported" in str(refused.value) and "a.csv" in str(refused.value)
    assert (JournalEntry.objects.count(), PaymentImport.objects.count(), Payment.objects.count()) == (
        entries,
        1,
        2,
    )


@pytest.mark.parametrize(
    ("trailer", "message"),
    [
        ("T,6,137.35", "the trailer totals $137.35 but the payments add up to $137.34"),
        ("T,5,137.34", "the trailer counts 5 payments but the file has 6"),
        (None, "the file has no trailer record"),
    ],
)
def test_a_file_whose_trailer_does_not_tie_is_refused_whole(
    accounts: tuple[Account, Account], importer: Any, trailer: str | None, message: str
) -> None:
    lines = the_file(*accounts).decode().splitlines()[:-1] + ([trailer] if trailer else [])
    entries = JournalEntry.objects.count()

    with pytest.raises(ApplicationError) as refused:
        services.payment_file_import(
            content=csv_file(*lines),
            file_name="lb.csv",
            file_format="lockbox-csv",
            as_of=IMPORT_AT,
            actor=importer,
        )

    assert refused.value.code == "file_refused"
    assert message in str(refused.value)
    assert (JournalEntry.objects.count(), PaymentImport.objects.count(), SuspenseItem.objects.count()) == (
        entries, 0, 0,
    )  # fmt: skip


def test_closed_accounts_mismatches_and_doubtful_amounts_go_to_suspense(
    accounts: tuple[Account, Account], importer: Any, make_account: Any
) -> None:
    lopez, kim = accounts
    gone = make_account(last_name="Gone", house="104", owing={"water": "10.00"})
    Account.objects.filter(pk=gone.pk).update(status=Account.Status.CLOSED)
    content = csv_file(
        "H,LB0001,2026-12-01",
        f"D,,{gone.number},10.00,2001,,Closed Account",
        f"D,{scan(lopez, '90.01')},{kim.number},90.01,2002,,Wrong Pair",
        f"D,{scan(kim, '55.00')},,5500.00,2003,,Decimal Slip",
        "D,,,7.00,2004,,No Stub",
        f"D,{scan(kim, '55.00')},{kim.number.replace('-', '')},55.00,2005,,Good Pair",
        "T,5,5662.01",
    )

    result = services.payment_file_import(
        content=content, file_name="b.csv", file_format="lockbox-csv", as_of=IMPORT_AT, actor=importer
    )

    assert [(s.line_number, s.reason) for s in result.suspense_items] == [
        (2, "closed_account"),
        (3, "mismatch"),
        (4, "amount_doubtful"),
        (5, "no_identifier"),
    ]
    assert [(p.account_id, p.amount_cents) for p in result.payments] == [(kim.pk, 5500)]
    assert gl("100-2900") == "-5607.01"
    books_ok()


def test_several_payments_on_one_account_in_a_file_apply_one_after_the_other(
    accounts: tuple[Account, Account], importer: Any
) -> None:
    lopez, _ = accounts
    content = csv_file(
        "H,LB0001,2026-12-01",
        f"D,,{lopez.number},50.00,1,,A",
        f"D,,{lopez.number},50.00,2,,A",
        "T,2,100.00",
    )

    services.payment_file_import(
        content=content, file_name="c.csv", file_format="lockbox-csv", as_of=IMPORT_AT, actor=importer
    )

    # as at the counter: 26.77 + 23.23, then 21.43 + 18.58 and 9.99 credit on water
    assert list(PaymentAllocation.objects.order_by("pk").values_list("service", "kind", "amount_cents")) == [
        ("water", "charge", 2677),
        ("sewer", "charge", 2323),
        ("water", "charge", 2143),
        ("sewer", "charge", 1858),
        ("water", "credit", 999),
    ]
    assert ledger_selectors.account_balance(lopez).cents == -999
    books_ok()


def test_a_file_written_in_rounds_posts_exactly_what_one_round_posts(
    accounts: tuple[Account, Account], importer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large files are written in rounds, the next round's entries built while this one is written:
    with rounds of one payment, every payment, allocation and entry is the same as in one round."""
    monkeypatch.setattr(lockbox, "WRITE_CHUNK", 1)
    lopez, kim = accounts
    content = csv_file(
        "H,LB0001,2026-12-01",
        f"D,,{lopez.number},50.00,1,,A",
        f"D,,{kim.number},30.00,2,,B",
        f"D,,{lopez.number},50.00,3,,A",
        "D,,9999999-9,12.34,4,,Nobody Known",
        "T,4,142.34",
    )

    result = services.payment_file_import(
        content=content, file_name="rounds.csv", file_format="lockbox-csv", as_of=IMPORT_AT, actor=importer
    )

    record = result.payment_import
    assert (record.posted_count, record.posted_cents, record.suspense_count) == (3, 13000, 1)
    assert [(p.receipt_number, p.account_id, p.amount_cents) for p in result.payments] == [
        (f"LB{record.pk}-2", lopez.pk, 5000),
        (f"LB{record.pk}-3", kim.pk, 3000),
        (f"LB{record.pk}-4", lopez.pk, 5000),
    ]
    assert all(p.journal_entry.source_ref == p.receipt_number for p in result.payments)
    assert list(
        PaymentAllocation.objects.order_by("pk").values_list(
            "payment__receipt_number", "service", "kind", "amount_cents"
        )
    ) == [
        (f"LB{record.pk}-2", "water", "charge", 2677),
        (f"LB{record.pk}-2", "sewer", "charge", 2323),
        (f"LB{record.pk}-3", "water", "charge", 1636),  # 30.00 pro rata to water 30.00 and refuse 25.00
        (f"LB{record.pk}-3", "refuse", "charge", 1364),
        (f"LB{record.pk}-4", "water", "charge", 2143),
        (f"LB{record.pk}-4", "sewer", "charge", 1858),
        (f"LB{record.pk}-4", "water", "credit", 999),
    ]
    assert ledger_selectors.account_balance(lopez).cents == -999
    books_ok()


def test_the_fixed_width_format_reads_the_same_payments(
    accounts: tuple[Account, Account], importer: Any
) -> None:
    lopez, kim = accounts
    content = csv_file(
        "HLB00000001" + "20261201",
        fixed_detail(
            scan_line=scan(lopez, "90.01"), cents=5000, check="1001", date="20261201", payer="Test Lopez"
        ),
        fixed_detail(account=kim.number, cents=5500, check="1002", payer="Test Kim"),
        fixed_detail(scan_line=bad_check_digit(scan(lopez, "90.01")), cents=2000, check="1003"),
        "D123",
        "T000004" + f"{12500:012d}",
    )

    result = services.payment_file_import(
        content=content, file_name="lb.txt", file_format="lockbox-fixed", as_of=IMPORT_AT, actor=importer
    )

    record = result.payment_import
    assert (record.posted_count, record.posted_cents, record.suspense_count, record.suspense_cents) == (
        2, 10500, 1, 2000,
    )  # fmt: skip
    assert record.errors == [
        {"line": 5, "reason": "is 4 characters; a detail record reaches at least column 47 (the amount)"}
    ]
    assert record.batch_reference == "LB00000001"
    assert ledger_selectors.account_balance(lopez).cents == 4001
    books_ok()


def test_staff_apply_a_suspense_item_to_an_account(
    accounts: tuple[Account, Account], importer: Any, csr: Any
) -> None:
    lopez, kim = accounts
    result = services.payment_file_import(
        content=the_file(lopez, kim),
        file_name="lb.csv",
        file_format="lockbox-csv",
        as_of=IMPORT_AT,
        actor=importer,
    )
    item = result.suspense_items[0]  # the 20.00 stub with a misread digit

    payment = services.suspense_apply(
        item=item, account=lopez, as_of=IMPORT_AT, actor=csr, note="stub read by eye"
    )

    item.refresh_from_db()
    assert (item.status, item.applied_payment_id, item.applied_by_id) == ("applied", payment.pk, csr.pk)
    assert (payment.receipt_number, payment.channel, payment.amount_cents) == (
        f"SU{item.pk}",
        "lockbox",
        2000,
    )
    # what Lopez still owed (water 21.43, sewer 18.58) is paid pro rata: 10.71 and 9.29
    lines = sorted(
        JournalLine.objects.filter(entry=payment.journal_entry).values_list(
            "gl_account__code", "debit_cents", "credit_cents"
        )
    )
    assert lines == [
        ("100-2100", 0, 2000),
        ("100-2900", 2000, 0),
        ("500-1210", 0, 1071),
        ("500-1900", 1071, 0),
        ("510-1220", 0, 929),
        ("510-1900", 929, 0),
    ]
    assert ledger_selectors.account_balance(lopez).cents == 2001
    assert gl("100-2900") == "-12.34"
    assert (
        AuditEvent.objects.filter(action="payment.suspense_apply", account_number=lopez.number).count() == 1
    )
    assert list(services.suspense_queue().values_list("pk", flat=True)) == [result.suspense_items[1].pk]
    books_ok()
    with pytest.raises(ApplicationError) as again:
        services.suspense_apply(item=item, account=kim, as_of=IMPORT_AT, actor=csr)
    assert again.value.code == "already_applied"


def test_only_permitted_staff_import_files(accounts: tuple[Account, Account], csr: Any) -> None:
    with assert_nothing_changed(), pytest.raises(PermissionDeniedError):
        services.payment_file_import(
            content=the_file(*accounts), file_name="x", file_format="lockbox-csv", as_of=IMPORT_AT, actor=csr
        )
    assert PaymentImport.objects.count() == 0


def test_the_counter_day_close_leaves_lockbox_money_out(
    accounts: tuple[Account, Account], importer: Any, csr: Any, supervisor: Any
) -> None:
    lopez, kim = accounts
    services.payment_file_import(
        content=the_file(lopez, kim),
        file_name="lb.csv",
        file_format="lockbox-csv",
        as_of=IMPORT_AT,
        actor=importer,
    )
    drawer = services.drawer_create(
        location_code="CH", location_name="City Hall", code="CH-1", name="Window 1", actor=supervisor
    )
    session = services.drawer_session_open(
        drawer=drawer, starting_float=Money.parse("20.00"), as_of=IMPORT_AT, actor=csr
    )
    services.payment_take(
        session=session,
        accounts=[services.AccountAmount(kim, Money.parse("10.00"))],
        tenders=[services.TenderInput(kind="cash", amount=Money.parse("10.00"))],
        idempotency_key="counter-1",
        as_of=IMPORT_AT,
        actor=csr,
    )
    services.drawer_session_close(
        session=session,
        counts=[services.CountLine(kind="cash", quantity=3, denomination=Money.parse("10.00"))],
        as_of=IMPORT_AT,
        actor=csr,
    )
    services.drawer_session_approve(session=session, as_of=IMPORT_AT, actor=supervisor)

    day = services.day_close(business_date=dt.date(2026, 12, 1), as_of=IMPORT_AT, actor=supervisor)

    assert (day.payment_count, day.receipts_cents, day.totals["by_fund"]) == (1, 1000, {"water": 1000})
    books_ok()
