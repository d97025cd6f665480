"""Billing run pages: the list of runs, starting a trial run (a background task with a live progress
bar), reviewing a run (exceptions, register) and committing it. The services do the work and check
the permissions again; these views only validate and show."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civicbill.billing import selectors as billing_selectors
from civicbill.billing import tasks as billing_tasks
from civicbill.billing.models import BillException, BillRun
from civicbill.billing.services import bill_exception_resolve
from civicbill.billing.unbilled import REASONS, UnbilledAccount, unbilled_accounts, unbilled_count
from civicbill.core import clock
from civicbill.core.exceptions import ApplicationError
from civicbill.core.models import TaskProgress
from civicbill.web.forms import BillExceptionResolveForm, BillRunStartForm
from civicbill.web.ui import call_service, message_service, not_found, requires

RUNS_SHOWN = 100
EXCEPTIONS_SHOWN = 300
UNBILLED_PAGE_SIZE = 50


def _run(run_id: int) -> BillRun | None:
    return billing_selectors.bill_run_get(run_id)


def _progress(run: BillRun) -> TaskProgress | None:
    if not run.task_id:
        return None
    return TaskProgress.objects.filter(key=run.task_id).first()


def _cycles() -> list[tuple[str, str]]:
    return [
        (str(cycle.number), f"{cycle.number} — {cycle.name}") for cycle in billing_selectors.cycles_list()
    ]


@requires("billing.run")
def runs_list(request: HttpRequest) -> HttpResponse:
    runs = list(BillRun.objects.select_related("cycle", "started_by")[:RUNS_SHOWN])
    return render(request, "web/billing/runs.html", {"runs": runs})


@require_http_methods(["GET", "POST"])
@requires("billing.run")
def run_start(request: HttpRequest) -> HttpResponse:
    """Cycle (or all) and month → a trial run in the background; the browser goes to its progress."""
    form = BillRunStartForm(request.POST or None, cycles=_cycles(), initial=_start_initial())
    if request.method == "POST" and form.is_valid():
        cycle = form.cleaned_data["cycle"]
        runs = call_service(
            form,
            billing_tasks.bill_run_trial_enqueue,
            cycle=cycle if cycle == "all" else int(cycle),
            period=form.cleaned_data["period"],
            actor=request.user,
            as_of=clock.today(),
        )
        if runs is not None:
            messages.success(
                request,
                _("Trial run started for %(month)s. Nothing is posted until you commit.")
                % {"month": form.cleaned_data["period"].strftime("%Y-%m")},
            )
            if len(runs) == 1:
                return redirect("billing-run", run_id=runs[0].pk)
            return redirect("billing-runs")
    status = 422 if form.errors else 200
    return render(request, "web/billing/start.html", {"form": form}, status=status)


def _start_initial() -> dict[str, Any]:
    period = billing_selectors.next_unbilled_period()
    return {"cycle": "all", "period": period.strftime("%Y-%m") if period else ""}


def _exception_rows(run: BillRun, code: str, resolution: str) -> list[BillException]:
    rows = BillException.objects.filter(run=run).select_related(
        "account__customer", "account__premise", "bill", "resolved_by"
    )
    if code:
        rows = rows.filter(code=code)
    if resolution:
        rows = rows.filter(resolution=resolution)
    return list(rows.order_by("code", "account__number")[:EXCEPTIONS_SHOWN])


@requires("billing.run")
def run_page(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run(run_id)
    if run is None:
        return not_found(request, _("No billing run %(id)s.") % {"id": run_id})
    code = request.GET.get("code", "").strip()
    resolution = request.GET.get("resolution", "").strip()
    counts = _exception_counts(run)
    progress = _progress(run)
    context = {
        "run": run,
        "progress": progress,
        "polling": _working(run, progress),
        "exceptions": _exception_rows(run, code, resolution),
        "exception_counts": counts,
        "exception_codes": BillException.Code.choices,
        "resolutions": BillException.Resolution.choices,
        "code": code,
        "resolution": resolution,
        "register": billing_selectors.billing_register(run=run) if run.status in _REVIEWABLE else None,
        "reviewable": run.status == BillRun.Status.TRIAL and not _working(run, progress),
        "unbilled_earlier": unbilled_count(
            as_of=clock.today(), cycle_number=run.cycle.number, before=run.period
        ),
    }
    return render(request, "web/billing/run.html", context)


# sort key -> the value sorted on; the column headers link to ?sort=key (-key: descending)
_UNBILLED_SORTS: dict[str, Any] = {
    "account": lambda a: a.number,
    "cycle": lambda a: (a.cycle, a.number),
    "since": lambda a: (a.since, a.number),
    "periods": lambda a: (len(a.periods), a.number),
    "reason": lambda a: (a.reason, a.number),
    "amount": lambda a: (a.draft_cents, a.number),
}


@requires("billing.run")
def unbilled(request: HttpRequest) -> HttpResponse:
    """Accounts left unbilled (billing.unbilled): a sortable, paginated table with the reason, the
    first unbilled month and links to the account and the held draft; filters by cycle and reason."""
    cycle_text = request.GET.get("cycle", "").strip()
    cycle = int(cycle_text) if cycle_text.isdigit() else None
    reason = request.GET.get("reason", "").strip()
    sort = request.GET.get("sort", "since").strip()
    key = _UNBILLED_SORTS.get(sort.lstrip("-"))
    if key is None:
        sort, key = "since", _UNBILLED_SORTS["since"]
    report = unbilled_accounts(as_of=clock.today(), cycle_number=cycle)
    rows: list[UnbilledAccount] = [a for a in report.accounts if not reason or a.reason == reason]
    rows.sort(key=key, reverse=sort.startswith("-"))
    page = Paginator(rows, UNBILLED_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    filters = request.GET.copy()
    for name in ("page", "sort"):
        filters.pop(name, None)
    context = {
        "report": report,
        "page": page,
        "query": query.urlencode(),
        "filters": filters.urlencode(),
        "sort": sort,
        "cycle": cycle_text,
        "reason": reason,
        "reasons": [(code, _(label)) for code, label in REASONS.items()],
        "by_reason": [(code, _(REASONS[code]), count) for code, count in report.by_reason().items()],
        "cycles": billing_selectors.cycles_list(),
        "columns": [
            ("account", _("Account")),
            ("cycle", _("Cycle")),
            ("since", _("Unbilled since")),
            ("periods", _("Months")),
            ("reason", _("Reason")),
            ("amount", _("Held drafts")),
        ],
    }
    return render(request, "web/billing/unbilled.html", context)


_REVIEWABLE = (BillRun.Status.TRIAL, BillRun.Status.COMMITTED, BillRun.Status.COMMITTING)


def _exception_counts(run: BillRun) -> list[dict[str, Any]]:
    """The run's exceptions by code, each split by decision (one grouped query)."""
    labels = dict(BillException.Code.choices)
    by_code: dict[str, dict[str, Any]] = {}
    rows = (
        BillException.objects.filter(run=run)
        .values("code", "resolution")
        .annotate(n=Count("id"))
        .order_by("code")
    )
    for row in rows:
        entry = by_code.setdefault(
            row["code"],
            {
                "code": row["code"],
                "label": labels.get(row["code"], row["code"]),
                "open": 0,
                "released": 0,
                "held": 0,
                "total": 0,
            },
        )
        entry[row["resolution"]] = entry.get(row["resolution"], 0) + row["n"]
        entry["total"] += row["n"]
    return list(by_code.values())


