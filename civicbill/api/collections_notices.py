"""``/api/collections/notices``: the collection notices sent (filtered), one notice, its letter as
PDF, the runs that sent notices and a run's print file (one PDF in mail sort order)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from civicbill.collections.notice_files import run_notices_print_file
from civicbill.collections.notice_selectors import notice_get, notice_row, notice_runs, notices_list
from civicbill.core.permissions import require_permission
from civicbill.correspondence.render import letter_pdf

router = Router(tags=["collections notices"])


class NoticeFilters(Schema):
    run: int | None = None
    account: str = ""
    kind: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    limit: int = Field(200, ge=1, le=1000)


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@router.get("", response=dict[str, Any], summary="Collection notices, newest first (filters)")
def list_notices(request: HttpRequest, filters: Query[NoticeFilters]) -> dict[str, Any]:
    require_permission(request.user, "collections.view")
    notices = notices_list(
        run_id=filters.run,
        account_number=filters.account,
        kind=filters.kind,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )[: filters.limit]
    return {"notices": [notice_row(n) for n in notices]}


@router.get("/runs", response=dict[str, Any], summary="The collections runs that sent notices")
def list_runs(request: HttpRequest) -> dict[str, Any]:
    require_permission(request.user, "collections.view")
    return {
        "runs": [
            {
                "run": r.run.pk,
                "run_date": r.run.run_date.isoformat(),
                "notices": r.notices,
                "letters_to_print": r.letters_to_print,
                "kinds": r.kinds,
            }
            for r in notice_runs()
        ]
    }


@router.get("/runs/{int:run_id}/pdf", summary="A run's notices as one PDF in mail sort order")
def run_print_file(request: HttpRequest, run_id: int) -> HttpResponse:
    require_permission(request.user, "collections.view")
    return _pdf(run_notices_print_file(run_id).pdf, f"collection-notices-run-{run_id}.pdf")


@router.get("/{int:notice_id}", response=dict[str, Any], summary="One collection notice")
def show_notice(request: HttpRequest, notice_id: int) -> dict[str, Any]:
    require_permission(request.user, "collections.view")
    return notice_row(notice_get(notice_id))


@router.get("/{int:notice_id}/pdf", summary="A notice's letter as the recipient gets it (PDF)")
def notice_pdf(request: HttpRequest, notice_id: int) -> HttpResponse:
    require_permission(request.user, "collections.view")
    notice = notice_get(notice_id)
    return _pdf(letter_pdf(notice.letter), f"collection-notice-{notice.pk}.pdf")
