"""Reading a route, and a held read sent to the field and resolved, in a real browser."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.fixtures.server import sign_in

pytestmark = pytest.mark.browser


def _number(text: str) -> int:
    return int(text.replace(",", "").strip())


def test_a_route_is_read_a_low_read_goes_to_a_reread_and_the_field_completes_it(
    page: Any, demo_server: str
) -> None:
    sign_in(page, demo_server, "technician")
    page.get_by_role("link", name="Route entry").click()
    page.get_by_label("Read route").fill("R01001")
    page.get_by_role("button", name="Open route").click()
    expect(page.get_by_role("heading", name=re.compile("meters? in read order"))).to_be_visible()

    rows = page.locator("#route-table tbody tr")
    first, second = rows.nth(0), rows.nth(1)
    first_serial = first.locator("td").nth(2).locator("a").inner_text()
    second_serial = second.locator("td").nth(2).locator("a").inner_text()
    expected = first.locator("td").nth(4).inner_text()  # "60,813 – 60,990"
    low, high = (_number(part) for part in expected.split("–"))
    second_previous = _number(second.locator("td").nth(3).inner_text().splitlines()[0])

    # a plausible read for the first meter: accepted, and the cursor moves on to the second meter
    box = page.get_by_label(f"Read for meter {first_serial}")
    box.fill(str((low + high) // 2 if high >= low else high))
    box.press("Enter")
    expect(first.locator(".route-result")).to_contain_text("Accepted")
    expect(page.get_by_label(f"Read for meter {second_serial}")).to_be_focused()

    # a read below the previous one on the second meter: held for review
    page.keyboard.type(str(second_previous - 7))
    page.keyboard.press("Enter")
    expect(second.locator(".route-result")).to_contain_text("Held for review")

    # the technician sends it to the field for a re-read
    page.get_by_role("link", name="Read exceptions").click()
    row = page.locator("tbody tr", has_text=second_serial)
    row.get_by_role("button", name="Send a re-read work order").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Re-read")
    work_order_url = page.url

    # the field worker reads the meter again and completes the work order
    page.context.clear_cookies()
    sign_in(page, demo_server, "field")
    page.goto(work_order_url)
    page.get_by_label("Meter read").fill(str(second_previous + 120))
    page.get_by_label("Findings").fill("Read again at the box; the first read was mistyped.")
    page.get_by_role("button", name="Complete").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Completed")
    expect(page.locator("#exception-heading + dl")).to_contain_text("Resolved by a re-read")
