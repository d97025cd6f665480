"""Writes to the ledger: posting entries (one or in bulk), reversing them, closing accounting months.

Every function is keyword-only, atomic, checks the actor's permission and records an audit event.
Posting inserts an entry's lines first and its header last; the database refuses a header whose
lines don't balance (see :mod:`civicbill.ledger.models`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from django.db import IntegrityError, connection, transaction

from civicbill.core import clock
from civicbill.core.actors import Actor, acting_user
from civicbill.core.audit import audit_record, diff, snapshot
from civicbill.core.chunks import slices
from civicbill.core.exceptions import ApplicationError, NotFoundError
from civicbill.core.money import Money
from civicbill.core.permissions import require_permission
from civicbill.ledger import selectors
from civicbill.ledger.journal_insert import NewEntry, insert_entries, posted_entry
from civicbill.ledger.models import (
    AccountingPeriod,
    JournalEntry,
    JournalLine,
    PeriodCloseRecord,
    PeriodCloseTotal,
    SourceType,
)
from civicbill.ledger.posting import (
    EntrySpec,
    LineKey,
    PostingError,
    PostingLine,
    describe_errors,
    line_signature,
    validate_entry,
)

# a reversal is posted only by entry_reverse, which links it to the entry it reverses
SOURCE_TYPES = frozenset(SourceType.values) - {SourceType.REVERSAL}


class LedgerPostingError(ApplicationError):
    """An entry (or a batch) was refused; ``errors`` holds every problem found."""

    def __init__(
        self, message: str, *, errors: Sequence[PostingError | str], code: str = "invalid_entry"
    ) -> None:
        super().__init__(message, code=code)
        self.errors = list(errors)


def period_closed_error(month: dt.date) -> ApplicationError:
    return ApplicationError(
        f"Accounting period {month:%Y-%m} is closed; post the correction into an open period",
        code="period_closed",
        field="accounting_date",
    )


# -- locks (the one place this app takes row locks) ----------------------------------------------
def _lock_entry(entry_id: Any) -> JournalEntry:
    """Lock an entry's header against a concurrent reversal (FOR UPDATE fires no UPDATE trigger)."""
    return JournalEntry.objects.select_for_update().get(pk=entry_id)


def _lock_period(month: dt.date) -> AccountingPeriod:
    period, _ = AccountingPeriod.objects.get_or_create(month=month)
    return AccountingPeriod.objects.select_for_update().get(pk=period.pk)


def _closed_months(days: set[dt.date]) -> set[dt.date]:
    months = {clock.first_of_month(day) for day in days}
    return set(
        AccountingPeriod.objects.filter(month__in=months, status=AccountingPeriod.Status.CLOSED).values_list(
            "month", flat=True
        )
    )


def refuse_closed_periods(
    days: Iterable[dt.date],
    *,
    advice: str = "post into an open period",
    field: str | None = "accounting_date",
) -> None:
    """Refuse when any of ``days`` falls in a closed month (one query), for every path that posts.

    ``advice`` ends the message; ``{day}`` in it is replaced by the first refused day."""
    days = set(days)
    closed = _closed_months(days)
    for day in sorted(days):
        if clock.first_of_month(day) in closed:
            raise ApplicationError(
                f"Accounting period {day:%Y-%m} is closed; " + advice.format(day=day),
                code="period_closed",
                field=field,
            )


def _refuse_if_invalid(spec: EntrySpec, gl_facts: Any, source_types: frozenset[str] = SOURCE_TYPES) -> None:
    errors = validate_entry(spec, gl_accounts=gl_facts, source_types=source_types)
    if errors:
        raise LedgerPostingError(
            f"Journal entry refused: {describe_errors(errors)}", errors=errors, code=errors[0].code
        )


def _same_posting_or_refuse(existing: JournalEntry, spec: EntrySpec) -> JournalEntry:
    """An idempotent replay must describe the same money (source type and lines)."""
    posted = line_signature(LineKey.of(line) for line in selectors.entry_posting_lines(existing))
    wanted = line_signature(LineKey.of(line) for line in spec.lines)
    if existing.source_type != spec.source_type or posted != wanted:
        raise ApplicationError(
            f"Idempotency key {spec.idempotency_key!r} was already used by entry {existing.pk} "
            f"({existing.source_type} {existing.source_ref}) with different lines; use a new key",
            code="idempotency_conflict",
        )
    return existing


