"""Payments by channel: per channel, payments posted to accounts, money held in suspense, voids
and returned payments, and what was received by day."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from civicbill.payments.models import Channel, Payment, ReturnedItem, SuspenseItem
from civicbill.payments.reports.tables import Column, Report, Table, check_period


def _received_payments(date_from: dt.date, date_to: dt.date) -> Any:
    """Posted payments of the period that are money received (not suspense applications)."""
    return Payment.objects.filter(
        business_date__gte=date_from,
        business_date__lte=date_to,
        status=Payment.Status.POSTED,
        suspense_item__isnull=True,
    )


def payments_by_channel(*, date_from: dt.date, date_to: dt.date) -> Report:
    """Per channel: payments posted to accounts, money held in suspense, voids and returned payments."""
    check_period(date_from, date_to)
    channels = [choice.value for choice in Channel]
    counts: dict[str, dict[str, int]] = {c: defaultdict(int) for c in channels}
    for row in (
        Payment.objects.filter(
            business_date__gte=date_from, business_date__lte=date_to, suspense_item__isnull=True
        )
        .values("channel")
        .annotate(
            posted_n=Count("pk", filter=Q(status=Payment.Status.POSTED)),
            posted=Sum("amount_cents", filter=Q(status=Payment.Status.POSTED)),
            void_n=Count("pk", filter=Q(status=Payment.Status.VOIDED)),
            void=Sum("amount_cents", filter=Q(status=Payment.Status.VOIDED)),
        )
    ):
        counts[row["channel"]].update(
            posted_n=row["posted_n"],
            posted=int(row["posted"] or 0),
            void_n=row["void_n"],
            void=int(row["void"] or 0),
        )
    for row in (
        SuspenseItem.objects.filter(deposit_date__gte=date_from, deposit_date__lte=date_to)
        .values("channel")
        .annotate(n=Count("pk"), cents=Sum("amount_cents"))
    ):
        counts[row["channel"]].update(suspense_n=row["n"], suspense=int(row["cents"] or 0))
    for row in (
        ReturnedItem.objects.filter(returned_on__gte=date_from, returned_on__lte=date_to)
        .values("payment__channel")
        .annotate(n=Count("pk"), cents=Sum("payment__amount_cents"))
    ):
        counts[row["payment__channel"]].update(returned_n=row["n"], returned=int(row["cents"] or 0))
    rows: list[tuple[Any, ...]] = []
    for channel in channels:
        c = counts[channel]
        received = c["posted"] + c["suspense"]
        rows.append(
            (
                channel,
                c["posted_n"],
                c["posted"],
                c["suspense_n"],
                c["suspense"],
                c["void_n"],
                c["void"],
                c["returned_n"],
                c["returned"],
                received - c["returned"],
            )
        )
    columns = (
        Column("channel", _("Channel")),
        Column("payments", _("Payments")),
        Column("payments_cents", _("Posted to accounts"), money=True),
        Column("suspense", _("Suspense items")),
        Column("suspense_cents", _("To suspense"), money=True),
        Column("voids", _("Voids")),
        Column("voids_cents", _("Voided"), money=True),
        Column("returned", _("Returned")),
        Column("returned_cents", _("Returned amount"), money=True),
        Column("net_cents", _("Net received"), money=True),
    )
    total = ("", *(sum(row[i] for row in rows) for i in range(1, len(columns))))
    by_day: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for row in (
        _received_payments(date_from, date_to)
        .values("business_date", "channel")
        .annotate(n=Count("pk"), cents=Sum("amount_cents"))
    ):
        by_day[(row["business_date"].isoformat(), row["channel"])][0] += row["n"]
        by_day[(row["business_date"].isoformat(), row["channel"])][1] += int(row["cents"] or 0)
    for row in (
        SuspenseItem.objects.filter(deposit_date__gte=date_from, deposit_date__lte=date_to)
        .values("deposit_date", "channel")
        .annotate(n=Count("pk"), cents=Sum("amount_cents"))
    ):
        by_day[(row["deposit_date"].isoformat(), row["channel"])][0] += row["n"]
        by_day[(row["deposit_date"].isoformat(), row["channel"])][1] += int(row["cents"] or 0)
    day_rows = tuple((day, channel, n, cents) for (day, channel), (n, cents) in sorted(by_day.items()))
    return Report(
        "by-channel",
        _("Payments by channel"),
        date_from,
        date_to,
        (
            Table("channels", _("By channel"), columns, tuple(rows), total),
            Table(
                "by_day",
                _("Received by day and channel"),
                (
                    Column("date", _("Date")),
                    Column("channel", _("Channel")),
                    Column("count", _("Count")),
                    Column("amount_cents", _("Amount"), money=True),
                ),
                day_rows,
                ("", "", sum(r[2] for r in day_rows), sum(r[3] for r in day_rows)),
            ),
        ),
        notes=(
            _(
                "Net received = posted to accounts + to suspense − returned. Voided payments are not "
                "counted; suspense items applied later are not counted again."
            ),
        ),
    )
