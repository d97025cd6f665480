"""Load :class:`BillDocument` s for many bills at once (reads only).

Four queries whatever the number of bills (up to :data:`MAX_BILLS_PER_QUERY` bills for a list of
ids; any number for a run; the fourth per ~1,000 accounts on SQLite): the bills with their account,
customer and premise; all their lines; the accounts' bills of the thirteen months before (the usage
chart, the usual use a high-use bill is compared with, the bill before each one); and the ledger
entries each bill shows (:mod:`civicbill.billing.statement`: returned payments, their fees, the
deposit applied), a fifth when some of the bills are their account's first (every entry before it).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from django.conf import settings
from django.db.models import QuerySet, Subquery
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from civicbill.billing import statement
from civicbill.billing.documents.chart import MONTHS_SHOWN, add_months, usage_months
from civicbill.billing.documents.mailsort import mail_sort_key
from civicbill.billing.documents.model import BillDocument, DocumentLine, HighUse, ServiceSection
from civicbill.billing.models import Bill, BillKind, BillLine
from civicbill.core.money import Money
from civicbill.core.printable import utility_contact
from civicbill.core.scanline import build_scan_line
from civicbill.core.utility_services import Service
from civicbill.core.wording import (
    charge_description,
    long_date,
    money_text,
    month_year,
    quantity_text,
    service_label,
)
from civicbill.ledger import selectors as ledger_selectors
from civicbill.meters.consumption import GALLONS_PER_HCF
from civicbill.meters.estimation import UsagePeriod, expected_daily_use
from civicbill.meters.validation import high_use_percent

MAX_BILLS_PER_QUERY = 10_000
# the account summary's labels (model.BillDocument.summary_rows; the renderers translate them)
SUMMARY_LABELS = (
    gettext_noop("Previous balance"),
    gettext_noop("Payments received - thank you"),
    gettext_noop("Returned payment"),
    gettext_noop("Returned payment fee"),
    gettext_noop("Adjustments"),
    gettext_noop("Deposit applied"),
    gettext_noop("Balance forward"),
    gettext_noop("Current charges"),
    gettext_noop("Account activity after %(date)s"),
)
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


def payment_options() -> dict[str, str]:
    """How to pay and where to ask, as configured (settings ``CIVICBILL_REMIT_*``, ``CIVICBILL_PAY_*``,
    ``CIVICBILL_OFFICE_HOURS*``, ``CIVICBILL_DROP_BOX*``; docs/bills.md lists them with the demo's
    values). ``remit_address`` lines are separated by ``|``."""
    return {
        "remit_name": getattr(settings, "CIVICBILL_REMIT_NAME", "") or utility_contact()["utility_name"],
        "remit_address": getattr(settings, "CIVICBILL_REMIT_ADDRESS", "PO Box 2370|Coachella, CA 92236-2370"),
        "pay_online": getattr(settings, "CIVICBILL_PAY_ONLINE", "coachella.example.org/pay"),
        "pay_phone": getattr(settings, "CIVICBILL_PAY_PHONE", "(760) 555-0199"),
        "office_hours": getattr(settings, "CIVICBILL_OFFICE_HOURS", "Monday to Thursday, 7 a.m. to 6 p.m."),
        "office_hours_es": getattr(
            settings, "CIVICBILL_OFFICE_HOURS_ES", "de lunes a jueves, de 7 a. m. a 6 p. m."
        ),
        "drop_box": getattr(
            settings, "CIVICBILL_DROP_BOX", "City Hall parking lot, 1515 Sixth Street (open 24 hours)"
        ),
        "drop_box_es": getattr(
            settings,
            "CIVICBILL_DROP_BOX_ES",
            "estacionamiento del Ayuntamiento, 1515 Sixth Street (24 horas)",
        ),
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


class PastBill(NamedTuple):
    """One of the accounts' bills of the months before, as the documents need it."""

    pk: int
    account_id: int
    period: dt.date
    status: str
    consumption_hcf: Decimal
    estimated: bool
    issued_at: dt.datetime | None
    bill_date: dt.date
    cancelled_at: dt.datetime | None
    previous_read_on: dt.date | None
    current_read_on: dt.date | None


