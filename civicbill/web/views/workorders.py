"""Work order pages: the list, a new order, one order (complete / assign / cancel), the daily field
sheet (page and PDF), and the buttons of the read exceptions queue (re-read, confirm high use).
Thin: forms validate, services execute, selectors read."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civicbill.core import clock
from civicbill.core.exceptions import NotFoundError
from civicbill.core.permissions import has_permission
from civicbill.correspondence.selectors import letters_with_reference
from civicbill.customers.selectors import account_get
from civicbill.meters.models import ReadException
from civicbill.meters.selectors import service_point_for_account
from civicbill.web.ui import call_service, message_service, not_found, requires
from civicbill.web.workorder_forms import (
    AssignForm,
    CancelForm,
    CompleteForm,
    FieldSheetForm,
    WorkOrderCreateForm,
    WorkOrderFilterForm,
)
from civicbill.workorders import selectors, services
from civicbill.workorders.models import WorkOrder
from civicbill.workorders.pdf import field_sheet_pdf

PAGE_SIZE = 100


def _work_order_or_404(request: HttpRequest, number: str) -> WorkOrder | HttpResponse:
    try:
        return selectors.workorder_get(number)
    except NotFoundError as error:
        return not_found(request, error.message)


# -- list and new --------------------------------------------------------------------------------


@requires("workorders.view")
def workorder_list(request: HttpRequest) -> HttpResponse:
    staff = selectors.assignable_staff()
    form = WorkOrderFilterForm(request.GET or None, staff=staff)
    orders = selectors.workorders_list(status="active")
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        orders = selectors.workorders_list(
            work_type=data["work_type"] or None,
            status=data["status"] or None,
            route=data["route"].strip() or None,
            assignee=form.assignee_value(),
            due_before=data["due_before"],
        )
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    status = 422 if form.is_bound and form.errors else 200
    return render(
        request,
        "web/workorders/list.html",
        {"form": form, "page": page, "query": query.urlencode(), "today": clock.today()},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@requires("workorders.manage")
def workorder_new(request: HttpRequest) -> HttpResponse:
    initial = {
        "account_number": request.GET.get("account", ""),
        "work_type": request.GET.get("type", ""),
        "due_on": clock.business_calendar().add_business_days(clock.today(), 3),
    }
    form = WorkOrderCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = account_get(data["account_number"])
        except NotFoundError as error:
            form.add_error("account_number", error.message)
        else:
            work_order = call_service(
                form,
                services.workorder_create,
                work_type=data["work_type"],
                premise=account.premise,
                account=account,
                service_point=service_point_for_account(account),
                description=data["description"],
                due_on=data["due_on"],
                priority=data["priority"],
                as_of=clock.today(),
                actor=request.user,
            )
            if work_order is not None:
                messages.success(
                    request,
                    _("Work order %(number)s created, due %(date)s.")
                    % {"number": work_order.number, "date": work_order.due_on},
                )
                return redirect("workorder", number=work_order.number)
    status = 422 if form.errors else 200
    return render(request, "web/workorders/new.html", {"form": form}, status=status)


# -- one work order ------------------------------------------------------------------------------


def _detail(request: HttpRequest, work_order: WorkOrder, status: int = 200, **forms: Any) -> HttpResponse:
    staff = selectors.assignable_staff()
    active = work_order.status in selectors.OPEN_STATUSES
    context: dict[str, Any] = {
        "work_order": work_order,
        "active": active,
        "letters": letters_with_reference(work_order.number),
        "last_read": selectors.last_reads_for_meters({work_order.meter_id}).get(work_order.meter_id)
        if work_order.meter_id
        else None,
    }
    if active and has_permission(request.user, "workorders.complete"):
        context["complete_form"] = forms.get("complete_form") or CompleteForm(
            work_order=work_order, initial={"completed_on": clock.today()}
        )
    if active and has_permission(request.user, "workorders.manage"):
        context["assign_form"] = forms.get("assign_form") or AssignForm(
            staff=staff, initial={"assignee": work_order.assigned_to_id or ""}
        )
        context["cancel_form"] = forms.get("cancel_form") or CancelForm()
    return render(request, "web/workorders/detail.html", context, status=status)


@requires("workorders.view")
def workorder_page(request: HttpRequest, number: str) -> HttpResponse:
    work_order = _work_order_or_404(request, number)
    if isinstance(work_order, HttpResponse):
        return work_order
    return _detail(request, work_order)


@require_POST
@requires("workorders.complete")
def workorder_complete(request: HttpRequest, number: str) -> HttpResponse:
    work_order = _work_order_or_404(request, number)
    if isinstance(work_order, HttpResponse):
        return work_order
    form = CompleteForm(request.POST, work_order=work_order)
    if form.is_valid():
        data = form.cleaned_data
        exchange = None
        if form.has_exchange():
            exchange = services.ExchangeInput(
                new_meter_serial=data["new_meter_serial"],
                old_read=data["old_read"],
                new_read=data["new_read"],
            )
        call_service(
            form,
            services.workorder_complete,
            work_order=work_order,
            completed_on=data["completed_on"],
            findings=data["findings"],
            read_value=data["read_value"],
            exchange=exchange,
            notes=data["notes"],
            as_of=clock.today(),
            actor=request.user,
        )
        if not form.errors:
            messages.success(request, _("%(number)s is completed.") % {"number": work_order.number})
            return redirect("workorder", number=work_order.number)
    return _detail(request, selectors.workorder_get(work_order.number), status=422, complete_form=form)


@require_POST
@requires("workorders.manage")
def workorder_assign(request: HttpRequest, number: str) -> HttpResponse:
    work_order = _work_order_or_404(request, number)
    if isinstance(work_order, HttpResponse):
        return work_order
    form = AssignForm(request.POST, staff=selectors.assignable_staff())
    if form.is_valid():
        assignee = form.assignee_user()
        call_service(
            form, services.workorder_assign, work_order=work_order, assignee=assignee, actor=request.user
        )
        if not form.errors:
            messages.success(
                request,
                _("%(number)s is assigned to %(name)s.")
                % {"number": work_order.number, "name": assignee.get_full_name() or assignee.username},
            )
            return redirect("workorder", number=work_order.number)
    return _detail(request, work_order, status=422, assign_form=form)


@require_POST
@requires("workorders.manage")
def workorder_cancel(request: HttpRequest, number: str) -> HttpResponse:
    work_order = _work_order_or_404(request, number)
    if isinstance(work_order, HttpResponse):
        return work_order
    form = CancelForm(request.POST)
    if form.is_valid():
        call_service(
            form,
            services.workorder_cancel,
            work_order=work_order,
            reason=form.cleaned_data["reason"],
            actor=request.user,
        )
        if not form.errors:
            messages.success(request, _("%(number)s is cancelled.") % {"number": work_order.number})
            return redirect("workorder", number=work_order.number)
    return _detail(request, work_order, status=422, cancel_form=form)


# -- the daily field sheet -----------------------------------------------------------------------


def _field_sheet_form(request: HttpRequest) -> FieldSheetForm:
    data = request.GET.copy()
    data.setdefault("date", clock.today().isoformat())
    return FieldSheetForm(data, staff=selectors.assignable_staff())


@requires("workorders.view")
def field_sheet_page(request: HttpRequest) -> HttpResponse:
    form = _field_sheet_form(request)
    rows = []
    if form.is_valid():
        data = form.cleaned_data
        rows = selectors.field_sheet(
            on=data["date"], route=data["route"].strip() or None, assignee=form.assignee_user()
        )
    status = 422 if form.errors else 200
    return render(
        request,
        "web/workorders/field_sheet.html",
        {"form": form, "rows": rows, "query": request.GET.urlencode()},
        status=status,
    )


@requires("workorders.view")
def field_sheet_pdf_view(request: HttpRequest) -> HttpResponse:
    form = _field_sheet_form(request)
    if not form.is_valid():
        problems = "; ".join(f"{name}: {' '.join(map(str, errors))}" for name, errors in form.errors.items())
        return HttpResponse(problems, status=400, content_type="text/plain; charset=utf-8")
    data = form.cleaned_data
    route = data["route"].strip() or None
    assignee = form.assignee_user()
    rows = selectors.field_sheet(on=data["date"], route=route, assignee=assignee)
    pdf = field_sheet_pdf(
        rows,
        on=data["date"],
        route=route,
        assignee_name=(assignee.get_full_name() or assignee.username) if assignee else "",
    )
    name = f"field-sheet-{data['date']:%Y-%m-%d}{'-' + route if route else ''}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


# -- from the read exceptions queue --------------------------------------------------------------


def _exception_or_404(request: HttpRequest, exception_id: int) -> ReadException | HttpResponse:
    exception = ReadException.objects.select_related("read__meter").filter(pk=exception_id).first()
    if exception is None:
        return not_found(request, _("There is no read exception %(id)s.") % {"id": exception_id})
    return exception


def _back(request: HttpRequest) -> HttpResponse:
    """Back to the page the button was on (the exceptions queue), else the work order list."""
    referer = request.headers.get("referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(referer)
    return redirect("workorders-list")


@require_POST
@requires("reads.review")
def reread_request(request: HttpRequest, exception_id: int) -> HttpResponse:
    exception = _exception_or_404(request, exception_id)
    if isinstance(exception, HttpResponse):
        return exception
    work_order = message_service(
        request,
        lambda work_order: (
            _("Re-read work order %(number)s created, due %(date)s.")
            % {"number": work_order.number, "date": work_order.due_on}
        ),
        services.reread_request,
        exception=exception,
        actor=request.user,
        as_of=clock.today(),
    )
    if work_order is None:
        return _back(request)
    return redirect("workorder", number=work_order.number)


@require_POST
@requires("reads.review")
def high_usage_confirm(request: HttpRequest, exception_id: int) -> HttpResponse:
    exception = _exception_or_404(request, exception_id)
    if isinstance(exception, HttpResponse):
        return exception
    confirmed = message_service(
        request,
        lambda confirmed: (
            _("High use confirmed: notice queued (%(language)s) and investigation %(number)s created.")
            % {"language": confirmed[0].get_language_display(), "number": confirmed[1].number}
        ),
        services.high_usage_confirm,
        exception=exception,
        actor=request.user,
        as_of=clock.today(),
    )
    if confirmed is None:
        return _back(request)
    return redirect("workorder", number=confirmed[1].number)