def _account_number(entry: JournalEntry) -> str:
    numbers = set(
        JournalLine.objects.filter(entry=entry, customer_account__isnull=False).values_list(
            "customer_account__number", flat=True
        )
    )
    return numbers.pop() if len(numbers) == 1 else ""


def _post_one(spec: EntrySpec, *, actor: Actor, reverses_id: Any = None) -> tuple[JournalEntry, bool]:
    """Insert one validated entry unless its key is posted; (entry, created)."""
    existing = JournalEntry.objects.filter(idempotency_key=spec.idempotency_key).first()
    if existing is not None:
        return _same_posting_or_refuse(existing, spec), False
    if _closed_months({spec.accounting_date}):
        raise period_closed_error(clock.first_of_month(spec.accounting_date))
    new = NewEntry(spec, uuid.uuid4(), reverses_id)
    posted_at = clock.now()
    try:
        with transaction.atomic():
            insert_entries(
                [new],
                posted_by_id=acting_user(actor).pk,
                posted_at=posted_at,
                gl_ids=selectors.gl_account_ids(),
            )
    except IntegrityError:
        # a concurrent poster won the race for this key: return what it posted
        existing = JournalEntry.objects.filter(idempotency_key=spec.idempotency_key).first()
        if existing is None:
            raise
        return _same_posting_or_refuse(existing, spec), False
    return posted_entry(new, posted_by=actor, posted_at=posted_at), True


# -- posting ---------------------------------------------------------------------------------------
@transaction.atomic
def entry_post(
    *,
    lines: Sequence[PostingLine],
    accounting_date: dt.date,
    source_type: str,
    source_ref: str,
    idempotency_key: str,
    reason: str,
    memo: str = "",
    actor: Actor,
) -> JournalEntry:
    """Post one balanced entry. Posting the same ``idempotency_key`` again returns the entry already
    posted and posts nothing (refused if the lines differ)."""
    require_permission(actor, "ledger.post")
    spec = EntrySpec(tuple(lines), accounting_date, source_type, source_ref, idempotency_key, reason, memo)
    _refuse_if_invalid(spec, selectors.gl_facts())
    entry, created = _post_one(spec, actor=actor)
    if created:
        audit_record(
            actor=actor,
            action="journal_entry.post",
            target=entry,
            at=entry.posted_at,
            account_number=_account_number(entry),
            summary=f"Posted {entry.source_type} {entry.source_ref} {Money.from_cents(entry.total_cents)} "
            f"dated {entry.accounting_date}",
            changes={
                "idempotency_key": entry.idempotency_key,
                "reason": entry.reason,
                "total": str(Money.from_cents(entry.total_cents)),
                "line_count": len(spec.lines),
            },
        )
    return entry


def _posted_keys(keys: list[str]) -> set[str]:
    size = (connection.features.max_query_params or 10_000) - 1
    found: set[str] = set()
    for chunk in slices(keys, size):
        found.update(
            JournalEntry.objects.filter(idempotency_key__in=chunk).values_list("idempotency_key", flat=True)
        )
    return found


