"""The printable bank deposit slip of a closed day (HTML, and PDF through WeasyPrint)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.template import engines
from django.utils import translation
from django.utils.translation import gettext

from civicbill.core.money import Money
from civicbill.core.wording import long_date, money_text
from civicbill.payments.models import Deposit
from civicbill.payments.selectors import DepositItem

_TEMPLATE = Path(__file__).with_name("deposit_slip.html")


def deposit_slip_html(deposit: Deposit, items: list[DepositItem], *, language: str = "en") -> str:
    """The slip: cash, checks and money orders (each listed), the total; card settlement noted."""
    template = engines["django"].from_string(_TEMPLATE.read_text(encoding="utf-8"))
    with translation.override(language):
        return template.render(
            {
                "language": language,
                "utility_name": getattr(
                    settings, "CIVICBILL_UTILITY_NAME", "City of Coachella Utility Billing"
                ),
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
            }
        )


def deposit_slip_pdf(deposit: Deposit, items: list[DepositItem], *, language: str = "en") -> bytes:
    from weasyprint import HTML  # imported here: WeasyPrint loads Pango at import time

    return bytes(HTML(string=deposit_slip_html(deposit, items, language=language)).write_pdf())
