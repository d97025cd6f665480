"""The shutoff list page (proof, bulk "schedule shutoff") and an account's shutoff panel."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from civicbill.collections.models import ContactAttempt, Shutoff
from tests.collections.notices_on_file import notice_on_file

pytestmark = pytest.mark.django_db
ZONE = ZoneInfo("America/Los_Angeles")


def test_the_supervisor_schedules_the_listed_shutoffs_and_records_the_result(
    make_account: Any, technician: Any, supervisor: Any, csr: Any, client: Any
) -> None:
    account = make_account(owing={"water": "180.40", "sewer": "95.10"}, last_name="Listed")
    at = dt.datetime(2027, 1, 13, 17, tzinfo=ZONE)
    notice_on_file(account, dt.date(2027, 1, 13), dt.date(2027, 1, 26), technician, at=at)
    ContactAttempt.objects.create(account=account, attempted_at=dt.datetime(2027, 1, 26, 10, tzinfo=ZONE),
                                  channel="phone", outcome="reached", recorded_by=technician,
                                  recorded_at=at)  # fmt: skip
    client.force_login(csr)
    page = client.get("/collections/shutoff/?date=2027-02-01")
    assert page.status_code == 200
    assert account.number in page.content.decode() and "Schedule shutoff" not in page.content.decode()
    refused = client.post("/collections/shutoff/", {"date": "2027-02-01", "accounts": [account.number]})
    assert refused.status_code == 403
    client.force_login(supervisor)
    page = client.get("/collections/shutoff/?date=2027-02-01").content.decode()
    assert "63 days delinquent" in page and "Schedule shutoff" in page
    client.post("/collections/shutoff/", {"date": "2027-02-01", "accounts": [account.number]})
    shutoff = Shutoff.objects.get(account=account)
    assert (shutoff.scheduled_on, shutoff.past_due_cents) == (dt.date(2027, 2, 1), 27550)
    panel = client.get(f"/collections/accounts/{account.number}/shutoff/?date=2027-02-01").content.decode()
    assert "Record the result" in panel and shutoff.work_order.number in panel