def _documents(bills_query: QuerySet[Bill], *, language: str | None = None) -> list[BillDocument]:
    bills = list(
        bills_query.select_related(
            "account__customer", "account__premise", "replaces__replaces__replaces"
        ).order_by("pk")
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
    past = _past_bills(bills_query, bills)
    activities = _statement_activities(bills, past)
    contact = utility_contact()
    options = payment_options()
    return [
        _document(
            bill,
            lines_by_bill.get(bill.pk, []),
            past.get(bill.account_id, []),
            activities[bill.pk],
            contact,
            options,
            language,
        )
        for bill in bills
    ]


def _past_bills(bills_query: QuerySet[Bill], bills: list[Bill]) -> dict[int, list[PastBill]]:
    """Per account, its bills (any status) of the 13 months before the latest bill's, oldest first:
    enough for the chart's 12 months, the usual use of the same period last year and the bill
    before each (billing.facts looks 12 months back for it)."""
    earliest = add_months(min(bill.period for bill in bills), -(MONTHS_SHOWN))
    latest = max(bill.period for bill in bills)
    rows = (
        Bill.objects.filter(
            account_id__in=Subquery(bills_query.values("account_id")),
            period__gte=earliest,
            period__lte=latest,
        )
        .order_by("period", "issued_at", "pk")
        .values_list(*PastBill._fields)
    )
    past: dict[int, list[PastBill]] = defaultdict(list)
    for row in rows:
        bill = PastBill(*row)
        past[bill.account_id].append(bill)
    return past


def statement_bill(bill: Bill) -> Bill:
    """The bill whose period history ``bill`` shows: itself, or for a rebill the bill it corrects
    (the first of a chain of up to three rebills)."""
    shown = bill
    for _level in range(3):
        if shown.kind != BillKind.REBILL or shown.replaces_id is None or shown.replaces is None:
            break
        shown = shown.replaces
    return shown


def _previous_bill(bill: Bill, past: list[PastBill]) -> statement.PreviousBill | None:
    """The bill before ``bill`` when it was made, as ``billing.facts`` chose it: the last issued (by
    issue time) of the 12 months up to its period, not already cancelled when it was made."""
    since = add_months(bill.period, -12)
    candidates = [
        (other.issued_at, other.pk, other.bill_date)
        for other in past
        if other.pk != bill.pk
        and other.issued_at is not None
        and since <= other.period <= bill.period
        and (bill.issued_at is None or other.issued_at < bill.issued_at)
        and (other.cancelled_at is None or other.cancelled_at > bill.created_at)
    ]
    if not candidates:
        return None
    issued_at, _pk, bill_date = max(candidates)
    return statement.PreviousBill(issued_at=issued_at, bill_date=bill_date)


def _statement_activities(
    bills: list[Bill], past: dict[int, list[PastBill]]
) -> dict[int, statement.Activity]:
    """Per bill, the ledger activity its account summary itemises (one query per ~1,000 accounts):
    of the bill it shows the history of (:func:`statement_bill`), by billing.statement's rule."""
    shown = {bill.pk: statement_bill(bill) for bill in bills}
    previous = {pk: _previous_bill(bill, past.get(bill.account_id, [])) for pk, bill in shown.items()}
    known = [before for before in previous.values() if before is not None]
    first_bills = {bill.account_id for pk, bill in shown.items() if previous[pk] is None}
    entries: list[ledger_selectors.ReceivableEntry] = []
    if first_bills:  # an account's first bill shows everything before it
        entries = ledger_selectors.receivable_entries(first_bills)
    others = {bill.account_id for bill in bills} - first_bills
    if known and others:
        entries += ledger_selectors.receivable_entries(
            others,
            posted_after=min(before.issued_at for before in known),
            dated_after=min(before.bill_date for before in known),
        )
    by_account: dict[int, list[ledger_selectors.ReceivableEntry]] = defaultdict(list)
    for entry in entries:
        by_account[entry.account_id].append(entry)
    activities: dict[int, statement.Activity] = {}
    for pk, bill in shown.items():
        before = previous[pk]
        activities[pk] = statement.activity(
            (statement.activity_kind(entry.source_type, entry.reason), entry.net_cents)
            for entry in by_account.get(bill.account_id, [])
            if statement.in_statement(
                posted_at=entry.posted_at,
                accounting_date=entry.accounting_date,
                previous=before,
                bill_date=bill.bill_date,
                posted_through=bill.issued_at,
            )
        )
    return activities


def _known_when_made(other: PastBill, bill: Bill) -> bool:
    """Whether ``other`` was an issued bill of the account when ``bill`` was made: a reprint says what
    the bill said (a later correction does not change an earlier bill's chart or usual use)."""
    if other.pk == bill.pk or other.status == Bill.Status.DRAFT:
        return False
    if other.cancelled_at is not None and other.cancelled_at <= bill.created_at:
        return False
    if other.status == Bill.Status.CANCELLED and other.cancelled_at is None:
        return False
    return other.issued_at is None or bill.issued_at is None or other.issued_at <= bill.issued_at


def _usage_history(bill: Bill, past: list[PastBill]) -> dict[dt.date, tuple[Decimal, bool]]:
    """Per billing month before this bill's: consumption on the account's issued bills (summed over
    a month's regular and final bills), and whether any of them was estimated."""
    history: dict[dt.date, tuple[Decimal, bool]] = {}
    first = add_months(bill.period, -(MONTHS_SHOWN - 1))
    for other in past:
        if not _known_when_made(other, bill) or not first <= other.period < bill.period:
            continue
        usage, was_estimated = history.get(other.period, (Decimal(0), False))
        history[other.period] = (usage + other.consumption_hcf, was_estimated or other.estimated)
    return history


def _high_use(bill: Bill, past: list[PastBill]) -> HighUse | None:
    """Whether this bill's water use is well above the account's usual: the same rule as the read
    exception that raises the high-usage letter (meters.validation.high_use_percent), the usual use
    taken from the periods of the account's issued bills before this one."""
    start, end = bill.previous_read_on, bill.current_read_on
    if start is None or end is None or end <= start:
        return None
    periods = sorted(
        (
            UsagePeriod(other.previous_read_on, other.current_read_on, other.consumption_hcf)
            for other in past
            if _known_when_made(other, bill)
            and other.previous_read_on is not None
            and other.current_read_on is not None
            and other.previous_read_on < other.current_read_on <= start
        ),
        key=lambda period: (period.end, period.start),
    )
    usual = expected_daily_use(periods, start, end)
    days = (end - start).days
    percent = high_use_percent(
        bill.consumption_hcf, days, usual, high_percent=getattr(settings, "CIVICBILL_READ_HIGH_PERCENT", 150)
    )
    if percent is None or usual is None:
        return None
    whole = Decimal(1)
    return HighUse(
        daily_gallons=(bill.consumption_hcf * GALLONS_PER_HCF / days).quantize(whole, rounding=ROUND_HALF_UP),
        usual_daily_gallons=(usual.hcf_per_day * GALLONS_PER_HCF).quantize(whole, rounding=ROUND_HALF_UP),
        times_usual=(percent / 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
    )


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
    past: list[PastBill],
    activity: statement.Activity,
    contact: dict[str, str],
    options: dict[str, str],
    language_override: str | None = None,
) -> BillDocument:
    account = bill.account
    customer = account.customer
    premise = account.premise
    language = language_override or bill.language
    language = language if language in ("en", "es") else "en"
    with translation.override(language):
        sections = _sections(rows, language)
        usage = usage_months(
            period=bill.period,
            current_hcf=bill.consumption_hcf,
            current_estimated=bill.estimated,
            history=_usage_history(bill, past),
        )
        total_due = Money.from_cents(bill.total_due_cents)
        shown = statement_bill(bill)  # a rebill of an older period shows that period's history
        later = 0
        if shown is not bill:
            later = bill.total_due_cents - (
                shown.previous_balance_cents
                + shown.payments_cents
                + shown.adjustments_cents
                + bill.current_charges_cents
            )
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
            previous_balance=Money.from_cents(shown.previous_balance_cents),
            payments=Money.from_cents(shown.payments_cents),
            adjustments=Money.from_cents(shown.adjustments_cents - activity.itemised),
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
            deposit_applied=Money.from_cents(activity.deposit_applied),
            returned_payments=Money.from_cents(activity.returned_payments),
            returned_fees=Money.from_cents(activity.returned_fees),
            history_date=long_date(shown.bill_date, language) if shown is not bill else "",
            later_activity=Money.from_cents(later),
            high_use=_high_use(bill, past),
            **_how_to_pay(language, contact, options),
        )
        return _with_messages(document)


