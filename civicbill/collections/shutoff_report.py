"""The annual report of residential shutoffs for nonpayment (Health & Safety Code §116918).

SB 998 requires a water system to report each year the number of its annual disconnections of
residential service for inability to pay (on its website and to the State Water Board). A shutoff
counts in the calendar year its field work order was completed when:

- the work order is a *disconnect* (workorders ``WorkOrderType.DISCONNECT``), completed, with the
  result *disconnected* where the work order records a result;
- the account's collection stage history shows it disconnected (stage ``disconnected``) on the day
  the work order was completed — the shutoff was for nonpayment, not a customer's own request;
- the premise is residential (single-family or multi-family).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.template.loader import render_to_string

from civicbill.collections.models import CollectionStage, StageEvent
from civicbill.core.exceptions import ApplicationError
from civicbill.core.printable import html_to_pdf, utility_contact
from civicbill.customers.models import Premise
from civicbill.workorders.models import WorkOrder, WorkOrderStatus, WorkOrderType

RESIDENTIAL = (Premise.PremiseType.SINGLE_FAMILY, Premise.PremiseType.MULTI_FAMILY)
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Shutoff:
    work_order: str
    completed_on: dt.date
    account_number: str
    service_address: str
    premise_type: str


@dataclass(frozen=True)
class ShutoffReport:
    year: int
    shutoffs: tuple[Shutoff, ...]
    by_month: tuple[int, ...] = field(default=())  # January .. December

    @property
    def total(self) -> int:
        return len(self.shutoffs)


def _has_result_field() -> bool:
    return any(f.name == "result" for f in WorkOrder._meta.get_fields())


def shutoff_report(year: int) -> ShutoffReport:
    if not 2000 <= year <= 2999:
        raise ApplicationError(f"The year {year} is not a year like 2026", code="bad_year", field="year")
    orders = (
        WorkOrder.objects.filter(
            work_type=WorkOrderType.DISCONNECT,
            status=WorkOrderStatus.COMPLETED,
            completed_on__year=year,
            account__isnull=False,
            premise__premise_type__in=RESIDENTIAL,
        )
        .select_related("account", "premise")
        .order_by("completed_on", "number")
    )
    if _has_result_field():  # the disconnection area's work order result, when it is there
        orders = orders.filter(**{"result": "disconnected"})
    found = list(orders)
    disconnected = set(
        StageEvent.objects.filter(
            stage=CollectionStage.DISCONNECTED,
            account_id__in={order.account_id for order in found},
            occurred_on__year=year,
        ).values_list("account_id", "occurred_on")
    )
    shutoffs = []
    for order in found:
        if (order.account_id, order.completed_on) not in disconnected:
            continue
        premise = order.premise
        street = " ".join(part for part in (premise.house_number, premise.street_name, premise.unit) if part)
        shutoffs.append(
            Shutoff(order.number, order.completed_on, order.account.number, street, premise.premise_type)  # type: ignore[union-attr,arg-type]
        )
    by_month = [0] * 12
    for shutoff in shutoffs:
        by_month[shutoff.completed_on.month - 1] += 1
    return ShutoffReport(year, tuple(shutoffs), tuple(by_month))


def shutoff_report_csv(report: ShutoffReport) -> str:
    """``year,month,residential_shutoffs_for_nonpayment``: twelve months then the year's total."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["year", "month", "residential_shutoffs_for_nonpayment"])
    for index, count in enumerate(report.by_month, start=1):
        writer.writerow([report.year, f"{report.year}-{index:02d}", count])
    writer.writerow([report.year, "total", report.total])
    return out.getvalue()


def shutoff_report_pdf(report: ShutoffReport, *, generated_on: dt.date) -> bytes:
    html = render_to_string(
        "collections/shutoff_report.html",
        {
            "report": report,
            "months": list(zip(MONTHS, report.by_month, strict=True)),
            "generated_on": generated_on,
            **utility_contact(),
        },
    )
    return html_to_pdf(html)
