"""Staff sign-in with lockout, API tokens, and the demo users.

A user name with ``CIVICBILL_LOGIN_MAX_FAILURES`` failed sign-ins within
``CIVICBILL_LOGIN_LOCKOUT_MINUTES`` is locked for that window; a successful sign-in does not clear
earlier failures early (the window simply passes). Every failure and lockout is recorded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group, User
from django.db import transaction

from civicbill.core.actors import Actor
from civicbill.core.audit import audit_record
from civicbill.core.exceptions import ApplicationError
from civicbill.core.models import ApiToken, LoginFailure
from civicbill.core.permissions import (
    ADMIN,
    AUDITOR,
    CSR,
    FIELD,
    ROLES,
    SUPERVISOR,
    TECHNICIAN,
    has_permission,
    require_permission,
)


def _remote_addr(request: Any) -> str:
    return (getattr(request, "META", {}).get("REMOTE_ADDR") or "")[:64]


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.CIVICBILL_LOGIN_LOCKOUT_MINUTES)


def is_locked_out(*, username: str, at: dt.datetime) -> bool:
    recent = LoginFailure.objects.filter(username__iexact=username, failed_at__gt=at - _window()).count()
    return recent >= settings.CIVICBILL_LOGIN_MAX_FAILURES


def login_attempt(*, request: Any, username: str, password: str, at: dt.datetime) -> User:
    """Authenticate a staff member or raise ApplicationError saying why (locked, wrong password)."""
    if is_locked_out(username=username, at=at):
        minutes = settings.CIVICBILL_LOGIN_LOCKOUT_MINUTES
        raise ApplicationError(
            f"This user name is locked after {settings.CIVICBILL_LOGIN_MAX_FAILURES} failed sign-ins. "
            f"Try again in {minutes} minutes or ask an administrator.",
            code="locked_out",
        )
    user = authenticate(request, username=username, password=password)
    if user is None:
        LoginFailure.objects.create(
            username=username[:150], failed_at=at, remote_addr=(request.META.get("REMOTE_ADDR") or "")[:64]
        )
        raise ApplicationError("The user name or password is not right.", code="bad_credentials")
    return user


APPROVAL_REFUSED = (
    "The approver's user name or password was not accepted, or that person may not approve this."
)


def second_person_approval(
    *, request: Any, username: str, password: str, permission: str, requester: Any, at: dt.datetime
) -> User:
    """Check the credentials of a second person approving something at the requester's side (a
    void, …) and return them, or raise ApplicationError ``approval_refused``.

    This goes through the sign-in lockout: a locked-out user name is refused even with the right
    password, and every refusal is recorded as a failed sign-in. Wrong password, unknown user, locked
    out and "may not approve" all answer the same message, so the answer tells nothing about the
    password. Callers check that the thing can be approved at all *before* calling this.
    """
    username = (username or "").strip()
    if not username or username.lower() == (getattr(requester, "username", "") or "").lower():
        # said before any password is looked at, so it reveals nothing about one
        raise ApplicationError(
            "Another person must approve this, not the person asking.",
            code="own_approval",
            field="approver_username",
        )
    refused = ApplicationError(APPROVAL_REFUSED, code="approval_refused", field="approver_password")
    if is_locked_out(username=username, at=at):
        raise refused
    user = authenticate(request, username=username, password=password)
    if user is None or user.pk == getattr(requester, "pk", None) or not has_permission(user, permission):
        LoginFailure.objects.create(username=username[:150], failed_at=at, remote_addr=_remote_addr(request))
        raise refused
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_max_days() -> int:
    return int(settings.CIVICBILL_API_TOKEN_MAX_DAYS)


@transaction.atomic
def api_token_create(
    *, user: User, name: str, actor: Actor, expires_days: int | None = None, at: dt.datetime
) -> tuple[ApiToken, str]:
    """Make a token for ``user`` valid for ``expires_days`` (default ``CIVICBILL_API_TOKEN_DAYS``, at
    most ``CIVICBILL_API_TOKEN_MAX_DAYS``); the plain token is returned once and never stored."""
    if actor != user:
        require_permission(actor, "admin.users")
    if not user.is_active:
        raise ApplicationError(
            f"{user.username} is deactivated; no token can be made for them", code="inactive"
        )
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise ApplicationError("Name the token (what it is for), in at most 80 characters", field="name")
    days = int(settings.CIVICBILL_API_TOKEN_DAYS) if expires_days is None else expires_days
    if not 1 <= days <= api_token_max_days():
        raise ApplicationError(
            f"A token lasts from 1 to {api_token_max_days()} days, not {days}", field="expires_days"
        )
    expires_at = at + dt.timedelta(days=days)
    plain = "cb_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        token_prefix=plain[:8],
        token_sha256=_digest(plain),
        created_at=at,
        expires_at=expires_at,
    )
    audit_record(
        actor=actor,
        action="api_token.create",
        target=token,
        at=at,
        summary=f"API token {name!r} ({token.token_prefix}…) for {user}, expires {expires_at:%Y-%m-%d}",
        changes={"user": user.username, "name": name, "expires_at": expires_at.isoformat()},
    )
    return token, plain


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: Actor, at: dt.datetime) -> ApiToken:
    """Revoke a token at once (its owner may revoke their own; an administrator any)."""
    if actor != token.user:
        require_permission(actor, "admin.users")
    locked = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if locked.revoked_at is not None:
        raise ApplicationError(
            f"Token {locked.token_prefix}… was already revoked on {locked.revoked_at:%Y-%m-%d %H:%M}",
            code="already_revoked",
        )
    locked.revoked_at = at
    locked.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action="api_token.revoke",
        target=locked,
        at=at,
        summary=f"Revoked API token {locked.name!r} ({locked.token_prefix}…) of {locked.user}",
    )
    return locked


def api_token_find(reference: str) -> ApiToken:
    """A token by its id or by the start of the token (its prefix, ``cb_xxxxx``), for the CLI."""
    reference = reference.strip()
    if reference.isdigit():
        found = ApiToken.objects.select_related("user").filter(pk=int(reference)).first()
    else:
        matches = list(ApiToken.objects.select_related("user").filter(token_prefix=reference[:8])[:2])
        if len(matches) > 1:
            raise ApplicationError(f"More than one token starts with {reference[:8]!r}; give its id")
        found = matches[0] if matches else None
    if found is None:
        raise ApplicationError(f"There is no API token {reference!r} (give its id or its first 8 characters)")
    return found


def api_tokens_of(user: User | None = None) -> list[ApiToken]:
    tokens = ApiToken.objects.select_related("user").order_by("-created_at", "-id")
    return list(tokens.filter(user=user) if user is not None else tokens)


def api_token_user(*, token: str, at: dt.datetime) -> User | None:
    """The active user a bearer token belongs to, or None: unknown, revoked and expired tokens are refused."""
    found = (
        ApiToken.objects.select_related("user")
        .filter(token_sha256=_digest(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if found is None or not found.is_usable(at):
        return None
    if found.last_used_at is None or at - found.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=at)
    return found.user


DEMO_USERS = {
    "csr": (CSR, "Carmen", "Ruiz"),
    "technician": (TECHNICIAN, "Tomás", "Herrera"),
    "supervisor": (SUPERVISOR, "Sandra", "Ochoa"),
    "field": (FIELD, "Felipe", "Nuñez"),
    "auditor": (AUDITOR, "Alan", "Brooks"),
    "admin": (ADMIN, "Ada", "Morales"),
}


def roles_ensure() -> None:
    for role in ROLES:
        Group.objects.get_or_create(name=role)


@transaction.atomic
def demo_users_ensure(*, password: str) -> list[User]:
    """One user per role for the demo city (user names are the role names, lower case)."""
    roles_ensure()
    users = []
    for username, (role, first, last) in DEMO_USERS.items():
        user, _ = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last}
        )
        user.set_password(password)
        user.is_staff = role == ADMIN
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        users.append(user)
    return users