def _how_to_pay(language: str, contact: dict[str, str], options: dict[str, str]) -> dict[str, Any]:
    """The remittance address, how to pay, help and bill review, and the other language's line
    (call inside ``translation.override(language)``)."""
    remit = [line.strip() for line in options["remit_address"].split("|") if line.strip()]
    spanish = language == "es"
    how = gettext(
        "How to pay: online at %(online)s; by phone at %(pay_phone)s (24 hours); by AutoPay from your bank "
        "account (sign up online or at our office); by mail with the stub below; in person at %(office)s, "
        "%(hours)s; or at the drop box: %(drop_box)s."
    ) % {
        "online": options["pay_online"],
        "pay_phone": options["pay_phone"],
        "office": contact["utility_address"],
        "hours": options["office_hours_es" if spanish else "office_hours"],
        "drop_box": options["drop_box_es" if spanish else "drop_box"],
    }
    help_text = gettext(
        "Need help paying? Ask about payment arrangements and assistance programs at %(phone)s. Think "
        "your bill is wrong? Ask for a bill review by the due date; we do not shut off service for an "
        "amount under review while the review is pending."
    ) % {"phone": contact["utility_phone"]}
    with translation.override("en" if spanish else "es"):
        other = (
            gettext("To receive your bill in English, call %(phone)s.")
            if spanish
            else gettext("To receive your bill in Spanish, call %(phone)s.")
        ) % {"phone": contact["utility_phone"]}
    return {
        "remittance_lines": (options["remit_name"], *remit),
        "how_to_pay": how,
        "help_text": help_text,
        "other_language_line": other,
    }


