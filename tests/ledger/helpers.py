"""Small builders for ledger tests: the usual entries (bill, payment), and raw SQL inserts that bypass
the services (to prove what the database itself refuses). Accounts come from
``tests.fixtures.accounts.build_account(rows_only=True)``."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib.auth.models import User
from django.db import connection

from civicbill.core.money import Money
from civicbill.customers.models import Account
from civicbill.ledger import chart
from civicbill.ledger.models import GLAccount, JournalEntry, JournalLine
from civicbill.ledger.posting import PostingLine


def m(text: str) -> Money:
    return Money.parse(text)


def charge_lines(account: Account, **amounts_by_service: str) -> list[PostingLine]:
    """A bill: each service's charge on its receivable control account against its revenue account."""
    lines: list[PostingLine] = []
    for service, text in amounts_by_service.items():
        lines += [
            PostingLine.debit(
                chart.receivable_control_for(service).code,
                m(text),
                customer_account_id=account.pk,
                service=service,
            ),
            PostingLine.credit(chart.revenue_for(service).code, m(text)),
        ]
    return lines


def payment_lines(account: Account, **amounts_by_service: str) -> list[PostingLine]:
    """A payment: cash of each service's fund against the service's receivable."""
    lines: list[PostingLine] = []
    for service, text in amounts_by_service.items():
        lines += [
            PostingLine.debit(chart.cash_for(chart.fund_for(service)).code, m(text)),
            PostingLine.credit(
                chart.receivable_control_for(service).code,
                m(text),
                customer_account_id=account.pk,
                service=service,
            ),
        ]
    return lines


def post_kwargs(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "accounting_date": dt.date(2026, 9, 15),
        "source_type": "bill",
        "source_ref": "BILL-1001",
        "idempotency_key": "bill:1001",
        "reason": "cycle_bill",
    }
    values.update(overrides)
    return values


# -- raw SQL, lines first and header last, as the services do ----------------------------------------
POSTED_AT = dt.datetime(2026, 9, 15, 18, 0, tzinfo=dt.UTC)


def _db(model: Any, field: str, value: Any) -> Any:
    return model._meta.get_field(field).get_db_prep_save(value, connection)


def insert_line(
    entry_id: uuid.UUID,
    gl_code: str,
    *,
    debit_cents: int = 0,
    credit_cents: int = 0,
    customer_account_id: int | None = None,
    service: str | None = None,
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_journalline (entry_id, gl_account_id, debit_cents, credit_cents, "
            "customer_account_id, service, memo) VALUES (%s, %s, %s, %s, %s, %s, '')",
            [
                _db(JournalLine, "entry", entry_id),
                GLAccount.objects.get(code=gl_code).pk,
                debit_cents,
                credit_cents,
                customer_account_id,
                service,
            ],
        )


def insert_header(
    entry_id: uuid.UUID,
    total_cents: int,
    user: User,
    *,
    key: str | None = None,
    accounting_date: dt.date = dt.date(2026, 9, 15),
    source_type: str = "manual",
    reverses_id: uuid.UUID | None = None,
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_journalentry (id, accounting_date, posted_at, source_type, source_ref, "
            "idempotency_key, reason, memo, reverses_id, posted_by_id, total_cents) "
            "VALUES (%s, %s, %s, %s, 'SQL', %s, 'test', '', %s, %s, %s)",
            [
                _db(JournalEntry, "id", entry_id),
                _db(JournalEntry, "accounting_date", accounting_date),
                _db(JournalEntry, "posted_at", POSTED_AT),
                source_type,
                key or f"sql:{entry_id}",
                None if reverses_id is None else _db(JournalEntry, "id", reverses_id),
                user.pk,
                total_cents,
            ],
        )
