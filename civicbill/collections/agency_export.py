"""The collection agency export: the accounts of a posted write-off batch, one CSV row each.

The layout (docs/collections.md "Collection agency export") is fixed: UTF-8, a header row, comma
separated, RFC 4180 quoting, amounts as plain dollars with two decimals (``1234.50``), dates
``YYYY-MM-DD``. The customer's mailing address is the last one known to the utility.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from civicbill.collections import writeoff_selectors as selectors
from civicbill.collections.models import WriteOff, WriteOffBatch
from civicbill.core.exceptions import ApplicationError, NotFoundError
from civicbill.core.money import plain_cents

SERVICES = ("water", "sewer", "refuse", "fire_line")
COLUMNS = (
    "account_number",
    "customer_name",
    "customer_kind",
    "mailing_line1",
    "mailing_line2",
    "mailing_city",
    "mailing_state",
    "mailing_zip",
    "phone",
    "email",
    "service_address",
    "account_opened_on",
    "service_ended_on",
    "final_bill_number",
    "final_bill_due_date",
    *(f"{service}_amount" for service in SERVICES),
    "other_amount",
    "total_amount",
    "written_off_on",
    "writeoff_batch",
    "recovered_amount",
)


def agency_rows(batch_id: int) -> list[dict[str, Any]]:
    """One row per account written off in posted batch ``batch_id`` (by account number)."""
    batch = selectors.writeoff_batch_get(batch_id)
    if batch is None:
        raise NotFoundError(f"There is no write-off batch {batch_id}", field="batch")
    if batch.status != WriteOffBatch.Status.POSTED:
        raise ApplicationError(
            f"Write-off batch {batch.pk} is {batch.get_status_display().lower()}; only a posted batch is "
            "sent to the collection agency",
            code="not_posted",
            field="batch",
        )
    writeoffs = (
        batch.writeoffs.filter(status=WriteOff.Status.POSTED)
        .select_related("account", "account__customer", "account__premise")
        .order_by("account__number")
    )
    rows = []
    for writeoff in writeoffs:
        account, customer, premise = writeoff.account, writeoff.account.customer, writeoff.account.premise
        amounts = {service: int(cents) for service, cents in writeoff.amounts.items()}
        unrecovered = sum(selectors.unrecovered_by_service(account.pk).values())
        street = " ".join(part for part in (premise.house_number, premise.street_name, premise.unit) if part)
        row: dict[str, Any] = {
            "account_number": account.number,
            "customer_name": customer.display_name,
            "customer_kind": customer.kind,
            "mailing_line1": customer.mailing_line1,
            "mailing_line2": customer.mailing_line2,
            "mailing_city": customer.mailing_city,
            "mailing_state": customer.mailing_state,
            "mailing_zip": customer.mailing_zip,
            "phone": customer.phone,
            "email": customer.email,
            "service_address": f"{street}, {premise.city}, {premise.state} {premise.zip_code}",
            "account_opened_on": account.opened_on.isoformat(),
            "service_ended_on": account.closed_on.isoformat() if account.closed_on else "",
            "final_bill_number": writeoff.final_bill_number,
            "final_bill_due_date": writeoff.aged_from.isoformat(),
        }
        for service in SERVICES:
            row[f"{service}_amount"] = plain_cents(amounts.pop(service, 0))
        row["other_amount"] = plain_cents(sum(amounts.values()))
        row["total_amount"] = plain_cents(writeoff.total_cents)
        row["written_off_on"] = batch.posted_on.isoformat() if batch.posted_on else ""
        row["writeoff_batch"] = str(batch.pk)
        row["recovered_amount"] = plain_cents(writeoff.total_cents - min(unrecovered, writeoff.total_cents))
        rows.append(row)
    return rows


def agency_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
