"""Load :class:`BillDocument` s for many bills at once (reads only).

Three queries whatever the number of bills (up to :data:`MAX_BILLS_PER_QUERY` bills for a list of
ids; any number for a run): the bills with their account, customer and premise; all their lines;
and the consumption of the accounts' issued bills of the twelve months before, for the chart.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import QuerySet, Subquery
from django.utils import translation
from django.utils.translation import gettext

from civicbill.billing.documents.chart import MONTHS_SHOWN, add_months, usage_months
from civicbill.billing.documents.mailsort import mail_sort_key
from civicbill.billing.documents.model import BillDocument, DocumentLine, ServiceSection
from civicbill.billing.models import Bill, BillLine
from civicbill.core.money import Money
from civicbill.core.scanline import build_scan_line
from civicbill.core.utility_services import Service
from civicbill.core.wording import (
    charge_description,
    money_text,
    month_year,
    quantity_text,
    service_label,
)
from civicbill.meters.consumption import GALLONS_PER_HCF
from civicbill.payments.deposit_selectors import customer_deposit_applied_cents

MAX_BILLS_PER_QUERY = 10_000
SERVICE_ORDER = {service: index for index, service in enumerate(Service.values)}


_LINE_FIELDS = (
    "bill_id",
    "sequence",
    "service",
    "charge_key",
    "description",
    "quantity",
    "unit",
    "tier",
    "price",
    "amount_cents",
    "proration",
    "version_label",
    "line_period_start",
    "line_period_end",
    "detail",
)


def utility_contact() -> dict[str, str]:
    """Who the bill comes from (settings ``CIVICBILL_UTILITY_*``; demo defaults)."""
    return {
        "utility_name": getattr(settings, "CIVICBILL_UTILITY_NAME", "City of Coachella Utility Billing"),
        "utility_address": getattr(
            settings, "CIVICBILL_UTILITY_ADDRESS", "1515 Sixth Street, Coachella, CA 92236"
        ),
        "utility_phone": getattr(settings, "CIVICBILL_UTILITY_PHONE", "(760) 555-0100"),
    }


def bill_documents(bill_ids: Iterable[int], *, language: str | None = None) -> list[BillDocument]:
    """Documents for these bills, in the order of ``bill_ids`` (unknown ids are left out), each in
    its customer's language unless ``language`` is given (a clerk's screen)."""
    ids = list(dict.fromkeys(bill_ids))
    documents: dict[int, BillDocument] = {}
    for start in range(0, len(ids), MAX_BILLS_PER_QUERY):
        chunk = ids[start : start + MAX_BILLS_PER_QUERY]
        for document in _documents(Bill.objects.filter(pk__in=chunk), language=language):
            documents[document.bill_id] = document
    return [documents[bill_id] for bill_id in ids if bill_id in documents]


def run_bill_documents(run_id: int, *, include_cancelled: bool = False) -> list[BillDocument]:
    """Documents for a run's bills (issued, and drafts of a trial), in mail sort order."""
    bills = Bill.objects.filter(run_id=run_id)
    if not include_cancelled:
        bills = bills.exclude(status=Bill.Status.CANCELLED)
    return sorted(_documents(bills), key=lambda document: document.sort_key)


def _documents(bills_query: QuerySet[Bill], *, language: str | None = None) -> list[BillDocument]:
    bills = list(
        bills_query.select_related("account__customer", "account__premise", "replaces").order_by("pk")
    )
    if not bills:
        return []
    lines_by_bill: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in (
        BillLine.objects.filter(bill_id__in=Subquery(bills_query.values("pk")))
        .order_by("bill_id", "sequence")
        .values(*_LINE_FIELDS)
    ):
        lines_by_bill[row["bill_id"]].append(row)
    history = _usage_history(bills_query, bills)
    contact = utility_contact()
    return [_document(bill, lines_by_bill.get(bill.pk, []), history, contact, language) for bill in bills]


