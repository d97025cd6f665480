"""A day at the counter in a real browser: a supervisor adds a drawer, a cashier opens it, takes a cash
payment with change, prints the receipt, closes the drawer, and the supervisor approves the close."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.fixtures.server import sign_in

pytestmark = pytest.mark.browser


def _switch_user(page: Any, server: str, username: str) -> None:
    page.context.clear_cookies()
    sign_in(page, server, username)


def test_open_a_drawer_take_cash_with_change_print_close_and_approve(page: Any, demo_server: str) -> None:
    # the supervisor adds a drawer of its own on the drawer sessions page (the demo city has CH-1, CH-2)
    sign_in(page, demo_server, "supervisor")
    page.goto(f"{demo_server}/counter/sessions/")
    page.get_by_label("Drawer code").fill("BT-1")
    page.get_by_label("Drawer name").fill("Browser window")
    page.get_by_role("button", name="Add drawer").click()
    expect(page.locator("#drawers")).to_contain_text("BT-1 — Browser window")

    # the cashier opens the drawer with a counted float of 200.00
    _switch_user(page, demo_server, "csr")
    page.get_by_role("link", name="Counter", exact=True).click()
    page.get_by_label("Drawer").select_option("BT-1")
    page.get_by_label("Starting float you counted").fill("200.00")
    page.get_by_role("button", name="Open drawer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("My drawer: BT-1")

    # take a payment: find the account by number, 45.50 paid with a 50.00 bill
    page.get_by_role("link", name="Take a payment").click()
    expect(page.get_by_label(re.compile("Find the account"))).to_be_focused()
    page.keyboard.type("1000001")
    page.keyboard.press("Enter")
    amount = page.locator("input.pay-amount")
    expect(amount).to_have_count(1)
    amount.fill("45.50")
    page.get_by_label("Cash handed over").fill("50.00")
    expect(page.locator("#pay-total")).to_have_text("$45.50")
    expect(page.locator("#change-due")).to_have_text("$4.50")  # worked out while typing
    page.get_by_role("button", name="Post payment").click()

    # the receipt page: the 80 mm receipt, a Print button, the PDF
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile(r"Receipt \d+-0001"))
    receipt_number = page.get_by_role("heading", level=1).inner_text().split()[-1]
    expect(page.get_by_role("button", name="Print", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="PDF")).to_be_visible()
    facts = page.locator("#receipt-facts")
    expect(facts).to_contain_text("$45.50")
    expect(facts).to_contain_text("$4.50")
    printed = page.frame_locator("#receipt-frame").locator("body")
    expect(printed).to_contain_text(receipt_number)
    expect(printed).to_contain_text("45.50")
    expect(printed).to_contain_text("50.00")
    expect(printed).to_contain_text("4.50")
    page.get_by_role("button", name="Print", exact=True).click()  # the browser's print of the receipt frame

    # close the drawer: 200.00 float + 45.50 cash = 2 x 100, 2 x 20, 1 x 5, 1 x 50c
    page.get_by_role("link", name="Counter", exact=True).click()
    expect(page.locator("#tender-totals")).to_contain_text("$45.50")
    page.get_by_role("link", name="Close drawer").click()
    page.get_by_label("$100", exact=True).fill("2")
    page.get_by_label("$20", exact=True).fill("2")
    page.get_by_label("$5", exact=True).fill("1")
    page.get_by_label("50¢", exact=True).fill("1")
    expect(page.locator("#cash-counted")).to_have_text("$245.50")
    page.get_by_role("button", name="Close drawer").click()
    expect(page.locator("#session-status")).to_have_text("Closed")
    comparison = page.locator("#close-comparison")
    expect(comparison).to_contain_text("$245.50")
    expect(comparison.locator("tr", has_text="Total")).to_contain_text("$0.00")
    expect(page.get_by_text("This session is closed: it is read-only.")).to_be_visible()
    session_url = page.url

    # the supervisor reviews and approves the close
    _switch_user(page, demo_server, "supervisor")
    page.goto(f"{demo_server}/counter/sessions/")
    expect(page.locator("#sessions")).to_contain_text("BT-1")
    page.get_by_role("link", name=re.compile("Review and approve BT-1")).click()
    assert page.url == session_url
    page.get_by_role("button", name="Approve close").click()
    expect(page.get_by_role("status")).to_contain_text("Drawer BT-1 of csr approved.")
    expect(page.locator("#sessions")).to_contain_text("Approved")
