"""The collections run from the staff pages and the JSON API: start it (a background task, run at once
in these tests), follow it, read its actions by step, and the delinquency worklist."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from civicbill.collections.models import CollectionRun, PenaltyAssessment
from civicbill.customers.models import Account
from civicbill.ledger.selectors import check_books
from tests.collections.test_run import bill_cycle, billed  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def owing(billed: Callable[..., Account], technician: User, immediate_tasks: None) -> Account:  # noqa: F811
    account = billed()
    bill_cycle(technician)
    return account


def test_the_nav_shows_collections_to_whom_may_see_it(client: Client, csr: User, field_worker: User) -> None:
    client.force_login(csr)
    assert 'href="/collections/"' in client.get("/").content.decode()
    client.force_login(field_worker)
    assert 'href="/collections/"' not in client.get("/").content.decode()
    assert client.get("/collections/").status_code == 403


def test_a_trial_from_the_page_lists_the_penalty_then_the_posted_run_posts_it(
    client: Client, technician: User, owing: Account
) -> None:
    client.force_login(technician)
    assert client.get("/collections/runs/start/").status_code == 200
    response = client.post("/collections/runs/start/", {"run_date": "2026-11-30", "trial": "on"})
    trial = CollectionRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/collections/runs/{trial.pk}/"
    assert (trial.status, trial.trial, trial.task_id) == ("finished", True, f"collections-run:{trial.pk}")
    page = client.get(f"/collections/runs/{trial.pk}/?step=penalty").content.decode()
    assert owing.number in page and "$8.26" in page and "10% late penalty on bill" in page
    worklist = client.get("/collections/worklist/?day=2026-11-30&step=penalty").content.decode()
    assert owing.number in worklist and "$8.26" in worklist
    assert not PenaltyAssessment.objects.exists()

    client.post("/collections/runs/start/", {"run_date": "2026-11-30"})  # posted
    assert [a.amount_cents for a in PenaltyAssessment.objects.all()] == [826]
    worklist = client.get("/collections/worklist/?day=2026-11-30").content.decode()
    assert owing.number in worklist and "2026-11-30" in worklist  # past due now, since the run
    assert check_books().ok


def test_a_bad_date_is_refused_naming_the_field_and_a_clerk_may_not_run(
    client: Client, csr: User, technician: User, frozen: Any
) -> None:
    client.force_login(technician)
    response = client.post("/collections/runs/start/", {"run_date": "2026-13-40"})
    assert response.status_code == 422 and "Write the run date as YYYY-MM-DD." in response.content.decode()
    response = client.post("/collections/runs/start/", {"run_date": "2027-01-05"})  # posted, in the future
    assert response.status_code == 422 and "after today (2026-12-01)" in response.content.decode()
    client.force_login(csr)
    assert client.get("/collections/worklist/").status_code == 200
    assert (
        client.post("/collections/runs/start/", {"run_date": "2026-11-30", "trial": "on"}).status_code == 403
    )
    assert not CollectionRun.objects.exists()


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, body, content_type="application/json")


def test_the_api_starts_a_run_and_shows_it_with_its_actions(
    client: Client, technician: User, owing: Account
) -> None:
    client.force_login(technician)
    response = _post(client, "/api/collections/runs/", {"run_date": "2026-11-30", "trial": False})
    assert response.status_code == 202
    body = response.json()
    run = CollectionRun.objects.get()
    assert (body["run_id"], body["task_id"], body["run"]["status"]) == (
        run.pk,
        f"collections-run:{run.pk}",
        "finished",
    )
    shown = client.get(f"/api/collections/runs/{run.pk}?step=penalty").json()
    assert (shown["trial"], shown["counts"], shown["actions_total"]) == (
        False,
        {"past_due": 1, "penalty": 1, "late_notice": 1},
        1,
    )
    assert shown["progress"]["status"] == "succeeded" and shown["progress"]["done"] == 1
    [action] = shown["actions"]
    assert (action["account"], action["step"], action["amount_cents"]) == (owing.number, "penalty", 826)
    assert [row["id"] for row in client.get("/api/collections/runs/").json()] == [run.pk]
    refused = client.get(f"/api/collections/runs/{run.pk}?step=shutoff")
    assert (refused.status_code, refused.json()["field"]) == (400, "step")
    assert client.get("/api/collections/runs/999").status_code == 404
    bad = _post(client, "/api/collections/runs/", {"run_date": "27/11/2026"})
    assert bad.status_code == 422 and bad.json()["field"] == "run_date"


def test_the_api_refuses_a_clerk(client: Client, csr: User) -> None:
    client.force_login(csr)
    assert _post(client, "/api/collections/runs/", {"run_date": "2026-11-30"}).status_code == 403
    assert client.get("/api/collections/runs/").status_code == 200
