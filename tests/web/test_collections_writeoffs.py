"""The write-off pages: a technician proposes a batch, a supervisor approves it on its page, the closed
account's balance moves to the customer's active account, and the report and policy download."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from civicbill.collections.models import WriteOffBatch
from civicbill.core.money import Money
from civicbill.customers import services as customer_services
from civicbill.customers.models import Premise
from civicbill.ledger.selectors import account_balance, check_books


@pytest.fixture
def moved_out(make_account: Any, csr: Any) -> Any:
    account = make_account(first_name="Ana", last_name="Ruiz", owing={"water": "48.20", "sewer": "41.81"})
    return customer_services.account_close(account=account, end_date=dt.date(2026, 11, 30), actor=csr)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_technician_proposes_and_a_supervisor_approves_on_the_batch_page(
    moved_out: Any, technician: Any, supervisor: Any
) -> None:
    page = _client(technician).post("/collections/writeoffs/", {"as_of": "2027-06-01", "note": "June"})
    batch = WriteOffBatch.objects.get()
    assert page.status_code == 302 and page["Location"] == f"/collections/writeoffs/{batch.pk}/"
    own = _client(technician).get(f"/collections/writeoffs/{batch.pk}/")
    assert "Ana Ruiz" in own.content.decode() and "Approve and post" not in own.content.decode()
    shown = _client(supervisor).get(f"/collections/writeoffs/{batch.pk}/")
    assert "Approve and post" in shown.content.decode() and "$90.01" in shown.content.decode()
    _client(supervisor).post(f"/collections/writeoffs/{batch.pk}/approve/", {"note": ""})
    batch.refresh_from_db()
    assert batch.status == "posted" and account_balance(moved_out) == Money.zero()
    csv = _client(supervisor).get(f"/collections/writeoffs/{batch.pk}/agency.csv")
    assert csv["Content-Type"].startswith("text/csv") and moved_out.number in csv.content.decode()
    assert check_books().ok


def test_a_csr_may_look_but_not_propose(moved_out: Any, csr: Any) -> None:
    assert _client(csr).get("/collections/closed-unpaid/").status_code == 200
    assert _client(csr).post("/collections/writeoffs/", {"as_of": "2027-06-01"}).status_code == 403
    assert not WriteOffBatch.objects.exists()


def test_the_closed_unpaid_page_transfers_the_balance_to_the_active_account(
    moved_out: Any, technician: Any, csr: Any
) -> None:
    premise = Premise.objects.create(house_number="9", street_name="Calle Verde", city="Coachella",
                                     zip_code="92236", search_address="9 CALLE VERDE",
                                     created_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))  # fmt: skip
    active = customer_services.account_open(
        customer=moved_out.customer, premise=premise, services=[("water", "W-RES")],
        start_date=dt.date(2026, 12, 1), as_of=dt.date(2026, 12, 1), actor=csr,
    )  # fmt: skip
    listed = _client(technician).get("/collections/closed-unpaid/").content.decode()
    assert moved_out.number in listed and active.number in listed
    _client(technician).post(
        f"/collections/closed-unpaid/{moved_out.number}/transfer/",
        {"to_account": active.number, "reason": "Moved to Calle Verde"},
    )
    assert (account_balance(moved_out), account_balance(active)) == (Money.zero(), Money.parse("90.01"))


def test_the_report_and_the_policy_download(supervisor: Any) -> None:
    client = _client(supervisor)
    assert "Total" in client.get("/collections/shutoff-report/?year=2026").content.decode()
    csv = client.get("/collections/shutoff-report/?year=2026&format=csv").content.decode()
    assert csv.splitlines()[-1] == "2026,total,0"
    assert client.get("/collections/shutoff-policy/").status_code == 200
    pdf = client.get("/collections/shutoff-policy/vi.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content[:5] == b"%PDF-"
    assert client.get("/collections/shutoff-policy/fr.pdf").status_code == 404
