"""View-level permission check (services check again: defence in depth)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from civicbill.core.permissions import PERMISSIONS, has_permission


def requires(code: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    if code not in PERMISSIONS:
        raise KeyError(code)

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_permission(request.user, code):
                return render(
                    request,
                    "web/forbidden.html",
                    {"permission": code, "what": PERMISSIONS[code][0]},
                    status=403,
                )
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
