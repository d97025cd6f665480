"""No account silently unbilled (issue 13): a held bill cannot freeze the high-bill baseline, staff
decisions carry, missing reads are estimated after N days (or held), and the unbilled list names
every account left without a bill, with the reason."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command

from civicbill.billing.models import Bill, BillException, BillRun
from civicbill.billing.services import (
    bill_cancel_rebill,
    bill_exception_resolve,
    bill_run_commit,
    bill_run_start,
    bill_run_trial,
)
from civicbill.billing.unbilled import unbilled_accounts, unbilled_count
from civicbill.core import clock
from civicbill.ledger.selectors import check_books
from civicbill.meters.models import Read, ReadSource, ReadStatus
from civicbill.meters.services.reads import read_record

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 1)
JUL, AUG, SEP, OCT, NOV = (dt.date(2026, month, 1) for month in (7, 8, 9, 10, 11))
WATER_ONLY = (("water", "W-RES"),)


def _month(period: dt.date, actor: Any, *, as_of: dt.date = TODAY, commit: bool = True) -> BillRun:
    run = bill_run_start(cycle_number=1, period=period, actor=actor, as_of=as_of)
    run = bill_run_trial(run_id=run.pk, actor=actor, as_of=as_of)
    return bill_run_commit(run_id=run.pk, actor=actor, as_of=as_of) if commit else run


def _codes(account: Any, period: dt.date) -> list[tuple[str, str]]:
    return sorted(
        BillException.objects.filter(account=account, run__period=period).values_list("code", "resolution")
    )


def _bill(account: Any, period: dt.date) -> Bill:
    return Bill.objects.exclude(status=Bill.Status.CANCELLED).get(account=account, period=period)


def _monthly_reads(start: dt.date, values: list[int]) -> tuple[tuple[dt.date, int], ...]:
    reads, day = [], start
    for value in values:
        reads.append((day, value))
        day = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=28)
    return tuple(reads)


# -- the high-bill baseline -------------------------------------------------------------------------


def test_a_move_ins_short_first_bill_does_not_hold_the_next_months_as_high(
    cycle: Any, make_account: Any, technician: Any
) -> None:
    """Moved in on 2026-08-20: August's bill is 9 days of charges. It used to be the "average" every
    later bill was compared with; held, those bills never joined it, so the account was held for
    good (the demo city's account held 11 months)."""
    account = make_account(
        start_date=dt.date(2026, 8, 20),
        services=WATER_ONLY,
        reads=_monthly_reads(dt.date(2026, 7, 28), [10_000, 10_100, 11_600, 13_100, 14_600]),
    )
    for period in (AUG, SEP, OCT, NOV):
        _month(period, technician)
    august = _bill(account, AUG)
    assert (august.status, august.consumption_hcf, august.current_charges_cents) == (
        Bill.Status.ISSUED,
        1,
        551,
    )
    for period in (SEP, OCT, NOV):
        bill = _bill(account, period)
        assert (bill.status, bill.consumption_hcf, bill.current_charges_cents) == (
            Bill.Status.ISSUED,
            15,
            3630,
        )
        assert _codes(account, period) == []
    assert unbilled_accounts(as_of=TODAY).accounts == ()
    assert check_books().ok


def test_a_high_bill_staff_released_sets_the_usual_level_and_the_same_use_is_not_held_again(
    cycle: Any, make_account: Any, technician: Any
) -> None:
    """10 HCF a month, then 60 HCF a month from September (a new pool): September is held as high,
    staff release it, and October and November (the same use) go out without a hold, though the
    median of the year's bills is still the 10 HCF bill."""
    account = make_account(
        services=WATER_ONLY,
        reads=_monthly_reads(dt.date(2026, 6, 28), [10_000, 11_000, 12_000, 18_000, 24_000, 30_000]),
    )
    _month(JUL, technician)
    _month(AUG, technician)
    september = _month(SEP, technician, commit=False)
    [high] = BillException.objects.filter(run=september, account=account)
    assert (high.code, high.message) == (
        "high_bill",
        "Current charges $106.65 are over 3× the account's usual bill ($28.80)",
    )
    bill_exception_resolve(
        exception=high, resolution="released", note="pool filled", actor=technician, at=clock.now()
    )
    bill_run_commit(run_id=september.pk, actor=technician, as_of=TODAY)
    _month(OCT, technician)
    _month(NOV, technician)
    assert [_bill(account, p).current_charges_cents for p in (JUL, AUG, SEP, OCT, NOV)] == [
        2880, 2880, 10665, 10665, 10665,
    ]  # fmt: skip
    assert [_bill(account, p).status for p in (SEP, OCT, NOV)] == [Bill.Status.ISSUED] * 3
    assert _codes(account, OCT) == _codes(account, NOV) == []
    assert check_books().ok


def test_a_high_bill_staff_held_stays_held_and_is_listed_as_held_since_its_month(
    cycle: Any, make_account: Any, technician: Any
) -> None:
    account = make_account(
        services=WATER_ONLY,
        reads=_monthly_reads(dt.date(2026, 6, 28), [10_000, 11_000, 12_000, 18_000, 24_000, 30_000]),
    )
    _month(JUL, technician)
    _month(AUG, technician)
    september = _month(SEP, technician, commit=False)
    [high] = BillException.objects.filter(run=september, account=account)
    bill_exception_resolve(
        exception=high, resolution="held", note="re-read", actor=technician, at=clock.now()
    )
    bill_run_commit(run_id=september.pk, actor=technician, as_of=TODAY)
    _month(OCT, technician)
    assert _codes(account, OCT) == [("high_bill", "open")]  # still compared with the 10 HCF bills
    [listed] = unbilled_accounts(as_of=TODAY).accounts
    assert (listed.number, listed.reason, f"{listed.since:%Y-%m}", len(listed.periods)) == (
        account.number, "high_bill", "2026-09", 2,
    )  # fmt: skip
    assert [p.reason for p in listed.periods] == ["held", "high_bill"]
    assert listed.draft_number == f"202610-{account.number}"
    assert listed.draft_cents == 2 * 10665
    assert check_books().ok


def test_a_rebill_of_a_bill_released_without_a_read_carries_the_release(
    cycle: Any, make_account: Any, technician: Any
) -> None:
    """Staff released November's missing-read bill (fixed charges only); cancelled and rebilled
    later, the rebill is not refused for the missing read again."""
    account = make_account(
        services=WATER_ONLY, reads=((dt.date(2026, 9, 28), 10_000), (dt.date(2026, 10, 28), 11_000))
    )
    november = _month(NOV, technician, commit=False)
    [missing] = BillException.objects.filter(run=november, account=account)
    assert missing.code == "missing_read"
    bill_exception_resolve(
        exception=missing, resolution="released", note="vacant", actor=technician, at=clock.now()
    )
    bill_run_commit(run_id=november.pk, actor=technician, as_of=TODAY)
    bill = _bill(account, NOV)
    assert (bill.status, bill.current_charges_cents) == (Bill.Status.ISSUED, 1380)
    outcome = bill_cancel_rebill(bill_number=bill.number, reason="address fix", actor=technician, as_of=TODAY)
    assert (outcome.rebill.status, outcome.rebill.current_charges_cents) == (Bill.Status.ISSUED, 1380)
    again = bill_cancel_rebill(
        bill_number=outcome.rebill.number, reason="second fix", actor=technician, as_of=TODAY
    )
    assert again.rebill.number == f"R2-202611-{account.number}"
    assert check_books().ok


# -- the missing-read policy ------------------------------------------------------------------------

NO_NOVEMBER_READ = _monthly_reads(
    dt.date(2025, 9, 28),
    [
        10_000,
        11_000,
        12_200,
        13_200,
        14_000,
        14_800,
        15_700,
        16_900,
        18_400,
        20_100,
        21_800,
        23_200,
        24_400,
        25_400,
    ],
)  # 2025-09-28 .. 2026-10-28; 2025-10-28 -> 2025-11-28 used 12 HCF


def test_a_missing_read_is_estimated_after_n_days_and_the_next_actual_read_trues_up(
    cycle: Any, make_account: Any, technician: Any, frozen: Any, settings: Any
) -> None:
    settings.CIVICBILL_MISSING_READ_POLICY = "estimate"
    settings.CIVICBILL_MISSING_READ_ESTIMATE_AFTER_DAYS = 5
    account = make_account(reads=NO_NOVEMBER_READ)
    early = bill_run_start(cycle_number=1, period=NOV, actor=technician, as_of=TODAY)
    bill_run_trial(run_id=early.pk, actor=technician, as_of=TODAY)  # 3 days after the read day: too early
    assert _codes(account, NOV) == [("missing_read", "open")]
    frozen.move_to(dt.datetime(2026, 12, 3, 17, 0, tzinfo=dt.UTC))
    december_3 = dt.date(2026, 12, 3)
    bill_run_trial(run_id=early.pk, actor=technician, as_of=december_3)  # 5 days after: estimated
    estimate = Read.objects.get(
        installation__service_point__premise=account.premise, read_on=dt.date(2026, 11, 28)
    )
    assert (estimate.status, estimate.source, estimate.value, estimate.consumption_hcf) == (
        ReadStatus.ESTIMATED, ReadSource.ESTIMATED, Decimal(26_600), Decimal(12),
    )  # fmt: skip
    assert _codes(account, NOV) == [("estimated", "open")]
    bill_run_commit(run_id=early.pk, actor=technician, as_of=december_3)
    nov = _bill(account, NOV)
    assert (nov.status, nov.estimated, nov.consumption_hcf, nov.current_charges_cents) == (
        Bill.Status.ISSUED, True, 12, 7361,
    )  # fmt: skip
    # December's actual read: 25 HCF used since October's read, 12 of them billed in November
    frozen.move_to(dt.datetime(2026, 12, 31, 17, 0, tzinfo=dt.UTC))
    read_record(
        meter_serial=estimate.meter.serial_number,
        read_on=dt.date(2026, 12, 28),
        value=Decimal(27_900),
        source="manual",
        actor=technician,
        as_of=dt.date(2026, 12, 31),
    )
    _month(dt.date(2026, 12, 1), technician, as_of=dt.date(2026, 12, 31))
    december = _bill(account, dt.date(2026, 12, 1))
    assert (december.status, december.estimated, december.consumption_hcf) == (Bill.Status.ISSUED, False, 13)
    assert unbilled_accounts(as_of=dt.date(2026, 12, 31)).accounts == ()
    assert check_books().ok


def test_the_hold_policy_holds_a_missing_read_and_estimates_nothing(
    cycle: Any, make_account: Any, technician: Any, settings: Any
) -> None:
    settings.CIVICBILL_MISSING_READ_POLICY = "hold"
    account = make_account(reads=NO_NOVEMBER_READ)
    run = _month(NOV, technician, as_of=dt.date(2026, 12, 10))
    assert _codes(account, NOV) == [("missing_read", "open")]
    assert not Read.objects.filter(source=ReadSource.ESTIMATED).exists()
    assert _bill(account, NOV).status == Bill.Status.DRAFT
    [listed] = unbilled_accounts(as_of=dt.date(2026, 12, 10)).accounts
    assert (listed.reason, f"{listed.since:%Y-%m}", listed.latest.run_id) == (
        "missing_read",
        "2026-11",
        run.pk,
    )
    assert listed.latest.message == "No read measured water use from 2026-10-29 to 2026-11-28"
    out = io.StringIO()
    call_command("billing", "unbilled", "--as-of", "2026-12-10", "--json", stdout=out)
    body = json.loads(out.getvalue())
    assert (body["count"], body["periods"], body["by_reason"], body["since"]) == (
        1, 1, {"missing_read": 1}, "2025-12",
    )  # fmt: skip
    [row] = body["accounts"]
    assert (row["account_number"], row["reason"], row["since"], row["held_draft"], row["drafts_cents"]) == (
        account.number, "missing_read", "2026-11", f"202611-{account.number}", 5561,
    )  # fmt: skip
    out = io.StringIO()
    call_command("billing", "unbilled", "--as-of", "2026-12-10", stdout=out)
    text = out.getvalue()
    assert text.startswith(
        "1 accounts left unbilled as of 2026-12-10 (1 periods since 2025-12; held drafts $55.61)"
    )
    assert f"{account.number}  cycle 1  since 2026-11 (1)  missing_read: No read measured water use" in text
    assert check_books().ok


# -- the unbilled list ------------------------------------------------------------------------------


def test_the_unbilled_list_names_each_account_left_without_a_bill_and_why(
    cycle: Any, make_account: Any, technician: Any, settings: Any
) -> None:
    settings.CIVICBILL_MISSING_READ_POLICY = "hold"
    reads = _monthly_reads(dt.date(2026, 7, 28), [10_000, 11_000, 12_000, 13_000, 14_000])
    billed = make_account(services=WATER_ONLY, reads=reads)
    unread = make_account(services=WATER_ONLY, reads=reads[:3])  # no read after September's
    no_rates = make_account(services=(("water", "W-RES"), ("sewer", "S-NOPE")), reads=reads)
    _month(AUG, technician)
    _month(SEP, technician)
    late = make_account(services=WATER_ONLY, start_date=dt.date(2026, 9, 10), reads=reads)  # after the trial
    _month(NOV, technician)  # October skipped
    report = unbilled_accounts(as_of=TODAY)
    rows = {
        a.number: (a.reason, f"{a.since:%Y-%m}", [f"{p.period:%m}:{p.reason}" for p in a.periods])
        for a in report.accounts
    }
    assert rows == {
        billed.number: ("no_run", "2026-10", ["10:no_run"]),
        unread.number: ("missing_read", "2026-10", ["10:no_run", "11:missing_read"]),
        no_rates.number: (
            "no_schedule",
            "2026-08",
            ["08:no_schedule", "09:no_schedule", "10:no_run", "11:no_schedule"],
        ),
        late.number: ("no_run", "2026-09", ["09:no_bill", "10:no_run"]),
    }
    assert [a.number for a in report.accounts] == sorted(rows)
    assert report.by_reason() == {"missing_read": 1, "no_run": 2, "no_schedule": 1}
    by_number = {a.number: a for a in report.accounts}
    assert by_number[no_rates.number].draft_number == f"202611-{no_rates.number}"
    assert by_number[no_rates.number].latest.message == (
        "Rate schedule S-NOPE (sewer) has no version in effect from 2026-10-29 to 2026-11-28"
    )
    assert by_number[late.number].periods[0].message.startswith("Run ")
    assert unbilled_count(as_of=TODAY, before=OCT) == 2  # no_rates (Aug, Sep) and late (Sep)
    assert unbilled_count(as_of=TODAY, cycle_number=2) == 0
    assert unbilled_count(as_of=dt.date(2026, 9, 15)) == 1  # only August's run was dated by then
    assert check_books().ok
