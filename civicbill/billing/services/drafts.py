"""Writing calculated bills (drafts of a run, or a final bill/rebill) with their lines and exceptions.

Bills are written with ids reserved beforehand (:func:`civicbill.core.bulk_rows.reserve_ids`) so their
lines can name them, then each table goes out in one ``COPY`` (PostgreSQL) or ``executemany``
(SQLite), values prepared column by column (:class:`civicbill.core.bulk_rows.ModelRows`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from civicbill.billing.calculation import DraftBill, DraftLine
from civicbill.billing.models import Bill, BillException, BillLine
from civicbill.core.bulk_rows import ModelRows, insert_rows, reserve_ids

BILL_COLUMNS = (
    "id", "number", "account_id", "run_id", "kind", "status", "period", "period_start", "period_end",
    "bill_date", "due_date", "language", "meter_serial", "previous_read_on", "previous_read",
    "current_read_on", "current_read", "consumption_hcf", "estimated", "previous_balance_cents",
    "payments_cents", "adjustments_cents", "current_charges_cents", "total_due_cents", "cancel_reason",
    "created_at", "issued_at", "replaces_id",
)  # fmt: skip
LINE_COLUMNS = (
    "bill_id", "sequence", "service", "charge_key", "description", "quantity", "unit", "tier", "price",
    "amount_cents", "proration", "line_period_start", "line_period_end", "rate_version_id", "version_label",
    "detail",
)  # fmt: skip
EXCEPTION_COLUMNS = (
    "run_id", "account_id", "bill_id", "code", "blocking", "message", "resolution", "resolved_by_id",
    "resolved_at", "resolution_note",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class BillHeader:
    """What the bills written together share."""

    run_id: int | None
    kind: str
    status: str
    period: dt.date
    bill_date: dt.date
    due_date: dt.date
    created_at: dt.datetime
    issued_at: dt.datetime | None = None
    replaces_id: int | None = None


# (account id, code) -> (resolution, resolved_by_id, resolved_at, note): decisions kept across a re-run
Resolutions = Mapping[tuple[int, str], tuple[str, int | None, dt.datetime | None, str]]


def _text(value: Any) -> str:
    return "" if value is None else format(value, "f")


def _line_values(item: DraftLine) -> tuple[Any, ...]:
    """A draft line's columns after ``bill_id`` (LINE_COLUMNS[1:]), as Python values."""
    line = item.line
    return (
        item.sequence, line.service, line.charge_key[:60], line.description[:200], line.quantity,
        line.unit[:20], line.tier, _text(line.price), int(line.amount * 100), _text(line.proration),
        line.period_start, line.period_end, line.version_id, line.version_label[:120], dict(line.detail),
    )  # fmt: skip


def write_bills_trusted(
    drafts: Sequence[DraftBill], *, header: BillHeader, resolutions: Resolutions | None = None
) -> list[int]:
    """Insert the bills, their lines and exceptions (three or four statements); returns bill ids.

    Drafts rated alike share one tuple of lines (the rating memo): those lines are prepared for the
    database once, and each bill's line rows are its id followed by the prepared values."""
    ids = reserve_ids(Bill, len(drafts))
    bill_writer = ModelRows(Bill, BILL_COLUMNS)
    line_writer = ModelRows(BillLine, LINE_COLUMNS, json_columns=frozenset({"detail"}))
    prepared_lines: dict[int, tuple[tuple[DraftLine, ...], list[tuple[Any, ...]]]] = {}
    bill_rows = []
    line_rows: list[tuple[Any, ...]] = []
    exception_rows = []
    resolutions = resolutions or {}
    for bill_id, draft in zip(ids, drafts, strict=True):
        water = draft.water
        bill_rows.append(
            (
                bill_id, draft.number, draft.account_id, header.run_id, header.kind, header.status,
                header.period,
                draft.period_start, draft.period_end, header.bill_date, header.due_date, draft.language,
                water.meter_serial if water else "", water.previous_read_on if water else None,
                water.previous_read if water else None, water.current_read_on if water else None,
                water.current_read if water else None,
                water.consumption_hcf if water and not water.missing else 0,
                bool(water and water.estimated), draft.previous_balance_cents, draft.payments_cents,
                draft.adjustments_cents, draft.current_charges_cents, draft.total_due_cents, "",
                header.created_at, header.issued_at, header.replaces_id,
            )
        )  # fmt: skip
        known = prepared_lines.get(id(draft.lines))
        if known is None or known[0] is not draft.lines:
            # bill_id is an integer column, sent as it is: prepare the rest with a stand-in id
            tails = [line_writer.row((0, *_line_values(item)))[1:] for item in draft.lines]
            known = prepared_lines[id(draft.lines)] = (draft.lines, tails)
        line_rows.extend([(bill_id, *tail) for tail in known[1]])
        if header.run_id is not None:
            for exception in draft.exceptions:
                decided = resolutions.get((draft.account_id, exception.code))
                resolution, by, at, note = decided or (BillException.Resolution.OPEN, None, None, "")
                exception_rows.append(
                    (header.run_id, draft.account_id, bill_id, exception.code, exception.blocking,
                     exception.message[:300], resolution, by, at, note)
                )  # fmt: skip
    bill_writer.insert(bill_rows)
    line_writer.write(line_rows)
    insert_rows(BillException, EXCEPTION_COLUMNS, exception_rows)
    return ids
