"""Reads of collection notices: what the shutoff rules need to know, the notice runs, the notices of
a run in mail sort order, and the filtered list the pages and the API show."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from civicbill.billing.documents.mailsort import mail_sort_key
from civicbill.collections.models import CollectionNotice, CollectionRun, NoticeKind
from civicbill.core.chunks import slices
from civicbill.core.exceptions import ApplicationError, NotFoundError

CHUNK = 900
# the notices that start the shutoff clock: the final notice to the customer and the one posted at the
# premise after a broken arrangement (copies to the occupant, tenants and third parties go with them)
SHUTOFF_NOTICE_KINDS = (NoticeKind.FINAL, NoticeKind.POSTED_FINAL)


def final_notices_for(account_ids: Iterable[int]) -> dict[int, tuple[dt.date, dt.date]]:
    """account id -> (mailed_on, earliest_shutoff_on) of its latest final notice (by notice date,
    then id); accounts without one are left out."""
    ids = sorted({int(account_id) for account_id in account_ids})
    found: dict[int, tuple[dt.date, dt.date]] = {}
    for chunk in slices(ids, CHUNK):
        rows = (
            CollectionNotice.objects.filter(account_id__in=chunk, kind__in=SHUTOFF_NOTICE_KINDS)
            .order_by("account_id", "notice_date", "id")
            .values_list("account_id", "mailed_on", "earliest_shutoff_on")
        )
        for account_id, mailed_on, earliest in rows:
            if earliest is not None:
                found[account_id] = (mailed_on, earliest)
    return found


@dataclass(frozen=True, slots=True)
class NoticeRun:
    run: CollectionRun
    notices: int
    letters_to_print: int  # copies included
    kinds: dict[str, int]


def notice_runs(*, limit: int = 100) -> list[NoticeRun]:
    """Posted collection runs that sent notices, newest first, with their counts by kind."""
    runs = (
        CollectionRun.objects.filter(trial=False, notices__isnull=False)
        .annotate(n=Count("notices", distinct=True))
        .order_by("-run_date", "-id")[:limit]
    )
    result: list[NoticeRun] = []
    for run in runs:
        kinds: dict[str, int] = {}
        copies = 0
        for kind, count in CollectionNotice.objects.filter(run=run).values_list("kind", "copies"):
            kinds[kind] = kinds.get(kind, 0) + 1
            copies += count
        result.append(NoticeRun(run, run.n, copies, kinds))
    return result


def run_get(run_id: int) -> CollectionRun:
    run = CollectionRun.objects.filter(pk=run_id).first()
    if run is None:
        raise NotFoundError(f"There is no collections run number {run_id}.")
    return run


def notice_get(notice_id: int) -> CollectionNotice:
    notice = (
        CollectionNotice.objects.select_related("account__customer", "account__premise", "letter", "run")
        .filter(pk=notice_id)
        .first()
    )
    if notice is None:
        raise NotFoundError(f"There is no collection notice number {notice_id}.")
    return notice


def notice_mail_key(notice: CollectionNotice) -> tuple[str, str, int, str, str]:
    """Mail sort order (billing.documents.mailsort) by the recipient's address, then the kind."""
    line1 = notice.address_lines[0] if notice.address_lines else ""
    return mail_sort_key(
        mailing_zip=notice.recipient_zip, mailing_line1=line1, account_number=notice.account.number
    )


def run_notices_in_mail_order(run: CollectionRun) -> list[CollectionNotice]:
    """The notices of a run as they are printed: by ZIP, street, house number, account, then id."""
    notices = list(
        CollectionNotice.objects.filter(run=run).select_related("account__customer", "letter").order_by("id")
    )
    return sorted(notices, key=lambda n: (notice_mail_key(n), n.pk))


def notices_list(
    *,
    run_id: int | None = None,
    account_number: str = "",
    kind: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[CollectionNotice]:
    """Notices, newest first, filtered by run, account number, kind and notice date range."""
    notices = CollectionNotice.objects.select_related("account", "run", "letter")
    if kind:
        if kind not in NoticeKind.values:
            raise ApplicationError(
                f"Kind {kind!r} is not one of: {', '.join(NoticeKind.values)}.", field="kind"
            )
        notices = notices.filter(kind=kind)
    if run_id is not None:
        notices = notices.filter(run_id=run_id)
    if account_number:
        notices = notices.filter(account__number=account_number.strip())
    if date_from is not None:
        notices = notices.filter(notice_date__gte=date_from)
    if date_to is not None:
        notices = notices.filter(notice_date__lte=date_to)
    if date_from and date_to and date_from > date_to:
        raise ApplicationError("The first date is after the last.", field="date_from")
    return notices.order_by("-notice_date", "-id")


def notice_row(notice: CollectionNotice) -> dict[str, Any]:
    """A notice as JSON-ready data (the CLI and the API)."""
    return {
        "id": notice.pk,
        "run": notice.run_id,
        "account": notice.account.number,
        "kind": notice.kind,
        "recipient": notice.recipient_name,
        "address_lines": notice.address_lines,
        "language": notice.language,
        "copies": notice.copies,
        "bill_due_on": notice.due_on.isoformat(),
        "amount_delinquent_cents": notice.amount_delinquent_cents,
        "notice_date": notice.notice_date.isoformat(),
        "mailed_on": notice.mailed_on.isoformat(),
        "pay_by": notice.pay_by.isoformat(),
        "earliest_shutoff_on": notice.earliest_shutoff_on.isoformat() if notice.earliest_shutoff_on else None,
        "letter": notice.letter_id,
        "rule": notice.rule,
    }
