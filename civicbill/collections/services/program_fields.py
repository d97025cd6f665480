"""Checks shared by the appeals, certifications and moratoriums services: a refusal names its field."""

from __future__ import annotations

import datetime as dt

from civicbill.core.exceptions import ApplicationError


def text_field(value: str | None, field: str, *, max_length: int, required: str | None = None) -> str:
    """``value`` stripped; ``required`` is the refusal when it is empty (``None``: may be empty)."""
    value = (value or "").strip()
    if required and not value:
        raise ApplicationError(required, code="missing_" + field, field=field)
    if len(value) > max_length:
        raise ApplicationError(
            f"The {field.replace('_', ' ')} is {len(value)} characters long; at most {max_length}",
            code="too_long",
            field=field,
        )
    return value


def choice_field(value: str | None, field: str, choices: list[str]) -> str:
    value = (value or "").strip()
    if value not in choices:
        raise ApplicationError(
            f"The {field.replace('_', ' ')} {value!r} is not one of {', '.join(choices)}",
            code="bad_" + field,
            field=field,
        )
    return value


def date_field(value: dt.date | None, field: str, what: str) -> dt.date:
    if not isinstance(value, dt.date):
        raise ApplicationError(what, code="missing_" + field, field=field)
    return value


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the month's end (2027-01-31 + 1 = 2027-02-28)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")
