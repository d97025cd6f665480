"""Ledger pages: the trial balance."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from civicbill.ledger import selectors as ledger_selectors
from civicbill.web.ui import requires


@requires("ledger.view")
def trial_balance_page(request: HttpRequest) -> HttpResponse:
    return render(request, "web/trial_balance.html", {"trial_balance": ledger_selectors.trial_balance()})
