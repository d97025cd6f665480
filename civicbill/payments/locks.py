"""The one place the payments app takes row locks (``select_for_update``).

Lock order, to avoid deadlocks: drawer session, then customer accounts by id, then payment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection

from civicbill.customers.models import Account
from civicbill.payments.models import DrawerSession, Payment, Refund, SuspenseItem


def lock_session(session_id: int) -> DrawerSession:
    """The session row, locked: serializes one cashier's receipts and the session's close."""
    return DrawerSession.objects.select_for_update().get(pk=session_id)


def lock_sessions_of_day(business_date: dt.date) -> list[DrawerSession]:
    return list(DrawerSession.objects.select_for_update().filter(business_date=business_date).order_by("pk"))


def lock_accounts(account_ids: Iterable[int]) -> list[Account]:
    """Accounts being paid, locked in id order, so two payments on one account allocate one after
    the other (each sees what the other applied)."""
    ids = sorted(set(account_ids))
    return list(Account.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


def lock_payment(payment_id: int) -> Payment:
    return Payment.objects.select_for_update().get(pk=payment_id)


def lock_suspense_item(item_id: int) -> SuspenseItem:
    return SuspenseItem.objects.select_for_update().get(pk=item_id)


def lock_refund(refund_id: int) -> Refund:
    return Refund.objects.select_for_update().get(pk=refund_id)


def lock_account_ids(account_ids: list[int]) -> None:
    """Lock many accounts (id order) without loading them: a lockbox file's accounts. PostgreSQL gets
    the ids as one array parameter: binding and parsing an ``IN`` list of thousands of values cost
    more than taking the locks."""
    ids = sorted(account_ids)
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Account._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE id = ANY(%s::bigint[]) "  # noqa: S608
                "ORDER BY id FOR UPDATE) AS locked",
                [ids],
            )
        return
    size = (connection.features.max_query_params or 10_000) - 1
    for start in range(0, len(ids), size):
        list(
            Account.objects.select_for_update()
            .filter(pk__in=ids[start : start + size])
            .order_by("pk")
            .values_list("pk")
        )