@transaction.atomic
def entries_post_bulk(*, entries: Sequence[EntrySpec], actor: Actor) -> int:
    """Post many entries set-based (all lines in one statement, then all headers). Entries whose key is
    already posted are skipped (a resumed job); if any entry is invalid, nothing is posted and the
    error lists the bad entries. Returns how many entries were posted."""
    require_permission(actor, "ledger.post")
    gl_facts = selectors.gl_facts()
    problems: list[str] = []
    duplicates = {
        key for key, count in Counter(spec.idempotency_key for spec in entries).items() if count > 1
    }
    for number, spec in enumerate(entries, start=1):
        errors = validate_entry(spec, gl_accounts=gl_facts, source_types=SOURCE_TYPES)
        if spec.idempotency_key in duplicates:
            errors.append(
                PostingError("duplicate_key", "the same idempotency key appears twice in this batch")
            )
        if errors:
            problems.append(f"entry {number} ({spec.idempotency_key}): {describe_errors(errors, limit=3)}")
    posted = _posted_keys([spec.idempotency_key for spec in entries]) if not problems else set()
    new = [spec for spec in entries if spec.idempotency_key not in posted]
    closed = _closed_months({spec.accounting_date for spec in new}) if not problems else set()
    for number, spec in enumerate(entries, start=1):
        month = clock.first_of_month(spec.accounting_date)
        if month in closed and spec.idempotency_key not in posted:
            problems.append(f"entry {number} ({spec.idempotency_key}): {period_closed_error(month)}")
    if problems:
        shown = "; ".join(problems[:10]) + (f"; and {len(problems) - 10} more" if len(problems) > 10 else "")
        raise LedgerPostingError(
            f"{len(problems)} of {len(entries)} entries cannot be posted, so none was: {shown}",
            errors=problems,
            code="invalid_batch",
        )
    if not new:
        return 0
    posted_at = clock.now()
    batch = [NewEntry(spec, uuid.uuid4()) for spec in new]
    insert_entries(
        batch, posted_by_id=acting_user(actor).pk, posted_at=posted_at, gl_ids=selectors.gl_account_ids()
    )
    total_cents = sum(spec.total_cents for spec in new)
    audit_record(
        actor=actor,
        action="journal_entry.post_bulk",
        target=posted_entry(batch[0], posted_by=actor, posted_at=posted_at),
        at=posted_at,
        summary=f"Posted {len(new)} entries ({', '.join(sorted({s.source_type for s in new}))}) "
        f"totalling {Money.from_cents(total_cents)}; {len(entries) - len(new)} already posted",
        changes={
            "posted_count": len(new),
            "skipped_count": len(entries) - len(new),
            "total": str(Money.from_cents(total_cents)),
            "first_key": new[0].idempotency_key,
            "last_key": new[-1].idempotency_key,
        },
    )
    return len(new)


# -- reversing -------------------------------------------------------------------------------------
@transaction.atomic
def entry_reverse(
    *,
    entry: JournalEntry,
    reason: str,
    accounting_date: dt.date,
    actor: Actor,
    idempotency_key: str | None = None,
    memo: str = "",
) -> JournalEntry:
    """Post the mirror of ``entry`` (every debit a credit and back, same GL accounts, customer
    accounts and services), pointing at it. An entry is reversed at most once; a reversal is
    never reversed (post a new entry instead). Passing the ``idempotency_key`` of a reversal
    already posted for this entry returns that reversal."""
    require_permission(actor, "ledger.reverse")
    try:
        original = _lock_entry(entry.pk)
    except JournalEntry.DoesNotExist:
        raise NotFoundError(f"There is no journal entry {entry.pk}") from None
    if idempotency_key:
        replay = JournalEntry.objects.filter(idempotency_key=idempotency_key).first()
        if replay is not None:
            if replay.reverses_id != original.pk:
                raise ApplicationError(
                    f"Idempotency key {idempotency_key!r} was already used by entry {replay.pk}, "
                    f"which does not reverse entry {original.pk}",
                    code="idempotency_conflict",
                )
            return replay
    if original.reverses_id is not None:
        raise ApplicationError(
            f"Entry {original.pk} is itself a reversal (of entry {original.reverses_id}) "
            f"and cannot be reversed; post a new entry instead",
            code="reversal_of_reversal",
        )
    already = JournalEntry.objects.filter(reverses=original).first()
    if already is not None:
        raise ApplicationError(
            f"Entry {original.pk} was already reversed by entry {already.pk} on {already.accounting_date}",
            code="already_reversed",
        )
    if accounting_date < original.accounting_date:
        raise ApplicationError(
            f"A reversal cannot be dated {accounting_date}, "
            f"before the entry it reverses ({original.accounting_date})",
            code="reversal_before_original",
            field="accounting_date",
        )
    spec = EntrySpec(
        lines=tuple(line.mirrored() for line in selectors.entry_posting_lines(original)),
        accounting_date=accounting_date,
        source_type=SourceType.REVERSAL,
        source_ref=str(original.pk),
        idempotency_key=idempotency_key or f"reversal-of:{original.pk}",
        reason=reason,
        memo=memo or f"Reversal of {original.source_type} {original.source_ref}".strip(),
    )
    # undoing a posting is allowed even on a GL account deactivated since
    _refuse_if_invalid(
        spec,
        {code: replace(facts, is_active=True) for code, facts in selectors.gl_facts().items()},
        source_types=frozenset({SourceType.REVERSAL}),
    )
    try:
        reversal, _ = _post_one(spec, actor=actor, reverses_id=original.pk)
    except IntegrityError as error:  # the unique ``reverses`` lost a race with another reversal
        raise ApplicationError(
            f"Entry {original.pk} was already reversed", code="already_reversed"
        ) from error
    audit_record(
        actor=actor,
        action="journal_entry.reverse",
        target=reversal,
        at=reversal.posted_at,
        account_number=_account_number(reversal),
        summary=f"Reversed {original.source_type} {original.source_ref} "
        f"{Money.from_cents(original.total_cents)}: {reason}",
        changes={
            "reverses": str(original.pk),
            "reason": reason,
            "accounting_date": accounting_date.isoformat(),
        },
    )
    return reversal


