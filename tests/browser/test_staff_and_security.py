"""In a real browser, under the Content-Security-Policy: an administrator creates a staff user with a
temporary password; that person signs in, is kept on Change password until they choose their own, then
makes an API token; the language menu (no inline script) switches to Spanish; the API docs render.
No page logs a CSP violation or a script error."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.fixtures.server import sign_in

pytestmark = pytest.mark.browser


def test_staff_user_temporary_password_token_and_language_under_csp(page: Any, demo_server: str) -> None:
    problems: list[str] = []  # script errors and policy violations (a missing favicon is neither)
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))

    sign_in(page, demo_server, "admin")
    page.get_by_role("link", name="Staff", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff users")
    page.get_by_role("link", name="New staff user").click()
    page.get_by_label("User name").fill("nina")
    page.get_by_label("First name").fill("Nina")
    page.get_by_label("Last name").fill("Ortega")
    page.get_by_label("Role").select_option("CSR")
    page.get_by_label("Temporary password").fill("first-day-pass-9")
    page.get_by_role("button", name="Create").click()
    expect(page.locator("#staff-facts")).to_contain_text("must change password")

    # an account page's "Add note" link focuses the note box (a data-focus handler, not onclick)
    page.goto(f"{demo_server}/accounts/1000001-6/")  # the demo city's first account
    page.get_by_role("link", name="Add note").click()
    expect(page.locator("#id_body")).to_be_focused()

    # the API docs (Swagger UI, served from the project's static files) render under the policy
    page.goto(f"{demo_server}/api/docs")
    expect(page.locator(".swagger-ui .info")).to_be_visible()

    # Nina signs in with the temporary password and must choose her own first
    page.context.clear_cookies()
    page.goto(f"{demo_server}/")
    page.get_by_label("User name").fill("nina")
    page.get_by_label("Password").fill("first-day-pass-9")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/account/password/$"))
    page.goto(f"{demo_server}/counter/")
    page.wait_for_url(re.compile(r"/account/password/$"))
    page.get_by_label("Current password").fill("first-day-pass-9")
    page.get_by_label("New password", exact=True).fill("nina-own-pass-42")
    page.get_by_label("New password again").fill("nina-own-pass-42")
    page.get_by_role("button", name="Change password").click()
    page.wait_for_url(f"{demo_server}/")
    expect(page.locator(".messages")).to_contain_text("Your password is changed.")

    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("What the token is for").fill("laptop script")
    page.get_by_role("button", name="Make a token").click()
    expect(page.locator("#new-token code")).to_have_text(re.compile(r"^cb_"))
    page.get_by_role("button", name="Revoke").click()
    expect(page.locator(".messages")).to_contain_text("is revoked")

    # the language menu submits itself on change (civicbill.js), in Spanish afterwards
    page.get_by_label("Language").select_option("es")
    expect(page.get_by_role("link", name="Tokens de API")).to_be_visible()
    page.get_by_label("Idioma").select_option("en")
    expect(page.get_by_role("link", name="API tokens")).to_be_visible()

    assert problems == []
