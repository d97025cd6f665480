"""Autopay in the demo city: hooks the demo generator calls (it owns the order of events).

- :func:`demo_autopay_enroll` enrolls about 15% of the given accounts with plausible bank details
  (routing numbers of the real format, built with their check digit) and sends their prenotes in a
  draft file effective the next business day;
- :func:`demo_autopay_month` drafts one due date's bills and feeds back, through the same services
  as real files, what a bank would: a small share of returns (mostly R01, an R03) and a notification
  of change (C01).

Everything goes through the autopay services (enroll, draft, returns import), so the demo's drafts,
payments, returns, fees, letters and ledger are exactly what production would hold. Call
``demo_autopay_enroll`` at least two weeks (ten business days) before the first due date to draft,
so the prenotes have waited; call ``demo_autopay_month`` for a due date before the demo's own
payments of those bills (an account the draft has paid owes nothing more), and leave the enrolled
accounts out of the demo's other payments.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass, field

from civicbill import nacha
from civicbill.autopay import bank_files, banking, config, crypto
from civicbill.autopay.models import Authorization, DraftEntry, DraftFile, Enrollment
from civicbill.autopay.services import ach_draft_create, ach_returns_import, autopay_enroll
from civicbill.autopay.services.enrollment import AuthorizationIn
from civicbill.core import clock
from civicbill.core.actors import Actor
from civicbill.core.exceptions import ApplicationError
from civicbill.customers.models import Account

ENROLLED_SHARE = 0.15
SAVINGS_SHARE = 0.12
R01_SHARE = 0.015  # of a month's debits; R03 and C01: one each in a month of 20 debits or more
MIN_DEBITS_FOR_R03_AND_C01 = 20
RETURN_LAG_BUSINESS_DAYS = 2

# 8-digit routing prefixes of the real format: a Federal Reserve district (01-12) or its thrift range
# (21-32), then a processing center and an institution; the ninth digit is computed.
_ROUTING_PREFIXES = (
    "12104288", "23138010", "01100001", "09100001", "12200066", "32227068", "02100002", "06100015",
    "07100001", "11100002", "26207384", "31107455", "12100035", "32207014", "12214333", "04400003",
)  # fmt: skip
DEMO_ROUTING_NUMBERS = tuple(f"{prefix}{nacha.routing_check_digit(prefix)}" for prefix in _ROUTING_PREFIXES)


def autopay_ready() -> bool:
    """Whether this server can enroll (a bank-account key is set up; ADR 0010): a production-like
    demo without ``CIVICBILL_FIELD_KEY`` is seeded without autopay rather than refused."""
    try:
        crypto.require_key()
    except ApplicationError:
        return False
    return True


def demo_bank_details(rng: random.Random) -> tuple[str, str, str]:
    """(routing number, account number, account type): a routing number with a valid check digit, an
    account number of 8 to 12 digits, checking mostly."""
    routing = rng.choice(DEMO_ROUTING_NUMBERS)
    digits = rng.randint(8, 12)
    number = str(rng.randint(10 ** (digits - 1), 10**digits - 1))
    kind = nacha.SAVINGS if rng.random() < SAVINGS_SHARE else nacha.CHECKING
    return routing, number, kind


def demo_autopay_enroll(
    *,
    rng: random.Random,
    account_ids: Iterable[int],
    as_of: dt.datetime,
    actor: Actor,
    share: float = ENROLLED_SHARE,
) -> set[int]:
    """Enroll ``share`` (rounded) of the accounts that are neither closed nor enrolled yet, chosen by
    ``rng``, authorized on ``as_of``'s date and taken by ``actor``, and send their prenotes in a draft
    file effective the next business day without one. Returns the enrolled account ids."""
    ids = sorted(set(account_ids))
    live = set(
        Enrollment.objects.exclude(status=Enrollment.Status.ENDED).values_list("account_id", flat=True)
    )
    accounts = {
        account.pk: account
        for account in Account.objects.filter(pk__in=ids)
        .exclude(status=Account.Status.CLOSED)
        .select_related("customer")
        if account.pk not in live
    }
    eligible = sorted(accounts)
    chosen = sorted(rng.sample(eligible, round(len(eligible) * share)))
    today = clock.business_date(as_of)
    enrolled: set[int] = set()
    for account_id in chosen:
        account = accounts[account_id]
        routing, number, kind = demo_bank_details(rng)
        autopay_enroll(
            account=account,
            routing_number=routing,
            account_number=number,
            account_type=kind,
            authorization=AuthorizationIn(
                method=Authorization.Method.WRITTEN,
                authorized_on=today,
                authorized_by=account.customer.display_name,
                reference=f"Signed form filed under {account.number}",
            ),
            as_of=as_of,
            actor=actor,
        )
        enrolled.add(account_id)
    if enrolled:
        calendar = banking.banking_calendar()
        effective = calendar.add_business_days(today, 1)
        taken = set(
            DraftFile.objects.filter(
                status=DraftFile.Status.CREATED, effective_date__gte=effective
            ).values_list("effective_date", flat=True)
        )
        while effective in taken:
            effective = calendar.add_business_days(effective, 1)
        ach_draft_create(effective_date=effective, as_of=as_of, actor=actor)  # the prenotes
    return enrolled


@dataclass(frozen=True)
class DemoMonth:
    """What one month of autopay did in the demo."""

    effective_date: dt.date
    draft_file_id: int | None
    debit_count: int = 0
    total_debit_cents: int = 0
    return_file_id: int | None = None
    returns: dict[str, int] = field(default_factory=dict)  # code -> count (R01, R03, C01)


def _bank_reply(rng: random.Random, debits: list[DraftEntry]) -> list[tuple[DraftEntry, str, str]]:
    """What the bank sends back for a month's debits: about 1.5% R01 (at least one from 10 debits),
    one R03 and one C01 from 20 debits (never two of them for one entry)."""
    pool = list(debits)
    rng.shuffle(pool)
    replies: list[tuple[DraftEntry, str, str]] = []
    r01 = max(1, round(len(pool) * R01_SHARE)) if len(pool) >= 10 else 0
    for _ in range(min(r01, len(pool))):
        replies.append((pool.pop(), "R01", ""))
    if len(pool) >= 2 and len(debits) >= MIN_DEBITS_FOR_R03_AND_C01:
        replies.append((pool.pop(), "R03", ""))
        _routing, new_number, _kind = demo_bank_details(rng)
        replies.append((pool.pop(), "C01", bank_files.corrected_data("C01", account_number=new_number)))
    return replies


def demo_autopay_month(
    *, due_date: dt.date, as_of: dt.datetime, actor: Actor, rng: random.Random
) -> DemoMonth:
    """Draft the bills due on ``due_date`` (the file is effective that day, or the next business day)
    from ``as_of`` (before it), then import the bank's reply two banking days later: a small share
    of returns and a notification of change. A month with nothing to draft does nothing."""
    calendar = banking.banking_calendar()
    effective = calendar.next_business_day(due_date)
    try:
        with clock.replaying(as_of):  # what the services stamp carries the draft's time
            draft = ach_draft_create(effective_date=effective, as_of=as_of, actor=actor)
    except ApplicationError as error:
        if error.code == "nothing_to_draft":
            return DemoMonth(effective_date=effective, draft_file_id=None)
        raise
    debits = list(
        DraftEntry.objects.filter(draft_file=draft, kind=DraftEntry.Kind.DEBIT)
        .select_related("enrollment")
        .order_by("sequence")
    )
    month = DemoMonth(
        effective_date=effective,
        draft_file_id=draft.pk,
        debit_count=draft.debit_count,
        total_debit_cents=draft.total_debit_cents,
    )
    replies = _bank_reply(rng, debits)
    if not replies:
        return month
    received_on = calendar.add_business_days(effective, RETURN_LAG_BUSINESS_DAYS)
    received_at = clock.start_of_day(received_on) + dt.timedelta(hours=8)
    content = bank_files.return_file(
        originator=config.ach_settings().originator,
        items=bank_files.return_specs(replies),
        created_on=received_on,
    )
    with clock.replaying(received_at):
        record = ach_returns_import(
            content=content, file_name=f"returns-{received_on:%Y%m%d}.ach", as_of=received_at, actor=actor
        )
    counts: dict[str, int] = {}
    for _entry, code, _data in replies:
        counts[code] = counts.get(code, 0) + 1
    return DemoMonth(
        effective_date=effective,
        draft_file_id=draft.pk,
        debit_count=draft.debit_count,
        total_debit_cents=draft.total_debit_cents,
        return_file_id=record.pk,
        returns=counts,
    )


def demo_draft_files() -> int:
    """How many draft files the demo holds (for its summary line)."""
    return DraftFile.objects.filter(status=DraftFile.Status.CREATED).count()
