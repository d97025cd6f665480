"""Payment reports as pages, CSV and PDF: the cash receipts journal, the daily balance report and
payments by channel (``payments.view``: auditors can read them)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from civicbill.core import clock
from civicbill.core.exceptions import ApplicationError
from civicbill.payments.report_files import report_csv, report_display, report_pdf
from civicbill.payments.reports import REPORTS, report_build
from civicbill.web.ui import not_found, requires


def _dates(request: HttpRequest) -> tuple[dict[str, dt.date], str]:
    """The ``date``/``from``/``to`` parameters given, or a message naming the one that is not a date."""
    days: dict[str, dt.date] = {}
    for key in ("date", "from", "to"):
        text = request.GET.get(key, "").strip()
        if not text:
            continue
        try:
            day = parse_date(text)
        except ValueError:
            day = None
        if day is None:
            return {}, _("“%(text)s” is not a date: type it like 2026-12-01.") % {"text": text}
        days[key] = day
    return days, ""


@requires("payments.view")
def reports_index(request: HttpRequest) -> HttpResponse:
    """The payment reports and the payment-channel work pages."""
    return render(
        request,
        "web/payments/reports_index.html",
        {"reports": [(name, title) for name, title in REPORTS.items()], "today": clock.today()},
    )


@requires("payments.view")
def report_page(request: HttpRequest, name: str) -> HttpResponse:
    """One report for ``?date=`` (or ``?from=&to=``); ``&format=csv`` or ``&format=pdf`` downloads it."""
    if name not in REPORTS:
        return not_found(request, _("There is no report %(name)s.") % {"name": name})
    days, error = _dates(request)
    start = days.get("from") or days.get("date") or clock.today()
    end = days.get("to") or start
    if name == "daily-balance":
        end = start
    report = None
    if not error:
        try:
            report = report_build(name, date_from=start, date_to=end)
        except ApplicationError as refused:
            error = refused.message
    file_format = request.GET.get("format", "")
    if report is not None and file_format in ("csv", "pdf"):
        stem = f"{name}-{start.isoformat()}" + ("" if end == start else f"-{end.isoformat()}")
        if file_format == "csv":
            response = HttpResponse(report_csv(report), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
            return response
        language = request.LANGUAGE_CODE if request.LANGUAGE_CODE in ("en", "es") else "en"
        response = HttpResponse(report_pdf(report, language=language), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{stem}.pdf"'
        return response
    query = f"from={start.isoformat()}&to={end.isoformat()}" if name != "daily-balance" else f"date={start}"
    context = {
        "name": name,
        "title": REPORTS[name],
        "start": start,
        "end": end,
        "single_day": name == "daily-balance",
        "error": error,
        "query": query,
        **(report_display(report) if report is not None else {}),
    }
    return render(request, "web/payments/report.html", context, status=422 if error else 200)
