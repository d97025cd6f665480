"""No shutoff is ever eligible in breach of a rule: random account histories, calendars (random office
closures on top of the real California holidays) and protections, checked against the rules written
out again here, independently of collections.eligibility."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st

from civicbill.collections.eligibility import EligibilityFacts, shutoff_eligibility
from civicbill.collections.policy import DEFAULT_POLICY
from civicbill.core.clock import BusinessCalendar

ZONE = ZoneInfo("America/Los_Angeles")
CA_HOLIDAYS = holidays.country_holidays("US", subdiv="CA", years=range(2026, 2028), observed=True)


def _open(day: dt.date, closures: frozenset[dt.date]) -> bool:
    return day.weekday() < 5 and day not in CA_HOLIDAYS and day not in closures


def _business_days_after(start: dt.date, end: dt.date, closures: frozenset[dt.date]) -> int:
    """Open days d with start < d <= end."""
    return sum(1 for n in range(1, (end - start).days + 1) if _open(start + dt.timedelta(days=n), closures))


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=ZONE)


def breaches(facts: EligibilityFacts, day: dt.date) -> list[str]:
    """Every rule a shutoff of ``facts``' account on ``day`` would break (statute floors as in
    ../shared/DOMAIN.md; the policy's own values where stricter)."""
    policy, closures = facts.policy, facts.calendar.closures
    broken: list[str] = []
    water = sum(c for s, c in facts.past_due_by_service.items() if s in ("water", "fire_line"))
    counted = facts.past_due_cents if policy.shutoff_for_non_water_charges else water
    if counted <= 0 or counted < policy.minimum_balance_cents:
        broken.append("amount")
    if facts.appeal_pending or facts.arrangement_honoured or facts.moratorium:
        broken.append("protected")
    if facts.medical and facts.low_income and facts.arrangement_offered:
        broken.append("medical_low_income")
    if facts.oldest_due_date is None or (day - facts.oldest_due_date).days < max(
        60, policy.shutoff_delinquent_days
    ):
        broken.append("60_days")
    mailed = facts.final_notice_mailed_on
    if mailed is None:
        broken.append("no_final_notice")
    else:
        if facts.bill_mailed_on is not None and (mailed - facts.bill_mailed_on).days < 19:
            broken.append("notice_within_19_days_of_bill")
        if _business_days_after(mailed, day, closures) < 7:
            broken.append("7_business_days")
        if facts.final_notice_shutoff_on is not None and day < facts.final_notice_shutoff_on:
            broken.append("before_the_date_the_notice_named")
        if (day - (mailed + dt.timedelta(days=5))).days < 10:
            broken.append("10_days_from_5_after_mailing")
    since = _midnight(mailed) if mailed else None
    contact = facts.contact_attempted_at
    posted = facts.notice_posted_at
    contact_ok = (
        contact is not None
        and (since is None or contact >= since)
        and _midnight(day) - contact >= dt.timedelta(hours=24)
    )
    posted_ok = (
        posted is not None
        and (since is None or posted >= since)
        and _midnight(day) - posted >= dt.timedelta(hours=48)
    )
    if not (contact_ok or posted_ok):
        broken.append("48_hour")
    if facts.landlord_billed and (
        facts.tenant_notice_mailed_on is None or (day - facts.tenant_notice_mailed_on).days < 10
    ):
        broken.append("tenant_10_days")
    if facts.broken_arrangement_on is not None:
        posted_final = facts.posted_final_notice_on
        if (
            posted_final is None
            or posted_final < facts.broken_arrangement_on
            or _business_days_after(posted_final, day, closures) < 5
        ):
            broken.append("5_business_days_after_posted_final_notice")
    if not _open(day, closures):
        broken.append("office_closed")
    if policy.avoid_day_before_closure and not _open(day + dt.timedelta(days=1), closures):
        broken.append("day_before_closure")
    return broken


def _steps_missing(facts: EligibilityFacts) -> bool:
    """A step that the account's history lacks, which only an action can supply."""
    mailed = facts.final_notice_mailed_on
    if mailed is None or (facts.bill_mailed_on is not None and (mailed - facts.bill_mailed_on).days < 19):
        return True
    since = _midnight(mailed)
    contacts = [
        t for t in (facts.contact_attempted_at, facts.notice_posted_at) if t is not None and t >= since
    ]
    if not contacts:
        return True
    if facts.landlord_billed and facts.tenant_notice_mailed_on is None:
        return True
    return facts.broken_arrangement_on is not None and (
        facts.posted_final_notice_on is None or facts.posted_final_notice_on < facts.broken_arrangement_on
    )


def seldom(draw: st.DrawFn) -> bool:
    """True about one time in six: protections and odd histories are drawn seldom, so that many
    histories come close to eligible and the rules at the edge are exercised."""
    return draw(st.integers(0, 5)) == 0


