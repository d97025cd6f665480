"""API authentication: a bearer token (scripts) or the staff session (browser, with CSRF).

The rule (docs/api.md):

* A request carrying ``Authorization: Bearer <token>`` is authenticated by the token alone, as the
  token's user, and needs no CSRF token: a browser never adds that header by itself, so a forged
  cross-site request cannot carry it (the API sends no CORS headers, so a script on another site
  cannot add it either). This holds even when the request also carries a session cookie.
* A request with an ``Authorization`` header whose token is not valid (mistyped, revoked, expired,
  or of a deactivated user) is refused with 401; it never falls back to the session cookie.
* A request without an ``Authorization`` header is authenticated by the staff session, and every
  unsafe method (POST ...) needs the CSRF token (``X-CSRFToken`` header), as the pages do.

The token is therefore tried first (``auth=[StaffToken(), StaffSession()]``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import AuthenticationError
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


class BadToken(AuthenticationError):
    """An ``Authorization`` header was sent but its token is not a live one."""


class StaffToken(HttpBearer):
    """``Authorization: Bearer cb_...`` (``civicbill api-token USER``); no CSRF check."""

    def __call__(self, request: HttpRequest) -> Any:
        if "Authorization" in request.headers:
            user = super().__call__(request)
            if not user:
                raise BadToken()
            return user
        return None

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_user(token=token.strip(), at=clock.now())
        if user is not None:
            request.user = user
        return user
