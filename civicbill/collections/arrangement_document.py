"""The printable payment arrangement agreement, in the customer's language (English or Spanish):
the balance arranged, the schedule, that current charges stay due as billed, and what a breach means."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils import formats

from civicbill.collections.models import Arrangement
from civicbill.collections.selectors import policy_on
from civicbill.collections.services.arrangements import installments_of
from civicbill.core.money import format_cents
from civicbill.core.printable import html_to_pdf, page_html, utility_contact

TEMPLATES = Path(__file__).parent / "templates" / "collections"
LANGUAGES = ("en", "es")


def _template(language: str) -> Path:
    return TEMPLATES / f"arrangement_agreement.{language if language in LANGUAGES else 'en'}.html"


def agreement_facts(arrangement: Arrangement) -> dict[str, Any]:
    account = arrangement.account
    customer = account.customer
    policy = policy_on(arrangement.agreed_on)
    contact = utility_contact()
    return {
        "facts": {
            **contact,
            "customer_name": customer.display_name,
            "mailing_lines": customer.mailing_address_lines,
            "letter_date": formats.date_format(arrangement.agreed_on, "DATE_FORMAT"),
            "account_number": account.number,
            "service_address": account.premise.address_line,
        },
        "arrangement": arrangement,
        "kind": arrangement.kind,
        "balance": format_cents(arrangement.delinquent_cents),
        "installments": [
            {
                "sequence": i.sequence,
                "due_on": formats.date_format(i.due_on, "DATE_FORMAT"),
                "amount": format_cents(i.amount_cents),
            }
            for i in installments_of(arrangement)
        ],
        "breach_days": policy.arrangement_breach_days,
        "notice_business_days": policy.broken_arrangement_notice_business_days,
    }


def agreement_html(arrangement: Arrangement, language: str | None = None) -> str:
    lang = language or arrangement.language
    return page_html(
        _template(lang), lang if lang in LANGUAGES else "en", lambda: agreement_facts(arrangement)
    )


def agreement_pdf(arrangement: Arrangement, language: str | None = None) -> bytes:
    """The agreement as a PDF (WeasyPrint)."""
    return html_to_pdf(agreement_html(arrangement, language))