# -- accounting periods ------------------------------------------------------------------------------
def _require_first_of_month(month: dt.date) -> None:
    if month.day != 1:
        raise ApplicationError(
            f"An accounting period is a month: give its first day ({month:%Y-%m}-01), not {month}",
            code="invalid_month",
            field="month",
        )


@transaction.atomic
def period_close(*, month: dt.date, actor: Actor) -> AccountingPeriod:
    """Close an accounting month: nothing more can be posted with an accounting date in it."""
    require_permission(actor, "ledger.close_period")
    _require_first_of_month(month)
    period = _lock_period(month)
    if period.status == AccountingPeriod.Status.CLOSED:
        raise ApplicationError(
            f"Accounting period {month:%Y-%m} is already closed "
            f"(closed {period.closed_at:%Y-%m-%d %H:%M} UTC)",
            code="period_closed",
        )
    fields = ["status", "closed_by", "closed_at"]
    before = snapshot(period, fields)
    period.status = AccountingPeriod.Status.CLOSED
    period.closed_by = acting_user(actor)
    period.closed_at = clock.now()
    period.save(update_fields=fields)
    record = _record_close_totals(month, closed_at=period.closed_at, actor=actor)
    audit_record(
        actor=actor,
        action="accounting_period.close",
        target=period,
        at=period.closed_at,
        summary=f"Closed accounting period {month:%Y-%m}",
        changes={
            **diff(before, snapshot(period, fields)),
            "entry_count": record.entry_count,
            "debit_cents": record.debit_cents,
            "credit_cents": record.credit_cents,
        },
    )
    return period


def _record_close_totals(month: dt.date, *, closed_at: dt.datetime, actor: Actor) -> PeriodCloseRecord:
    """Record what the month holds as it closes (append-only), for check-books to compare with later."""
    totals = selectors.month_totals([month])[month]
    gl_ids = selectors.gl_account_ids()
    record = PeriodCloseRecord.objects.create(
        month=month,
        closed_at=closed_at,
        closed_by=acting_user(actor),
        entry_count=totals.entry_count,
        debit_cents=sum(account.debit_cents for account in totals.by_gl_account.values()),
        credit_cents=sum(account.credit_cents for account in totals.by_gl_account.values()),
    )
    PeriodCloseTotal.objects.bulk_create(
        PeriodCloseTotal(
            record=record,
            gl_account_id=gl_ids[code],
            line_count=account.line_count,
            debit_cents=account.debit_cents,
            credit_cents=account.credit_cents,
        )
        for code, account in sorted(totals.by_gl_account.items())
    )
    return record


@transaction.atomic
def period_reopen(*, month: dt.date, reason: str, actor: Actor) -> AccountingPeriod:
    """Reopen a closed month (a supervisor's decision, with a reason, in the audit trail)."""
    require_permission(actor, "ledger.close_period")
    _require_first_of_month(month)
    if not reason.strip():
        raise ApplicationError("Say why the period is reopened", code="missing_reason", field="reason")
    period = _lock_period(month)
    if period.status != AccountingPeriod.Status.CLOSED:
        raise ApplicationError(f"Accounting period {month:%Y-%m} is not closed", code="period_open")
    fields = ["status", "closed_by", "closed_at"]
    before = snapshot(period, fields)
    period.status = AccountingPeriod.Status.OPEN
    period.closed_by = None
    period.closed_at = None
    period.save(update_fields=fields)
    audit_record(
        actor=actor,
        action="accounting_period.reopen",
        target=period,
        at=clock.now(),
        summary=f"Reopened accounting period {month:%Y-%m}: {reason}"[:300],
        changes={**diff(before, snapshot(period, fields)), "reason": reason},
    )
    return period
