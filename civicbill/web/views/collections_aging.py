"""Collections: the aging page (receivables by days past due, per fund and per chosen group, with
filters by service, premise type and cycle) and the account page's collections panel."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from civicbill.collections.account_selectors import account_collections
from civicbill.collections.aging import BUCKETS
from civicbill.collections.aging_selectors import aging_report
from civicbill.collections.models import CollectionStage
from civicbill.core import clock
from civicbill.web.collections_forms import BY_LABELS, AgingFilterForm
from civicbill.web.ui import account_or_404, requires

ROW_LIMIT = 500  # rows by account shown on the page (the CLI and API give them all)


@requires("collections.view")
def aging_page(request: HttpRequest) -> HttpResponse:
    form = AgingFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    as_of = data.get("as_of") or clock.today()
    by = data.get("by") or "fund"
    table = aging_report(
        as_of,
        by=by,
        service=data.get("service") or None,
        premise_type=data.get("premise_type") or None,
        cycle=data.get("cycle"),
    )
    rows = table.sorted_rows()
    return render(
        request,
        "web/collections/aging.html",
        {
            "form": form,
            "table": table,
            "rows": rows[:ROW_LIMIT],
            "more_rows": max(len(rows) - ROW_LIMIT, 0),
            "buckets": BUCKETS,
            "by": by,
            "by_label": BY_LABELS[by],
            "as_of": as_of,
            "funds": sorted(table.funds.items()),
        },
        status=200 if not form.errors else 422,
    )


@requires("collections.view")
def account_panel(request: HttpRequest, number: str) -> HttpResponse:
    """The account's collections panel (loaded in place by htmx; a page of its own without it)."""
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    template = (
        "web/collections/account_panel.html"
        if getattr(request, "htmx", False)
        else "web/collections/account_page.html"
    )
    context = {
        "account": account,
        "info": account_collections(account, as_of=clock.today()),
        "stage_labels": dict(CollectionStage.choices),
        "buckets": BUCKETS,
    }
    return render(request, template, context)
