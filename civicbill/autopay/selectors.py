"""Reads for autopay: enrollments, an account's autopay panel, draft files and their entries, return
files and their outcomes, the monthly report. Bank account numbers only ever come out masked, except
the draft file's own bytes (:func:`draft_file_bytes`), which are what the bank receives."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, QuerySet

from civicbill import nacha
from civicbill.autopay import crypto, rules
from civicbill.autopay.models import (
    REVIEW_OUTCOMES,
    AchReturn,
    Authorization,
    DraftEntry,
    DraftFile,
    Enrollment,
    EnrollmentEvent,
    ReturnFile,
)
from civicbill.core.exceptions import NotFoundError
from civicbill.customers.models import Account


def enrollments_list(*, status: str | None = None, query: str = "") -> QuerySet[Enrollment]:
    """Enrollments, newest first, optionally of one status or for an account number/name fragment."""
    enrollments = Enrollment.objects.select_related("account__customer", "taken_by")
    if status:
        enrollments = enrollments.filter(status=status)
    query = query.strip()
    if query:
        enrollments = enrollments.filter(
            Q(account__number__startswith=query)
            | Q(account__customer__last_name__istartswith=query)
            | Q(account__customer__business_name__istartswith=query)
        )
    return enrollments.order_by("-created_at", "-id")


def enrollment_get(enrollment_id: int) -> Enrollment:
    enrollment = (
        Enrollment.objects.select_related("account__customer", "taken_by").filter(pk=enrollment_id).first()
    )
    if enrollment is None:
        raise NotFoundError(f"There is no autopay enrollment {enrollment_id}")
    return enrollment


def live_enrollment(account: Account) -> Enrollment | None:
    return Enrollment.objects.filter(account=account).exclude(status=Enrollment.Status.ENDED).first()


def status_counts() -> dict[str, int]:
    counts = {status: 0 for status in Enrollment.Status.values}
    for status in Enrollment.objects.values_list("status", flat=True):
        counts[status] += 1
    return counts


@dataclass(frozen=True)
class EntryView:
    """A draft entry as staff see it (masked), with its pending state on a day."""

    entry: DraftEntry
    state: rules.PendingState


@dataclass(frozen=True)
class AccountAutopay:
    """The autopay panel of an account page."""

    enrollment: Enrollment | None  # the live one, else the latest ended one
    events: list[EnrollmentEvent]
    entries: list[EntryView]
    returns: list[AchReturn]
    ended_count: int = 0
    authorizations: list[Authorization] = field(default_factory=list)
    awaiting_review: list[AchReturn] = field(default_factory=list)  # however old

    @property
    def is_live(self) -> bool:
        return self.enrollment is not None and self.enrollment.is_live

    @property
    def pending(self) -> list[EntryView]:
        return [view for view in self.entries if view.state.pending]


def account_autopay(account: Account, *, today: dt.date, limit: int = 12) -> AccountAutopay:
    """The account's enrollment (live, else latest), its history, its recent drafts (pending or not)
    and returns."""
    enrollments = list(Enrollment.objects.filter(account=account).order_by("-created_at", "-id"))
    live = next((e for e in enrollments if e.is_live), None)
    shown = live or (enrollments[0] if enrollments else None)
    events = (
        list(shown.events.select_related("actor").order_by("-recorded_at", "-id")[:limit]) if shown else []
    )
    entries = [
        EntryView(entry, rules.pending_state(status=entry.status, clears_on=entry.clears_on, today=today))
        for entry in DraftEntry.objects.filter(account=account)
        .select_related("draft_file", "payment", "bill")
        .order_by("-effective_date", "-id")[:limit]
    ]
    returns = list(
        AchReturn.objects.filter(draft_entry__account=account)
        .select_related("return_file", "draft_entry", "letter")
        .order_by("-return_file__received_at", "-id")[:limit]
    )
    return AccountAutopay(
        enrollment=shown,
        events=events,
        entries=entries,
        returns=returns,
        ended_count=sum(1 for e in enrollments if not e.is_live),
        authorizations=authorizations_of(shown) if shown else [],
        awaiting_review=list(review_queue().filter(draft_entry__account=account)),
    )


# -- draft files --------------------------------------------------------------------------------------
def draft_files_list(*, include_cancelled: bool = True) -> QuerySet[DraftFile]:
    files = DraftFile.objects.select_related("created_by", "cancelled_by")
    if not include_cancelled:
        files = files.filter(status=DraftFile.Status.CREATED)
    return files.order_by("-effective_date", "-id")


def draft_file_get(draft_file_id: int) -> DraftFile:
    found = DraftFile.objects.select_related("created_by", "cancelled_by").filter(pk=draft_file_id).first()
    if found is None:
        raise NotFoundError(f"There is no draft file {draft_file_id}")
    return found


def draft_file_entries(draft_file: DraftFile, *, today: dt.date) -> list[EntryView]:
    return [
        EntryView(entry, rules.pending_state(status=entry.status, clears_on=entry.clears_on, today=today))
        for entry in draft_file.entries.select_related("account__customer", "bill", "payment").order_by(
            "sequence"
        )
    ]


def draft_file_bytes(draft_file: DraftFile) -> bytes:
    """The file exactly as written (it holds the customers' account numbers: for the bank only)."""
    return crypto.decrypt_bytes(draft_file.content_encrypted)


@dataclass(frozen=True)
class DraftFileOutcome:
    returned_count: int
    returned_cents: int
    pending_count: int
    pending_cents: int


def draft_file_outcome(draft_file: DraftFile, *, today: dt.date) -> DraftFileOutcome:
    returned_count = returned_cents = pending_count = pending_cents = 0
    for status, clears_on, amount in draft_file.entries.filter(kind=DraftEntry.Kind.DEBIT).values_list(
        "status", "clears_on", "amount_cents"
    ):
        if status == DraftEntry.Status.RETURNED:
            returned_count += 1
            returned_cents += amount
        elif rules.pending_state(status=status, clears_on=clears_on, today=today).pending:
            pending_count += 1
            pending_cents += amount
    return DraftFileOutcome(returned_count, returned_cents, pending_count, pending_cents)


# -- returns --------------------------------------------------------------------------------------------
def return_files_list() -> QuerySet[ReturnFile]:
    return ReturnFile.objects.select_related("received_by").order_by("-received_at", "-id")


def return_file_get(return_file_id: int) -> ReturnFile:
    found = ReturnFile.objects.select_related("received_by").filter(pk=return_file_id).first()
    if found is None:
        raise NotFoundError(f"There is no return file {return_file_id}")
    return found


def return_items(*, outcome: str | None = None, return_file: ReturnFile | None = None) -> QuerySet[AchReturn]:
    items = AchReturn.objects.select_related(
        "return_file",
        "draft_entry__account__customer",
        "draft_entry__payment",
        "letter",
        "resolved_by",
        "reviewed_by",
    )
    if outcome:
        items = items.filter(outcome=outcome)
    if return_file is not None:
        items = items.filter(return_file=return_file)
    return items.order_by("-return_file__received_at", "return_file_id", "line_number")


def unmatched_returns() -> QuerySet[AchReturn]:
    return return_items(outcome=AchReturn.Outcome.UNMATCHED)


def review_queue() -> QuerySet[AchReturn]:
    """What waits for staff, oldest first: late returns held for review (dishonor or accept) and
    notifications of change not applied because the bank details have changed since (acknowledge)."""
    return (
        return_items()
        .filter(outcome__in=REVIEW_OUTCOMES, review_decision="")
        .order_by("return_file__received_at", "return_file_id", "line_number")
    )


def review_decided() -> QuerySet[AchReturn]:
    """Items staff decided, latest first."""
    return return_items().exclude(review_decision="").order_by("-reviewed_at", "-id")


def authorizations_of(enrollment: Enrollment) -> list[Authorization]:
    """The enrollment's authorizations, newest first (the first is the current one while it is live)."""
    return list(enrollment.authorizations.select_related("taken_by").order_by("-recorded_at", "-id"))


def authorization_get(authorization_id: int) -> Authorization:
    found = Authorization.objects.select_related("enrollment__account").filter(pk=authorization_id).first()
    if found is None:
        raise NotFoundError(f"There is no autopay authorization {authorization_id}")
    return found


def authorization_document_bytes(authorization: Authorization) -> bytes:
    """The copy of the authorization as it was attached (for staff who enroll only)."""
    return crypto.decrypt_bytes(authorization.document_encrypted)


def return_item_get(return_id: int) -> AchReturn:
    found = return_items().filter(pk=return_id).first()
    if found is None:
        raise NotFoundError(f"There is no ACH return {return_id}")
    return found


# -- the monthly report -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class CodeLine:
    code: str
    description: str
    count: int
    amount_cents: int
    rate_percent: Decimal | None  # of the month's debits (returns only)


@dataclass(frozen=True)
class FileLine:
    draft_file: DraftFile
    returned_count: int
    returned_cents: int


@dataclass(frozen=True)
class MonthlyReport:
    """The month's drafts (files with an effective date in the month) and what became of them."""

    month: dt.date
    files: list[FileLine]
    debit_count: int
    debit_cents: int
    prenote_count: int
    return_count: int
    return_cents: int
    fees_cents: int
    returns_by_code: list[CodeLine]
    changes_by_code: list[CodeLine]
    unmatched_count: int  # unmatched returns received in the month
    unmatched_cents: int
    notes: list[str] = field(default_factory=list)

    @property
    def return_rate_percent(self) -> Decimal | None:
        return _rate(self.return_count, self.debit_count)


def _rate(count: int, base: int) -> Decimal | None:
    if not base:
        return None
    return (Decimal(count) * 100 / Decimal(base)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def monthly_report(month: dt.date) -> MonthlyReport:
    """Drafts dated in ``month`` (cancelled files left out), their returns and notifications of
    change by code (return rate = returns / debits drafted in the month), and the unmatched returns
    received in the month."""
    start = month.replace(day=1)
    end = _next_month(start)
    files = list(
        DraftFile.objects.filter(
            effective_date__gte=start, effective_date__lt=end, status=DraftFile.Status.CREATED
        ).order_by("effective_date", "id")
    )
    items = list(
        AchReturn.objects.filter(draft_entry__draft_file__in=files)
        .select_related("draft_entry")
        .order_by("id")
    )
    returned_by_file: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    by_return_code: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_change_code: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    fees = 0
    for item in items:
        entry = item.draft_entry
        if entry is None:
            continue
        if item.kind == AchReturn.Kind.CHANGE:
            by_change_code[item.code][0] += 1
            continue
        if item.outcome == AchReturn.Outcome.ALREADY_RETURNED or entry.kind != DraftEntry.Kind.DEBIT:
            continue
        by_return_code[item.code][0] += 1
        by_return_code[item.code][1] += item.amount_cents
        returned_by_file[entry.draft_file_id][0] += 1
        returned_by_file[entry.draft_file_id][1] += item.amount_cents
        fees += item.fee_cents
    debit_count = sum(f.debit_count for f in files)
    return_count = sum(count for count, _cents in by_return_code.values())
    unmatched = AchReturn.objects.filter(
        return_file__received_at__date__gte=start,
        return_file__received_at__date__lt=end,
        kind=AchReturn.Kind.RETURN,
    ).filter(Q(outcome=AchReturn.Outcome.UNMATCHED) | Q(resolved_at__isnull=False))
    unmatched_rows = list(unmatched.values_list("amount_cents", flat=True))
    return MonthlyReport(
        month=start,
        files=[FileLine(f, *returned_by_file.get(f.pk, (0, 0))) for f in files],
        debit_count=debit_count,
        debit_cents=sum(f.total_debit_cents for f in files),
        prenote_count=sum(f.prenote_count for f in files),
        return_count=return_count,
        return_cents=sum(cents for _count, cents in by_return_code.values()),
        fees_cents=fees,
        returns_by_code=[
            CodeLine(code, nacha.RETURN_REASON_CODES.get(code, ""), count, cents, _rate(count, debit_count))
            for code, (count, cents) in sorted(by_return_code.items())
        ],
        changes_by_code=[
            CodeLine(code, nacha.CHANGE_CODES.get(code, ""), count, 0, None)
            for code, (count, _cents) in sorted(by_change_code.items())
        ],
        unmatched_count=len(unmatched_rows),
        unmatched_cents=sum(unmatched_rows),
    )


def live_autopay_account_ids() -> set[int]:
    """Accounts whose bills autopay drafts (an enrollment active or waiting for its prenote)."""
    return set(
        Enrollment.objects.exclude(status=Enrollment.Status.ENDED).values_list("account_id", flat=True)
    )
