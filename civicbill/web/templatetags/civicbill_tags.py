"""Template filters: money looks like money (right-aligned by CSS, two decimals, CR for credits)."""

from __future__ import annotations

from decimal import Decimal

from django import template

from civicbill.core.money import Money, format_cents, format_money

register = template.Library()


@register.filter
def money(value: Money | int | None) -> str:
    """``{{ balance|money }}``: Money or integer cents → ``$1,234.50`` / ``$12.00 CR``."""
    if value is None:
        return ""
    if isinstance(value, Money):
        return format_money(value)
    return format_cents(int(value))


@register.filter
def balance_class(value: Money | None) -> str:
    if value is None or value.is_zero():
        return ""
    return "balance-owing" if value.is_positive() else "balance-credit"


@register.filter
def get_item(mapping: dict[str, str], key: str) -> str:
    """``{{ labels|get_item:size }}``: a dictionary value by key in a template."""
    return mapping.get(key, key)


@register.filter
def quantity(value: Decimal | int | None) -> str:
    """Water and register quantities without trailing zeros: 14.800 → ``14.8``, 6920.000 → ``6,920``."""
    if value is None:
        return "—"
    number = Decimal(value)
    text = f"{number:,.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
