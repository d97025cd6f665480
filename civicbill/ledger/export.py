"""GL export: a day's journal summarized by GL account and fund for the city's financial system.

The CSV layout (docs/payment-files.md, "GL export"), one row per GL account with activity on the
date, ordered by GL code (its first three digits are the fund)::

    date,fund,gl_code,gl_name,debit,credit,entry_count
    2026-12-01,500,500-1000,Cash - Water Fund,56.77,0.00,2

``debit``/``credit`` are the day's gross debits and credits in dollars; ``entry_count`` is how many
journal entries touched the account. Each fund's debits equal its credits. The journal is not
touched: the entries exported are recorded in :class:`~civicbill.ledger.models.GLExportEntry`.
A date is exported once; exporting it again takes ``again=True`` (recorded as such).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum

from civicbill.core.actors import Actor, acting_user
from civicbill.core.audit import audit_record
from civicbill.core.exceptions import ApplicationError
from civicbill.core.money import format_cents, plain_cents
from civicbill.core.permissions import require_permission
from civicbill.ledger.chart import FUND_NUMBER
from civicbill.ledger.models import GLExport, GLExportEntry, JournalEntry, JournalLine

CSV_COLUMNS = ("date", "fund", "gl_code", "gl_name", "debit", "credit", "entry_count")
FORMATS = ("csv",)


@dataclass(frozen=True, slots=True)
class GLSummaryRow:
    accounting_date: dt.date
    fund_number: str
    gl_code: str
    gl_name: str
    debit_cents: int
    credit_cents: int
    entry_count: int


def gl_day_summary(accounting_date: dt.date) -> list[GLSummaryRow]:
    """The date's journal by GL account (one grouped query), ordered by GL code."""
    rows = (
        JournalLine.objects.filter(entry__accounting_date=accounting_date)
        .values("gl_account__code", "gl_account__name", "gl_account__fund")
        .annotate(debit=Sum("debit_cents"), credit=Sum("credit_cents"), entries=Count("entry", distinct=True))
        .order_by("gl_account__code")
    )
    return [
        GLSummaryRow(
            accounting_date,
            FUND_NUMBER[row["gl_account__fund"]],
            row["gl_account__code"],
            row["gl_account__name"],
            int(row["debit"] or 0),
            int(row["credit"] or 0),
            int(row["entries"]),
        )
        for row in rows
    ]


def gl_csv(rows: list[GLSummaryRow]) -> str:
    """The documented CSV layout (header row, then one row per GL account). Pure."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                row.accounting_date.isoformat(),
                row.fund_number,
                row.gl_code,
                row.gl_name,
                plain_cents(row.debit_cents),
                plain_cents(row.credit_cents),
                row.entry_count,
            ]
        )
    return out.getvalue()


@transaction.atomic
def gl_export(
    *,
    accounting_date: dt.date,
    as_of: dt.datetime,
    actor: Actor,
    file_format: str = "csv",
    file_name: str = "",
    again: bool = False,
) -> tuple[GLExport, str]:
    """Export ``accounting_date``'s journal (see the module docstring); returns the export record
    and the file's text. Refused when the date was already exported, unless ``again``."""
    require_permission(actor, "ledger.export")
    if file_format not in FORMATS:
        raise ApplicationError(f"Unknown GL export format {file_format!r}; use csv", code="unknown_format")
    earlier = GLExport.objects.filter(accounting_date=accounting_date).order_by("pk").first()
    if earlier is not None and not again:
        raise ApplicationError(
            f"{accounting_date} was already exported on {earlier.exported_at:%Y-%m-%d %H:%M} UTC "
            f"(export {earlier.pk}, {earlier.entry_count} entries); export it again with --again",
            code="already_exported",
        )
    rows = gl_day_summary(accounting_date)
    text = gl_csv(rows)
    entry_ids = list(
        JournalEntry.objects.filter(accounting_date=accounting_date).values_list("pk", flat=True)
    )
    debit = sum(row.debit_cents for row in rows)
    credit = sum(row.credit_cents for row in rows)
    try:
        with transaction.atomic():
            export = GLExport.objects.create(
                accounting_date=accounting_date,
                file_format=file_format,
                file_name=file_name[:255],
                file_sha256=hashlib.sha256(text.encode()).hexdigest(),
                is_again=earlier is not None,
                exported_at=as_of,
                exported_by=acting_user(actor),
                entry_count=len(entry_ids),
                debit_cents=debit,
                credit_cents=credit,
            )
    except IntegrityError:
        raise ApplicationError(
            f"{accounting_date} was just exported by someone else", code="already_exported"
        ) from None
    GLExportEntry.objects.bulk_create(
        [GLExportEntry(export=export, entry_id=entry_id) for entry_id in entry_ids], batch_size=5_000
    )
    audit_record(
        actor=actor,
        action="gl.export",
        target=export,
        at=as_of,
        summary=f"GL export of {accounting_date}{' (again)' if export.is_again else ''}: "
        f"{len(entry_ids)} entries, {len(rows)} GL accounts, debits {format_cents(debit)}",
        changes={
            "accounting_date": accounting_date.isoformat(),
            "entries": len(entry_ids),
            "again": export.is_again,
        },
    )
    return export, text
