"""Loading a new version of the collections policy (supervisor, audited).

A version is never edited: a new one is loaded effective from a date. A version may not take effect
before the day it is loaded (no retroactive policy): the daily runs of past days assessed penalties,
sent notices and listed shutoffs under the policy then in force, and their actions name its rules; a
policy rewritten behind them would make that record contradict itself. A correction takes effect
today or later (docs/collections.md "The policy").
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from civicbill.collections.models import CollectionsPolicyVersion
from civicbill.collections.policy_file import PolicyFileError, parse_policy
from civicbill.core import clock
from civicbill.core.actors import Actor, acting_user
from civicbill.core.audit import audit_record
from civicbill.core.control_characters import CONTROL, character_name
from civicbill.core.exceptions import ApplicationError
from civicbill.core.permissions import require_permission
from civicbill.core.utility_services import FUND_FOR_SERVICE
from civicbill.ledger.chart import CHART, AccountType

REASON_MAX = 200
TEXT_MAX = 100_000


def penalty_revenue_funds() -> dict[str, str]:
    """GL code -> fund of every revenue account a penalty may be credited to (the chart as data)."""
    return {
        account.code: str(account.fund) for account in CHART if account.account_type == AccountType.REVENUE
    }


def service_funds() -> dict[str, str]:
    return {str(service): str(fund) for service, fund in FUND_FOR_SERVICE.items()}


def policy_check_text(text: str) -> PolicyFileError | None:
    """The problems of a policy file (for a page's preview), or None when it would load."""
    try:
        parse_policy(text, penalty_revenue_funds=penalty_revenue_funds(), service_funds=service_funds())
    except PolicyFileError as error:
        return error
    return None


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise ApplicationError(
            "Give the reason for the new policy (e.g. the council resolution).", field="reason"
        )
    if len(text) > REASON_MAX:
        raise ApplicationError(
            f"The reason is {len(text):,} characters; at most {REASON_MAX}.", field="reason"
        )
    control = CONTROL.search(text)
    if control is not None:
        raise ApplicationError(
            f"The reason contains the control character {character_name(control.group())}.", field="reason"
        )
    return text


@transaction.atomic
def policy_version_load(
    *, text: str, effective_from: dt.date, reason: str, actor: Actor, at: dt.datetime
) -> CollectionsPolicyVersion:
    """Validate a policy file and store it as the version in force from ``effective_from``.

    Refuses (nothing stored): a file with any problem (every key's problem listed with its line and,
    for a statutory limit, the statute; ``field`` "text"), a date before the day of loading (``at``'s
    business date; ``field`` "effective_from"), a date that already has a version, a missing reason."""
    require_permission(actor, "collections.policy")
    reason_text = _reason(reason)
    if len(text) > TEXT_MAX:
        raise ApplicationError(
            f"The policy file is {len(text):,} characters; at most {TEXT_MAX:,}.", field="text"
        )
    control = CONTROL.search(text)
    if control is not None:
        raise ApplicationError(
            f"The policy file contains the control character {character_name(control.group())}.", field="text"
        )
    today = clock.business_date(at)
    if effective_from < today:
        raise ApplicationError(
            f"A policy cannot take effect in the past ({effective_from.isoformat()} is before today, "
            f"{today.isoformat()}): past collections runs acted under the policy then in force. Load the "
            "correction effective today or later.",
            code="retroactive_policy",
            field="effective_from",
        )
    try:
        _policy, document = parse_policy(
            text, penalty_revenue_funds=penalty_revenue_funds(), service_funds=service_funds()
        )
    except PolicyFileError as error:
        raise ApplicationError(
            f"The policy was not loaded: {error.message}", code="invalid_policy", field="text"
        ) from None
    if CollectionsPolicyVersion.objects.select_for_update().filter(effective_from=effective_from).exists():
        raise ApplicationError(
            f"A policy version already takes effect on {effective_from.isoformat()}; versions are never "
            "replaced. Choose another date.",
            code="duplicate_version",
            field="effective_from",
        )
    version = CollectionsPolicyVersion.objects.create(
        effective_from=effective_from,
        document=document,
        source_text=text,
        reason=reason_text,
        loaded_by=acting_user(actor),
        loaded_at=at,
    )
    audit_record(
        actor=actor,
        action="collections_policy.load",
        target=version,
        at=at,
        summary=f"Collections policy effective {effective_from.isoformat()} loaded: {reason_text}",
        changes={"effective_from": effective_from.isoformat(), "reason": reason_text, "document": document},
    )
    return version
