"""The supervisor runs the day's collections, reviews the worklist, prints the final notices, records an
arrangement for one account at the counter, and sees it leave the shutoff list (issue 14).

The server's clock is Tuesday 2027-01-19, 07:30 in Coachella (tests/fixtures/frozen_cli.py), with a
background worker for the run. Its database holds the demo users and the story of
tests/browser/collections_data.py: Rosa Peña and Tom Baker, billed for October and November 2026, paid
nothing; daily posted runs to Monday 2027-01-18 sent their final notices (run of 2027-01-04) and logged
the 48-hour calls, so on the 19th both are past the final notice and may be shut off.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.fixtures.server import serve_demo_city, sign_in
from tests.pdf_helpers import pdf_texts

pytestmark = pytest.mark.browser

TODAY = "2027-01-19"
ROSA, TOM = "1000001-6", "1000002-4"


@pytest.fixture(scope="module")
def collections_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from serve_demo_city(
        tmp_path_factory.mktemp("collections-server"),
        database_suffix="browser_collections",
        with_worker=True,
        extra_env={"CIVICBILL_TASK_BACKEND": "django_tasks_db.DatabaseBackend"},
        demo_city=False,
        prepare="tests.browser.collections_data",
        clock_at="2027-01-19T15:30:00+00:00",
    )


def test_the_supervisor_runs_collections_prints_finals_and_an_arrangement_leaves_the_shutoff_list(
    page: Any, collections_server: str
) -> None:
    server = collections_server
    sign_in(page, server, "supervisor")

    # the day's run: nothing run today yet; start it posted
    page.goto(f"{server}/collections/")
    expect(page.get_by_role("heading", name=f"Today, {TODAY}")).to_be_visible()
    page.get_by_role("link", name="Run collections").first.click()
    expect(page.get_by_label("Run date")).to_have_value(TODAY)
    page.get_by_label("Trial: list what it would do, post nothing").uncheck()
    page.get_by_role("button", name="Start the run").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(rf"Collections run \d+ of {TODAY}"))
    expect(page.locator("#run-status .badge")).to_have_text("Finished", timeout=60_000)
    expect(page.get_by_test_id("run-accounts")).to_have_text("2")
    expect(page.get_by_role("link", name="Eligible for shutoff (2)")).to_be_visible()

    # the worklist of today: both accounts past due, and both eligible for shutoff from this run
    page.get_by_role("navigation", name="Collections").get_by_role(
        "link", name="Delinquency worklist"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Delinquency worklist for {TODAY}")
    expect(page.get_by_text(re.compile(r"From run \d+: done and posted\."))).to_be_visible()
    past_due = page.locator("#worklist-past-due")
    expect(past_due.get_by_role("link", name=ROSA)).to_be_visible()
    expect(past_due.get_by_role("link", name=TOM)).to_be_visible()
    page.get_by_role("link", name="Eligible for shutoff (2)").click()
    expect(page.get_by_role("heading", name="Eligible for shutoff")).to_be_visible()
    actions = page.locator("#collection-actions tbody tr")
    expect(actions).to_have_count(2)
    expect(actions.filter(has_text=ROSA)).to_contain_text("Eligible for shutoff")
    expect(actions.filter(has_text=TOM)).to_contain_text("Eligible for shutoff")

    # the final notices went out with the run of Monday 2027-01-04: its print file has both letters
    page.goto(f"{server}/collections/notices/")
    january = page.get_by_role("row").filter(has=page.get_by_role("cell", name="2027-01-04", exact=True))
    january.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notices of the collections run of 2027-01-04")
    expect(page.get_by_role("row").filter(has_text=ROSA)).to_contain_text("Final notice")
    expect(page.get_by_role("row").filter(has_text=TOM)).to_contain_text("Final notice")
    href = page.get_by_role("link", name="Download the print file (PDF)").get_attribute("href")
    assert href is not None
    response = page.request.get(f"{server}{href}")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    data = response.body()
    assert data[:5] == b"%PDF-"
    text = " ".join(pdf_texts(data))
    assert "Peña" in text and "Baker" in text

    # the shutoff list of today: both accounts
    page.goto(f"{server}/collections/shutoff/?date={TODAY}")
    expect(page.get_by_label("Shutoff date")).to_have_value(TODAY)
    shutoff = page.locator("#shutoff-list tbody tr")
    expect(shutoff).to_have_count(2)
    for number, name in ((ROSA, "Rosa Peña"), (TOM, "Tom Baker")):
        row = page.get_by_role("row").filter(has=page.get_by_role("link", name=number, exact=True))
        expect(row.get_by_role("cell", name=name, exact=True)).to_be_visible()
        expect(row.get_by_role("cell", name="$173.90", exact=True)).to_be_visible()
        expect(row.get_by_role("checkbox", name=f"Schedule {number}")).to_be_checked()

    # Rosa comes to the counter: a CSR previews and saves a 12-month arrangement of her past-due balance
    page.context.clear_cookies()
    sign_in(page, server, "csr")
    page.goto(f"{server}/accounts/{ROSA}/collections/arrangement/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Payment arrangement")
    page.get_by_label("Kind").select_option("amortization")
    page.get_by_label("Monthly installments").fill("12")
    page.get_by_label("First installment due on").fill("2027-02-19")
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#arrangement-preview")
    expect(preview).to_contain_text("Schedule preview of $173.90 (not saved)")
    expect(preview.locator("tbody tr")).to_have_count(12)
    expect(preview.locator("tbody tr").first).to_contain_text("2027-02-19")
    page.get_by_role("button", name="Save the arrangement").click()
    expect(page.get_by_text("Payment arrangement recorded.")).to_be_visible()
    expect(page.get_by_role("heading", name="Honoured arrangement")).to_be_visible()
    expect(page.locator("#arrangement-schedule tbody tr")).to_have_count(12)

    # the shutoff list again: only Tom may be disconnected today
    page.goto(f"{server}/collections/shutoff/?date={TODAY}")
    expect(page.locator("#shutoff-list tbody tr")).to_have_count(1)
    expect(page.locator("#shutoff-list")).to_contain_text(TOM)
    expect(page.locator("#shutoff-list")).not_to_contain_text(ROSA)
