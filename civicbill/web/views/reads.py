"""Read pages: route entry (type a read, Enter to the next), the exceptions queue, and file import
with a preview before anything is stored."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civicbill.core import clock
from civicbill.core.exceptions import ApplicationError
from civicbill.core.numbers import parse_typed_decimal
from civicbill.meters.models import ReadException, ServicePoint
from civicbill.meters.read_selectors import open_exception_counts, open_exceptions
from civicbill.meters.selectors import route_sheet
from civicbill.meters.services.read_exceptions import (
    read_exception_accept,
    read_exception_correct,
    read_exception_reject,
)
from civicbill.meters.services.reads import read_record, reads_import
from civicbill.web.ui import not_found, requires

IMPORT_FORMATS = (
    ("csv", "Generic CSV (meter_serial,read_date,read_value,source)"),
    ("beacon", "Badger BEACON billing read export"),
    ("sensus-route", "Handheld route file (fixed width)"),
    ("ami-interval", "AMI hourly interval CSV"),
)
MAX_UPLOAD_BYTES = 200 * 1024 * 1024


@requires("reads.enter")
def route_entry(request: HttpRequest) -> HttpResponse:
    route = request.GET.get("route", "").strip()
    read_on = parse_date(request.GET.get("date", "") or "") or clock.today()
    routes = list(
        ServicePoint.objects.order_by("read_route").values_list("read_route", flat=True).distinct()[:500]
    )
    stops = route_sheet(route, read_on) if route else []
    return render(
        request,
        "web/reads/route.html",
        {"route": route, "read_on": read_on, "routes": routes, "stops": stops},
    )


@require_POST
@requires("reads.enter")
def route_entry_read(request: HttpRequest) -> HttpResponse:
    """One read typed on the route page; answers with the row showing what happened."""
    serial = request.POST.get("meter_serial", "")
    read_on = parse_date(request.POST.get("read_on", "") or "")
    typed = request.POST.get("value", "")
    context: dict[str, object] = {
        "serial": serial,
        "typed": typed,
        "sequence": request.POST.get("sequence", ""),
    }
    value = parse_typed_decimal(typed)
    if read_on is None:
        context["error"] = _("The read date is missing or not a date.")
    elif value is None:
        context["error"] = _("“%(typed)s” is not a number: type the digits on the register.") % {
            "typed": typed
        }
    else:
        try:
            outcome = read_record(
                meter_serial=serial,
                read_on=read_on,
                value=value,
                source="handheld",
                actor=request.user,
                as_of=clock.today(),
            )
        except ApplicationError as error:
            context["error"] = error.message
        else:
            context["outcome"] = outcome
    return render(request, "web/reads/route_result.html", context, status=422 if "error" in context else 200)


@requires("reads.review")
def exceptions_queue(request: HttpRequest) -> HttpResponse:
    route = request.GET.get("route", "").strip() or None
    code = request.GET.get("code", "").strip() or None
    rows = open_exceptions(route=route, code=code, limit=200)
    return render(
        request,
        "web/reads/exceptions.html",
        {
            "rows": rows,
            "counts": sorted(open_exception_counts(route=route).items()),
            "route": route or "",
            "code": code or "",
        },
    )


@require_POST
@requires("reads.review")
def exception_decide(request: HttpRequest, exception_id: int) -> HttpResponse:
    exception = ReadException.objects.filter(pk=exception_id).first()
    if exception is None:
        return not_found(request, _("No such read exception."))
    decision = request.POST.get("decision", "")
    note = request.POST.get("note", "").strip()
    try:
        if decision == "accept":
            read_exception_accept(exception=exception, actor=request.user, note=note, as_of=clock.today())
            messages.success(request, _("Read accepted."))
        elif decision == "reject":
            read_exception_reject(
                exception=exception, actor=request.user, note=note or _("Rejected by review")
            )
            messages.success(request, _("Read rejected."))
        elif decision == "correct":
            value = parse_typed_decimal(request.POST.get("corrected_value", ""))
            if value is None:
                raise ApplicationError(_("Type the corrected read as a number."), field="corrected_value")
            read_exception_correct(
                exception=exception,
                corrected_value=value,
                actor=request.user,
                note=note or _("Corrected by review"),
                as_of=clock.today(),
            )
            messages.success(request, _("Read corrected to %(value)s.") % {"value": value})
        else:
            raise ApplicationError(_("Choose accept, correct or reject."), field="decision")
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect(request.POST.get("next") or "reads-exceptions")


@require_http_methods(["GET", "POST"])
@requires("reads.enter")
def import_file(request: HttpRequest) -> HttpResponse:
    """Upload → preview (nothing stored) → commit the same file (kept by its SHA-256 meanwhile)."""
    uploads = Path(settings.VAR_DIR) / "uploads"
    context: dict[str, object] = {"formats": IMPORT_FORMATS}
    if request.method == "POST" and "commit" in request.POST:
        digest = request.POST.get("sha256", "")
        file_format = request.POST.get("format", "")
        path = uploads / digest
        if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest) or not path.exists():
            messages.error(request, _("The previewed file is no longer here; upload it again."))
            return redirect("reads-import")
        try:
            report = reads_import(
                content=path.read_bytes(),
                file_name=request.POST.get("file_name", digest),
                file_format=file_format,
                actor=request.user,
                as_of=clock.today(),
            )
        except ApplicationError as error:
            context["error"] = error.message
        else:
            path.unlink(missing_ok=True)
            context["report"] = report
            messages.success(
                request,
                _("Imported: %(accepted)s reads accepted, %(held)s held for review, %(bad)s bad rows.")
                % {"accepted": report.reads_accepted, "held": report.reads_exception, "bad": report.rows_bad},
            )
        return render(request, "web/reads/import.html", context, status=422 if "error" in context else 200)
    if request.method == "POST":
        upload = request.FILES.get("file")
        file_format = request.POST.get("format", "")
        if upload is None:
            context["error"] = _("Choose a file to import.")
        elif upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
            context["error"] = _("The file is larger than 200 MB; split it or use the command line.")
        else:
            content = upload.read()
            digest = hashlib.sha256(content).hexdigest()
            try:
                report = reads_import(
                    content=content,
                    file_name=upload.name or "upload",
                    file_format=file_format,
                    actor=request.user,
                    as_of=clock.today(),
                    preview=True,
                )
            except ApplicationError as error:
                context["error"] = error.message
            else:
                uploads.mkdir(parents=True, exist_ok=True)
                (uploads / digest).write_bytes(content)
                context.update(preview=report, sha256=digest, file_name=upload.name, file_format=file_format)
        return render(request, "web/reads/import.html", context, status=422 if "error" in context else 200)
    return render(request, "web/reads/import.html", context)
