"""Gathering what the shutoff rules need for many accounts at once (set-based, chunked) and deciding.

:func:`eligibility_facts` builds one :class:`~civicbill.collections.eligibility.EligibilityFacts` per
account from: the delinquency on the day (``delinquency_facts``), what protects it
(``protections_on``), the notices sent (``notice_reader.notices_for`` — the one place notices are
read), the 48-hour contact attempts (``ContactAttempt``), the account's premise (residential;
landlord-billed = a multi-family premise of more than one dwelling unit billed to one account) and its
latest broken arrangement. A few queries per chunk of accounts, never one per account.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping

from civicbill.collections.delinquency import AccountDelinquency
from civicbill.collections.delinquency_selectors import accounts_owing, delinquency_facts
from civicbill.collections.eligibility import Decision, EligibilityFacts, shutoff_eligibility
from civicbill.collections.models import (
    Arrangement,
    ArrangementStatus,
    ContactAttempt,
    ContactChannel,
    Shutoff,
    ShutoffResult,
)
from civicbill.collections.notice_reader import AccountNotices, notices_for
from civicbill.collections.policy import CollectionsPolicy
from civicbill.collections.protections import Protections, protections_on
from civicbill.collections.selectors import policy_on
from civicbill.core import clock
from civicbill.core.chunks import slices
from civicbill.core.clock import BusinessCalendar
from civicbill.core.exceptions import NotFoundError
from civicbill.customers.models import Account, Premise

CHUNK = 900
RESIDENTIAL = (Premise.PremiseType.SINGLE_FAMILY, Premise.PremiseType.MULTI_FAMILY)
CONTACT_LOOKBACK_DAYS = 120  # attempts older than this never count for a shutoff on the day


def _premises(ids: list[int]) -> dict[int, tuple[bool, bool]]:
    """account id -> (residential, landlord-billed)."""
    result: dict[int, tuple[bool, bool]] = {}
    for chunk in slices(ids, CHUNK):
        for account_id, premise_type, units in Account.objects.filter(id__in=chunk).values_list(
            "id", "premise__premise_type", "premise__dwelling_units"
        ):
            result[account_id] = (
                premise_type in RESIDENTIAL,
                premise_type == Premise.PremiseType.MULTI_FAMILY and units > 1,
            )
    return result


def _broken_arrangements(ids: list[int], day: dt.date) -> dict[int, dt.date]:
    """account id -> the date its latest arrangement broke, when the latest one is broken."""
    latest: dict[int, tuple[str, dt.date | None]] = {}
    for chunk in slices(ids, CHUNK):
        rows = (
            Arrangement.objects.filter(account_id__in=chunk, agreed_on__lte=day)
            .exclude(status=ArrangementStatus.CANCELLED)
            .order_by("account_id", "agreed_on", "id")
            .values_list("account_id", "status", "ended_on")
        )
        for account_id, status, ended_on in rows:
            latest[account_id] = (status, ended_on)
    return {
        account_id: ended_on
        for account_id, (status, ended_on) in latest.items()
        if status == ArrangementStatus.BROKEN and ended_on is not None and ended_on <= day
    }


def _contacts(ids: list[int], day: dt.date) -> dict[int, list[tuple[dt.datetime, str]]]:
    """account id -> its contact attempts (time, channel) up to the end of ``day``, oldest first."""
    since = clock.start_of_day(day - dt.timedelta(days=CONTACT_LOOKBACK_DAYS))
    until = clock.start_of_day(day + dt.timedelta(days=1))
    result: dict[int, list[tuple[dt.datetime, str]]] = defaultdict(list)
    for chunk in slices(ids, CHUNK):
        rows = (
            ContactAttempt.objects.filter(
                account_id__in=chunk, attempted_at__gte=since, attempted_at__lt=until
            )
            .order_by("account_id", "attempted_at", "id")
            .values_list("account_id", "attempted_at", "channel")
        )
        for account_id, attempted_at, channel in rows:
            result[account_id].append((attempted_at, channel))
    return result


def _first_after(
    attempts: list[tuple[dt.datetime, str]], mailed_on: dt.date | None, *, posted: bool
) -> dt.datetime | None:
    """The first attempt of the kind made on or after the final notice's mailing (the one that
    satisfies the 48-hour rule soonest)."""
    since = clock.start_of_day(mailed_on) if mailed_on else None
    for attempted_at, channel in attempts:
        if (channel == ContactChannel.POSTED) == posted and (since is None or attempted_at >= since):
            return attempted_at
    return None


def facts_for(
    account_id: int,
    owed: AccountDelinquency,
    day: dt.date,
    *,
    policy: CollectionsPolicy,
    calendar: BusinessCalendar,
    protection: Protections,
    premise: tuple[bool, bool],
    notices: AccountNotices | None,
    attempts: list[tuple[dt.datetime, str]],
    broken_on: dt.date | None,
) -> EligibilityFacts:
    past = owed.past_due_items(day)
    by_service: dict[str, int] = defaultdict(int)
    for item in past:
        by_service[item.service] += item.open_cents
    oldest = past[0] if past else None
    bill_dates = [item.bill_date for item in past if item.due_date == past[0].due_date and item.bill_date]
    final = notices.final if notices else None
    posted_final = notices.posted_final if notices else None
    tenant = notices.tenant if notices else None
    mailed_on = final.mailed_on if final else None
    return EligibilityFacts(
        account_id=account_id,
        policy=policy,
        calendar=calendar,
        residential=premise[0],
        oldest_due_date=oldest.due_date if oldest else None,
        past_due_cents=sum(by_service.values()),
        past_due_by_service=dict(by_service),
        bill_mailed_on=min(bill_dates) if bill_dates else None,
        final_notice_mailed_on=mailed_on,
        final_notice_shutoff_on=final.earliest_shutoff_on if final else None,
        broken_arrangement_on=broken_on,
        posted_final_notice_on=posted_final.mailed_on if posted_final else None,
        contact_attempted_at=_first_after(attempts, mailed_on, posted=False),
        notice_posted_at=_first_after(attempts, mailed_on, posted=True),
        landlord_billed=premise[1],
        tenant_notice_mailed_on=tenant.mailed_on if tenant else None,
        arrangement_honoured=protection.in_arrangement,
        appeal_pending=protection.appeal_pending,
        moratorium=protection.moratorium.reason if protection.moratorium else "",
        low_income=protection.low_income,
        medical=protection.medical,
        # an arrangement accepted (honoured) counts as offered; the arrangements area may add offers
        arrangement_offered=protection.in_arrangement,
        zone=clock.utility_zone(),
    )


def eligibility_facts(
    account_ids: Iterable[int],
    day: dt.date,
    *,
    policy: CollectionsPolicy | None = None,
    calendar: BusinessCalendar | None = None,
    owing: Mapping[int, AccountDelinquency] | None = None,
    protections: Mapping[int, Protections] | None = None,
) -> dict[int, EligibilityFacts]:
    """account id -> the facts the shutoff rules read on ``day`` (the run passes what it already has)."""
    ids = sorted({int(account_id) for account_id in account_ids})
    policy = policy or policy_on(day)
    calendar = calendar or clock.business_calendar()
    owed = dict(owing) if owing is not None else {}
    missing = [account_id for account_id in ids if account_id not in owed]
    if missing:
        owed.update(delinquency_facts(missing, day))
    guarded = dict(protections) if protections is not None else {}
    unguarded = [account_id for account_id in ids if account_id not in guarded]
    if unguarded:
        guarded.update(protections_on(unguarded, day))
    premises = _premises(ids)
    notices = notices_for(ids, day)
    attempts = _contacts(ids, day)
    broken = _broken_arrangements(ids, day)
    return {
        account_id: facts_for(
            account_id,
            owed[account_id],
            day,
            policy=policy,
            calendar=calendar,
            protection=guarded[account_id],
            premise=premises.get(account_id, (True, False)),
            notices=notices.get(account_id),
            attempts=attempts.get(account_id, []),
            broken_on=broken.get(account_id),
        )
        for account_id in ids
    }


def eligibility_decisions(
    account_ids: Iterable[int], day: dt.date, **gathered: object
) -> dict[int, tuple[EligibilityFacts, Decision]]:
    """account id -> (facts, decision) for a shutoff on ``day``."""
    facts = eligibility_facts(account_ids, day, **gathered)  # type: ignore[arg-type]
    return {account_id: (fact, shutoff_eligibility(fact, day)) for account_id, fact in facts.items()}


def accounts_in_shutoff() -> set[int]:
    """Accounts with a shutoff scheduled and not yet worked, or disconnected and not reconnected."""
    return set(
        Shutoff.objects.filter(
            result__in=(ShutoffResult.PENDING, ShutoffResult.DISCONNECTED), reconnection__isnull=True
        ).values_list("account_id", flat=True)
    )


def shutoff_list(day: dt.date) -> list[tuple[EligibilityFacts, Decision]]:
    """Accounts that may be disconnected on ``day`` (each with the proof of every condition met),
    among those owing on it and not already scheduled or disconnected, by account id."""
    busy = accounts_in_shutoff()
    decided = eligibility_decisions([a for a in accounts_owing(day) if a not in busy], day)
    return [(facts, decision) for _, (facts, decision) in sorted(decided.items()) if decision.eligible]


def decision_payload(number: str, day: dt.date, decision: Decision) -> dict[str, object]:
    """The documented JSON answer for one account (CLI ``collections eligibility``, API, page)."""
    return {
        "account": number,
        "date": day.isoformat(),
        "eligible": decision.eligible,
        "reasons": [reason.as_dict() for reason in decision.reasons],
        "earliest_date": decision.earliest_date.isoformat() if decision.earliest_date else None,
    }


def account_eligibility(number: str, day: dt.date) -> tuple[Account, EligibilityFacts, Decision]:
    """May account ``number`` be shut off on ``day``? Refused (NotFoundError) for an unknown number."""
    account = Account.objects.filter(number=number.strip()).first()
    if account is None:
        raise NotFoundError(f"There is no account {number}", field="account")
    facts, decision = eligibility_decisions([account.pk], day)[account.pk]
    return account, facts, decision


def shutoff_list_rows(day: dt.date) -> list[dict[str, object]]:
    """The shutoff list on ``day`` as rows: account, name, service address, amount and the proof."""
    listed = shutoff_list(day)
    accounts = {
        a.pk: a
        for a in Account.objects.filter(id__in=[facts.account_id for facts, _ in listed]).select_related(
            "customer", "premise"
        )
    }
    rows: list[dict[str, object]] = []
    for facts, decision in listed:
        account = accounts[facts.account_id]
        rows.append(
            {
                "account": account.number,
                "name": str(account.customer),
                "service_address": account.premise.address_line,
                "past_due_cents": facts.past_due_cents,
                "days_delinquent": facts.days_delinquent(day),
                "proof": [reason.as_dict() for reason in decision.proof],
            }
        )
    return rows