def _usage_history(
    bills_query: QuerySet[Bill], bills: list[Bill]
) -> dict[int, dict[dt.date, tuple[Decimal, bool]]]:
    """Per account, per billing month: consumption on its issued bills (summed over a month's
    regular and final bills), and whether any of them was estimated."""
    earliest = add_months(min(bill.period for bill in bills), -(MONTHS_SHOWN - 1))
    latest = max(bill.period for bill in bills)
    history: dict[int, dict[dt.date, tuple[Decimal, bool]]] = defaultdict(dict)
    rows = (
        Bill.objects.filter(
            account_id__in=Subquery(bills_query.values("account_id")),
            status=Bill.Status.ISSUED,
            period__gte=earliest,
            period__lte=latest,
        )
        .order_by()
        .values_list("account_id", "period", "consumption_hcf", "estimated")
    )
    for account_id, period, consumption, estimated in rows:
        month = add_months(period, 0)
        usage, was_estimated = history[account_id].get(month, (Decimal(0), False))
        history[account_id][month] = (usage + consumption, was_estimated or estimated)
    return history


def _line(row: dict[str, Any], language: str) -> DocumentLine:
    return DocumentLine(
        sequence=row["sequence"],
        service=row["service"],
        charge_key=row["charge_key"],
        description=charge_description(row["description"], language),
        quantity=row["quantity"],
        unit=row["unit"],
        tier=row["tier"],
        price=row["price"],
        amount=Money.from_cents(row["amount_cents"]),
        proration=row["proration"],
        version_label=row["version_label"],
        period_start=row["line_period_start"],
        period_end=row["line_period_end"],
        detail=dict(row["detail"] or {}),
    )


def _sections(rows: list[dict[str, Any]], language: str) -> tuple[ServiceSection, ...]:
    grouped: dict[str, list[DocumentLine]] = defaultdict(list)
    for row in rows:
        grouped[row["service"]].append(_line(row, language))
    sections = []
    for service in sorted(grouped, key=lambda s: SERVICE_ORDER.get(s, len(SERVICE_ORDER))):
        lines = tuple(grouped[service])
        subtotal = Money.from_cents(sum(line.amount.cents for line in lines))
        sections.append(
            ServiceSection(service=service, label=service_label(service), lines=lines, subtotal=subtotal)
        )
    return tuple(sections)


def _document(
    bill: Bill,
    rows: list[dict[str, Any]],
    history: dict[int, dict[dt.date, tuple[Decimal, bool]]],
    contact: dict[str, str],
    language_override: str | None = None,
) -> BillDocument:
    account = bill.account
    customer = account.customer
    premise = account.premise
    language = language_override or bill.language
    language = language if language in ("en", "es") else "en"
    with translation.override(language):
        sections = _sections(rows, language)
        account_history = {
            month: value
            for month, value in history.get(account.pk, {}).items()
            if month < add_months(bill.period, 0)
        }
        usage = usage_months(
            period=bill.period,
            current_hcf=bill.consumption_hcf,
            current_estimated=bill.estimated,
            history=account_history,
        )
        total_due = Money.from_cents(bill.total_due_cents)
        document = BillDocument(
            bill_id=bill.pk,
            bill_number=bill.number,
            status=bill.status,
            kind=bill.kind,
            language=language,
            replaces_number=bill.replaces.number if bill.replaces_id and bill.replaces else "",
            cancel_reason=bill.cancel_reason,
            account_number=account.number,
            customer_name=customer.display_name,
            mailing_lines=tuple(customer.mailing_address_lines),
            mailing_zip=customer.mailing_zip,
            service_address=premise.full_address,
            paperless=account.paperless,
            email=customer.email,
            period=bill.period,
            period_start=bill.period_start,
            period_end=bill.period_end,
            bill_date=bill.bill_date,
            due_date=bill.due_date,
            meter_serial=bill.meter_serial,
            previous_read_on=bill.previous_read_on,
            previous_read=bill.previous_read,
            current_read_on=bill.current_read_on,
            current_read=bill.current_read,
            consumption_hcf=bill.consumption_hcf,
            estimated=bill.estimated,
            sections=sections,
            previous_balance=Money.from_cents(bill.previous_balance_cents),
            payments=Money.from_cents(bill.payments_cents),
            adjustments=Money.from_cents(bill.adjustments_cents),
            current_charges=Money.from_cents(bill.current_charges_cents),
            total_due=total_due,
            usage=usage,
            messages=(),
            scan_line=build_scan_line(
                account_number=account.number, amount_due=total_due, due_date=bill.due_date
            ),
            utility_name=contact["utility_name"],
            utility_address=contact["utility_address"],
            utility_phone=contact["utility_phone"],
            sort_key=mail_sort_key(
                mailing_zip=customer.mailing_zip,
                mailing_line1=customer.mailing_line1,
                account_number=account.number,
            ),
            deposit_applied=(
                Money.from_cents(customer_deposit_applied_cents(bill.number))
                if bill.kind == "final"
                else Money.zero()
            ),
        )
        return _with_messages(document)


