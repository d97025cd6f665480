"""The payment arrangement page (preview, save, agreement PDF, cancel) and the JSON API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from civicbill.collections.arrangement_document import agreement_html
from civicbill.collections.models import Arrangement
from civicbill.customers.models import Account
from tests.collections.test_run import at, bill_cycle, billed  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db
AGREED = dt.date(2026, 11, 23)


@pytest.fixture
def owing(billed: Callable[..., Account], technician: User) -> Account:  # noqa: F811
    account = billed()
    bill_cycle(technician)
    return account


@pytest.fixture
def on_agreement_day() -> Any:
    with time_machine.travel(at(AGREED), tick=False) as traveller:
        yield traveller


def test_preview_shows_the_schedule_without_saving_then_save_records_it_and_cancel_ends_it(
    client: Client, csr: User, owing: Account, on_agreement_day: Any
) -> None:
    client.force_login(csr)
    url = f"/accounts/{owing.number}/collections/arrangement/"
    assert "arrangement-form" in client.get(url).content.decode()
    form = {"kind": "amortization", "months": "3", "first_due_on": "2026-12-21", "terms": "", "language": ""}
    page = client.post(url, {**form, "preview": "1"}).content.decode()
    assert "arrangement-preview" in page and "$27.55" in page and "2027-02-21" in page
    assert not Arrangement.objects.exists()
    refused = client.post(url, {**form, "months": "13", "preview": "1"}).content.decode()
    assert "between 1 and 12" in refused
    response = client.post(url, {**form, "save": "1"})
    assert response.status_code == 302
    arrangement = Arrangement.objects.get()
    assert (arrangement.delinquent_cents, arrangement.status) == (8261, "active")
    page = client.get(url).content.decode()
    assert "arrangement-schedule" in page and "arrangement-pdf" in page
    pdf = client.get(f"{url}{arrangement.pk}/agreement.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    client.post(f"{url}{arrangement.pk}/cancel/", {"reason": "Customer asked"})
    arrangement.refresh_from_db()
    assert (arrangement.status, arrangement.end_reason) == ("cancelled", "Customer asked")


def test_the_agreement_is_in_the_customers_language(csr: User, owing: Account) -> None:
    from civicbill.collections.services.arrangements import arrangement_create

    arrangement = arrangement_create(account=owing, kind="deferral", first_due_on=dt.date(2027, 1, 15),
                                     language="es", actor=csr, at=at(AGREED))  # fmt: skip
    spanish = agreement_html(arrangement)
    assert "Acuerdo de pago" in spanish and "$82.61" in spanish and "60 días" in spanish
    assert "facturas corrientes" in spanish
    english = agreement_html(arrangement, "en")
    assert "Your current bills stay due" in english and "60 days after its due date" in english


def test_a_field_worker_may_see_but_not_arrange(client: Client, field_worker: User, owing: Account) -> None:
    client.force_login(field_worker)
    url = f"/accounts/{owing.number}/collections/arrangement/"
    response = client.post(url, {"kind": "deferral", "first_due_on": "2027-01-15", "save": "1"})
    assert response.status_code == 403 and not Arrangement.objects.exists()


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, body, content_type="application/json")


def test_the_api_previews_creates_shows_and_cancels(
    client: Client, csr: User, owing: Account, on_agreement_day: Any
) -> None:
    client.force_login(csr)
    base = f"/api/collections/arrangements/{owing.number}"
    installments = [
        {"due_on": "2026-12-15", "amount_cents": 2000},
        {"due_on": "2027-01-15", "amount_cents": 6000},
    ]
    body: dict[str, Any] = {"kind": "alternative", "installments": installments}
    refused = _post(client, f"{base}/preview", body)
    assert refused.status_code == 400 and refused.json()["field"] == "amounts"
    body["installments"][1]["amount_cents"] = 6261
    shown = _post(client, f"{base}/preview", body).json()
    assert [i["amount_cents"] for i in shown["installments"]] == [
        2000,
        6261,
    ] and not Arrangement.objects.exists()
    made = _post(client, base, {**body, "terms": "Two payments"})
    assert made.status_code == 201 and made.json()["delinquent_cents"] == 8261
    assert client.get(base).json()["installments"][0] == {
        "sequence": 1,
        "due_on": "2026-12-15",
        "amount_cents": 2000,
    }
    again = _post(client, base, body)
    assert again.status_code == 400 and again.json()["field"] == "account"
    cancelled = _post(client, f"{base}/cancel", {"reason": "Recorded in error"})
    assert cancelled.json()["status"] == "cancelled"
