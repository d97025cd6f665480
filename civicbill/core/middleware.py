"""Every page requires login (the API answers 401 itself instead of redirecting); security headers;
the idle sign-out; a temporary password must be changed first; no control characters in a form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from civicbill.core import clock
from civicbill.core.control_characters import CONTROL, character_name
from civicbill.core.staff import must_change_password


class LoginRequiredEverywhereMiddleware(LoginRequiredMiddleware):
    """Django's LoginRequiredMiddleware, except for ``/api/`` (token or session auth there)."""

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> Any:
        if request.path.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class SecurityHeadersMiddleware:
    """Every answer carries the Content-Security-Policy of ``CIVICBILL_CONTENT_SECURITY_POLICY`` (no
    inline scripts) and ``Cache-Control: no-store``: pages show customer data, and a shared counter
    computer's browser must not keep them (static files are served by the proxy, outside this)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = settings.CIVICBILL_CONTENT_SECURITY_POLICY
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        patch_cache_control(response, no_store=True)
        return response


IDLE_KEY = "civicbill_last_seen"


class IdleTimeoutMiddleware:
    """Sign out a session idle for ``CIVICBILL_IDLE_TIMEOUT_MINUTES`` (sliding: each request restarts
    the clock; the time seen is written at most once a minute). The next page then asks to sign in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = clock.now().timestamp()
            seen = request.session.get(IDLE_KEY)
            if seen is not None and now - seen > settings.CIVICBILL_IDLE_TIMEOUT_MINUTES * 60:
                logout(request)
                messages.info(
                    request,
                    _("You were signed out after %(minutes)s minutes without activity. Please sign in again.")
                    % {"minutes": settings.CIVICBILL_IDLE_TIMEOUT_MINUTES},
                )
            elif seen is None or now - seen >= 60:
                request.session[IDLE_KEY] = now
        return self.get_response(request)


# pages a user with a temporary password may still reach
_PASSWORD_CHANGE_OPEN = ("/account/password/", "/logout/", "/login/", "/i18n/", "/static/", "/healthz")


class PasswordChangeRequiredMiddleware:
    """A user signed in with a temporary password (set by an administrator) sees only the Change
    password page until they choose their own; the API answers 403 for them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.user.is_authenticated
            and not request.path.startswith(_PASSWORD_CHANGE_OPEN)
            and must_change_password(request.user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "detail": "Change your temporary password first (Change password page)",
                        "code": "password_change_required",
                        "field": None,
                    },
                    status=403,
                )
            return redirect(reverse("password-change"))
        return self.get_response(request)


class ControlCharacterMiddleware:
    """A signed-in person's page request whose form fields or query hold a control character (a NUL,
    an escape …; tab and line breaks are text) is refused with 400 naming the field, before any view
    sees it: the API refuses the same with its own 422 (``api/text.py``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/") and request.user.is_authenticated:
            for name, values in (*request.GET.lists(), *request.POST.lists()):
                for text in (name, *values):
                    found = CONTROL.search(text)
                    if found:
                        message = _("The field “%(field)s” holds a control character (%(character)s).") % {
                            "field": CONTROL.sub("?", name)[:60],
                            "character": character_name(found.group()),
                        }
                        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
