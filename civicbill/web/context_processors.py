"""Context for every staff page: the emergency moratoriums in force today (the banner of base.html)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from civicbill.collections.models import Moratorium, MoratoriumScope
from civicbill.collections.protections import moratoriums_on
from civicbill.core import clock


def scope_label(moratorium: Moratorium) -> str:
    """The scope in the page's language: all accounts, billing cycle 2, ZIP 92201, route R-07."""
    value = moratorium.scope_value
    if moratorium.scope == MoratoriumScope.CYCLE:
        return _("billing cycle %(value)s") % {"value": value}
    if moratorium.scope == MoratoriumScope.ZIP:
        return _("ZIP %(value)s") % {"value": value}
    if moratorium.scope == MoratoriumScope.ROUTE:
        return _("route %(value)s") % {"value": value}
    return _("all accounts")


def moratorium_banner(request: HttpRequest) -> dict[str, Any]:
    """``moratoriums_in_force``: what the banner says (one query; nothing for a signed-out visitor)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "moratoriums_in_force": [
            {
                "reason": m.reason,
                "scope_label": scope_label(m),
                "until": min(m.ends_on, m.lifted_on) if m.lifted_on else m.ends_on,
            }
            for m in moratoriums_on(clock.today())
        ]
    }
