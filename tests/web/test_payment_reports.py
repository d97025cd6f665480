"""The payment report pages: the daily balance with its ties, the cash receipts journal and payments
by channel as page, CSV and PDF; auditors can read them, field workers cannot; bad dates are named."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_reports_need_payments_view(client: Client, field_worker: Any, auditor: Any) -> None:
    assert client.get("/payments/reports/").status_code == 302
    client.force_login(field_worker)
    assert client.get("/payments/reports/").status_code == 403
    assert client.get("/payments/reports/daily-balance/?date=2026-12-01").status_code == 403
    client.force_login(auditor)
    page = client.get("/payments/reports/")
    assert page.status_code == 200
    assert "Daily balance report" in page.content.decode()


def test_the_daily_balance_page_shows_each_tie(client: Client, auditor: Any, day: Any) -> None:
    client.force_login(auditor)
    page = client.get("/payments/reports/daily-balance/?date=2026-12-01")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Receipts = journal postings" in html
    assert "Receipts: $250.01" in html and "Posted to undeposited funds: $250.01" in html
    assert "Receipts + over/short: $249.01" in html and "Deposit + cards: $249.01" in html
    assert html.count(">OK</span>") == 5
    assert "DIFFERENCE" not in html
    assert "($1.00)" in html  # the short, in parentheses


def test_the_cash_receipts_journal_downloads_as_csv_and_pdf(client: Client, auditor: Any, day: Any) -> None:
    client.force_login(auditor)
    page = client.get("/payments/reports/cash-receipts/?from=2026-12-01&to=2026-12-01")
    assert page.status_code == 200
    assert "$317.35" in page.content.decode()
    csv = client.get("/payments/reports/cash-receipts/?from=2026-12-01&to=2026-12-01&format=csv")
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    assert csv["Content-Disposition"] == 'attachment; filename="cash-receipts-2026-12-01.csv"'
    text = csv.content.decode()
    assert "CH-1,3,250.01" in text and "TOTAL,5,317.35" in text
    pdf = client.get("/payments/reports/by-channel/?from=2026-11-01&to=2026-12-01&format=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"] == 'inline; filename="by-channel-2026-11-01-2026-12-01.pdf"'


def test_payments_by_channel_page(client: Client, auditor: Any, day: Any) -> None:
    client.force_login(auditor)
    html = client.get("/payments/reports/by-channel/?from=2026-12-01&to=2026-12-01").content.decode()
    assert "$262.35" in html  # net received: 250.01 counter + 67.34 lockbox - 55.00 returned


def test_bad_dates_and_unknown_reports_are_named(client: Client, auditor: Any) -> None:
    client.force_login(auditor)
    refused = client.get("/payments/reports/cash-receipts/?from=2026-12-01&to=2026-13-45")
    assert refused.status_code == 422
    assert "“2026-13-45” is not a date" in refused.content.decode()
    backwards = client.get("/payments/reports/cash-receipts/?from=2026-12-02&to=2026-12-01")
    assert backwards.status_code == 422
    assert "The period ends (2026-12-01) before it starts (2026-12-02)" in backwards.content.decode()
    assert client.get("/payments/reports/nope/").status_code == 404
