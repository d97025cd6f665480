"""Start-up checks: the ACH origination settings and the field-encryption key.

Django runs system checks before ``runserver``, ``migrate``, ``check`` and most management commands;
a bad setting stops the start with an error that names it, e.g.
``autopay.E001: CIVICBILL_ACH_ODFI_ROUTING: routing number 121042883 fails its check digit: the ninth
digit should be 2``. The drafting service refuses too (:func:`civicbill.autopay.config.ach_settings`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.core.checks import Warning as CheckWarning

from civicbill.autopay import config, crypto

HINT = "Set it in the environment (see docs/autopay.md, 'Settings')."


@register("civicbill")
def check_ach_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    _found, problems = config.settings_problems(config.configured_values())
    return [Error(f"{name}: {message}", hint=HINT, obj=name, id="autopay.E001") for name, message in problems]


@register("civicbill")
def check_field_key(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """A malformed key stops the start (``autopay.E002``). A missing key in production is a warning
    (``autopay.W002``): a city that does not use autopay needs none, and enrolling, drafting and
    importing returns refuse until it is set."""
    field_key = getattr(settings, crypto.FIELD_KEY, "") or ""
    if crypto.key_missing(field_key, development=crypto.development()):
        message = f"{crypto.FIELD_KEY}: {crypto.MISSING_KEY}"
        return [CheckWarning(message, hint=HINT, obj=crypto.FIELD_KEY, id="autopay.W002")]
    problems = crypto.key_problems(field_key, development=crypto.development())
    return [Error(f"{name}: {message}", hint=HINT, obj=name, id="autopay.E002") for name, message in problems]
