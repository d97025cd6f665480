"""Collection notice pages: the runs that sent notices (with the print file of each), a run's notices
in mail sort order, an account's notices, and each notice's letter as PDF."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from civicbill.collections.notice_files import run_notices_print_file
from civicbill.collections.notice_selectors import (
    notice_get,
    notice_runs,
    notices_list,
    run_get,
    run_notices_in_mail_order,
)
from civicbill.core.exceptions import ApplicationError, NotFoundError
from civicbill.correspondence.render import letter_pdf
from civicbill.web.ui import not_found, requires


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@requires("collections.view")
def notice_runs_page(request: HttpRequest) -> HttpResponse:
    account = request.GET.get("account", "").strip()
    notices = list(notices_list(account_number=account)[:200]) if account else []
    return render(
        request,
        "web/collections/notice_runs.html",
        {"runs": notice_runs(), "account": account, "notices": notices},
    )


@requires("collections.view")
def notice_run_page(request: HttpRequest, run_id: int) -> HttpResponse:
    try:
        run = run_get(run_id)
    except NotFoundError as error:
        return not_found(request, error.message)
    return render(
        request, "web/collections/notice_run.html", {"run": run, "notices": run_notices_in_mail_order(run)}
    )


@requires("collections.view")
def notice_run_pdf(request: HttpRequest, run_id: int) -> HttpResponse:
    try:
        printed = run_notices_print_file(run_id)
    except NotFoundError as error:
        return not_found(request, error.message)
    except ApplicationError as error:
        return not_found(request, error.message)
    return _pdf(printed.pdf, f"collection-notices-run-{run_id}.pdf")


@requires("collections.view")
def notice_pdf(request: HttpRequest, notice_id: int) -> HttpResponse:
    try:
        notice = notice_get(notice_id)
    except NotFoundError as error:
        return not_found(request, error.message)
    return _pdf(
        letter_pdf(notice.letter), f"collection-notice-{notice.pk}-{notice.kind}-{notice.language}.pdf"
    )
