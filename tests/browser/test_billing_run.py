"""A technician bills the demo city's unbilled month in a real browser: trial run with a live progress
bar, an exception reviewed, commit, and a bill's PDF.

The server is the demo city (300 accounts, seed 7: its history ends with the latest month read but not
billed) with a background worker (``civicbill db_worker``) beside ``runserver``, so the run really
happens in the background while the page polls its progress.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.fixtures.server import serve_demo_city, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def billing_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A demo city of its own (this test bills its open month) with a worker running the billing tasks."""
    yield from serve_demo_city(
        tmp_path_factory.mktemp("billing-server"),
        database_suffix="browser_billing",
        with_worker=True,
        extra_env={"CIVICBILL_TASK_BACKEND": "django_tasks_db.DatabaseBackend"},
    )


def test_a_technician_runs_the_months_billing_reviews_an_exception_commits_and_opens_a_bill(
    page: Any, billing_server: str
) -> None:
    sign_in(page, billing_server, "technician")

    # start a trial run for cycle 1: the form suggests the month that is read but not billed
    page.get_by_role("link", name="Billing runs").click()
    page.get_by_role("link", name="Start a trial run").click()
    expect(page.get_by_label("Billing month")).to_have_value("2026-11")
    page.get_by_label("Billing cycle").select_option(label="1 — North")
    page.get_by_role("button", name="Start trial run").click()

    # the run page shows a live progress bar; it fills, then the page shows the trial to review
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"Billing run \d+: cycle 1, 2026-11")
    )
    run_url = page.url
    expect(page.locator("#run-progress-bar")).to_have_attribute("value", "100", timeout=60_000)
    expect(page.locator("#run-status")).to_contain_text("Trial ready for review", timeout=30_000)
    expect(page.get_by_test_id("run-accounts")).to_have_text("75")
    found = re.search(r"– (\d{4}-\d{2}-\d{2})\)", page.locator("#run-status").inner_text())
    assert found is not None
    period_end = found[1]

    # review: the missing reads are listed by code; release one (it is billed) and hold another
    expect(page.locator("table.exception-counts")).to_contain_text("Missing read")
    rows = page.locator("#run-exceptions tbody tr")
    first, second = rows.nth(0), rows.nth(1)
    first_account = first.locator("td").nth(1).get_by_role("link").inner_text()
    first.get_by_label(re.compile("Note")).fill("Customer read the meter to us by phone")
    first.get_by_role("button", name="Release").click()
    expect(page.locator("#run-exceptions tbody tr").nth(0)).to_contain_text("Released: bill it")
    expect(page.locator("#run-exceptions tbody tr").nth(0)).to_contain_text(
        "Customer read the meter to us by phone"
    )
    second.get_by_role("button", name="Hold").click()
    expect(page.locator("#run-exceptions tbody tr").nth(1)).to_contain_text("Held: do not bill this run")
    expect(page).to_have_url(run_url)  # decided in place

    # commit: issued and posted in the background, the bar fills again
    page.get_by_role("button", name="Commit: issue and post the bills").click()
    expect(page.locator("#run-status")).to_contain_text("Committed", timeout=60_000)
    expect(page.locator("#run-progress-bar")).to_have_attribute("value", "100")
    expect(page.get_by_text("Ties to the journal.")).to_be_visible()

    # the released account now has its November bill; its PDF is a PDF
    page.goto(f"{billing_server}/accounts/{first_account}/")
    bills = page.locator("#account-bills")
    expect(bills.get_by_role("heading", name="Bills")).to_be_visible()
    november = bills.locator("tbody tr").first  # newest first
    expect(november).to_contain_text(period_end)
    expect(november).to_contain_text("Issued")
    november.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Issued")
    page.get_by_role("link", name="Explain this bill").click()
    expect(page.locator("#explanation")).to_contain_text("due by")
    pdf_href = page.get_by_role("link", name="PDF").get_attribute("href")
    assert pdf_href is not None
    response = page.request.get(f"{billing_server}{pdf_href}")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline;")
    assert response.body()[:5] == b"%PDF-"
