"""Sign in (with lockout) and sign out."""

from __future__ import annotations

from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from civicbill.core import clock
from civicbill.core.accounts import login_attempt
from civicbill.core.exceptions import ApplicationError


@login_not_required
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    context = {"next": next_url}
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        try:
            user = login_attempt(
                request=request, username=username, password=request.POST.get("password", ""), at=clock.now()
            )
        except ApplicationError as error:
            context.update(error=error.message, username=username)
            return render(request, "registration/login.html", context, status=401)
        login(request, user)
        return redirect(next_url or "home")
    return render(request, "registration/login.html", context)