def _with_messages(document: BillDocument) -> BillDocument:
    """The messages printed on the bill, in its language (call inside ``translation.override``)."""
    messages: list[str] = []
    language = document.language
    if document.kind == "final":
        messages.append(
            gettext("This is your final bill for this service address. Thank you for being our customer.")
        )
    if document.deposit_applied.is_positive():
        messages.append(
            gettext("Your service deposit of %(amount)s has been applied to this bill.")
            % {"amount": money_text(document.deposit_applied)}
        )
    if document.replaces_number:
        messages.append(
            gettext("This bill replaces bill %(number)s, which was cancelled and corrected.")
            % {"number": document.replaces_number}
        )
    if document.estimated:
        messages.append(
            gettext(
                "We could not read your meter this month, so this bill is based on an estimate of your use. "
                "The difference is corrected on the bill after your meter is next read."
            )
        )
    if document.balance_forward.is_positive():
        messages.append(
            gettext(
                "Your previous balance of %(amount)s is past due. Please pay it now to avoid a late penalty "
                "and interruption of your water service."
            )
            % {"amount": money_text(document.balance_forward)}
        )
    if document.total_due.is_negative():
        messages.append(
            gettext("Your account has a credit of %(amount)s. You do not need to pay this bill.")
            % {"amount": money_text(-document.total_due)}
        )
    year_ago = document.usage[0] if document.usage else None
    current = document.usage[-1] if document.usage else None
    if (
        year_ago
        and current
        and year_ago.usage_hcf
        and current.usage_hcf is not None
        and year_ago.usage_hcf > 0
    ):
        change = (current.usage_hcf - year_ago.usage_hcf) / year_ago.usage_hcf * 100
        percent = int(abs(change).quantize(Decimal(1)))
        if percent >= 1:
            template = (
                gettext("You used %(percent)s%% more water than in %(month)s.")
                if change > 0
                else gettext("You used %(percent)s%% less water than in %(month)s.")
            )
            messages.append(template % {"percent": percent, "month": month_year(year_ago.period, language)})
    if document.consumption_hcf > 0:
        gallons = (document.consumption_hcf * GALLONS_PER_HCF).quantize(Decimal(1))
        messages.append(
            gettext("%(hcf)s HCF is %(gallons)s gallons: about %(daily)s gallons a day.")
            % {
                "hcf": quantity_text(document.consumption_hcf),
                "gallons": quantity_text(gallons),
                "daily": quantity_text((gallons / max(document.days, 1)).quantize(Decimal(1))),
            }
        )
    if document.paperless:
        messages.append(gettext("You receive your bills by email. This copy was not mailed."))
    return replace(document, messages=tuple(messages))
