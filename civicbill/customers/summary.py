"""An account as plain JSON-ready data: shared by the API and ``civicbill account show --json``.

It joins the customers app's detail with the ledger's balances and history through their selectors.
Amounts are given twice: integer cents (``*_cents``, exact, for programs) and a formatted string.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from civicbill.customers.models import Account, ServiceAgreement
from civicbill.customers.selectors import account_detail
from civicbill.ledger import selectors as ledger_selectors

RECENT_TRANSACTIONS = 20


def account_summary(account: Account, *, as_of: dt.date, include_money: bool = True) -> dict[str, Any]:
    detail = account_detail(account, as_of=as_of)
    customer, premise = detail.customer, detail.premise
    summary: dict[str, Any] = {
        "number": account.number,
        "status": account.status,
        "opened_on": account.opened_on.isoformat(),
        "closed_on": account.closed_on.isoformat() if account.closed_on else None,
        "paperless": account.paperless,
        "language": customer.preferred_language,
        "customer": {
            "id": customer.pk,
            "kind": customer.kind,
            "name": customer.display_name,
            "phone": customer.phone,
            "email": customer.email,
            "preferred_language": customer.preferred_language,
            "mailing_address": customer.mailing_address_lines,
        },
        "premise": {
            "id": premise.pk,
            "address": premise.full_address,
            "premise_type": premise.premise_type,
            "dwelling_units": premise.dwelling_units,
            "parcel_number": premise.parcel_number,
            "billing_cycle": premise.billing_cycle,
            "read_route": premise.read_route,
        },
        "services": [agreement_values(agreement) for agreement in detail.agreements],
    }
    if include_money:
        by_service = ledger_selectors.account_balance_by_service(account)
        history = ledger_selectors.account_history(account, limit=RECENT_TRANSACTIONS)
        summary["balance_cents"] = sum(amount.cents for amount in by_service.values())
        summary["balance_cents_by_service"] = {
            service: amount.cents for service, amount in sorted(by_service.items())
        }
        summary["recent_transactions"] = [
            {
                "accounting_date": row.accounting_date.isoformat(),
                "type": row.source_type,
                "description": row.source_label,
                "reference": row.source_ref,
                "reason": row.reason,
                "memo": row.memo,
                "amount_cents": row.amount.cents,
                "balance_cents": row.balance.cents,
                "entry_id": str(row.entry_id),
                "reverses_entry_id": str(row.reverses_entry_id) if row.reverses_entry_id else None,
            }
            for row in reversed(history)
        ]
    return summary


def agreement_values(agreement: ServiceAgreement) -> dict[str, Any]:
    """One service agreement as the account summary, the API and the CLI show it."""
    return {
        "service": agreement.service,
        "rate_schedule_code": agreement.rate_schedule_code,
        "start_date": agreement.start_date.isoformat(),
        "end_date": agreement.end_date.isoformat() if agreement.end_date else None,
        "containers": agreement.containers,
        "container_size": agreement.container_size,
        "service_size": agreement.service_size,
    }
