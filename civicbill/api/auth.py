"""API authentication: the staff session (browser, with CSRF) or a bearer token (scripts)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from civicbill.core import clock
from civicbill.core.accounts import api_token_user


class StaffSession(SessionAuth):
    """A signed-in staff member's session; unsafe methods need the CSRF token."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


class StaffToken(HttpBearer):
    """``Authorization: Bearer cb_...`` (``civicbill api-token USER``)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_user(token=token, at=clock.now())
        if user is not None:
            request.user = user
        return user
