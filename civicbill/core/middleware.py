"""Every page requires login; the API answers 401 itself instead of redirecting."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest


class LoginRequiredEverywhereMiddleware(LoginRequiredMiddleware):
    """Django's LoginRequiredMiddleware, except for ``/api/`` (token or session auth there)."""

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> Any:
        if request.path.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
