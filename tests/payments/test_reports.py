"""Payment reports on one day, Tuesday 2026-12-01: Ana's drawer (cash with change, a split check +
cash, a parking citation by card, a void), a 1.00 short close, the day close and deposit, then a
lockbox file (one payment, one unmatched row) and the lockbox payment returned NSF. Exact figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from civicbill.core.exceptions import ApplicationError, NotFoundError
from civicbill.core.money import Money
from civicbill.payments import services
from civicbill.payments.models import Payment
from civicbill.payments.report_files import report_csv, report_html, report_pdf
from civicbill.payments.reports import (
    cash_receipts_journal,
    daily_balance,
    payments_by_channel,
    report_build,
)
from tests.fixtures.payments import a_day, at, books_ok

M = Money.parse
TUESDAY = dt.date(2026, 12, 1)
pytestmark = pytest.mark.django_db


def test_the_daily_balance_ties_receipts_postings_and_deposit(day: dict[str, Any]) -> None:
    report = daily_balance(business_date=TUESDAY)
    ties = {tie.key: (tie.left_cents, tie.right_cents, tie.status) for tie in report.ties}
    assert ties == {
        "tenders": (25001, 25001, "OK"),
        "allocations": (25001, 25001, "OK"),
        "postings": (25001, 25001, "OK"),
        "deposit": (24901, 24901, "OK"),
        "deposit_entry": (24901, 24901, "OK"),
    }
    assert report.table("by_fund").rows == (
        ("general", 3500, 3500, -100, 3400, "OK"),
        ("refuse", 2500, 2500, 0, 2500, "OK"),
        ("sewer", 8181, 8181, 0, 8181, "OK"),
        ("water", 10820, 10820, 0, 10820, "OK"),
    )
    assert report.table("deposit").rows[:3] == (("Cash", 11401), ("Checks and money orders", 10000),
                                                ("Deposit slip total", 21401))  # fmt: skip
    assert dict(report.table("summary").rows)["Void payments"] == 1
    books_ok()


def test_before_the_day_close_the_deposit_ties_are_pending(
    frozen: Any, drawers: Any, make_account: Any, rosa_account: Any, csr: Any, supervisor: Any,
    technician: Any,
) -> None:  # fmt: skip
    a_day(drawers=drawers, make_account=make_account, rosa=rosa_account, csr=csr, supervisor=supervisor,
          technician=technician, close_day=False)  # fmt: skip
    report = daily_balance(business_date=TUESDAY)
    assert [(t.key, t.status) for t in report.ties] == [
        ("tenders", "OK"), ("allocations", "OK"), ("postings", "OK"),
        ("deposit", "PENDING"), ("deposit_entry", "PENDING"),
    ]  # fmt: skip


def test_a_difference_is_shown_with_both_figures(day: dict[str, Any]) -> None:
    # a tender row that disagrees with its payment (only possible by tampering) shows up as a DIFFERENCE
    payment = Payment.objects.get(receipt_number__endswith="-0001")
    payment.tenders.update(amount_cents=9002, tendered_cents=10001)
    tie = daily_balance(business_date=TUESDAY).ties[0]
    assert (tie.left_cents, tie.right_cents, tie.difference_cents, tie.status) == (
        25001,
        25002,
        -1,
        "DIFFERENCE",
    )


def test_the_cash_receipts_journal_lists_every_receipt_with_subtotals(day: dict[str, Any]) -> None:
    report = cash_receipts_journal(date_from=TUESDAY, date_to=TUESDAY)
    session = day["session"].pk
    item = day["import"].suspense_items.get()
    rows = [(r[1], r[3], r[4], r[6], r[7], r[8], r[9]) for r in report.table("receipts").rows]
    assert rows == [
        (f"{session}-0001", "CH-1", "csr", "UTILITY", "cash", "", 9001),
        (f"{session}-0002", "CH-1", "csr", "UTILITY", "cash + check", "", 12500),
        (f"{session}-0003", "CH-1", "csr", "PARKING", "card", "", 3500),
        (f"{session}-0004", "CH-1", "csr", "UTILITY", "cash", "VOID", 0),
        (f"LB{day['import'].pk}-2", "lockbox", "technician", "UTILITY", "lockbox", "", 5500),
        (f"S{item.pk}", "lockbox", "technician", "SUSPENSE", "lockbox", "", 1234),
    ]
    assert (report.table("receipts").total or ())[-1] == 31735
    assert report.table("by_drawer").rows == (("CH-1", 3, 25001), ("lockbox", 2, 6734))
    assert report.table("by_tender").rows == (
        ("card", 1, 3500), ("cash", 2, 11501), ("check", 1, 10000), ("lockbox", 2, 6734),
    )  # fmt: skip
    assert report.table("by_code").rows == (
        ("PARKING", 1, 3500),
        ("SUSPENSE", 1, 1234),
        ("UTILITY", 3, 27001),
    )
    assert report.table("by_cashier").rows == (("csr", 3, 25001), ("technician", 2, 6734))
    assert report.table("by_day").total == ("", 5, 31735)


def test_payments_by_channel_counts_posted_suspense_voids_and_returns(day: dict[str, Any]) -> None:
    report = payments_by_channel(date_from=TUESDAY, date_to=TUESDAY)
    assert report.table("channels").rows == (
        ("counter", 3, 25001, 0, 0, 1, 5000, 0, 0, 25001),
        ("lockbox", 1, 5500, 1, 1234, 0, 0, 1, 5500, 1234),
        ("online", 0, 0, 0, 0, 0, 0, 0, 0, 0),
        ("ach", 0, 0, 0, 0, 0, 0, 0, 0, 0),
    )
    assert report.table("channels").total == ("", 4, 30501, 1, 1234, 1, 5000, 1, 5500, 26235)
    assert report.table("by_day").rows == (
        ("2026-12-01", "counter", 3, 25001),
        ("2026-12-01", "lockbox", 2, 6734),
    )


def test_an_applied_suspense_item_is_not_counted_twice(day: dict[str, Any], technician: Any) -> None:
    item = day["import"].suspense_items.get()
    services.suspense_apply(item=item, account=day["ramos"], as_of=at(11), actor=technician)
    report = cash_receipts_journal(date_from=TUESDAY, date_to=TUESDAY)
    assert (report.table("receipts").total or ())[-1] == 31735


def test_the_csv_and_pdf_carry_the_same_figures(day: dict[str, Any]) -> None:
    report = daily_balance(business_date=TUESDAY)
    text = report_csv(report)
    assert text.splitlines()[:4] == [
        "Daily balance report,2026-12-01,2026-12-01",
        "",
        "Ties",
        "check,left,left_amount,right,right_amount,difference,status",
    ]
    assert "Receipts = tenders,Receipts,250.01,Tenders,250.01,0.00,OK" in text
    assert "general,35.00,35.00,-1.00,34.00,OK" in text
    journal = report_csv(cash_receipts_journal(date_from=TUESDAY, date_to=TUESDAY))
    assert "TOTAL,5,317.35" in journal
    html = report_html(report)
    assert "$250.01" in html and "OK" in html
    assert report_pdf(report).startswith(b"%PDF")


def test_bad_periods_and_names_are_refused(day: dict[str, Any]) -> None:
    with pytest.raises(ApplicationError, match="ends \\(2026-11-30\\) before it starts"):
        report_build("cash-receipts", date_from=TUESDAY, date_to=dt.date(2026, 11, 30))
    with pytest.raises(ApplicationError, match="at most 366 days"):
        report_build("by-channel", date_from=dt.date(2025, 1, 1), date_to=TUESDAY)
    with pytest.raises(NotFoundError, match="There is no report 'nope'"):
        report_build("nope", date_from=TUESDAY)
    assert report_build("daily-balance", date_from=TUESDAY).as_dict()["ties"][0]["status"] == "OK"


def test_the_report_command_writes_csv_and_pdf(day: dict[str, Any], tmp_path: Any) -> None:
    import json
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = StringIO()
    csv_out = str(tmp_path / "b.csv")
    call_command("payments", "report", "daily-balance", "--date", "2026-12-01", "--out", csv_out, stdout=out)
    assert out.getvalue().strip() == f"Wrote Daily balance report 2026-12-01 to {tmp_path / 'b.csv'}"
    assert "Receipts = tenders,Receipts,250.01,Tenders,250.01,0.00,OK" in (tmp_path / "b.csv").read_text()
    call_command("payments", "report", "cash-receipts", "--from", "2026-12-01", "--to", "2026-12-01",
                 "--format", "pdf", "--out", str(tmp_path / "j.pdf"), stdout=StringIO())  # fmt: skip
    assert (tmp_path / "j.pdf").read_bytes().startswith(b"%PDF")
    out = StringIO()
    call_command("payments", "report", "by-channel", "--date", "2026-12-01", "--json", stdout=out)
    assert json.loads(out.getvalue())["tables"]["channels"]["total"]["net_cents"] == 26235
    with pytest.raises(CommandError, match="Give --date D or --from D --to D"):
        call_command("payments", "report", "by-channel", "--out", str(tmp_path / "x.csv"))


def test_the_reports_are_set_based(day: dict[str, Any], django_assert_num_queries: Any) -> None:
    # a fixed number of grouped queries however many payments the period has
    with django_assert_num_queries(3):
        cash_receipts_journal(date_from=TUESDAY, date_to=TUESDAY)
    with django_assert_num_queries(9):
        daily_balance(business_date=TUESDAY)
    with django_assert_num_queries(5):
        payments_by_channel(date_from=TUESDAY, date_to=TUESDAY)
