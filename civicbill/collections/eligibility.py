"""May an account's water be shut off for nonpayment on a date? (pure: no Django).

:func:`shutoff_eligibility` takes what is known of one account (:class:`EligibilityFacts`, gathered
set-based by ``collections.eligibility_selectors``) and a date, and answers with a :class:`Decision`:
``eligible``, the ``reasons`` that block it (each naming its rule), the ``proof`` of every condition
met, and ``earliest_date`` — the first date on or after the asked date that every time-based rule
would allow.

The rules (../shared/DOMAIN.md; statute floors apply even if a policy went under them):

=========================== ==========================================================================
rule                        blocks a shutoff on day D when ...
=========================== ==========================================================================
nothing_past_due            nothing is past due on D
minimum_balance             the amount that may cause a shutoff is under policy.minimum_balance_cents
non_water_charges           only sewer/refuse charges are past due and policy.shutoff_for_non_water_charges
                            is false
appeal_pending              a bill review or appeal is pending (§116908(a)(2)(B))
arrangement_honoured        a payment arrangement is honoured (§116910(a)(1)(C), §116908)
moratorium                  an emergency moratorium covers the account
medical_low_income          a medical certification AND low-income status AND an arrangement offered
                            or accepted (§116910(a))
delinquent_days             the oldest unpaid bill is under shutoff_delinquent_days (60) delinquent
                            (§116908(a)(1))
final_notice_missing        no final notice was mailed
final_notice_after_bill     the final notice was mailed under 19 days after the bill (§10010.1(a));
                            such a notice does not count
final_notice_lead           D is under final_notice_lead_business_days (7) business days after the
                            notice was mailed (§116908(a)(1)(A)), or before the shutoff date it named
notice_to_termination       D is under 10 days after the 5th day after the notice was mailed
                            (§10010.1(a), Gov. Code §60373)
contact_48_hour             no contact attempt at least 24 hours before D, nor a notice posted at the
                            premise at least 48 hours before D (§10010.1(c)); attempts made before the
                            final notice was mailed do not count
tenant_notice               a landlord-billed building whose tenants were not given 10 days' notice
broken_arrangement          after a broken arrangement: D is under 5 business days after a final notice
                            posted at the premise (§116910(b))
closed_day                  D is a Saturday, Sunday, legal holiday or office closure
day_before_closure          policy.avoid_day_before_closure and the office is closed the day after D
=========================== ==========================================================================

Times of day: a shutoff "on D" may happen at the first moment of D in the utility's zone, so a contact
attempt counts only when made at least 24 hours before D begins (48 for a posted notice).

``earliest_date`` is null when a standing block applies (the first six rules: nothing will change it
but a payment, a decision or an end to the protection). A step not yet taken (no final notice, no
48-hour contact, no posted notice after a broken arrangement, no tenant notice) is assumed taken on
the asked date, so the date says when a shutoff could lawfully happen at the soonest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from civicbill.collections.policy import (
    MIN_BROKEN_ARRANGEMENT_NOTICE_BUSINESS_DAYS,
    MIN_CONTACT_HOURS_BEFORE_SHUTOFF,
    MIN_FINAL_NOTICE_LEAD_BUSINESS_DAYS,
    MIN_NOTICE_AFTER_BILL_MAILED_DAYS,
    MIN_NOTICE_TO_TERMINATION_DAYS,
    MIN_POSTED_NOTICE_HOURS_BEFORE_SHUTOFF,
    MIN_SHUTOFF_DELINQUENT_DAYS,
    MIN_TENANT_NOTICE_DAYS,
    NOTICE_DAYS_START_AFTER_MAILING,
    CollectionsPolicy,
)

if TYPE_CHECKING:
    from civicbill.core.clock import BusinessCalendar

WATER_SERVICES = frozenset({"water", "fire_line"})  # charges for which water may be shut off
HORIZON_DAYS = 400  # earliest_date looks this far ahead at most

# standing blocks: no date makes them pass (earliest_date is null)
STANDING_RULES = (
    "nothing_past_due",
    "minimum_balance",
    "non_water_charges",
    "appeal_pending",
    "arrangement_honoured",
    "moratorium",
    "medical_low_income",
)
TIME_RULES = (
    "delinquent_days",
    "final_notice_missing",
    "final_notice_after_bill",
    "final_notice_lead",
    "notice_to_termination",
    "contact_48_hour",
    "tenant_notice",
    "broken_arrangement",
    "closed_day",
    "day_before_closure",
)
RULES = STANDING_RULES + TIME_RULES


@dataclass(frozen=True, slots=True)
class Reason:
    rule: str  # one of RULES
    message: str  # in staff words, with the dates and amounts behind it

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "message": self.message}


@dataclass(frozen=True, slots=True)
class Decision:
    eligible: bool
    reasons: list[Reason]  # what blocks it (empty when eligible)
    earliest_date: dt.date | None
    proof: list[Reason] = field(default_factory=list)  # every condition met, when eligible or not

    @property
    def blocking_rules(self) -> list[str]:
        return [reason.rule for reason in self.reasons]


@dataclass(frozen=True)
class EligibilityFacts:
    """What is known of one account on the asked date (amounts in cents)."""

    account_id: int
    policy: CollectionsPolicy
    calendar: BusinessCalendar
    residential: bool = True
    # delinquency (collections.delinquency.AccountDelinquency on the asked date)
    oldest_due_date: dt.date | None = None  # of the oldest unpaid bill past due
    past_due_cents: int = 0
    past_due_by_service: Mapping[str, int] = field(default_factory=dict)
    bill_mailed_on: dt.date | None = None  # the oldest unpaid past-due bill's date (its mailing)
    # notices
    final_notice_mailed_on: dt.date | None = None
    final_notice_shutoff_on: dt.date | None = None  # the earliest shutoff date the notice named
    broken_arrangement_on: dt.date | None = None  # the latest arrangement broke on this date
    posted_final_notice_on: dt.date | None = None  # a final notice posted at the premise after it
    contact_attempted_at: dt.datetime | None = None  # the latest 48-hour phone / in-person attempt
    notice_posted_at: dt.datetime | None = None  # the latest 48-hour notice posted at the premise
    landlord_billed: bool = False  # tenants in the building must get their own notice
    tenant_notice_mailed_on: dt.date | None = None
    # protections
    arrangement_honoured: bool = False
    appeal_pending: bool = False
    moratorium: str = ""  # the moratorium's reason when one covers the account
    low_income: bool = False
    medical: bool = False
    arrangement_offered: bool = False
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("America/Los_Angeles"))

    def days_delinquent(self, day: dt.date) -> int:
        return 0 if self.oldest_due_date is None else max((day - self.oldest_due_date).days, 0)

    def shutoff_cents(self) -> int:
        """The past-due amount that may cause a shutoff: all of it, or only the water charges when
        the policy forbids shutting water off for other services' charges."""
        if self.policy.shutoff_for_non_water_charges:
            return self.past_due_cents
        return sum(cents for service, cents in self.past_due_by_service.items() if service in WATER_SERVICES)