@st.composite
def account_histories(draw: st.DrawFn) -> tuple[EligibilityFacts, dt.date]:
    day = draw(st.dates(dt.date(2026, 11, 1), dt.date(2027, 2, 28)))
    closures = frozenset(draw(st.sets(st.dates(dt.date(2026, 10, 1), dt.date(2027, 3, 31)), max_size=12)))
    policy = replace(
        DEFAULT_POLICY,
        avoid_day_before_closure=draw(st.booleans()),
        shutoff_for_non_water_charges=draw(st.booleans()),
        minimum_balance_cents=draw(st.sampled_from([0, 1000, 5000])),
        shutoff_delinquent_days=draw(st.sampled_from([60, 60, 75])),
        final_notice_lead_business_days=draw(st.sampled_from([7, 7, 10, 12])),
    )
    oldest_due = None if seldom(draw) else day - dt.timedelta(days=draw(st.integers(40, 160)))
    by_service = {
        "water": 0 if seldom(draw) else draw(st.integers(0, 30000)),
        "sewer": draw(st.integers(0, 30000)),
        "refuse": draw(st.integers(0, 5000)),
    }
    if oldest_due is None:
        by_service = {}
    bill_mailed = None if oldest_due is None else oldest_due - dt.timedelta(days=draw(st.integers(14, 30)))
    mailed = None if seldom(draw) else day - dt.timedelta(days=draw(st.integers(0, 50)))
    named = None
    if mailed is not None and draw(st.booleans()):
        named = mailed + dt.timedelta(days=draw(st.integers(0, 25)))
    since = mailed or day - dt.timedelta(days=30)

    def moment() -> dt.datetime:
        if draw(st.booleans()):  # near the 24- and 48-hour edges before the day
            hours = draw(st.sampled_from([24, 48]))
            return _midnight(day) - dt.timedelta(hours=hours, minutes=draw(st.integers(-90, 90)))
        offset = draw(st.integers(-3 * 24 * 60, max((day - since).days, 0) * 24 * 60))
        return _midnight(since) + dt.timedelta(minutes=offset)

    contact = None if draw(st.booleans()) else moment()
    posted = None if contact is not None and not seldom(draw) else moment()
    broken_on = day - dt.timedelta(days=draw(st.integers(0, 60))) if seldom(draw) else None
    posted_final = None
    if broken_on is not None and not seldom(draw):
        posted_final = broken_on + dt.timedelta(days=draw(st.integers(-5, max((day - broken_on).days, 0))))
    landlord = seldom(draw)
    tenant = day - dt.timedelta(days=draw(st.integers(0, 30))) if landlord and not seldom(draw) else None
    facts = EligibilityFacts(
        account_id=1,
        policy=policy,
        calendar=BusinessCalendar(closures=closures),
        oldest_due_date=oldest_due,
        past_due_cents=sum(by_service.values()),
        past_due_by_service=by_service,
        bill_mailed_on=bill_mailed,
        final_notice_mailed_on=mailed,
        final_notice_shutoff_on=named,
        broken_arrangement_on=broken_on,
        posted_final_notice_on=posted_final,
        contact_attempted_at=contact,
        notice_posted_at=posted,
        landlord_billed=landlord,
        tenant_notice_mailed_on=tenant,
        arrangement_honoured=seldom(draw) and seldom(draw),
        appeal_pending=seldom(draw) and seldom(draw),
        moratorium="Heat emergency" if seldom(draw) and seldom(draw) else "",
        low_income=seldom(draw),
        medical=seldom(draw),
        arrangement_offered=draw(st.booleans()),
    )
    return facts, day


@settings(max_examples=1500, deadline=None)
@given(account_histories())
def test_no_eligible_shutoff_ever_breaks_a_rule(history: tuple[EligibilityFacts, dt.date]) -> None:
    facts, day = history
    decision = shutoff_eligibility(facts, day)
    if decision.eligible:
        assert breaches(facts, day) == []
        assert decision.reasons == [] and decision.earliest_date == day
    else:
        assert decision.reasons, "a refusal names the rules behind it"
        assert decision.earliest_date is None or decision.earliest_date > day


@settings(max_examples=800, deadline=None)
@given(account_histories())
def test_the_earliest_date_is_the_first_lawful_day_when_no_step_is_missing(
    history: tuple[EligibilityFacts, dt.date],
) -> None:
    facts, day = history
    earliest = shutoff_eligibility(facts, day).earliest_date
    if earliest is None or _steps_missing(facts):
        return
    assert shutoff_eligibility(facts, earliest).eligible
    assert breaches(facts, earliest) == []
    for n in range((earliest - day).days):
        assert not shutoff_eligibility(facts, day + dt.timedelta(days=n)).eligible


@settings(max_examples=400, deadline=None)
@given(account_histories(), st.integers(1, 60))
def test_waiting_never_brings_the_earliest_date_forward(
    history: tuple[EligibilityFacts, dt.date], later: int
) -> None:
    facts, day = history
    first = shutoff_eligibility(facts, day).earliest_date
    if first is None or _steps_missing(facts):
        return
    then = day + dt.timedelta(days=later)
    second = shutoff_eligibility(facts, then).earliest_date
    assert second is not None and second >= first
    if then <= first:
        assert second == first
