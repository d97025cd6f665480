"""The printable daily field sheet (PDF): the day's stops in route order, with room to write."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.template.loader import render_to_string

from civicbill.core.printable import html_to_pdf
from civicbill.workorders.selectors import FieldSheetRow


def field_sheet_html(
    rows: Sequence[FieldSheetRow], *, on: dt.date, route: str | None = None, assignee_name: str = ""
) -> str:
    return render_to_string(
        "workorders/field_sheet_pdf.html",
        {"rows": rows, "on": on, "route": route or "", "assignee_name": assignee_name},
    )


def field_sheet_pdf(
    rows: Sequence[FieldSheetRow], *, on: dt.date, route: str | None = None, assignee_name: str = ""
) -> bytes:
    """US Letter landscape pages; each stop keeps together on one page."""
    return html_to_pdf(field_sheet_html(rows, on=on, route=route, assignee_name=assignee_name))
