from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from civicbill.core.permissions import PERMISSIONS, has_permission, roles_of


class _Can:
    """``{% if can.ledger_reverse %}`` in templates: the signed-in user's permissions."""

    def __init__(self, user: Any) -> None:
        self._user = user

    def __getattr__(self, name: str) -> bool:
        code = name.replace("_", ".", 1)
        return code in PERMISSIONS and has_permission(self._user, code)


def civicbill(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {"can": _Can(user), "user_roles": sorted(roles_of(user))}
