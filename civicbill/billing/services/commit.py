"""Committing a billing run: issue the drafts not held by an exception and post them, in chunks.

Each chunk is one transaction: the journal entries of its bills (lines, then headers), then the
bills become ``issued`` with their entry. A run killed at any moment loses at most the chunk in
flight (rolled back whole); run again, it carries on with the drafts still waiting. The idempotency
key ``bill:<number>`` (unique in the journal) and one bill per account, month and kind (unique
among bills) make a double posting impossible even if two commits raced.
"""

from __future__ import annotations

import datetime as dt
import os
import time
import uuid
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Exists, OuterRef

from civicbill.billing.bill_entries import bill_entry_lines, write_entries
from civicbill.billing.models import Bill, BillException, BillLine, BillRun
from civicbill.billing.services.runs import Progress, bill_run_totals, blocking_open, lock_run
from civicbill.core import clock
from civicbill.core.actors import Actor, acting_user
from civicbill.core.audit import audit_record
from civicbill.core.bulk_rows import prepare_value, value_preparer
from civicbill.core.exceptions import ApplicationError
from civicbill.core.money import format_cents
from civicbill.core.permissions import require_permission
from civicbill.ledger import selectors as ledger_selectors
from civicbill.ledger.models import JournalEntry, JournalLine, SourceType
from civicbill.ledger.services import refuse_closed_periods

# bills per transaction; a pause between chunks lets a busy office share the database (and lets the
# kill-and-resume test stop a commit half-way)
COMMIT_CHUNK = int(os.environ.get("CIVICBILL_BILL_COMMIT_CHUNK", "5000"))
COMMIT_PAUSE_S = float(os.environ.get("CIVICBILL_BILL_COMMIT_PAUSE_S", "0"))
BILL_REASON = "billing"


def entry_key(bill_number: str) -> str:
    return f"bill:{bill_number}"


def refuse_closed_month(accounting_date: dt.date) -> None:
    refuse_closed_periods([accounting_date], advice="reopen it or bill into an open month", field="bill_date")


def bill_run_commit(
    *, run_id: int, actor: Actor, as_of: dt.date, progress: Progress | None = None
) -> BillRun:
    """Issue and post every draft of the run without an open or held blocking exception (released
    ones are billed). Resumes a commit that stopped half-way."""
    require_permission(actor, "billing.commit")
    with transaction.atomic():
        run = lock_run(run_id)
        if run.status == BillRun.Status.COMMITTED:
            return run
        if run.status not in (BillRun.Status.TRIAL, BillRun.Status.COMMITTING):
            raise ApplicationError(
                f"Run {run.pk} is {run.get_status_display().lower()}; only a run whose trial is ready can "
                "be committed",
                code="run_not_ready",
            )
        refuse_closed_month(run.bill_date)
        if run.status == BillRun.Status.TRIAL:
            run.status = BillRun.Status.COMMITTING
            run.committed_by = acting_user(actor)
            run.save(update_fields=["status", "committed_by"])
    waiting = (
        Bill.objects.filter(run_id=run.pk, status=Bill.Status.DRAFT)
        .filter(~Exists(BillException.objects.filter(blocking_open(), bill_id=OuterRef("pk"))))
        .order_by("id")
    )
    total = waiting.count()
    gl_ids = ledger_selectors.gl_account_ids()
    done = 0
    last_id = 0
    if progress:
        progress(0, total)
    chunks = 0
    while True:
        with transaction.atomic():
            chunk = list(
                waiting.filter(id__gt=last_id).values_list("id", "number", "account_id")[:COMMIT_CHUNK]
            )
            if not chunk:
                break
            issued = _issue_chunk(run, chunk, actor=actor, gl_ids=gl_ids)
            last_id = chunk[-1][0]
        chunks += 1
        # after the 1st, 4th and every 40th chunk, when another may follow (a short chunk was the
        # last): a run of one chunk does not pay for analysing the journal (~0.7 s with a year of it)
        if (chunks in (1, 4) or chunks % 40 == 0) and len(chunk) == COMMIT_CHUNK:
            _refresh_statistics()
        done += issued
        if progress:
            progress(done, total)
        if COMMIT_PAUSE_S:
            time.sleep(COMMIT_PAUSE_S)
    with transaction.atomic():
        run = lock_run(run_id)
        totals = bill_run_totals(run)
        run.status = BillRun.Status.COMMITTED
        run.committed_at = clock.now()
        run.committed_by = run.committed_by or acting_user(actor)
        run.bills_count = totals["issued"]
        run.skipped_count = totals["drafts"]
        run.total_billed_cents = totals["issued_cents"]
        run.save(
            update_fields=[
                "status", "committed_at", "committed_by", "bills_count", "skipped_count",
                "total_billed_cents",
            ]
        )  # fmt: skip
        audit_record(
            actor=actor,
            action="bill_run.commit",
            target=run,
            at=run.committed_at,
            summary=f"Run {run.pk} committed: {totals['issued']} bills issued "
            f"({format_cents(totals['issued_cents'])}), {totals['drafts']} held back",
            changes={"issued": totals["issued"], "cents": totals["issued_cents"], "held": totals["drafts"]},
        )
    return run


