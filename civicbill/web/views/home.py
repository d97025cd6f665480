"""Home page and the one search box."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from civicbill.billing.unbilled import unbilled_count
from civicbill.core import clock
from civicbill.core.models import TaskProgress
from civicbill.core.permissions import has_permission
from civicbill.customers.selectors import account_search
from civicbill.web.ui import requires


@requires("customers.view")
def home(request: HttpRequest) -> HttpResponse:
    tasks = TaskProgress.objects.order_by("-created_at")[:5]
    # billing staff (supervisors, technicians) see how many accounts were left without a bill
    unbilled = unbilled_count(as_of=clock.today()) if has_permission(request.user, "billing.run") else None
    return render(request, "web/home.html", {"tasks": tasks, "unbilled": unbilled})


@requires("customers.view")
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    hits = account_search(query, limit=50) if query else []
    if len(hits) == 1 and not getattr(request, "htmx", False):
        return redirect("account", number=hits[0].number)
    template = "web/partials/search_results.html" if getattr(request, "htmx", False) else "web/search.html"
    return render(request, template, {"search_query": query, "hits": hits})
