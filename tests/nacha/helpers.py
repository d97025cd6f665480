"""Small builders shared by the NACHA tests."""

from __future__ import annotations

import datetime as dt

from civicbill import nacha

ORIGINATOR = nacha.Originator(
    company_name="Springfield Water",
    company_identification="1946000123",
    odfi_routing_number="121042882",
    immediate_destination="231380104",
    immediate_origin="1946000123",
    immediate_destination_name="Federal Reserve Bank",
    immediate_origin_name="City of Springfield",
    company_entry_description="WATER BILL",
)
DEBITS = (
    nacha.Debit("231380104", "12345678", 4217, "José Núñez", "1000001-8"),
    nacha.Debit("031300012", "987654321", 12050, "Rosa Delgado", "1000002-6", account_type="savings"),
    nacha.Debit("121042882", "55501234", 0, "Ada Lovelace", "1000003-4", prenote=True),
)
CREATED = dt.datetime(2026, 12, 1, 9, 0)
THURSDAY = dt.date(2026, 12, 3)


def weekday(day: dt.date) -> bool:
    return day.weekday() < 5


def golden_file(**overrides: object) -> nacha.AchFile:
    options: dict[str, object] = {
        "originator": ORIGINATOR,
        "debits": DEBITS,
        "effective_entry_date": THURSDAY,
        "created_at": CREATED,
        "file_id_modifier": "A",
        "is_business_day": weekday,
    }
    options.update(overrides)
    return nacha.ppd_debit_file(**options)  # type: ignore[arg-type]


def lines_of(data: bytes) -> list[str]:
    return data.decode("ascii").split("\n")[:-1]


def with_line(data: bytes, number: int, new: str) -> bytes:
    """``data`` with line ``number`` (1-based) replaced."""
    lines = lines_of(data)
    lines[number - 1] = new
    return ("\n".join(lines) + "\n").encode("latin-1")


def splice(line: str, start: int, text: str) -> str:
    """``line`` with ``text`` written from 1-based column ``start``."""
    return line[: start - 1] + text + line[start - 1 + len(text) :]