def _money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) // 100:,}.{abs(cents) % 100:02d}"


def _start(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone)


# -- the rules -------------------------------------------------------------------------------------


def _standing(facts: EligibilityFacts) -> tuple[list[Reason], list[Reason]]:
    """(blocks, proof) of the rules no date changes."""
    policy = facts.policy
    blocks: list[Reason] = []
    proof: list[Reason] = []
    if facts.past_due_cents <= 0:
        blocks.append(Reason("nothing_past_due", "Nothing is past due."))
    else:
        counted = facts.shutoff_cents()
        if counted <= 0:
            blocks.append(
                Reason(
                    "non_water_charges",
                    f"Only non-water charges are past due ({_money(facts.past_due_cents)}); the policy "
                    "does not shut water off for them.",
                )
            )
        elif counted < policy.minimum_balance_cents:
            blocks.append(
                Reason(
                    "minimum_balance",
                    f"{_money(counted)} past due is under the "
                    f"{_money(policy.minimum_balance_cents)} minimum.",
                )
            )
        else:
            proof.append(
                Reason(
                    "minimum_balance",
                    f"{_money(counted)} past due, at least the {_money(policy.minimum_balance_cents)} minimum"
                    + ("" if policy.shutoff_for_non_water_charges else " (water charges)")
                    + ".",
                )
            )
    if facts.appeal_pending:
        blocks.append(Reason("appeal_pending", "A bill review or appeal is pending."))
    else:
        proof.append(Reason("appeal_pending", "No bill review or appeal is pending."))
    if facts.arrangement_honoured:
        blocks.append(Reason("arrangement_honoured", "A payment arrangement is being honoured."))
    else:
        proof.append(Reason("arrangement_honoured", "No payment arrangement is being honoured."))
    if facts.moratorium:
        blocks.append(Reason("moratorium", f"An emergency moratorium applies: {facts.moratorium}."))
    else:
        proof.append(Reason("moratorium", "No emergency moratorium applies."))
    if facts.medical and facts.low_income and facts.arrangement_offered:
        blocks.append(
            Reason(
                "medical_low_income",
                "A medical certification, low-income status and an offered payment arrangement apply.",
            )
        )
    else:
        proof.append(
            Reason(
                "medical_low_income",
                "Not all of medical certification, low-income status and an offered arrangement apply.",
            )
        )
    return blocks, proof


