"""The demo city is dated like a real conversion: the legacy system is converted (accounts, opening
balances) before the year of history the demo bills and pays, every run, bill, payment and status
change carries the date of its own event, and nothing is dated after the day the demo is built. The
trial balance as of every past month-end then ties, and payments land in the funds of the bills they
pay (oldest first: the opening balances before the bills that came after them).

A 40-account city, seed 1, with autopay, built on Tuesday 2026-12-01 (the frozen clock's day), seeded
once for the module inside a transaction rolled back at the end (the ledger's rows cannot be deleted)."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import models, transaction
from django.db.models import Sum

from civicbill.billing.models import Bill, BillRun
from civicbill.core import clock
from civicbill.core.models import AuditEvent
from civicbill.customers.models import Account, ServiceAgreement
from civicbill.demo.billing import demo_billing_seed
from civicbill.demo.seed import SeedResult, conversion_date_for, conversion_user, demo_city_seed
from civicbill.ledger import chart
from civicbill.ledger.models import JournalEntry, JournalLine
from civicbill.ledger.selectors import check_books, trial_balance
from civicbill.meters.models import Meter, MeterInstallation, MeterStatusChange
from civicbill.payments.allocation import DEFAULT_POLICY
from civicbill.payments.models import DrawerSession, Payment
from tests.fixtures.clock import FROZEN_AT

BUILT_ON = dt.date(2026, 12, 1)  # FROZEN_AT's day in Coachella
CONVERTED_ON = dt.date(2025, 10, 1)  # the month of the history's oldest read (2025-10-23)
# columns that hold a date still to come by their nature, not an event: how long an ACH
# authorization must be kept (two years after it ends)
SCHEDULED = {("autopay", "authorization", "retain_until")}


@pytest.fixture(scope="module")
def city(django_db_setup: Any, django_db_blocker: Any) -> Iterator[SeedResult]:
    with django_db_blocker.unblock(), time_machine.travel(FROZEN_AT, tick=False), transaction.atomic():
        seeded = demo_city_seed(accounts=40, seed=1, as_of=BUILT_ON)
        demo_billing_seed(actor=conversion_user(), as_of=BUILT_ON, seed=1)
        yield seeded
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def _month_ends(first: dt.date, before: dt.date) -> list[dt.date]:
    """The last day of every month from ``first``'s month to the month before ``before``'s."""
    ends = []
    month = first.replace(day=1)
    while month < before.replace(day=1):
        following = (month + dt.timedelta(days=32)).replace(day=1)
        ends.append(following - dt.timedelta(days=1))
        month = following
    return ends


MONTH_ENDS = _month_ends(CONVERTED_ON, BUILT_ON)


def test_the_month_ends_checked_run_from_the_conversion_to_the_month_before_the_build() -> None:
    assert (MONTH_ENDS[0], MONTH_ENDS[-1], len(MONTH_ENDS)) == (
        dt.date(2025, 10, 31),
        dt.date(2026, 11, 30),
        14,
    )


def test_opening_balances_are_dated_at_the_conversion_before_the_first_bill(city: SeedResult) -> None:
    assert conversion_date_for(BUILT_ON) == CONVERTED_ON
    openings = JournalEntry.objects.filter(source_type="conversion")
    assert openings.count() == city.opening_balance_entries == 11
    assert set(openings.values_list("accounting_date", flat=True)) == {CONVERTED_ON}
    assert {clock.business_date(at) for at in openings.values_list("posted_at", flat=True)} == {CONVERTED_ON}
    first = Bill.objects.order_by("bill_date", "id").first()
    assert first is not None
    assert (first.period_start, first.bill_date) == (dt.date(2025, 10, 24), dt.date(2025, 11, 25))
    assert first.period_start > CONVERTED_ON
    # the converted accounts were opened in the legacy system before the conversion and recorded on it
    assert set(Account.objects.values_list("status", flat=True)) == {"active"}
    assert max(ServiceAgreement.objects.values_list("start_date", flat=True)) < CONVERTED_ON
    assert {clock.business_date(at) for at in Account.objects.values_list("created_at", flat=True)} == {
        CONVERTED_ON
    }
    converted = AuditEvent.objects.get(action="account.convert")
    assert clock.business_date(converted.occurred_at) == CONVERTED_ON
    # the history comes after: the first audit event of anything else is the autopay sign-up
    later = AuditEvent.objects.exclude(
        occurred_at__lt=clock.start_of_day(CONVERTED_ON + dt.timedelta(days=1))
    )
    assert clock.business_date(later.order_by("occurred_at").first().occurred_at) == dt.date(2025, 10, 11)


def test_the_people_and_drawers_of_the_history_exist_before_they_act(city: SeedResult) -> None:
    first_act: dict[int, dt.datetime] = {}
    for actor_id, occurred_at in AuditEvent.objects.order_by("-occurred_at").values_list(
        "actor_id", "occurred_at"
    ):
        first_act[actor_id] = occurred_at
    users = User.objects.in_bulk(list(first_act))
    assert {user.username for user in users.values()} >= {"conversion", "marisol.flores", "lucia.pena"}
    for actor_id, occurred_at in first_act.items():
        assert users[actor_id].date_joined <= occurred_at, users[actor_id].username
    created = AuditEvent.objects.filter(action="drawer.create").values_list("occurred_at", flat=True)
    assert {clock.business_date(at) for at in created} == {CONVERTED_ON}
    assert max(created) < DrawerSession.objects.order_by("opened_at").values_list("opened_at", flat=True)[0]


def _date_columns() -> list[tuple[type[models.Model], models.DateField]]:
    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.DateField)  # DateTimeField too
        and (model._meta.app_label, model._meta.model_name, field.name) not in SCHEDULED
    ]


def test_nothing_in_the_demo_is_dated_after_the_day_it_is_built(city: SeedResult) -> None:
    columns = _date_columns()
    checked = {f"{model._meta.db_table}.{field.name}" for model, field in columns}
    assert checked >= {
        "ledger_journalentry.accounting_date",
        "ledger_journalentry.posted_at",
        "billing_bill.bill_date",
        "billing_bill.issued_at",
        "billing_billrun.started_at",
        "billing_billrun.committed_at",
        "meters_read.read_on",
        "meters_meterstatuschange.changed_on",
        "payments_payment.received_at",
        "core_auditevent.occurred_at",
        "autopay_enrollment.authorized_on",
    }
    next_day = BUILT_ON + dt.timedelta(days=1)
    later: list[str] = []
    for model, field in columns:
        limit: dt.date | dt.datetime = (
            clock.start_of_day(next_day) if isinstance(field, models.DateTimeField) else next_day
        )
        count = model.objects.filter(**{f"{field.name}__gte": limit}).count()
        if count:
            later.append(f"{model._meta.db_table}.{field.name}: {count}")
    assert later == []


def test_each_run_and_bill_carries_its_bill_date(city: SeedResult) -> None:
    runs = BillRun.objects.all()
    assert runs.count() == 48
    for run in runs:
        assert clock.business_date(run.started_at) == run.bill_date
        assert clock.business_date(run.trial_finished_at) == run.bill_date
        assert clock.business_date(run.committed_at) == run.bill_date
        assert run.started_at <= run.trial_finished_at <= run.committed_at
    for bill_date, issued_at, accounting_date, posted_at in Bill.objects.filter(
        journal_entry__isnull=False
    ).values_list("bill_date", "issued_at", "journal_entry__accounting_date", "journal_entry__posted_at"):
        assert (
            clock.business_date(issued_at) == clock.business_date(posted_at) == accounting_date == bill_date
        )


def test_payments_are_posted_on_their_day(city: SeedResult) -> None:
    counted = 0
    for received_at, business_date, posted_at in Payment.objects.filter(
        journal_entry__isnull=False, channel__in=("counter", "lockbox", "online")
    ).values_list("received_at", "business_date", "journal_entry__posted_at"):
        assert clock.business_date(received_at) == business_date == clock.business_date(posted_at)
        counted += 1
    assert counted > 300


def test_meter_status_changes_are_dated_in_the_order_they_happened(city: SeedResult) -> None:
    changes: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    for meter_id, changed_on, to_status in MeterStatusChange.objects.order_by("id").values_list(
        "meter_id", "changed_on", "to_status"
    ):
        changes[meter_id].append((changed_on, to_status))
    installed_on = dict(MeterInstallation.objects.values_list("meter_id", "installed_on"))
    for meter in Meter.objects.all():
        history = changes[meter.pk]
        assert history == sorted(history, key=lambda change: change[0])  # recorded in date order
        if meter.pk in installed_on:
            day = installed_on[meter.pk]
            assert history == [(day, "in_stock"), (day, "installed")]
            assert day < CONVERTED_ON
        else:
            assert history == [(CONVERTED_ON, "in_stock")]  # received with the conversion


def _ar_by_account_and_service(as_of: dt.date) -> dict[tuple[int, str], int]:
    rows = (
        JournalLine.objects.filter(customer_account__isnull=False, entry__accounting_date__lte=as_of)
        .values("customer_account_id", "service")
        .annotate(debit=Sum("debit_cents"), credit=Sum("credit_cents"))
        .order_by()
    )
    return {
        (row["customer_account_id"], row["service"]): int(row["debit"]) - int(row["credit"]) for row in rows
    }


def test_the_trial_balance_ties_at_every_past_month_end(city: SeedResult) -> None:
    for month_end in MONTH_ENDS:
        out = io.StringIO()
        call_command("trial_balance", "--as-of", month_end.isoformat(), "--json", stdout=out)
        shown = json.loads(out.getvalue())
        assert shown["balanced"], month_end
        assert shown["total_debits"] == shown["total_credits"]
        assert all(totals["debits"] == totals["credits"] for totals in shown["funds"].values())
        # the AR subledger (the accounts' lines dated up to the month-end) equals each fund's control
        control = {row.code: row.balance.cents for row in trial_balance(as_of=month_end)}
        subledger: dict[str, int] = defaultdict(int)
        for (_account, service), cents in _ar_by_account_and_service(month_end).items():
            subledger[chart.receivable_control_for(service).code] += cents
        receivables = {code: cents for code, cents in control.items() if code in subledger}
        assert receivables == dict(subledger), month_end
        # and no fund's receivable is in credit (paid before it was billed), but for the credit
        # service's, where overpayments wait
        credit_control = chart.receivable_control_for(DEFAULT_POLICY.credit_service).code
        in_credit = {
            code: cents for code, cents in receivables.items() if cents < 0 and code != credit_control
        }
        assert in_credit == {}, month_end
    report = check_books()
    assert report.ok, [check.problems for check in report.failed]


def test_payments_land_in_the_funds_of_the_bills_they_pay(city: SeedResult) -> None:
    """A payment goes to what was owed when it was made, oldest first: an opening balance before the
    bills after it. Only an overpayment leaves a credit, and it waits on the credit service (water),
    so at no month-end does an account owe less than nothing on another service."""
    opened_on_sewer = JournalLine.objects.filter(
        entry__source_type="conversion", service="sewer", debit_cents__gt=0
    )
    assert opened_on_sewer.count() == 10  # owed at the conversion, paid by the first payments
    for month_end in MONTH_ENDS:
        paid_ahead = {
            key: cents
            for key, cents in _ar_by_account_and_service(month_end).items()
            if cents < 0 and key[1] != DEFAULT_POLICY.credit_service
        }
        assert paid_ahead == {}, month_end
    report = check_books()
    assert report.ok, [check.problems for check in report.failed]
