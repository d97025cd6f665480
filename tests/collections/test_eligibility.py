"""Shutoff eligibility on exact dates across weekends and holidays, each refusal naming its rule."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

from civicbill.collections.eligibility import EligibilityFacts, shutoff_eligibility
from civicbill.collections.policy import DEFAULT_POLICY
from civicbill.core.clock import BusinessCalendar

ZONE = ZoneInfo("America/Los_Angeles")
CALENDAR = BusinessCalendar()


def at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=ZONE)


def facts(**changes: Any) -> EligibilityFacts:
    """Delinquent since the August bill (mailed 2026-08-31, due 2026-09-21): $180.40 of water and
    $95.10 of sewer past due; final notice mailed Thursday 2026-11-12; reached by phone 2026-11-25."""
    base = EligibilityFacts(
        account_id=7,
        policy=DEFAULT_POLICY,
        calendar=CALENDAR,
        oldest_due_date=dt.date(2026, 9, 21),
        past_due_cents=27550,
        past_due_by_service={"water": 18040, "sewer": 9510},
        bill_mailed_on=dt.date(2026, 8, 31),
        final_notice_mailed_on=dt.date(2026, 11, 12),
        contact_attempted_at=at(dt.date(2026, 11, 25), 10),
    )
    return replace(base, **changes)


def rules(day: dt.date, **changes: Any) -> list[str]:
    return shutoff_eligibility(facts(**changes), day).blocking_rules


def test_across_thanksgiving_the_first_lawful_day_is_the_monday_after() -> None:
    # 7 business days after Thursday 11-12 is Monday 11-23; 10 days from 5 days after mailing: 11-27
    decision = shutoff_eligibility(facts(), dt.date(2026, 11, 24))
    assert decision.blocking_rules == ["notice_to_termination", "contact_48_hour"]
    assert decision.earliest_date == dt.date(2026, 11, 30)
    assert rules(dt.date(2026, 11, 25)) == ["notice_to_termination", "contact_48_hour", "day_before_closure"]
    assert rules(dt.date(2026, 11, 26)) == [  # Thanksgiving
        "notice_to_termination", "contact_48_hour", "closed_day", "day_before_closure",
    ]  # fmt: skip
    assert rules(dt.date(2026, 11, 27)) == ["closed_day", "day_before_closure"]  # the day after
    monday = shutoff_eligibility(facts(), dt.date(2026, 11, 30))
    assert (monday.eligible, monday.reasons, monday.earliest_date) == (True, [], dt.date(2026, 11, 30))
    assert [reason.rule for reason in monday.proof] == [
        "minimum_balance", "appeal_pending", "arrangement_honoured", "moratorium", "medical_low_income",
        "delinquent_days", "final_notice_missing", "final_notice_after_bill", "final_notice_lead",
        "notice_to_termination", "contact_48_hour", "closed_day", "day_before_closure",
    ]  # fmt: skip
    assert monday.proof[5].message == "70 days delinquent (oldest unpaid bill due 2026-09-21), at least 60."


def test_no_shutoff_on_christmas_eve_nor_new_years_eve_the_days_before_a_holiday() -> None:
    assert rules(dt.date(2026, 12, 24)) == ["day_before_closure"]
    assert shutoff_eligibility(facts(), dt.date(2026, 12, 24)).earliest_date == dt.date(2026, 12, 28)
    assert rules(dt.date(2026, 12, 25)) == ["closed_day", "day_before_closure"]
    assert rules(dt.date(2026, 12, 31)) == ["day_before_closure"]
    assert shutoff_eligibility(facts(), dt.date(2026, 12, 31)).earliest_date == dt.date(2027, 1, 4)
    # a city that allows shutoffs the day before a closure may shut off on Christmas Eve, never on Christmas
    lenient = replace(DEFAULT_POLICY, avoid_day_before_closure=False)
    assert rules(dt.date(2026, 12, 24), policy=lenient) == []
    assert rules(dt.date(2026, 12, 25), policy=lenient) == ["closed_day"]


def test_a_bill_due_the_friday_before_labor_day_is_60_days_delinquent_on_november_3() -> None:
    friday = dt.date(2026, 9, 4)  # Labor Day is Monday 2026-09-07
    changes = {"oldest_due_date": friday, "bill_mailed_on": dt.date(2026, 8, 14),
               "final_notice_mailed_on": dt.date(2026, 10, 15),
               "contact_attempted_at": at(dt.date(2026, 10, 30), 15)}  # fmt: skip
    monday = shutoff_eligibility(facts(**changes), dt.date(2026, 11, 2))
    assert monday.blocking_rules == ["delinquent_days"]
    assert monday.reasons[0].message == (
        "59 days delinquent on 2026-11-02 (oldest unpaid bill due 2026-09-04); at least 60 needed."
    )
    assert monday.earliest_date == dt.date(2026, 11, 3)
    assert rules(dt.date(2026, 11, 3), **changes) == []
    # Veterans Day (Wednesday 11-11) is closed, so Tuesday 11-10 is the day before a closure
    assert rules(dt.date(2026, 11, 10), **changes) == ["day_before_closure"]


def test_standing_protections_block_with_no_earliest_date() -> None:
    day = dt.date(2026, 11, 30)
    for changes, rule in (
        ({"appeal_pending": True}, "appeal_pending"),
        ({"arrangement_honoured": True}, "arrangement_honoured"),
        ({"moratorium": "Heat emergency"}, "moratorium"),
        ({"medical": True, "low_income": True, "arrangement_offered": True}, "medical_low_income"),
        ({"past_due_cents": 900, "past_due_by_service": {"water": 900}}, "minimum_balance"),
        ({"past_due_cents": 9510, "past_due_by_service": {"sewer": 9510}}, "non_water_charges"),
    ):
        decision = shutoff_eligibility(facts(**changes), day)
        assert (decision.blocking_rules, decision.earliest_date) == ([rule], None), rule
    # medical and low-income without an arrangement offered do not protect
    assert rules(day, medical=True, low_income=True) == []
    # sewer charges alone may cause a shutoff where the policy allows it
    allowed = replace(DEFAULT_POLICY, shutoff_for_non_water_charges=True)
    assert rules(day, policy=allowed, past_due_cents=9510, past_due_by_service={"sewer": 9510}) == []


def test_a_final_notice_mailed_under_19_days_after_the_bill_does_not_count() -> None:
    decision = shutoff_eligibility(facts(bill_mailed_on=dt.date(2026, 10, 30)), dt.date(2026, 11, 30))
    assert decision.blocking_rules == ["final_notice_after_bill"]
    # a new notice mailed 11-30 allows 12-15 (15 days), after the contact the run would make
    assert decision.earliest_date == dt.date(2026, 12, 15)


def test_the_48_hour_step_a_call_24_hours_before_or_a_notice_posted_48_hours_before() -> None:
    monday = dt.date(2026, 11, 30)
    assert rules(monday, contact_attempted_at=at(dt.date(2026, 11, 29), 0)) == []  # exactly 24 h
    assert rules(monday, contact_attempted_at=at(dt.date(2026, 11, 29), 1)) == ["contact_48_hour"]
    posted = {"contact_attempted_at": None, "notice_posted_at": at(dt.date(2026, 11, 28), 0)}
    assert rules(monday, **posted) == []
    posted["notice_posted_at"] = at(dt.date(2026, 11, 28), 9)
    assert rules(monday, **posted) == ["contact_48_hour"]
    # a call made before the final notice was mailed is not the 48-hour contact
    assert rules(monday, contact_attempted_at=at(dt.date(2026, 11, 11), 9)) == ["contact_48_hour"]


def test_after_a_broken_arrangement_5_business_days_after_a_final_notice_posted_at_the_premise() -> None:
    broken = {"broken_arrangement_on": dt.date(2026, 11, 20)}
    decision = shutoff_eligibility(facts(**broken), dt.date(2026, 11, 30))
    assert decision.blocking_rules == ["broken_arrangement"]
    assert decision.earliest_date == dt.date(2026, 12, 7)  # a notice posted 11-30: 5 business days
    posted = {**broken, "posted_final_notice_on": dt.date(2026, 11, 23)}  # Mon; 11-26/27 closed
    assert rules(dt.date(2026, 12, 1), **posted) == ["broken_arrangement"]  # 4 business days
    assert rules(dt.date(2026, 12, 2), **posted) == []


def test_tenants_of_a_landlord_billed_building_get_10_days_notice() -> None:
    landlord = {"landlord_billed": True, "tenant_notice_mailed_on": dt.date(2026, 11, 23)}
    assert rules(dt.date(2026, 12, 2), **landlord) == ["tenant_notice"]
    assert rules(dt.date(2026, 12, 3), **landlord) == []


def test_a_longer_final_notice_lead_counts_business_days_past_thanksgiving() -> None:
    twelve = replace(DEFAULT_POLICY, final_notice_lead_business_days=12)
    # 12 business days after Thursday 11-12, Thanksgiving and the day after closed: Wednesday 12-02
    assert rules(dt.date(2026, 12, 1), policy=twelve) == ["final_notice_lead"]
    assert rules(dt.date(2026, 12, 2), policy=twelve) == []
    named = shutoff_eligibility(facts(final_notice_shutoff_on=dt.date(2026, 12, 3)), dt.date(2026, 12, 2))
    assert (named.blocking_rules, named.earliest_date) == (["final_notice_lead"], dt.date(2026, 12, 3))
