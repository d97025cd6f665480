"""The shape every payment report has: plain tables (money in integer cents), ties between two
figures, and the period a report may cover. The pages, the API, the CSV and the PDF render a
:class:`Report` the same way (:mod:`civicbill.payments.report_files`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from civicbill.core.exceptions import ApplicationError

MAX_DAYS = 366


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str | Promise
    money: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    """Rows of plain values (money in cents in the ``money`` columns) and an optional total row."""

    key: str
    title: str | Promise
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]
    total: tuple[Any, ...] | None = None

    def as_dicts(self) -> list[dict[str, Any]]:
        keys = [column.key for column in self.columns]
        return [dict(zip(keys, row, strict=True)) for row in self.rows]


@dataclass(frozen=True, slots=True)
class Tie:
    """Two figures that must be equal; the report shows OK or DIFFERENCE with both."""

    key: str
    label: str | Promise
    left_label: str | Promise
    left_cents: int
    right_label: str | Promise
    right_cents: int
    applies: bool = True  # False: cannot be checked yet (e.g. the day is not closed)

    @property
    def difference_cents(self) -> int:
        return self.left_cents - self.right_cents

    @property
    def ok(self) -> bool:
        return self.applies and self.difference_cents == 0

    @property
    def status(self) -> str:
        if not self.applies:
            return "PENDING"
        return "OK" if self.ok else "DIFFERENCE"


@dataclass(frozen=True)
class Report:
    name: str
    title: str | Promise
    date_from: dt.date
    date_to: dt.date
    tables: tuple[Table, ...]
    ties: tuple[Tie, ...] = ()
    notes: tuple[str | Promise, ...] = field(default_factory=tuple)

    @property
    def period(self) -> str:
        if self.date_from == self.date_to:
            return self.date_from.isoformat()
        return f"{self.date_from.isoformat()} – {self.date_to.isoformat()}"

    def table(self, key: str) -> Table:
        return next(table for table in self.tables if table.key == key)

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (money in integer cents)."""
        return {
            "name": self.name,
            "title": str(self.title),
            "date_from": self.date_from.isoformat(),
            "date_to": self.date_to.isoformat(),
            "tables": {
                table.key: {
                    "title": str(table.title),
                    "columns": [column.key for column in table.columns],
                    "rows": table.as_dicts(),
                    "total": dict(zip([c.key for c in table.columns], table.total, strict=True))
                    if table.total
                    else None,
                }
                for table in self.tables
            },
            "ties": [
                {
                    "key": tie.key,
                    "label": str(tie.label),
                    "left": str(tie.left_label),
                    "left_cents": tie.left_cents,
                    "right": str(tie.right_label),
                    "right_cents": tie.right_cents,
                    "difference_cents": tie.difference_cents,
                    "status": tie.status,
                }
                for tie in self.ties
            ],
        }


def check_period(date_from: dt.date, date_to: dt.date) -> None:
    if date_to < date_from:
        raise ApplicationError(
            f"The period ends ({date_to}) before it starts ({date_from})", code="bad_period", field="to"
        )
    if (date_to - date_from).days >= MAX_DAYS:
        raise ApplicationError(
            f"A report covers at most {MAX_DAYS} days; {date_from} to {date_to} is "
            f"{(date_to - date_from).days + 1}",
            code="period_too_long",
            field="to",
        )


def sum_table(key: str, title: str | Promise, label: str | Promise, totals: dict[Any, list[int]]) -> Table:
    """A subtotal table: label, count, amount."""
    rows = tuple((name, count, cents) for name, (count, cents) in sorted(totals.items()))
    return Table(
        key,
        title,
        (Column("name", label), Column("count", _("Count")), Column("amount_cents", _("Amount"), money=True)),
        rows,
        ("", sum(r[1] for r in rows), sum(r[2] for r in rows)),
    )
