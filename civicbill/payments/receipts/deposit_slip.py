"""The printable bank deposit slip of a closed day (HTML, and PDF through WeasyPrint)."""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext

from civicbill.core.money import Money
from civicbill.core.printable import html_to_pdf, page_html, utility_contact
from civicbill.core.wording import long_date, money_text
from civicbill.payments.models import Deposit
from civicbill.payments.selectors import DepositItem

_TEMPLATE = Path(__file__).with_name("deposit_slip.html")


def deposit_slip_html(deposit: Deposit, items: list[DepositItem], *, language: str = "en") -> str:
    """The slip: cash, checks and money orders (each listed), the total; card settlement noted."""
    return page_html(
        _TEMPLATE,
        language,
        lambda: {
            "language": language,
            "utility_name": utility_contact()["utility_name"],
            "deposit": deposit,
            "business_date": long_date(deposit.business_date, language),
            "cash": money_text(Money.from_cents(deposit.cash_cents)),
            "checks": money_text(Money.from_cents(deposit.checks_cents)),
            "total": money_text(Money.from_cents(deposit.total_cents)),
            "cards": money_text(Money.from_cents(deposit.card_cents)),
            "items": [
                {
                    "receipt_number": item.receipt_number,
                    "number": item.check_number
                    or (gettext("Money order") if item.kind == "money_order" else ""),
                    "bank_name": item.bank_name,
                    "amount": money_text(Money.from_cents(item.amount_cents)),
                }
                for item in items
            ],
        },
    )


def deposit_slip_pdf(deposit: Deposit, items: list[DepositItem], *, language: str = "en") -> bytes:
    return html_to_pdf(deposit_slip_html(deposit, items, language=language))