@dataclass(frozen=True, slots=True)
class _Steps:
    """The dated steps the time rules read (actual, or assumed taken on the asked date)."""

    final_mailed_on: dt.date | None
    final_shutoff_on: dt.date | None
    contact_at: dt.datetime | None
    posted_at: dt.datetime | None
    posted_final_on: dt.date | None
    tenant_mailed_on: dt.date | None


def _actual_steps(facts: EligibilityFacts) -> _Steps:
    return _Steps(
        facts.final_notice_mailed_on,
        facts.final_notice_shutoff_on,
        facts.contact_attempted_at,
        facts.notice_posted_at,
        facts.posted_final_notice_on,
        facts.tenant_notice_mailed_on,
    )


def _assumed_steps(facts: EligibilityFacts, day: dt.date) -> _Steps:
    """The steps as they would be if every missing one were taken on ``day``."""
    steps = _actual_steps(facts)
    mailed, shutoff_on = steps.final_mailed_on, steps.final_shutoff_on
    if mailed is None or _notice_too_soon(facts, mailed):
        mailed = day
        if facts.bill_mailed_on is not None:
            mailed = max(mailed, facts.bill_mailed_on + dt.timedelta(days=_after_bill_days(facts)))
        shutoff_on = None
    contact_at = steps.contact_at
    posted_at = steps.posted_at
    if not _counts(facts, contact_at, mailed) and not _counts(facts, posted_at, mailed):
        contact_at = _start(max(day, mailed), facts.zone)  # an attempt at the start of the day
    posted_final = steps.posted_final_on
    if facts.broken_arrangement_on is not None and (
        posted_final is None or posted_final < facts.broken_arrangement_on
    ):
        posted_final = max(day, facts.broken_arrangement_on)
    tenant = steps.tenant_mailed_on if steps.tenant_mailed_on is not None else day
    return _Steps(mailed, shutoff_on, contact_at, posted_at, posted_final, tenant)


def _after_bill_days(facts: EligibilityFacts) -> int:
    return max(facts.policy.notice_after_bill_mailed_days, MIN_NOTICE_AFTER_BILL_MAILED_DAYS)


def _notice_too_soon(facts: EligibilityFacts, mailed_on: dt.date) -> bool:
    return facts.bill_mailed_on is not None and (mailed_on - facts.bill_mailed_on).days < _after_bill_days(
        facts
    )


def _counts(facts: EligibilityFacts, at: dt.datetime | None, mailed_on: dt.date | None) -> bool:
    """A 48-hour contact counts only when made on or after the final notice's mailing."""
    if at is None:
        return False
    return mailed_on is None or at >= _start(mailed_on, facts.zone)


