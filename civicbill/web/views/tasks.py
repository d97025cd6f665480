"""Live progress of a batch job (htmx polls while it runs)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from civicbill.core.models import TaskProgress
from civicbill.web.ui import requires


@requires("tasks.view")
def task_progress(request: HttpRequest, key: str) -> HttpResponse:
    progress = get_object_or_404(TaskProgress, key=key)
    template = "web/partials/progress.html" if getattr(request, "htmx", False) else "web/task.html"
    return render(request, template, {"progress": progress})
