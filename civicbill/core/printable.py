"""Printable pages (receipts, deposit slips, report documents, letters): an HTML template file
rendered in the reader's language, and its PDF through WeasyPrint."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template import engines
from django.utils import translation


def utility_contact() -> dict[str, str]:
    """Who the documents come from (settings ``CIVICBILL_UTILITY_*``; demo defaults)."""
    return {
        "utility_name": getattr(settings, "CIVICBILL_UTILITY_NAME", "City of Coachella Utility Billing"),
        "utility_address": getattr(
            settings, "CIVICBILL_UTILITY_ADDRESS", "1515 Sixth Street, Coachella, CA 92236"
        ),
        "utility_phone": getattr(settings, "CIVICBILL_UTILITY_PHONE", "(760) 555-0100"),
        "utility_email": getattr(settings, "CIVICBILL_UTILITY_EMAIL", "billing@example.org"),
    }


def page_html(template: Path, language: str, context: Callable[[], Mapping[str, Any]]) -> str:
    """The template file rendered under ``language``: ``context()`` is built under it too, so the
    labels it translates are in that language."""
    page = engines["django"].from_string(template.read_text(encoding="utf-8"))
    with translation.override(language):
        return page.render(dict(context()))


def html_to_pdf(html: str) -> bytes:
    """The PDF of a complete HTML page."""
    from weasyprint import HTML  # imported here: WeasyPrint loads Pango at import time

    return bytes(HTML(string=html).write_pdf())