def _before(at: dt.datetime | None, begins: dt.datetime, hours: int) -> bool:
    return at is not None and at <= begins - dt.timedelta(hours=hours)


def _timed(facts: EligibilityFacts, day: dt.date, steps: _Steps) -> tuple[list[Reason], list[Reason]]:
    """(blocks, proof) of the rules that depend on the date."""
    policy, calendar = facts.policy, facts.calendar
    blocks: list[Reason] = []
    proof: list[Reason] = []

    def check(rule: str, ok: bool, blocked: str, met: str) -> None:
        (proof if ok else blocks).append(Reason(rule, met if ok else blocked))

    needed_days = max(policy.shutoff_delinquent_days, MIN_SHUTOFF_DELINQUENT_DAYS)
    days = facts.days_delinquent(day)
    due = f"{facts.oldest_due_date:%Y-%m-%d}" if facts.oldest_due_date else "none"
    check(
        "delinquent_days",
        facts.oldest_due_date is not None and days >= needed_days,
        f"{days} days delinquent on {day:%Y-%m-%d} (oldest unpaid bill due {due}); "
        f"at least {needed_days} needed.",
        f"{days} days delinquent (oldest unpaid bill due {due}), at least {needed_days}.",
    )
    mailed = steps.final_mailed_on
    if mailed is None:
        blocks.append(Reason("final_notice_missing", "No final notice has been mailed."))
    else:
        proof.append(Reason("final_notice_missing", f"Final notice mailed {mailed:%Y-%m-%d}."))
        after_bill = _after_bill_days(facts)
        bill = facts.bill_mailed_on
        check(
            "final_notice_after_bill",
            not _notice_too_soon(facts, mailed),
            f"The final notice of {mailed:%Y-%m-%d} was mailed under {after_bill} days after the bill of "
            f"{bill:%Y-%m-%d}; a new notice is needed."
            if bill
            else "",
            f"Final notice mailed {after_bill} or more days after the bill"
            + (f" of {bill:%Y-%m-%d}." if bill else "."),
        )
        lead = max(policy.final_notice_lead_business_days, MIN_FINAL_NOTICE_LEAD_BUSINESS_DAYS)
        lead_day = calendar.add_business_days(mailed, lead)
        named = steps.final_shutoff_on
        first = max(lead_day, named) if named else lead_day
        check(
            "final_notice_lead",
            day >= first,
            f"The final notice of {mailed:%Y-%m-%d} allows a shutoff from {first:%Y-%m-%d} "
            f"({lead} business days" + (f", and the date it named {named:%Y-%m-%d})." if named else ")."),
            f"Final notice mailed {mailed:%Y-%m-%d}, {lead} or more business days before"
            + (f"; the date it named, {named:%Y-%m-%d}, has come." if named else "."),
        )
        start_after = max(policy.notice_days_start_after_mailing, NOTICE_DAYS_START_AFTER_MAILING)
        notice_days = max(policy.notice_to_termination_days, MIN_NOTICE_TO_TERMINATION_DAYS)
        termination_from = mailed + dt.timedelta(days=start_after + notice_days)
        check(
            "notice_to_termination",
            day >= termination_from,
            f"{notice_days} days' notice counted from {start_after} days after mailing ends "
            f"{termination_from - dt.timedelta(days=1):%Y-%m-%d}; a shutoff may come from "
            f"{termination_from:%Y-%m-%d}.",
            f"{notice_days} days' notice counted from {start_after} days after mailing has passed "
            f"(from {termination_from:%Y-%m-%d}).",
        )
    contact_hours = max(policy.contact_hours_before_shutoff, MIN_CONTACT_HOURS_BEFORE_SHUTOFF)
    posted_hours = max(policy.posted_notice_hours_before_shutoff, MIN_POSTED_NOTICE_HOURS_BEFORE_SHUTOFF)
    begins = _start(day, facts.zone)
    contact_ok = _counts(facts, steps.contact_at, mailed) and _before(steps.contact_at, begins, contact_hours)
    posted_ok = _counts(facts, steps.posted_at, mailed) and _before(steps.posted_at, begins, posted_hours)
    if contact_ok or posted_ok:
        if contact_ok and steps.contact_at is not None:
            when = steps.contact_at.astimezone(facts.zone)
            how = f"Contact attempted {when:%Y-%m-%d %H:%M}, {contact_hours} or more hours before"
        else:
            when = (steps.posted_at or begins).astimezone(facts.zone)
            how = f"48-hour notice posted {when:%Y-%m-%d %H:%M}, {posted_hours} or more hours before"
        proof.append(Reason("contact_48_hour", how + "."))
    else:
        blocks.append(
            Reason(
                "contact_48_hour",
                f"No contact attempt {contact_hours} hours before {day:%Y-%m-%d}, nor a notice posted at "
                f"the premise {posted_hours} hours before.",
            )
        )
    if facts.landlord_billed:
        tenant_days = max(policy.tenant_notice_days, MIN_TENANT_NOTICE_DAYS)
        tenant = steps.tenant_mailed_on
        check(
            "tenant_notice",
            tenant is not None and day >= tenant + dt.timedelta(days=tenant_days),
            f"The tenants of this landlord-billed building need {tenant_days} days' notice"
            + (f" (mailed {tenant:%Y-%m-%d})." if tenant else "; none was mailed."),
            f"Tenants given {tenant_days} days' notice (mailed {tenant:%Y-%m-%d})." if tenant else "",
        )
    if facts.broken_arrangement_on is not None:
        wait = max(
            policy.broken_arrangement_notice_business_days, MIN_BROKEN_ARRANGEMENT_NOTICE_BUSINESS_DAYS
        )
        posted_final = steps.posted_final_on
        valid = posted_final is not None and posted_final >= facts.broken_arrangement_on
        allowed = calendar.add_business_days(posted_final, wait) if valid and posted_final else None
        check(
            "broken_arrangement",
            allowed is not None and day >= allowed,
            f"The arrangement broke {facts.broken_arrangement_on:%Y-%m-%d}: a shutoff needs {wait} business "
            "days after a final notice posted at the premise"
            + (
                f" (posted {posted_final:%Y-%m-%d}, so from {allowed:%Y-%m-%d})."
                if allowed
                else "; none posted."
            ),
            f"Final notice posted at the premise {posted_final:%Y-%m-%d}, {wait} or more business days "
            f"after the arrangement broke."
            if posted_final
            else "",
        )
    closed = calendar.why_closed(day)
    check(
        "closed_day",
        closed is None,
        f"{day:%Y-%m-%d} ({day:%A}) is not a business day: {closed}.",
        f"{day:%Y-%m-%d} ({day:%A}) is a business day.",
    )
    if policy.avoid_day_before_closure:
        tomorrow = day + dt.timedelta(days=1)
        closed_next = calendar.why_closed(tomorrow)
        check(
            "day_before_closure",
            closed_next is None,
            f"The office is closed the next day, {tomorrow:%Y-%m-%d} ({closed_next}): no shutoff the day "
            "before a closure.",
            f"The office is open the next day, {tomorrow:%Y-%m-%d}.",
        )
    return blocks, proof


def shutoff_eligibility(facts: EligibilityFacts, day: dt.date) -> Decision:
    """May the account's water be shut off on ``day``? Every blocking rule is named."""
    standing_blocks, standing_proof = _standing(facts)
    timed_blocks, timed_proof = _timed(facts, day, _actual_steps(facts))
    blocks = standing_blocks + timed_blocks
    proof = standing_proof + timed_proof
    if not blocks:
        return Decision(True, [], day, proof)
    return Decision(False, blocks, None if standing_blocks else earliest_date(facts, day), proof)


def earliest_date(facts: EligibilityFacts, day: dt.date) -> dt.date | None:
    """The first date on or after ``day`` every time-based rule allows, a missing step assumed taken
    on ``day``; None when none does within the horizon."""
    steps = _assumed_steps(facts, day)
    for offset in range(HORIZON_DAYS + 1):
        candidate = day + dt.timedelta(days=offset)
        blocks, _ = _timed(facts, candidate, steps)
        if not blocks:
            return candidate
    return None
