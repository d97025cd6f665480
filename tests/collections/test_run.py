"""The daily collections run, step 1 (penalties and interest), as a story across the holidays of
late 2026: a bill due Friday 2026-11-20 becomes delinquent on Thanksgiving after 5 grace days."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from civicbill.billing.models import Bill
from civicbill.billing.services import bill_run_commit, bill_run_start, bill_run_trial
from civicbill.collections.models import (
    Appeal,
    Arrangement,
    Certification,
    CollectionAction,
    CollectionRun,
    CollectionStage,
    Moratorium,
    PenaltyAssessment,
    StageEvent,
)
from civicbill.collections.services.run import collections_run
from civicbill.collections.stages import current_stages
from civicbill.core.exceptions import ApplicationError, PermissionDeniedError
from civicbill.customers.models import Account
from civicbill.ledger.models import JournalEntry, JournalLine
from civicbill.ledger.selectors import check_books
from tests.fixtures.database import assert_nothing_changed

OCT, NOV = dt.date(2026, 10, 1), dt.date(2026, 11, 1)
# the October bill: water $40.80, sewer $41.81, dated Fri 2026-10-30, due Fri 2026-11-20;
# the November bill: water $33.30, sewer $41.81, dated Mon 2026-11-30, due Mon 2026-12-21
READS = ((dt.date(2026, 9, 28), 10_000), (dt.date(2026, 10, 28), 11_800), (dt.date(2026, 11, 28), 13_100))


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(15, 0), tzinfo=dt.UTC)  # 07:00 in Coachella


def bill_cycle(technician: User) -> None:
    for period in (OCT, NOV):
        run = bill_run_start(cycle_number=1, period=period, actor=technician, as_of=dt.date(2026, 12, 1))
        run = bill_run_trial(run_id=run.pk, actor=technician, as_of=dt.date(2026, 12, 1))
        bill_run_commit(run_id=run.pk, actor=technician, as_of=dt.date(2026, 12, 1))


def run_on(day: dt.date, actor: User, *, trial: bool = False) -> CollectionRun:
    run = collections_run(run_date=day, trial=trial, actor=actor, at=at(day))
    assert run.status == CollectionRun.Status.FINISHED
    assert check_books().ok
    return run


def charged(account: Account) -> list[tuple[str, int, str, int, dict[str, int], dt.date]]:
    return [
        (row.bill.number[:6], row.sequence, row.kind, row.amount_cents, row.split, row.assessed_on)
        for row in PenaltyAssessment.objects.filter(account=account).select_related("bill").order_by("id")
    ]


def receivable(account: Account, source_type: str = "penalty") -> dict[str, int]:
    owed: dict[str, int] = {}
    for service, debit, credit in JournalLine.objects.filter(
        customer_account=account, entry__source_type=source_type
    ).values_list("service", "debit_cents", "credit_cents"):
        owed[service] = owed.get(service, 0) + debit - credit
    return owed


@pytest.fixture
def billed(cycle: Any, make_account: Callable[..., Account], technician: User) -> Callable[..., Account]:
    """Accounts billed for October and November (call it for each account, then ``bill``)."""
    return lambda **options: make_account(reads=READS, **options)


@pytest.mark.django_db
def test_the_penalty_posts_once_and_interest_each_month_across_the_holidays(
    billed: Callable[..., Account], technician: User
) -> None:
    account = billed()
    bill_cycle(technician)
    oct_bill, nov_bill = Bill.objects.filter(account=account).order_by("period")
    assert (oct_bill.due_date, nov_bill.due_date) == (dt.date(2026, 11, 20), dt.date(2026, 12, 21))

    # Wednesday 2026-11-25: due Friday plus 5 grace days is not over yet
    run = run_on(dt.date(2026, 11, 25), technician)
    assert (run.accounts_examined, charged(account)) == (1, [])
    assert current_stages([account.pk])[account.pk] == CollectionStage.CURRENT

    # Monday 2026-11-30: the bill became delinquent on Thanksgiving; the office was closed Thursday,
    # Friday (the day after Thanksgiving is a California holiday) and the weekend: the run does nothing
    assert run_on(dt.date(2026, 11, 27), technician).closed_because == "holiday: Day After Thanksgiving"
    run = run_on(dt.date(2026, 11, 30), technician)
    assert charged(account) == [
        ("202610", 0, "penalty", 826, {"water": 408, "sewer": 418}, dt.date(2026, 11, 30))
    ]
    [action] = CollectionAction.objects.filter(run=run, step="penalty")
    assert (action.amount_cents, action.detail["basis_cents"], action.detail["bill"]) == (
        826,
        8261,
        oct_bill.number,
    )
    assert "10% late penalty on bill" in action.rule and "2026-11-20" in action.rule
    entry = JournalEntry.objects.get(source_type="penalty")
    assert (entry.accounting_date, entry.total_cents) == (dt.date(2026, 11, 30), 826)
    assert sorted(entry.lines.values_list("gl_account__code", "debit_cents", "credit_cents")) == [
        ("500-1210", 408, 0), ("500-4500", 0, 408), ("510-1220", 418, 0), ("510-4500", 0, 418),
    ]  # fmt: skip
    assert receivable(account) == {"water": 408, "sewer": 418}
    assert run.counts == {"past_due": 1, "penalty": 1, "late_notice": 1}
    assert (
        current_stages([account.pk])[account.pk] == CollectionStage.LATE_NOTICE_SENT
    )  # past due, then the notice

    # rerunning the day posts nothing new
    entries = JournalEntry.objects.count()
    again = run_on(dt.date(2026, 11, 30), technician)
    assert (JournalEntry.objects.count(), again.counts, len(charged(account))) == (entries, {}, 1)

    # Christmas: the first monthiversary (Dec 26) is not reached; nothing new
    assert run_on(dt.date(2026, 12, 25), technician).counts == {}

    # Monday 2026-12-28 (Dec 26 was a Saturday): October's first month of interest; November's bill,
    # due Monday Dec 21, became delinquent Sunday Dec 27: its penalty
    run_on(dt.date(2026, 12, 28), technician)
    assert charged(account)[1:] == [
        ("202610", 1, "interest", 41, {"water": 20, "sewer": 21}, dt.date(2026, 12, 28)),  # 0.204, 0.20905
        ("202611", 0, "penalty", 751, {"water": 333, "sewer": 418}, dt.date(2026, 12, 28)),
    ]
    entry = JournalEntry.objects.filter(source_type="penalty").latest("accounting_date")
    assert entry.total_cents == 792  # one entry per account per run: both bills together

    # New Year's Day: nothing is due; 2027-01-26 October's second month; 01-27 November's first
    assert run_on(dt.date(2027, 1, 1), technician).counts == {}
    run_on(dt.date(2027, 1, 26), technician)
    run_on(dt.date(2027, 1, 27), technician)
    assert charged(account)[3:] == [
        ("202610", 2, "interest", 41, {"water": 20, "sewer": 21}, dt.date(2027, 1, 26)),
        ("202611", 1, "interest", 38, {"water": 17, "sewer": 21}, dt.date(2027, 1, 27)),  # 0.1665 -> 0.17
    ]
    assert receivable(account) == {"water": 408 + 20 + 333 + 20 + 17, "sewer": 418 + 21 + 418 + 21 + 21}
    assert check_books().ok


@pytest.mark.django_db
def test_a_trial_lists_the_penalty_and_changes_nothing_but_the_run_and_its_actions(
    billed: Callable[..., Account], technician: User
) -> None:
    account = billed()
    bill_cycle(technician)
    with assert_nothing_changed(ignore=("collections_collectionrun", "collections_collectionaction")):
        run = run_on(dt.date(2026, 11, 30), technician, trial=True)
    assert (run.trial, run.counts) == (True, {"penalty": 1, "late_notice": 1})
    [action] = CollectionAction.objects.filter(run=run, step="penalty")
    assert (action.account_id, action.step, action.amount_cents, action.detail["entry"]) == (
        account.pk, "penalty", 826, None,
    )  # fmt: skip
    # the posted run afterwards does what the trial listed
    run_on(dt.date(2026, 11, 30), technician)
    assert [row[3] for row in charged(account)] == [826]


@pytest.mark.django_db
def test_arrangement_appeal_and_moratorium_stop_penalties_and_low_income_interest_is_waived_once_a_year(
    billed: Callable[..., Account], technician: User, supervisor: User
) -> None:
    arranged, appealing, in_moratorium, low_income, plain = (
        billed(last_name=name, zip_code=zip_code)
        for name, zip_code in (("Arreglo", "92236"), ("Apela", "92236"), ("Calor", "92201"),
                               ("Bajos", "92236"), ("Normal", "92236"))
    )  # fmt: skip
    bill_cycle(technician)
    made = at(dt.date(2026, 11, 23))
    Arrangement.objects.create(
        account=arranged,
        kind="amortization",
        delinquent_cents=8261,
        agreed_on=dt.date(2026, 11, 23),
        created_by=technician,
        created_at=made,
    )
    Appeal.objects.create(
        account=appealing,
        opened_on=dt.date(2026, 11, 24),
        reason="Meter misread?",
        opened_by=technician,
        opened_at=made,
    )
    Moratorium.objects.create(
        starts_on=dt.date(2026, 11, 25),
        ends_on=dt.date(2026, 12, 31),
        scope="zip",
        scope_value="92201",
        reason="Heat emergency",
        declared_by=supervisor,
        declared_at=made,
    )
    Certification.objects.create(account=low_income, kind="low_income", program="calfresh",
                                 starts_on=dt.date(2026, 1, 1), expires_on=dt.date(2027, 12, 31),
                                 recorded_by=technician, recorded_at=made)  # fmt: skip

    run = run_on(dt.date(2026, 11, 30), technician)
    assert [charged(a) != [] for a in (arranged, appealing, in_moratorium, low_income, plain)] == [
        False, False, False, True, True,
    ]  # fmt: skip
    skipped = {
        action.account_id: action.detail["protected_because"]
        for action in CollectionAction.objects.filter(run=run, step="skipped")
        if "notice" not in action.detail  # the penalties' (the notices list theirs too)
    }
    assert skipped == {
        arranged.pk: "an honoured payment arrangement",
        appealing.pk: "a bill review or appeal is pending",
        in_moratorium.pk: "emergency moratorium: Heat emergency",
    }
    assert run.counts["penalty"] == 2 and run.counts["skipped"] == 3 + 3  # penalties and late notices

    # December 28: the low-income household's first interest is waived (recorded), the penalty is not
    run = run_on(dt.date(2026, 12, 28), technician)
    rows = PenaltyAssessment.objects.filter(account=low_income).order_by("bill__period", "sequence")
    assert [(r.bill.number[:6], r.kind, r.sequence, r.amount_cents, r.waived_cents, r.journal_entry is None)
            for r in rows] == [
        ("202610", "penalty", 0, 826, 0, False),
        ("202610", "interest", 1, 0, 41, True),
        ("202611", "penalty", 0, 751, 0, False),
    ]  # fmt: skip
    waived = CollectionAction.objects.get(run=run, account=low_income, step="interest")
    assert (waived.amount_cents, waived.detail["waived_cents"]) == (0, 41)
    assert "§116914" in waived.rule
    # a rerun does not charge what was waived
    run_on(dt.date(2026, 12, 28), technician)
    assert PenaltyAssessment.objects.filter(account=low_income).count() == 3
    # the moratorium ended Dec 31; on Jan 26 the heat-emergency account pays the deferred penalties
    # (the bills are still unpaid) and this month's interest, and the low-income household pays interest: its
    # waiver of Dec 28 allows no other before 2027-12-28
    run_on(dt.date(2027, 1, 26), technician)
    assert [(r[0], r[2], r[1], r[3]) for r in charged(low_income)][3:] == [("202610", "interest", 2, 41)]
    assert [(r[0], r[2], r[1], r[3]) for r in charged(in_moratorium)] == [
        ("202610", "penalty", 0, 826), ("202610", "interest", 2, 41), ("202611", "penalty", 0, 751),
    ]  # fmt: skip
    assert charged(arranged) == [] and charged(appealing) == []
    assert check_books().ok


@pytest.mark.django_db
def test_only_collections_runners_run_it_and_a_posted_run_never_acts_for_a_future_date(
    csr: User, technician: User
) -> None:
    with pytest.raises(PermissionDeniedError):
        collections_run(run_date=dt.date(2026, 12, 1), trial=True, actor=csr, at=at(dt.date(2026, 12, 1)))
    with pytest.raises(ApplicationError) as refused:
        collections_run(
            run_date=dt.date(2026, 12, 2), trial=False, actor=technician, at=at(dt.date(2026, 12, 1))
        )
    assert (refused.value.code, refused.value.field) == ("run_date_future", "run_date")
    assert not CollectionRun.objects.exists()
    assert not StageEvent.objects.exists()


@pytest.mark.django_db
def test_the_command_line_runs_as_the_collections_user_and_lists_every_action_as_json(
    billed: Callable[..., Account], technician: User
) -> None:
    account = billed()
    bill_cycle(technician)
    out = io.StringIO()
    call_command("collections", "run", "--date", "2026-11-30", "--trial", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert (report["run_date"], report["trial"], report["status"], report["started_by"]) == (
        "2026-11-30", True, "finished", "collections",
    )  # fmt: skip
    assert report["counts"] == {"penalty": 1, "late_notice": 1}
    [action] = [a for a in report["actions"] if a["step"] == "penalty"]
    assert (action["account"], action["step"], action["amount_cents"]) == (account.number, "penalty", 826)
    assert action["detail"]["split"] == {"water": 408, "sewer": 418}
    assert not PenaltyAssessment.objects.exists()

    out = io.StringIO()
    call_command("collections", "run", "--date", "2026-11-30", "--user", technician.username, stdout=out)
    text = out.getvalue()
    assert text.splitlines()[0].endswith("2026-11-30: 1 accounts owing, 2 actions")  # penalty, late notice
    assert f"{account.number}  penalty" in text and "$8.26" in text
    assert [row[3] for row in charged(account)] == [826]
    assert check_books().ok
