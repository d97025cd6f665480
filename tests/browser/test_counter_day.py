"""A counter clerk's first morning, in a real browser against a real demo server."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.fixtures.server import sign_in

pytestmark = pytest.mark.browser


def test_an_anonymous_visitor_is_sent_to_the_sign_in_page(page: Any, demo_server: str) -> None:
    page.goto(f"{demo_server}/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    expect(page.get_by_role("heading", name=re.compile("Sign in"))).to_be_visible()


def test_a_wrong_password_is_refused_kindly(page: Any, demo_server: str) -> None:
    page.goto(f"{demo_server}/login/")
    page.get_by_label("User name").fill("csr")
    page.get_by_label("Password").fill("not-the-password")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_have_text(re.compile("user name or password is not right"))


def test_a_clerk_finds_an_account_notes_a_call_then_moves_a_customer_in_and_out(
    page: Any, demo_server: str
) -> None:
    sign_in(page, demo_server, "csr")

    # "/" jumps to the search box from anywhere; a street finds several accounts
    page.locator("body").press("/")
    expect(page.get_by_label("Search accounts")).to_be_focused()
    page.keyboard.type("avenue 50")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("Accounts matching"))).to_be_visible()
    first_account = page.locator("#search-results tbody tr td a").first
    number = first_account.inner_text()
    first_account.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)
    expect(page.get_by_role("heading", name="Balance")).to_be_visible()

    # a note is saved in place, without leaving the page
    page.get_by_role("textbox", name="Note").fill("Customer asked about the new refuse day.")
    page.get_by_role("button", name="Save note").click()
    expect(page.locator("#notes")).to_contain_text("Customer asked about the new refuse day.")
    expect(page).to_have_url(re.compile(f"/accounts/{number}/$"))

    # the account number typed into the search box opens the account directly
    page.get_by_label("Search accounts").fill(number.replace("-", ""))
    page.get_by_label("Search accounts").press("Enter")
    expect(page).to_have_url(re.compile(f"/accounts/{number}/$"))

    # move a new customer in
    page.get_by_role("link", name="Move in").click()
    page.get_by_label("First name").fill("Rosa")
    page.get_by_label("Last name").fill("Quintero")
    page.get_by_label("Phone").fill("760-555-0199")
    page.get_by_label("Language for bills and letters").select_option("es")
    page.get_by_label("House number").fill("91")
    page.get_by_label("Street", exact=True).fill("Calle Nueva")
    page.get_by_label("Service starts on").fill("2026-12-01")
    page.get_by_role("button", name="Open account").click()
    expect(page.locator(".messages")).to_contain_text("opened")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Rosa Quintero")
    new_number = re.search(r"\d{7}-\d", heading.inner_text())
    assert new_number is not None
    expect(page.get_by_text("Spanish")).to_be_visible()

    # and out again
    page.get_by_role("link", name="Move out (stop service)").click()
    page.get_by_label("Last day of service").fill("2026-12-31")
    page.get_by_role("button", name="Stop service").click()
    expect(page.locator(".messages")).to_contain_text("Service ends on 2026-12-31")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Final")


def test_an_auditor_sees_the_audit_trail_but_no_buttons_that_change_anything(
    page: Any, demo_server: str
) -> None:
    sign_in(page, demo_server, "auditor")
    page.get_by_label("Search accounts").fill("avenue 50")
    page.get_by_label("Search accounts").press("Enter")
    page.locator("#search-results tbody tr td a").first.click()
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    expect(page.get_by_role("button", name="Save note")).to_have_count(0)
    expect(page.get_by_role("link", name="Move in")).to_have_count(0)


def test_the_staff_can_switch_the_screens_to_spanish(page: Any, demo_server: str) -> None:
    sign_in(page, demo_server, "technician")
    page.get_by_label("Language").select_option("es")
    expect(page.get_by_role("button", name="Buscar")).to_be_visible()
    page.get_by_label("Idioma").select_option("en")
    expect(page.get_by_role("button", name="Search")).to_be_visible()