def _refresh_statistics() -> None:
    """PostgreSQL: re-analyse the tables a commit grows. The ledger's triggers look entries and lines
    up per row; planned with the statistics of a small journal (a new database, or the first run of a
    large city) those look-ups become scans and every chunk slows down as the journal grows."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"ANALYZE {JournalEntry._meta.db_table}, {JournalLine._meta.db_table}, {Bill._meta.db_table}"
        )


def _issue_chunk(
    run: BillRun, chunk: list[tuple[int, str, int]], *, actor: Actor, gl_ids: dict[str, int]
) -> int:
    """Post and issue one chunk of drafts (inside the caller's transaction)."""
    ids = [bill_id for bill_id, _number, _account in chunk]
    wanted = set(ids)
    charges: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    # one range query (a run's drafts have neighbouring ids) rather than IN lists
    rows = BillLine.objects.filter(bill_id__gte=ids[0], bill_id__lte=ids[-1]).values_list(
        "bill_id", "service", "amount_cents"
    )
    for bill_id, service, amount in rows:
        if bill_id in wanted:
            charges[bill_id][service] += amount
    entries = []
    entry_by_bill: dict[int, uuid.UUID | None] = {}
    for bill_id, number, account_id in chunk:
        # a draft is posted in the transaction that issues it, so no key here is posted yet; if one
        # were, the journal's unique idempotency key would refuse the whole chunk (nothing twice)
        key = entry_key(number)
        lines = bill_entry_lines(account_id=account_id, charges_by_service=charges.get(bill_id, {}), memo="")
        entry_by_bill[bill_id] = None
        if lines:
            entry_by_bill[bill_id] = entry_id = uuid.uuid4()
            entries.append(
                (entry_id, run.bill_date, SourceType.BILL.value, number, key, BILL_REASON,
                 f"Bill {number}", None, lines)
            )  # fmt: skip
    posted_at = clock.now()
    write_entries(entries, posted_by_id=acting_user(actor).pk, posted_at=posted_at, gl_ids=gl_ids)
    issue_bills_trusted(entry_by_bill, issued_at=posted_at)
    audit_record(
        actor=actor,
        action="bill_run.issue",
        target=run,
        at=posted_at,
        summary=f"Run {run.pk}: issued bills {chunk[0][1]} to {chunk[-1][1]} ({len(chunk)})",
        changes={"issued": len(chunk), "entries": len(entries), "first": chunk[0][1], "last": chunk[-1][1]},
    )
    return len(chunk)


def issue_bills_trusted(entry_by_bill: dict[int, uuid.UUID | None], *, issued_at: dt.datetime) -> None:
    """Drafts → issued, each linked to the entry just posted for it (``None`` for a zero bill): one
    ``UPDATE … FROM unnest(…)`` on PostgreSQL, one ``executemany`` on SQLite."""
    table = Bill._meta.db_table
    issued_value = prepare_value(Bill, "issued_at", issued_at)
    bill_ids = list(entry_by_bill)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {table} AS b SET status = 'issued', issued_at = %s, journal_entry_id = v.entry_id "  # noqa: S608
                "FROM unnest(%s::bigint[], %s::uuid[]) AS v(bill_id, entry_id) "
                "WHERE b.id = v.bill_id AND b.status = 'draft'",
                [issued_value, bill_ids, [entry_by_bill[bill_id] for bill_id in bill_ids]],
            )
            return
        entry_value = value_preparer(Bill, "journal_entry_id")  # 32 hex digits on SQLite
        cursor.executemany(
            f"UPDATE {table} SET status = 'issued', issued_at = %s, journal_entry_id = %s "  # noqa: S608
            "WHERE id = %s AND status = 'draft'",
            [(issued_value, entry_value(entry_id), bill_id) for bill_id, entry_id in entry_by_bill.items()],
        )
