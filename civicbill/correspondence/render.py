"""Letters as HTML (one template per kind and language) and as PDF (WeasyPrint).

The template is ``correspondence/<kind>.<language>.html``; it receives ``letter`` and ``facts``, the
letter's stored context made readable in its language (dates written out, numbers grouped).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.template.loader import render_to_string
from django.utils import formats, translation

from civicbill.core.printable import html_to_pdf
from civicbill.correspondence.models import Letter

_DATE_FORMATS = {"en": "F j, Y", "es": r"j \d\e F \d\e Y"}


def written_date(value: dt.date, language: str) -> str:
    """``December 8, 2026`` / ``8 de diciembre de 2026``."""
    with translation.override(language):
        return formats.date_format(value, _DATE_FORMATS.get(language, _DATE_FORMATS["en"]))


def grouped_number(text: str) -> str:
    """``33660`` → ``33,660``; ``1.500`` → ``1.5`` (US style, used by both English and US Spanish)."""
    try:
        value = Decimal(text)
    except (InvalidOperation, TypeError):
        return str(text)
    return format(value.normalize(), ",f")


def readable_facts(context: dict[str, Any], language: str) -> dict[str, Any]:
    """The stored context with every ISO date written out and every decimal grouped."""
    facts: dict[str, Any] = {}
    for key, value in context.items():
        if isinstance(value, str) and (key.endswith("_on") or key.endswith("_by") or key.endswith("_date")):
            try:
                facts[key] = written_date(dt.date.fromisoformat(value), language)
            except ValueError:
                facts[key] = value
        elif isinstance(value, str) and key.endswith(
            ("_hcf", "_gallons", "_value", "times_usual", "percent_of_usual")
        ):
            facts[key] = grouped_number(value)
        else:
            facts[key] = value
    return facts


def letter_template_name(letter: Letter) -> str:
    return f"correspondence/{letter.kind}.{letter.language}.html"


def letter_html(letter: Letter) -> str:
    """The letter as a complete HTML document in the customer's language."""
    with translation.override(letter.language):
        return render_to_string(
            letter_template_name(letter),
            {"letter": letter, "facts": readable_facts(letter.context, letter.language)},
        )


def letter_pdf(letter: Letter) -> bytes:
    """The letter as PDF bytes (US Letter pages)."""
    return html_to_pdf(letter_html(letter))
