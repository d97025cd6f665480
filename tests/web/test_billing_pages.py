"""Billing run pages and bill pages: start a trial (a background task; immediate in tests), review
its exceptions, commit, and read the bills."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from civicbill.billing.models import Bill, BillException, BillRun
from civicbill.billing.services import billing_cycle_ensure
from civicbill.core import clock
from civicbill.customers import services as customer_services
from civicbill.meters.conversion import MeterRow, meters_convert
from civicbill.rates.services import load_demo_schedules_trusted
from tests.fixtures.database import assert_nothing_changed

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)
NOVEMBER = dt.date(2026, 11, 1)


@pytest.fixture
def immediate_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def billable_cycle(frozen, supervisor, technician, csr, rosa_account, immediate_tasks) -> dict[str, Any]:
    """Cycle 1 (read on the 28th) with Rosa (water read 2026-10-28 → 2026-11-28, 15 HCF) and Luis (a
    water agreement but no meter: a missing read)."""
    load_demo_schedules_trusted(actor=supervisor, as_of=TODAY)
    billing_cycle_ensure(number=1, name="Cycle 1", read_day=28, actor=technician, at=clock.now())
    meters_convert(
        rows=[
            MeterRow(
                serial_number="BA30000001", make="Badger", model="M25", size="3/4", meter_type="amr", dials=5,
                read_unit="CF", premise_id=rosa_account.premise_id, read_route="R01001", route_sequence=10,
                installed_on=dt.date(2026, 10, 1), install_read=Decimal(1_000),
                reads=((dt.date(2026, 10, 28), Decimal(2_000)), (dt.date(2026, 11, 28), Decimal(3_500))),
            )
        ],
        received_on=dt.date(2026, 10, 1),
        actor=technician,
    )  # fmt: skip
    luis = customer_services.move_in_new_customer(
        data={
            "kind": "person", "first_name": "Luis", "last_name": "Ortega", "phone": "760-555-0177",
            "email": "",
            "preferred_language": "en", "house_number": "60", "street_name": "Avenue 50", "city": "Coachella",
            "zip_code": "92236", "premise_type": "single_family", "dwelling_units": 1, "billing_cycle": 1,
            "start_date": dt.date(2026, 10, 1), "mailing_same_as_service": True,
        },
        services=[("water", "W-RES"), ("sewer", "S-RES")],
        actor=csr,
        as_of=dt.date(2026, 10, 1),
    )  # fmt: skip
    return {"rosa": rosa_account, "luis": luis}


def _start_trial(client: Client, user: Any) -> BillRun:
    client.force_login(user)
    response = client.post("/billing/runs/start/", {"cycle": "1", "period": "2026-11"})
    run = BillRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/billing/runs/{run.pk}/"
    return run


def _resolve(client: Client, run: BillRun, exception: BillException, resolution: str, note: str = "") -> Any:
    return client.post(
        f"/billing/runs/{run.pk}/exceptions/{exception.pk}/resolve/",
        {"resolution": resolution, "note": note},
        HTTP_HX_REQUEST="true",
    )


@pytest.fixture
def committed(client: Client, technician, billable_cycle) -> BillRun:
    """November billed: Luis's exceptions held, Rosa's bill issued and posted."""
    run = _start_trial(client, technician)
    for exception in BillException.objects.filter(run=run):
        _resolve(client, run, exception, "held", "meter to be set")
    response = client.post(f"/billing/runs/{run.pk}/commit/")
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == BillRun.Status.COMMITTED
    return run


def test_a_technician_starts_a_trial_and_sees_counts_exceptions_and_the_register(
    client: Client, technician, billable_cycle
):
    run = _start_trial(client, technician)
    page = client.get(f"/billing/runs/{run.pk}/").content.decode()
    assert "Trial ready for review" in page
    assert '<progress id="run-progress-bar" max="100" value="100"' in page
    assert '<dd data-testid="run-accounts">2</dd>' in page
    assert '<dd data-testid="run-bills">2</dd>' in page
    assert "$112.75" in page  # Rosa 70.94 (prorated: moved in 2026-11-02) + Luis 41.81 sewer
    assert (
        '<a href="?code=missing_read#exceptions-heading">Missing read</a></th><td class="money">1</td>'
        '<td class="money">0</td><td class="money">0</td><td class="money">1</td>'
    ) in page
    assert "No read measured water use from 2026-10-29 to 2026-11-28" in page
    assert '<a href="/accounts/1000002-4/">1000002-4</a>' in page
    assert "Commit: issue and post the bills" in page
    assert "Billing register" in page
    assert "Drafts: nothing is posted until the commit." in page
    listing = client.get("/billing/runs/").content.decode()
    assert f'<a href="/billing/runs/{run.pk}/">Run {run.pk}</a>' in listing


def test_exceptions_filter_by_code(client: Client, technician, billable_cycle):
    run = _start_trial(client, technician)
    page = client.get(f"/billing/runs/{run.pk}/?code=rating_error").content.decode()
    table = page[page.index('<table id="run-exceptions">') :]
    assert "no meter_size was given" in table
    assert "No read measured water use" not in table


def test_a_month_that_is_not_a_month_is_refused_next_to_the_field(client: Client, technician, billable_cycle):
    client.force_login(technician)
    with assert_nothing_changed():
        response = client.post("/billing/runs/start/", {"cycle": "1", "period": "November"})
    assert response.status_code == 422
    assert "“November” is not a month: type it as year-month, like 2026-11." in response.content.decode()
    assert not BillRun.objects.exists()


def test_a_second_run_for_the_same_month_is_refused_naming_the_first(
    client: Client, technician, billable_cycle
):
    run = _start_trial(client, technician)
    with assert_nothing_changed():
        response = client.post("/billing/runs/start/", {"cycle": "1", "period": "2026-11"})
    assert response.status_code == 422
    assert f"Cycle 1 already has run {run.pk} for 2026-11 (trial)" in response.content.decode()
    assert BillRun.objects.count() == 1


def test_a_clerk_may_not_start_or_see_billing_runs(client: Client, csr, billable_cycle):
    client.force_login(csr)
    assert client.get("/billing/runs/").status_code == 403
    with assert_nothing_changed():
        response = client.post("/billing/runs/start/", {"cycle": "1", "period": "2026-11"})
    assert response.status_code == 403
    assert not BillRun.objects.exists()


def test_release_and_hold_swap_the_row_in_place_and_are_audited(client: Client, technician, billable_cycle):
    from civicbill.core.models import AuditEvent

    run = _start_trial(client, technician)
    missing = BillException.objects.get(run=run, code="missing_read")
    response = _resolve(client, run, missing, "released", "customer read the meter on the phone")
    assert response.status_code == 200
    row = response.content.decode()
    assert row.startswith(f'<tr id="exception-{missing.pk}">')
    assert "Released: bill it" in row
    assert "customer read the meter on the phone" in row
    missing.refresh_from_db()
    assert (missing.resolution, missing.resolved_by) == ("released", technician)
    response = _resolve(client, run, missing, "held")
    missing.refresh_from_db()
    assert missing.resolution == "held"
    assert AuditEvent.objects.filter(action="bill_exception.resolve").count() == 2


def test_an_unknown_decision_is_refused_and_changes_nothing(client: Client, technician, billable_cycle):
    run = _start_trial(client, technician)
    missing = BillException.objects.get(run=run, code="missing_read")
    response = _resolve(client, run, missing, "ignore")
    assert response.status_code == 200  # htmx swaps the row with the message in it
    assert (
        '<p class="error" role="alert">Select a valid choice. ignore is not one of the available choices.</p>'
        in response.content.decode()
    )
    missing.refresh_from_db()
    assert missing.resolution == "open"


def test_commit_issues_the_released_bills_posts_them_and_the_register_ties(
    client: Client, technician, committed
):
    rosa_bill = Bill.objects.get(account__number="1000001-6")
    luis_bill = Bill.objects.get(account__number="1000002-4")
    assert (rosa_bill.status, luis_bill.status) == ("issued", "draft")
    assert rosa_bill.journal_entry_id is not None
    page = client.get(f"/billing/runs/{committed.pk}/").content.decode()
    assert "Committed" in page
    assert "Ties to the journal." in page
    assert "Commit: issue and post the bills" not in page
    assert 'name="resolution" value="released"' not in page  # decisions are closed after the commit


def test_a_clerk_may_not_commit(client: Client, csr, technician, billable_cycle):
    run = _start_trial(client, technician)
    client.force_login(csr)
    with assert_nothing_changed():
        assert client.post(f"/billing/runs/{run.pk}/commit/").status_code == 403
    run.refresh_from_db()
    assert run.status == BillRun.Status.TRIAL


def test_the_status_panel_polls_while_running_and_reloads_the_page_when_done(
    client: Client, technician, billable_cycle
):
    run = _start_trial(client, technician)
    BillRun.objects.filter(pk=run.pk).update(status=BillRun.Status.TRIAL_RUNNING)
    running = client.get(f"/billing/runs/{run.pk}/status/", HTTP_HX_REQUEST="true")
    assert f'hx-get="/billing/runs/{run.pk}/status/" hx-trigger="every 1s"' in running.content.decode()
    assert "HX-Refresh" not in running
    BillRun.objects.filter(pk=run.pk).update(status=BillRun.Status.TRIAL)
    done = client.get(f"/billing/runs/{run.pk}/status/", HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"
    assert "hx-trigger" not in done.content.decode()


def test_an_unknown_run_is_a_kind_404(client: Client, technician, billable_cycle):
    client.force_login(technician)
    response = client.get("/billing/runs/999/")
    assert response.status_code == 404
    assert "No billing run 999." in response.content.decode()


def test_the_account_page_lists_its_bills_with_links(client: Client, csr, committed):
    client.force_login(csr)
    account_page = client.get("/accounts/1000001-6/").content.decode()
    assert 'hx-get="/accounts/1000001-6/bills/" hx-trigger="load"' in account_page
    section = client.get("/accounts/1000001-6/bills/", HTTP_HX_REQUEST="true").content.decode()
    assert '<a href="/bills/202611-1000001-6/">202611-1000001-6</a>' in section
    assert "2026-10-29 – 2026-11-28" in section
    assert '<td class="money">$160.95</td><td>2026-12-21</td>' in section
    assert '<a href="/bills/202611-1000001-6/pdf/"' in section
    assert "estimated" not in section
    assert "All 1 bill" not in section  # every bill is shown
    # a draft (Luis's held bill) is not a bill the customer has
    assert (
        "No bills yet." in client.get("/accounts/1000002-4/bills/", HTTP_HX_REQUEST="true").content.decode()
    )


def test_a_bill_page_shows_reads_money_and_lines_by_service(client: Client, csr, committed):
    client.force_login(csr)
    page = client.get("/bills/202611-1000001-6/").content.decode()
    assert "Issued" in page
    assert "2,000 on 2026-10-28" in page
    assert "3,500 on 2026-11-28" in page
    assert "15 HCF" in page
    assert "Water usage, tier 1 (0–35.7097 HCF)" in page
    assert '<td class="money">$22.50</td>' in page
    assert '<td class="money" data-testid="bill-total"><strong>$160.95</strong></td>' in page
    assert "Cancel and rebill" not in page  # a clerk may not


def test_the_bill_pdf_is_served_inline_as_a_pdf(client: Client, csr, committed):
    client.force_login(csr)
    response = client.get("/bills/202611-1000001-6/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="bill-202611-1000001-6.pdf"'
    assert response.content.startswith(b"%PDF-")


def test_an_unknown_bill_is_a_kind_404(client: Client, csr, committed):
    client.force_login(csr)
    response = client.get("/bills/NOPE/")
    assert response.status_code == 404
    assert "No bill NOPE." in response.content.decode()


def test_cancel_rebill_needs_a_reason_then_shows_both_bills(client: Client, technician, committed):
    client.force_login(technician)
    with assert_nothing_changed():
        refused = client.post("/bills/202611-1000001-6/cancel-rebill/", {"reason": "  "})
    assert refused.status_code == 422
    assert "Give the reason for cancelling this bill." in refused.content.decode()
    assert Bill.objects.get(number="202611-1000001-6").status == "issued"
    response = client.post("/bills/202611-1000001-6/cancel-rebill/", {"reason": "read keyed wrong"})
    assert response.status_code == 302
    old = Bill.objects.get(number="202611-1000001-6")
    new = Bill.objects.get(replaces=old)
    assert old.status == "cancelled"
    page = client.get(response["Location"]).content.decode()
    assert f"Bill 202611-1000001-6 is cancelled and reversed; the corrected bill is {new.number}." in page
    assert f'Corrected bill: <a href="/bills/{new.number}/">{new.number}</a>' in page
    new_page = client.get(f"/bills/{new.number}/").content.decode()
    assert 'This bill corrects <a href="/bills/202611-1000001-6/">202611-1000001-6</a>' in new_page


def test_an_auditor_reads_bills_but_may_not_cancel_them(client: Client, auditor, committed):
    client.force_login(auditor)
    assert client.get("/bills/202611-1000001-6/").status_code == 200
    with assert_nothing_changed():
        response = client.post("/bills/202611-1000001-6/cancel-rebill/", {"reason": "just because"})
    assert response.status_code == 403
    assert Bill.objects.get(number="202611-1000001-6").status == "issued"


def test_explain_this_bill_gives_each_line_in_plain_words(client: Client, csr, committed):
    client.force_login(csr)
    partial = client.get("/bills/202611-1000001-6/explain/", HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('<section class="panel" id="explanation"')
    assert "Meter BA30000001: " in partial
    assert "rate W-RES from 2017-07-01" in partial
    assert "$160.95 due by" in partial
    page = client.get("/bills/202611-1000001-6/?explain=1").content.decode()
    assert 'id="explanation"' in page and "rate W-RES from 2017-07-01" in page


def test_after_move_out_and_the_move_out_read_a_clerk_issues_the_final_bill(
    client: Client, csr, technician, committed, frozen
):
    from civicbill.meters.services.reads import read_record

    client.force_login(csr)
    client.post("/accounts/1000001-6/move-out/", {"end_date": "2026-12-10", "reason": "moving away"})
    frozen.move_to(dt.datetime(2026, 12, 10, 18, 0, tzinfo=dt.UTC))
    client.force_login(csr)  # a new working day, a new session
    section = client.get("/accounts/1000001-6/bills/", HTTP_HX_REQUEST="true").content.decode()
    assert '<form method="post" action="/accounts/1000001-6/final-bill/">' in section
    refused = client.post("/accounts/1000001-6/final-bill/", follow=True).content.decode()
    assert "No read measured water use from 2026-11-29 to 2026-12-10" in refused
    assert not Bill.objects.filter(kind="final").exists()
    read_record(
        meter_serial="BA30000001", read_on=dt.date(2026, 12, 10), value=Decimal(3_950), source="manual",
        actor=technician, as_of=dt.date(2026, 12, 10),
    )  # fmt: skip
    response = client.post("/accounts/1000001-6/final-bill/")
    final = Bill.objects.get(kind="final")
    assert response.status_code == 302
    assert response["Location"] == f"/bills/{final.number}/"
    assert (final.status, final.period_start, final.period_end) == (
        "issued",
        dt.date(2026, 11, 29),
        dt.date(2026, 12, 10),
    )
    page = client.get(response["Location"]).content.decode()
    assert f"Final bill {final.number} issued" in page
    section = client.get("/accounts/1000001-6/bills/", HTTP_HX_REQUEST="true").content.decode()
    assert "Issue the final bill" not in section
    assert f'<a href="/bills/{final.number}/">{final.number}</a> <span class="badge">Final</span>' in section


def test_a_field_worker_may_not_issue_a_final_bill(client: Client, field_worker, committed):
    client.force_login(field_worker)
    with assert_nothing_changed():
        assert client.post("/accounts/1000001-6/final-bill/").status_code == 403


def test_a_decision_after_the_commit_is_refused_in_the_row(client: Client, technician, committed):
    held = BillException.objects.filter(run=committed).first()
    assert held is not None
    response = _resolve(client, committed, held, "released")
    assert (
        f'<p class="error" role="alert">Run {committed.pk} is committed; '
        "exceptions are decided while the trial is in review</p>"
    ) in response.content.decode()
    held.refresh_from_db()
    assert held.resolution == "held"


def test_accounts_left_unbilled_are_listed_counted_on_the_run_and_home_pages(
    client: Client, technician, csr, committed, billable_cycle
):
    luis = billable_cycle["luis"]
    page = client.get("/billing/unbilled/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "1 account left unbilled" in html
    assert f'href="/accounts/{luis.number}/"' in html
    assert f'href="/bills/202611-{luis.number}/"' in html
    assert "Held by staff" in html and "2026-11" in html
    assert f"/billing/runs/{committed.pk}/" in html
    assert (
        "1 account left unbilled"
        in client.get("/billing/unbilled/?reason=held&sort=-amount").content.decode()
    )
    assert "0 accounts left unbilled" in client.get("/billing/unbilled/?reason=no_run").content.decode()
    home = client.get("/").content.decode()
    assert "1 account has no bill for a month already billed." in home
    # the run page of a later month counts the accounts left from earlier months (none before November)
    assert 'id="unbilled-earlier"' not in client.get(f"/billing/runs/{committed.pk}/").content.decode()
    client.force_login(csr)
    assert client.get("/billing/unbilled/").status_code == 403
    assert 'id="unbilled-count"' not in client.get("/").content.decode()


def test_the_unbilled_page_is_in_spanish_for_a_spanish_speaker(client: Client, technician, committed):
    client.cookies["django_language"] = "es"
    html = client.get("/billing/unbilled/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Cuentas sin facturar" in html
    assert "Retenida por el personal" in html
