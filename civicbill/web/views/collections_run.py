"""Collections pages of the daily run: the collections home, the run form (a background task with a
live progress bar), a run's result with its actions (filtered by step, paginated), and the delinquency
worklist (what is due today at each step, with the rule). The services check the permissions again."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from civicbill.collections import run_selectors
from civicbill.collections import tasks as collections_tasks
from civicbill.collections.models import ActionStep, CollectionRun
from civicbill.collections.models.stages import DELINQUENT_STAGES
from civicbill.core import clock
from civicbill.core.models import TaskProgress
from civicbill.web.collections_run_forms import CollectionRunForm, WorklistForm
from civicbill.web.ui import call_service, not_found, requires

PAGE_SIZE = 50
RUNS_SHOWN = 30
PAST_DUE = "past_due"  # the worklist's tab of accounts now past due (a stage, not an action)


def _progress(run: CollectionRun) -> TaskProgress | None:
    return TaskProgress.objects.filter(key=run.task_id).first() if run.task_id else None


def _working(run: CollectionRun, progress: TaskProgress | None) -> bool:
    return run.status == CollectionRun.Status.RUNNING or (progress is not None and not progress.is_finished)


def _step_counts(run: CollectionRun | None) -> list[dict[str, Any]]:
    counts = run.counts if run is not None else {}
    return [
        {"step": value, "label": label, "count": counts.get(value, 0)} for value, label in ActionStep.choices
    ]


@requires("collections.view")
def home(request: HttpRequest) -> HttpResponse:
    today = clock.today()
    runs = run_selectors.runs_list(limit=RUNS_SHOWN)
    return render(
        request,
        "web/collections/home.html",
        {"runs": runs, "today": today, "today_run": run_selectors.latest_finished_run(today)},
    )


@require_http_methods(["GET", "POST"])
@requires("collections.run")
def run_start(request: HttpRequest) -> HttpResponse:
    """Date and trial → the run in the background; the browser goes to its page (live progress)."""
    initial = {"run_date": request.GET.get("date") or clock.today(), "trial": True}
    form = CollectionRunForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        run = call_service(
            form,
            collections_tasks.collections_run_enqueue,
            run_date=form.cleaned_data["run_date"],
            trial=form.cleaned_data["trial"],
            actor=request.user,
            at=clock.now(),
        )
        if run is not None:
            if run.trial:
                messages.success(
                    request, _("Trial run started: it lists what it would do and posts nothing.")
                )
            else:
                messages.success(
                    request, _("Collections run started: penalties are posted as the bar fills.")
                )
            return redirect("collections-run", run_id=run.pk)
    status = 422 if form.errors else 200
    return render(request, "web/collections/run_start.html", {"form": form}, status=status)


@requires("collections.view")
def run_page(request: HttpRequest, run_id: int) -> HttpResponse:
    run = run_selectors.run_get(run_id)
    if run is None:
        return not_found(request, _("No collections run %(id)s.") % {"id": run_id})
    step = request.GET.get("step", "").strip()
    if step not in ActionStep.values:
        step = ""
    page = Paginator(run_selectors.run_actions(run, step=step), PAGE_SIZE).get_page(request.GET.get("page"))
    progress = _progress(run)
    context = {
        "run": run,
        "progress": progress,
        "polling": _working(run, progress),
        "step": step,
        "steps": _step_counts(run),
        "page": page,
        "query": urlencode({"step": step}) if step else "",
    }
    return render(request, "web/collections/run.html", context)


@requires("collections.view")
def run_status(request: HttpRequest, run_id: int) -> HttpResponse:
    """The status panel alone (htmx polls it while the run works; the page reloads when it is done)."""
    run = run_selectors.run_get(run_id)
    if run is None:
        return not_found(request, _("No collections run %(id)s.") % {"id": run_id})
    progress = _progress(run)
    polling = _working(run, progress)
    response = render(
        request, "web/collections/run_status.html", {"run": run, "progress": progress, "polling": polling}
    )
    if getattr(request, "htmx", False) and not polling:
        response["HX-Refresh"] = "true"
    return response


@requires("collections.view")
def worklist(request: HttpRequest) -> HttpResponse:
    """What is due on a day at each step, with the rule: accounts now past due (their stage) and, from
    the day's latest finished run (a trial shows what a posted run would do), every step's actions."""
    form = WorklistForm(request.GET or None)
    day: dt.date = clock.today()
    if form.is_bound and form.is_valid() and form.cleaned_data["day"]:
        day = form.cleaned_data["day"]
    run = run_selectors.latest_finished_run(day)
    step = request.GET.get("step", "").strip() or PAST_DUE
    if step != PAST_DUE and step not in ActionStep.values:
        step = PAST_DUE
    past_due = run_selectors.accounts_in_stage(DELINQUENT_STAGES, as_of=day)
    if step == PAST_DUE:
        rows: Any = past_due
    else:
        rows = run_selectors.run_actions(run, step=step) if run is not None else []
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "day": day,
        "run": run,
        "step": step,
        "steps": _step_counts(run),
        "past_due_count": len(past_due),
        "page": page,
        "query": urlencode({"day": day.isoformat(), "step": step}),
    }
    return render(request, "web/collections/worklist.html", context)
