"""``/api/bill-runs`` and ``/api/bills``: start a trial, follow it, resolve exceptions, commit, read a
bill and its PDF, cancel/rebill. Background tasks run immediately in these tests."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from civicbill.billing.models import Bill, BillException, BillRun
from tests.fixtures.database import assert_nothing_changed

pytestmark = pytest.mark.django_db


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, body, content_type="application/json")


def _start(client: Client) -> dict[str, Any]:
    response = _post(client, "/api/bill-runs/", {"cycle": "1", "period": "2026-11"})
    assert response.status_code == 202
    return response.json()


@pytest.fixture
def committed_run(client: Client, technician, billable_cycle) -> BillRun:
    client.force_login(technician)
    started = _start(client)
    for exception in BillException.objects.filter(run_id=started["run_id"]):
        _post(
            client,
            f"/api/bill-runs/{started['run_id']}/exceptions/{exception.pk}/resolve",
            {"resolution": "held"},
        )
    assert client.post(f"/api/bill-runs/{started['run_id']}/commit").status_code == 202
    return BillRun.objects.get(pk=started["run_id"])


def test_starting_a_trial_returns_the_run_and_its_task(client: Client, technician, billable_cycle):
    client.force_login(technician)
    body = _start(client)
    run = BillRun.objects.get()
    assert body["run_id"] == run.pk
    assert body["task_id"] == f"bill-run:{run.pk}:trial"
    assert [row["id"] for row in body["runs"]] == [run.pk]


def test_a_run_shows_status_progress_counts_and_exceptions_by_code(
    client: Client,
    technician,
    billable_cycle,
):
    client.force_login(technician)
    run_id = _start(client)["run_id"]
    body = client.get(f"/api/bill-runs/{run_id}").json()
    assert body["status"] == "trial"
    assert (body["accounts"], body["bills"], body["skipped"], body["total_billed_cents"]) == (2, 2, 1, 11275)
    assert body["progress"] == {
        "task_id": f"bill-run:{run_id}:trial",
        "status": "succeeded",
        "done": 2,
        "total": 2,
        "exceptions": 0,
        "percent": 100,
        "message": f"Run {run_id} is Trial ready for review",
    }
    assert body["exceptions_by_code"] == {"missing_read": 1, "rating_error": 1}
    assert body["open_blocking_exceptions"] == 2
    listed = client.get("/api/bill-runs/").json()
    assert [row["id"] for row in listed] == [run_id]


def test_resolving_an_exception_answers_with_its_decision(client: Client, technician, billable_cycle):
    client.force_login(technician)
    run_id = _start(client)["run_id"]
    exception = BillException.objects.get(run_id=run_id, code="missing_read")
    response = _post(
        client,
        f"/api/bill-runs/{run_id}/exceptions/{exception.pk}/resolve",
        {"resolution": "released", "note": "read by phone"},
    )
    assert response.status_code == 200
    assert response.json() == {
        "id": exception.pk,
        "code": "missing_read",
        "blocking": True,
        "message": "No read measured water use from 2026-10-29 to 2026-11-28",
        "account_number": "1000002-4",
        "bill_number": "202611-1000002-4",
        "resolution": "released",
        "resolution_note": "read by phone",
    }


def test_a_bad_month_is_refused_naming_the_field(client: Client, technician, billable_cycle):
    client.force_login(technician)
    with assert_nothing_changed():
        response = _post(client, "/api/bill-runs/", {"cycle": "1", "period": "11/2026"})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "period '11/2026' is not a billing month: write it as YYYY-MM, like 2026-11",
        "code": "invalid",
        "field": "period",
    }
    assert not BillRun.objects.exists()


def test_a_second_run_for_the_month_is_refused(client: Client, technician, billable_cycle):
    client.force_login(technician)
    run_id = _start(client)["run_id"]
    with assert_nothing_changed():
        response = _post(client, "/api/bill-runs/", {"cycle": "1", "period": "2026-11"})
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"Cycle 1 already has run {run_id} for 2026-11 (trial)",
        "code": "run_exists",
        "field": "period",
    }


def test_a_clerk_may_not_start_or_commit_a_run(client: Client, csr, technician, billable_cycle):
    client.force_login(csr)
    with assert_nothing_changed():
        response = _post(client, "/api/bill-runs/", {"cycle": "1", "period": "2026-11"})
    assert response.status_code == 403
    assert response.json() == {
        "detail": "csr may not start and review billing runs (trial) (billing.run)",
        "code": "permission_denied",
        "field": None,
    }
    client.force_login(technician)
    run_id = _start(client)["run_id"]
    client.force_login(csr)
    with assert_nothing_changed():
        assert client.post(f"/api/bill-runs/{run_id}/commit").status_code == 403
    assert BillRun.objects.get().status == "trial"


def test_unknown_runs_exceptions_and_bills_are_404(client: Client, technician, billable_cycle):
    client.force_login(technician)
    assert client.get("/api/bill-runs/999").json() == {
        "detail": "No billing run 999",
        "code": "not_found",
        "field": None,
    }
    assert client.post("/api/bill-runs/999/commit").status_code == 404
    run_id = _start(client)["run_id"]
    response = _post(client, f"/api/bill-runs/{run_id}/exceptions/999/resolve", {"resolution": "held"})
    assert response.status_code == 404
    assert response.json()["detail"] == f"No exception 999 in billing run {run_id}"
    assert client.get("/api/bills/NOPE").json() == {
        "detail": "No bill NOPE",
        "code": "not_found",
        "field": "number",
    }
    assert client.get("/api/bills/NOPE/pdf").status_code == 404


def test_commit_issues_and_the_bill_reads_back_with_its_lines(client: Client, technician, committed_run):
    assert committed_run.status == "committed"
    body = client.get("/api/bills/202611-1000001-6").json()
    assert (body["status"], body["account"], body["money"]["total_due_cents"]) == (
        "issued",
        "1000001-6",
        16095,
    )
    assert [(line["description"], line["amount_cents"]) for line in body["lines"]] == [
        ('Meter charge (3/4" meter)', 1202),
        ("Water usage, tier 1 (0–35.7097 HCF)", 2250),
        ("Sewer service", 3642),
    ]
    a_second_commit = client.post(f"/api/bill-runs/{committed_run.pk}/commit")
    assert a_second_commit.status_code == 400
    assert a_second_commit.json()["code"] == "run_not_ready"


def test_the_pdf_is_a_pdf(client: Client, technician, committed_run):
    response = client.get("/api/bills/202611-1000001-6/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="bill-202611-1000001-6.pdf"'
    assert response.content.startswith(b"%PDF-")


def test_cancel_rebill_returns_both_bills(client: Client, technician, committed_run):
    response = _post(client, "/api/bills/202611-1000001-6/cancel-rebill", {"reason": "read keyed wrong"})
    assert response.status_code == 201
    body = response.json()
    assert body["cancelled"]["status"] == "cancelled"
    assert body["cancelled"]["cancel_reason"] == "read keyed wrong"
    assert body["rebill"]["replaces"] == "202611-1000001-6"
    assert body["cancelled"]["replaced_by"] == body["rebill"]["number"]


def test_cancel_rebill_needs_a_reason_and_the_permission(client: Client, csr, technician, committed_run):
    with assert_nothing_changed():
        response = _post(client, "/api/bills/202611-1000001-6/cancel-rebill", {"reason": "   "})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Give the reason for cancelling this bill.",
        "code": "invalid",
        "field": "reason",
    }
    client.force_login(csr)
    with assert_nothing_changed():
        response = _post(client, "/api/bills/202611-1000001-6/cancel-rebill", {"reason": "why not"})
    assert response.status_code == 403
    assert Bill.objects.get(number="202611-1000001-6").status == "issued"


def test_the_unbilled_accounts_name_the_held_account_and_why(client: Client, committed_run, billable_cycle):
    luis = billable_cycle["luis"]
    body = client.get("/api/billing/unbilled?as_of=2026-12-01").json()
    assert (body["as_of"], body["count"], body["by_reason"]) == ("2026-12-01", 1, {"held": 1})
    [row] = body["accounts"]
    assert (row["account_number"], row["reason"], row["since"], row["held_draft"]) == (
        luis.number, "held", "2026-11", f"202611-{luis.number}",
    )  # fmt: skip
    assert row["unbilled_periods"][0]["run_id"] == committed_run.pk
    assert client.get("/api/billing/unbilled?as_of=2026-11-15").json()["count"] == 0  # before the bill date
    assert client.get("/api/billing/unbilled?cycle=2").json()["count"] == 0
    assert client.get("/api/billing/unbilled?as_of=someday").status_code == 422
