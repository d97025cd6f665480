"""The cash receipts journal: every receipt of a period (voids listed, not counted) with subtotals
by day, drawer, cashier, tender and receipt code; suspense items received count as money in."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.utils.translation import gettext_lazy as _

from civicbill.payments.models import Payment, SuspenseItem, Tender
from civicbill.payments.reports.tables import Column, Report, Table, check_period, sum_table

SUSPENSE_CODE = "SUSPENSE"
UTILITY_CODE = "UTILITY"


def cash_receipts_journal(*, date_from: dt.date, date_to: dt.date) -> Report:
    """Every receipt of the period (voids listed, not counted) with subtotals by day, drawer,
    cashier, tender and receipt code."""
    check_period(date_from, date_to)
    payments = list(
        Payment.objects.filter(
            business_date__gte=date_from, business_date__lte=date_to, suspense_item__isnull=True
        )
        .order_by("business_date", "received_at", "pk")
        .values(
            "pk",
            "receipt_number",
            "business_date",
            "channel",
            "status",
            "amount_cents",
            "account__number",
            "receipt_code__code",
            "session__drawer__code",
            "taken_by__username",
            "payer_name",
        )
    )
    tenders: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for payment_id, kind, cents in Tender.objects.filter(
        payment__business_date__gte=date_from, payment__business_date__lte=date_to
    ).values_list("payment_id", "kind", "amount_cents"):
        tenders[payment_id][kind] += cents
    suspense = list(
        SuspenseItem.objects.filter(deposit_date__gte=date_from, deposit_date__lte=date_to)
        .order_by("deposit_date", "pk")
        .values(
            "pk",
            "deposit_date",
            "channel",
            "amount_cents",
            "payer_name",
            "payment_import__imported_by__username",
        )
    )
    by_day: dict[Any, list[int]] = defaultdict(lambda: [0, 0])
    by_drawer: dict[Any, list[int]] = defaultdict(lambda: [0, 0])
    by_cashier: dict[Any, list[int]] = defaultdict(lambda: [0, 0])
    by_tender: dict[Any, list[int]] = defaultdict(lambda: [0, 0])
    by_code: dict[Any, list[int]] = defaultdict(lambda: [0, 0])
    detail: list[tuple[Any, ...]] = []

    def add(totals: dict[Any, list[int]], name: Any, cents: int) -> None:
        totals[name][0] += 1
        totals[name][1] += cents

    for p in payments:
        drawer = p["session__drawer__code"] or p["channel"]
        code = p["receipt_code__code"] or UTILITY_CODE
        kinds = tenders.get(p["pk"]) or {p["channel"]: p["amount_cents"]}
        tender_text = " + ".join(sorted(kinds))
        posted = p["status"] == Payment.Status.POSTED
        detail.append(
            (
                p["business_date"].isoformat(),
                p["receipt_number"],
                p["channel"],
                drawer,
                p["taken_by__username"],
                p["account__number"] or "",
                code,
                tender_text,
                "VOID" if not posted else "",
                p["amount_cents"] if posted else 0,
            )
        )
        if not posted:
            continue
        add(by_day, p["business_date"].isoformat(), p["amount_cents"])
        add(by_drawer, drawer, p["amount_cents"])
        add(by_cashier, p["taken_by__username"], p["amount_cents"])
        add(by_code, code, p["amount_cents"])
        for kind, cents in kinds.items():
            add(by_tender, kind, cents)
    for item in suspense:
        day = item["deposit_date"].isoformat()
        who = item["payment_import__imported_by__username"] or ""
        detail.append(
            (
                day,
                f"S{item['pk']}",
                item["channel"],
                item["channel"],
                who,
                "",
                SUSPENSE_CODE,
                item["channel"],
                "",
                item["amount_cents"],
            )
        )
        add(by_day, day, item["amount_cents"])
        add(by_drawer, item["channel"], item["amount_cents"])
        add(by_cashier, who, item["amount_cents"])
        add(by_code, SUSPENSE_CODE, item["amount_cents"])
        add(by_tender, item["channel"], item["amount_cents"])
    detail.sort(key=lambda row: (row[0], row[1]))
    columns = (
        Column("date", _("Date")),
        Column("receipt", _("Receipt")),
        Column("channel", _("Channel")),
        Column("drawer", _("Drawer")),
        Column("cashier", _("Cashier")),
        Column("account", _("Account")),
        Column("code", _("Code")),
        Column("tender", _("Tender")),
        Column("status", _("Status")),
        Column("amount_cents", _("Amount"), money=True),
    )
    total_cents = sum(row[-1] for row in detail)
    return Report(
        "cash-receipts",
        _("Cash receipts journal"),
        date_from,
        date_to,
        (
            Table(
                "receipts",
                _("Receipts"),
                columns,
                tuple(detail),
                ("", "", "", "", "", "", "", "", "", total_cents),
            ),
            sum_table("by_day", _("By day"), _("Date"), by_day),
            sum_table("by_drawer", _("By drawer"), _("Drawer"), by_drawer),
            sum_table("by_cashier", _("By cashier"), _("Cashier"), by_cashier),
            sum_table("by_tender", _("By tender"), _("Tender"), by_tender),
            sum_table("by_code", _("By receipt code"), _("Code"), by_code),
        ),
        notes=(
            _(
                "Void receipts are listed with 0.00 and not counted. Suspense items are money received "
                "but not yet matched to an account."
            ),
        ),
    )
