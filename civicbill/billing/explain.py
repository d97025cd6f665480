""" "Explain this bill": each line of a bill in plain words a clerk can read out (reads only).

For every line: the reads and dates its quantity came from, the tier and its bounds, the rate
version and price, and any proration, e.g. "15 HCF used between 10/28 and 11/28 (actual reads
1,234 → 1,249) at $1.50 for the first 41 HCF: $22.50 (rate W-RES from 2017-07-01)". Sentences follow
the active language (the staff member's), not the customer's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from civicbill.billing.documents.files import bill_document
from civicbill.billing.documents.model import BillDocument, DocumentLine
from civicbill.core.money import Money
from civicbill.core.wording import long_date, money_text, quantity_text

USAGE_UNITS = frozenset({"HCF", "CCF", "KGAL", "GAL"})


@dataclass(frozen=True, slots=True)
class LineExplanation:
    sequence: int
    service: str
    description: str  # in the active language
    amount: Money
    text: str  # the plain-words explanation
    tier: int | None
    tier_from: str  # "" when the line is not a tier
    tier_to: str  # "" for the top tier
    price: str
    version_label: str
    proration: str  # "" when none
    period_start: dt.date | None
    period_end: dt.date | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "sequence": self.sequence,
            "service": self.service,
            "description": self.description,
            "amount": str(self.amount),
            "text": self.text,
            "tier": self.tier,
            "tier_from": self.tier_from or None,
            "tier_to": self.tier_to or None,
            "price": self.price or None,
            "rate_version": self.version_label or None,
            "proration": self.proration or None,
            "period_start": self.period_start.isoformat() if self.period_start else None,
            "period_end": self.period_end.isoformat() if self.period_end else None,
        }


@dataclass(frozen=True, slots=True)
class BillExplanation:
    bill_number: str
    account_number: str
    status: str
    period_start: dt.date
    period_end: dt.date
    usage_text: str  # the reads behind the bill, in one sentence ("" without a meter)
    lines: tuple[LineExplanation, ...]
    totals_text: str  # previous balance, payments, adjustments, charges, total due
    comparison_text: str  # against the same month last year ("" when unknown)

    def as_dict(self) -> dict[str, Any]:
        return {
            "bill_number": self.bill_number,
            "account_number": self.account_number,
            "status": self.status,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "usage": self.usage_text,
            "lines": [line.as_dict() for line in self.lines],
            "totals": self.totals_text,
            "comparison": self.comparison_text or None,
        }


def _day(value: dt.date | None) -> str:
    """``10/28`` (English) or ``28/10`` (Spanish): month and day, the way a clerk says it."""
    if value is None:
        return "?"
    return formats.date_format(value, "j/n" if (get_language() or "en").startswith("es") else "n/j")


def _reads_phrase(document: BillDocument) -> str:
    values = {
        "previous": quantity_text(document.previous_read),
        "current": quantity_text(document.current_read),
    }
    if document.estimated:
        return _("reads %(previous)s → %(current)s, the second one estimated") % values
    return _("actual reads %(previous)s → %(current)s") % values


def _used_phrase(document: BillDocument, quantity: Decimal, unit: str) -> str:
    """ "15 HCF used between 10/28 and 11/28 (actual reads 1,234 → 1,249)"."""
    if document.previous_read is None or document.current_read is None:
        return _("%(quantity)s %(unit)s used between %(start)s and %(end)s") % {
            "quantity": quantity_text(quantity),
            "unit": unit,
            "start": _day(document.period_start),
            "end": _day(document.period_end),
        }
    return _("%(quantity)s %(unit)s used between %(start)s and %(end)s (%(reads)s)") % {
        "quantity": quantity_text(quantity),
        "unit": unit,
        "start": _day(document.previous_read_on),
        "end": _day(document.current_read_on),
        "reads": _reads_phrase(document),
    }


def _number(text: object) -> Decimal | None:
    try:
        return Decimal(str(text))
    except (InvalidOperation, ValueError):
        return None


def _proration_phrase(line: DocumentLine) -> str:
    if not line.proration:
        return ""
    days = line.detail.get("proration")
    if days and "/" in str(days) and "÷" not in str(days):  # "29/31": 29 days of a 31-day cycle
        part, _slash, whole = str(days).partition("/")
        return _("prorated %(days)s of %(cycle)s days (%(fraction)s)") % {
            "days": part,
            "cycle": whole,
            "fraction": days,
        }
    if days:  # bills made before issue 13 stored "10 days ÷ 30"
        return _("prorated for %(days)s (× %(factor)s)") % {"days": days, "factor": line.proration}
    return _("prorated × %(factor)s") % {"factor": line.proration}


def _sub_period_phrase(document: BillDocument, line: DocumentLine) -> str:
    """Named only when a rate change split the period (the line covers part of it)."""
    if line.period_start is None or line.period_end is None:
        return ""
    if (line.period_start, line.period_end) == (document.period_start, document.period_end):
        return ""
    return _("for %(start)s–%(end)s") % {"start": _day(line.period_start), "end": _day(line.period_end)}


def _tier_text(document: BillDocument, line: DocumentLine) -> tuple[str, str, str]:
    lower = str(line.detail.get("tier_from") or "0")
    upper_raw = line.detail.get("tier_to")
    upper = "" if upper_raw in (None, "") else str(upper_raw)
    lower_n, upper_n = _number(lower) or Decimal(0), _number(upper) if upper else None
    price = f"${line.price}"
    values = {
        "price": price,
        "lower": quantity_text(lower_n),
        "upper": quantity_text(upper_n) if upper_n is not None else "",
        "unit": line.unit,
        "quantity": quantity_text(line.quantity),
        "used": quantity_text(document.consumption_hcf),
    }
    if lower_n == 0 and line.quantity == document.consumption_hcf:
        what = _used_phrase(document, line.quantity, line.unit)
        if upper_n is None:
            return what + " " + _("at %(price)s for every %(unit)s") % values, lower, upper
        return what + " " + _("at %(price)s for the first %(upper)s %(unit)s") % values, lower, upper
    if lower_n == 0:
        values["usage"] = _used_phrase(document, document.consumption_hcf, line.unit)
        return _("The first %(upper)s %(unit)s of the %(usage)s at %(price)s") % values, lower, upper
    if upper_n is None:
        return _("%(quantity)s %(unit)s above %(lower)s %(unit)s at %(price)s") % values, lower, upper
    return (
        _("%(quantity)s %(unit)s between %(lower)s and %(upper)s %(unit)s at %(price)s") % values,
        lower,
        upper,
    )


def _line_text(document: BillDocument, line: DocumentLine) -> tuple[str, str, str]:
    tier_from = tier_to = ""
    if line.tier is not None and line.price:
        text, tier_from, tier_to = _tier_text(document, line)
    elif line.unit.upper() in USAGE_UNITS and line.price:
        text = (
            _("%(description)s: %(quantity)s %(unit)s at $%(price)s")
            % {
                "description": line.description,
                "quantity": quantity_text(line.quantity),
                "unit": line.unit,
                "price": line.price,
            }
            + f" ({_used_phrase(document, document.consumption_hcf, line.unit)})"
        )
    elif line.price and line.quantity != 1:
        text = _("%(description)s: %(quantity)s %(unit)s at $%(price)s each") % {
            "description": line.description,
            "quantity": quantity_text(line.quantity),
            "unit": line.unit,
            "price": line.price,
        }
    elif line.price:
        per = line.unit if line.unit not in ("", "month") else _("month")
        text = _("%(description)s: $%(price)s a %(per)s") % {
            "description": line.description,
            "price": line.price,
            "per": per,
        }
    else:
        text = line.description
    extras = [phrase for phrase in (_sub_period_phrase(document, line), _proration_phrase(line)) if phrase]
    if extras:
        text += ", " + ", ".join(extras)
    flat_and_whole = line.tier is None and line.quantity == 1 and _number(line.price) == line.amount.amount
    if not flat_and_whole or extras:
        text += ": " + money_text(line.amount)
    if line.version_label:
        text += " " + _("(rate %(version)s)") % {"version": line.version_label}
    return text + ".", tier_from, tier_to


def explain_document(document: BillDocument) -> BillExplanation:
    """The explanation of a loaded document (no queries), in the active language."""
    lines = sorted(
        (line for section in document.sections for line in section.lines), key=lambda x: x.sequence
    )
    explained = []
    for line in lines:
        text, tier_from, tier_to = _line_text(document, line)
        explained.append(
            LineExplanation(
                sequence=line.sequence,
                service=line.service,
                description=line.description,
                amount=line.amount,
                text=text,
                tier=line.tier,
                tier_from=tier_from,
                tier_to=tier_to,
                price=line.price,
                version_label=line.version_label,
                proration=line.proration,
                period_start=line.period_start,
                period_end=line.period_end,
            )
        )
    usage_text = ""
    if document.current_read is not None or document.meter_serial:
        usage_text = (
            _("Meter %(serial)s: ") % {"serial": document.meter_serial}
            + _used_phrase(document, document.consumption_hcf, "HCF")
            + _(", %(days)s days of service (%(start)s–%(end)s).")
            % {"days": document.days, "start": _day(document.period_start), "end": _day(document.period_end)}
        )
    language = (get_language() or "en")[:2]
    totals_text = _(
        "Previous balance %(previous)s, payments %(payments)s, adjustments %(adjustments)s, "
        "this bill's charges %(charges)s: %(total)s due by %(due)s."
    ) % {
        "previous": money_text(document.previous_balance),
        "payments": money_text(document.payments),
        # everything but payments, returned payments and the deposit applied included (the sentence ties)
        "adjustments": money_text(document.balance_forward - document.previous_balance - document.payments),
        "charges": money_text(document.current_charges),
        "total": money_text(document.total_due),
        "due": long_date(document.due_date, language if language in ("en", "es") else "en"),
    }
    comparison_text = ""
    year_ago = document.usage[0] if document.usage else None
    if year_ago is not None and year_ago.usage_hcf is not None:
        comparison_text = _("Same month last year: %(then)s HCF; this bill: %(now)s HCF.") % {
            "then": quantity_text(year_ago.usage_hcf),
            "now": quantity_text(document.consumption_hcf),
        }
    return BillExplanation(
        bill_number=document.bill_number,
        account_number=document.account_number,
        status=document.status,
        period_start=document.period_start,
        period_end=document.period_end,
        usage_text=usage_text,
        lines=tuple(explained),
        totals_text=totals_text,
        comparison_text=comparison_text,
    )


def bill_explanation(bill_number: str) -> BillExplanation:
    """Explain one bill, line by line, in the active language. Raises NotFoundError for an unknown
    bill number."""
    language = (get_language() or "en")[:2]
    document = bill_document(bill_number=bill_number, language=language if language in ("en", "es") else "en")
    return explain_document(document)