def _with_messages(document: BillDocument) -> BillDocument:
    """The messages printed on the bill, in its language (call inside ``translation.override``)."""
    messages: list[str] = []
    language = document.language
    if document.kind == "final":
        messages.append(
            gettext("This is your final bill for this service address. Thank you for being our customer.")
        )
    if document.deposit_applied.is_negative():
        messages.append(
            gettext("Your service deposit of %(amount)s has been applied to this bill.")
            % {"amount": money_text(-document.deposit_applied)}
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
    if document.high_use is not None:
        messages.append(
            gettext(
                "Your water use was high: about %(daily)s gallons a day, %(times)s times your usual "
                "%(usual)s gallons a day. Please check for a leak: turn off every tap, then look at the "
                "leak indicator on your meter; if it moves, water is leaking after the meter. A running "
                "toilet or a broken sprinkler is a common cause."
            )
            % {
                "daily": quantity_text(document.high_use.daily_gallons),
                "times": _one_decimal(document.high_use.times_usual, language),
                "usual": quantity_text(document.high_use.usual_daily_gallons),
            }
        )
    if document.balance_forward.is_positive() and document.later_activity.is_zero():
        if document.kind == "final":  # service has ended: nothing to interrupt
            messages.append(
                gettext(
                    "Your previous balance of %(amount)s is past due. Please pay it now to avoid a "
                    "late penalty."
                )
                % {"amount": money_text(document.balance_forward)}
            )
        else:
            messages.append(
                gettext(
                    "Your previous balance of %(amount)s is past due. Please pay it now to avoid a late "
                    "penalty and interruption of your water service."
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
        document.kind != "final"  # a final bill's partial period compares with nothing
        and year_ago
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
    if document.consumption_hcf > 0 and document.high_use is None:  # the high-use message says it
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
    if document.other_language_line:
        messages.append(document.other_language_line)
    return replace(document, messages=tuple(messages))


def _one_decimal(value: Decimal, language: str) -> str:
    """``2.5`` / ``2,5``: a factor as people write it in the bill's language."""
    text = format(value.quantize(Decimal("0.1")), "f")
    return text.replace(".", ",") if language == "es" else text