@require_POST
@requires("billing.run")
def exception_resolve(request: HttpRequest, run_id: int, exception_id: int) -> HttpResponse:
    """Release (bill it) or hold (not this run) one exception; htmx swaps the row in place."""
    exception = (
        BillException.objects.select_related("account__customer", "account__premise", "bill", "run")
        .filter(pk=exception_id, run_id=run_id)
        .first()
    )
    if exception is None:
        return not_found(request, _("No such billing exception."))
    form = BillExceptionResolveForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            bill_exception_resolve(
                exception=exception,
                resolution=form.cleaned_data["resolution"],
                note=form.cleaned_data["note"],
                actor=request.user,
                at=clock.now(),
            )
        except ApplicationError as refused:
            error = refused.message
        exception.refresh_from_db()
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    if getattr(request, "htmx", False):  # 200 even when refused: htmx swaps only 2xx answers
        return render(
            request,
            "web/billing/exception_row.html",
            {
                "row": exception,
                "run": exception.run,
                "reviewable": exception.run.status == BillRun.Status.TRIAL,
                "error": error,
            },
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Exception %(label)s.") % {"label": exception.get_resolution_display()})
    return redirect(reverse("billing-run", args=[run_id]) + f"#exception-{exception.pk}")


@require_POST
@requires("billing.commit")
def run_commit(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run(run_id)
    if run is None:
        return not_found(request, _("No billing run %(id)s.") % {"id": run_id})
    message_service(
        request,
        _("Commit started: the bills are issued and posted as the bar fills."),
        billing_tasks.bill_run_commit_enqueue,
        run=run,
        actor=request.user,
        as_of=clock.today(),
    )
    return redirect("billing-run", run_id=run.pk)


@requires("billing.run")
def run_status(request: HttpRequest, run_id: int) -> HttpResponse:
    """The status panel alone (htmx polls it while the run works; the page reloads when it is done)."""
    run = _run(run_id)
    if run is None:
        return not_found(request, _("No billing run %(id)s.") % {"id": run_id})
    progress = _progress(run)
    polling = _working(run, progress)
    response = render(
        request, "web/billing/run_status.html", {"run": run, "progress": progress, "polling": polling}
    )
    if getattr(request, "htmx", False) and not polling:
        response["HX-Refresh"] = (
            "true"  # show the exceptions, register and commit button of the finished stage
        )
    return response


def _working(run: BillRun, progress: TaskProgress | None) -> bool:
    """The run is being worked on: a stage is running, or queued and not picked up by a worker yet."""
    if run.status in (BillRun.Status.TRIAL_RUNNING, BillRun.Status.COMMITTING):
        return True
    return progress is not None and not progress.is_finished
