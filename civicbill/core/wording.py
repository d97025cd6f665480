"""Words and numbers on a bill in the customer's language: service names, charge descriptions,
amounts, quantities and dates. No ORM.

Charge descriptions come from the rate schedule in English ("Water usage, tier 2 (above 41 HCF)").
A Spanish bill translates the known descriptions (the list below, in the Spanish catalogue) and the
parts the rating engine adds (tier ranges, meter size, minimum); an unknown description stays in
English rather than being guessed.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from decimal import Decimal

from django.utils import formats, translation
from django.utils.translation import gettext, gettext_lazy, ngettext, pgettext_lazy

from civicbill.core.money import Money, format_money

SERVICE_LABELS = {
    "water": gettext_lazy("Water"),
    "sewer": gettext_lazy("Sewer"),
    "refuse": gettext_lazy("Refuse"),
    "fire_line": gettext_lazy("Fire line"),
}

# English descriptions used by the bundled schedules, as written there.
KNOWN_DESCRIPTIONS = {
    "Meter charge": pgettext_lazy("bill charge", "Meter charge"),
    "Water usage": pgettext_lazy("bill charge", "Water usage"),
    "Water use": pgettext_lazy("bill charge", "Water use"),
    "Sewer service": pgettext_lazy("bill charge", "Sewer service"),
    "Sewer volume (on water use)": pgettext_lazy("bill charge", "Sewer volume (on water use)"),
    "Refuse collection, 96-gallon cart": pgettext_lazy("bill charge", "Refuse collection, 96-gallon cart"),
    "Refuse collection, 3-yard bin": pgettext_lazy("bill charge", "Refuse collection, 3-yard bin"),
    "Fire line standby": pgettext_lazy("bill charge", "Fire line standby"),
    "Service charge": pgettext_lazy("bill charge", "Service charge"),
    "Commodity charge": pgettext_lazy("bill charge", "Commodity charge"),
    "Minimum charge": pgettext_lazy("bill charge", "Minimum charge"),
}

_TIER = re.compile(r"^(?P<base>.*), tier (?P<number>\d+) \((?P<range>.*)\)$")
_METER = re.compile(r'^(?P<base>.*) \((?P<size>[^()]+)" meter\)$')
_MINIMUM = re.compile(r"^(?P<base>.*) \(to the \$(?P<minimum>[\d.,]+) minimum\)$")
_ABOVE = re.compile(r"^above (?P<lower>\S+) (?P<unit>.+)$")

_DATE_LONG = {"en": "F j, Y", "es": r"j \d\e F \d\e Y"}
_DATE_SHORT = {"en": "M j, Y", "es": "j M Y"}


def service_label(service: str) -> str:
    label = SERVICE_LABELS.get(service)
    return str(label) if label is not None else service.replace("_", " ").title()


def _known(text: str) -> str:
    translated = KNOWN_DESCRIPTIONS.get(text)
    return str(translated) if translated is not None else text


def charge_description(description: str, language: str) -> str:
    """The schedule's English description in ``language`` (unchanged for English)."""
    if language == "en":
        return description
    with translation.override(language):
        tier = _TIER.match(description)
        if tier:
            span = tier["range"]
            above = _ABOVE.match(span)
            if above:
                span = gettext("above %(lower)s %(unit)s") % {"lower": above["lower"], "unit": above["unit"]}
            return gettext("%(charge)s, tier %(number)s (%(range)s)") % {
                "charge": _known(tier["base"]),
                "number": tier["number"],
                "range": span,
            }
        meter = _METER.match(description)
        if meter:
            return gettext('%(charge)s (%(size)s" meter)') % {
                "charge": _known(meter["base"]),
                "size": meter["size"],
            }
        minimum = _MINIMUM.match(description)
        if minimum:
            return gettext("%(charge)s (to the $%(minimum)s minimum)") % {
                "charge": _known(minimum["base"]),
                "minimum": minimum["minimum"],
            }
        return _known(description)


def quantity_with_unit(quantity: Decimal, unit: str) -> str:
    """``15 HCF``, ``1 unit`` / ``2 units`` (``1 unidad`` in Spanish): the unit in the active language."""
    number = quantity_text(quantity)
    count = int(quantity) if quantity == quantity.to_integral() else 2
    if unit == "unit":
        return ngettext("%(n)s unit", "%(n)s units", count) % {"n": number}
    if unit == "container":
        return ngettext("%(n)s container", "%(n)s containers", count) % {"n": number}
    if unit == "month":
        return ngettext("%(n)s month", "%(n)s months", count) % {"n": number}
    if unit == "day":
        return ngettext("%(n)s day", "%(n)s days", count) % {"n": number}
    return f"{number} {unit}".strip()


def month_year(value: dt.date, language: str) -> str:
    """``November 2025`` / ``noviembre de 2025``."""
    with translation.override(language):
        return formats.date_format(value, r"F \d\e Y" if language == "es" else "F Y")


def money_text(amount: Money) -> str:
    """``$1,234.50``; a credit as ``$12.00 CR`` (the house style, UI.md)."""
    return format_money(amount)


def quantity_text(value: Decimal | None) -> str:
    """``1234.000`` → ``1,234``; ``15.5`` → ``15.5`` (grouped, no trailing zeros)."""
    if value is None:
        return ""
    normal = value.normalize()
    if normal == normal.to_integral():
        normal = normal.quantize(Decimal(1))
    return format(normal, ",f")


@functools.lru_cache(maxsize=4096)
def long_date(value: dt.date, language: str) -> str:
    """``December 22, 2026`` / ``22 de diciembre de 2026``."""
    with translation.override(language):
        return formats.date_format(value, _DATE_LONG.get(language, _DATE_LONG["en"]))


@functools.lru_cache(maxsize=4096)
def short_date(value: dt.date | None, language: str) -> str:
    """``Nov 28, 2026`` / ``28 nov 2026`` (month in words: no 11/28 versus 28/11 confusion)."""
    if value is None:
        return ""
    with translation.override(language):
        return formats.date_format(value, _DATE_SHORT.get(language, _DATE_SHORT["en"]))


MONTH_ABBREVIATIONS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "es": ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"),
}


def month_label(value: dt.date, language: str) -> str:
    names = MONTH_ABBREVIATIONS.get(language, MONTH_ABBREVIATIONS["en"])
    return names[value.month - 1]
