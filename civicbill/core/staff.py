"""Staff users: an administrator (``admin.users``) creates them, gives each one role, deactivates
them and sets a temporary password; everyone changes their own password. Every change is audited
(never a password). There is no email on the city's server, so a forgotten password is reset by an
administrator in person or by phone: the temporary password must be changed at the next sign-in.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from civicbill.core.actors import Actor
from civicbill.core.audit import audit_record
from civicbill.core.exceptions import ApplicationError
from civicbill.core.models import StaffProfile
from civicbill.core.permissions import ADMIN, ROLES, require_permission, roles_of


def _profile(user: User) -> StaffProfile:
    profile, _ = StaffProfile.objects.get_or_create(user=user)
    return profile


def must_change_password(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return StaffProfile.objects.filter(user_id=user.pk, must_change_password=True).exists()


def role_of(user: User) -> str:
    """The user's role (the first, should they hold several), active or not."""
    held = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
    if user.is_superuser:
        held.add(ADMIN)
    return next((role for role in ROLES if role in held), "")


def _check_password(password: str, user: User | None, field: str) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise ApplicationError(" ".join(error.messages), code="weak_password", field=field) from None


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ApplicationError(f"{role!r} is not a role; choose one of {', '.join(ROLES)}", field="role")


def _active_admins() -> int:
    return (
        User.objects.filter(Q(groups__name=ADMIN) | Q(is_superuser=True), is_active=True).distinct().count()
    )


def _keep_an_admin(user: User, *, losing: str) -> None:
    if ADMIN in roles_of(user) and _active_admins() <= 1:
        raise ApplicationError(
            f"{user.username} is the only active administrator; {losing} would leave nobody to manage "
            "staff. Make another administrator first.",
            code="last_admin",
        )


@transaction.atomic
def staff_user_create(
    *,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    role: str,
    temporary_password: str,
    actor: Actor,
    at: dt.datetime,
) -> User:
    """A new staff user with one role and a temporary password they must change at first sign-in."""
    require_permission(actor, "admin.users")
    username = username.strip()
    if not username:
        raise ApplicationError("Give a user name", field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise ApplicationError(f"The user name {username!r} is taken", code="duplicate", field="username")
    _check_role(role)
    candidate = User(
        username=username, first_name=first_name.strip(), last_name=last_name.strip(), email=email
    )
    _check_password(temporary_password, candidate, "temporary_password")
    user = User.objects.create_user(
        username=username,
        password=temporary_password,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip(),
    )
    user.is_staff = role == ADMIN
    user.save(update_fields=["is_staff"])
    user.groups.set([Group.objects.get_or_create(name=role)[0]])
    StaffProfile.objects.create(user=user, must_change_password=True)
    audit_record(
        actor=actor,
        action="staff_user.create",
        target=user,
        at=at,
        summary=f"Created staff user {username} ({role}) with a temporary password",
        changes={
            "username": username,
            "role": role,
            "first_name": user.first_name,
            "last_name": user.last_name,
        },
    )
    return user


@transaction.atomic
def staff_user_set_role(*, user: User, role: str, actor: Actor, at: dt.datetime) -> User:
    require_permission(actor, "admin.users")
    _check_role(role)
    before = role_of(user)
    if before == role:
        return user
    if role != ADMIN:
        _keep_an_admin(user, losing=f"making them {role}")
    user.groups.set([Group.objects.get_or_create(name=role)[0]])
    user.is_staff = role == ADMIN
    if role != ADMIN:
        user.is_superuser = False  # a superuser counts as Admin whatever their group
    user.save(update_fields=["is_staff", "is_superuser"])
    if hasattr(user, "_civicbill_roles"):
        del user._civicbill_roles
    audit_record(
        actor=actor,
        action="staff_user.role",
        target=user,
        at=at,
        summary=f"{user.username}: role {before or 'none'} → {role}",
        changes={"role": {"before": before, "after": role}},
    )
    return user


@transaction.atomic
def staff_user_set_active(*, user: User, active: bool, actor: Actor, at: dt.datetime) -> User:
    """Deactivate (they can no longer sign in; their sessions and API tokens stop working at once)
    or reactivate a staff user. Nobody deactivates themselves."""
    require_permission(actor, "admin.users")
    if user.is_active == active:
        return user
    if not active:
        if user.pk == getattr(actor, "pk", None):
            raise ApplicationError("You cannot deactivate yourself", code="own_account")
        _keep_an_admin(user, losing="deactivating them")
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action="staff_user.activate" if active else "staff_user.deactivate",
        target=user,
        at=at,
        summary=f"{'Reactivated' if active else 'Deactivated'} staff user {user.username}",
        changes={"is_active": {"before": not active, "after": active}},
    )
    return user


@transaction.atomic
def staff_password_reset(*, user: User, temporary_password: str, actor: Actor, at: dt.datetime) -> User:
    """An administrator sets a temporary password, given to the person directly; they must change it
    at their next sign-in. Their lockout is not lifted early (it lapses on its own)."""
    require_permission(actor, "admin.users")
    if user.pk == getattr(actor, "pk", None):
        raise ApplicationError("Change your own password on the Change password page", code="own_account")
    _check_password(temporary_password, user, "temporary_password")
    user.set_password(temporary_password)
    user.save(update_fields=["password"])
    profile = _profile(user)
    profile.must_change_password = True
    profile.save(update_fields=["must_change_password"])
    audit_record(
        actor=actor,
        action="staff_user.password_reset",
        target=user,
        at=at,
        summary=f"Set a temporary password for {user.username} (to change at next sign-in)",
    )
    return user


@transaction.atomic
def password_change(*, user: User, current: str, new: str, at: dt.datetime) -> User:
    """Anyone changes their own password, giving the current one (a temporary one included)."""
    if not user.check_password(current):
        raise ApplicationError("The current password is not right", code="bad_credentials", field="current")
    if new == current:
        raise ApplicationError("Choose a new password, not the current one", field="new")
    _check_password(new, user, "new")
    user.set_password(new)
    user.save(update_fields=["password"])
    profile = _profile(user)
    profile.must_change_password = False
    profile.password_changed_at = at
    profile.save(update_fields=["must_change_password", "password_changed_at"])
    audit_record(
        actor=user, action="staff_user.password_change", target=user, at=at, summary="Changed own password"
    )
    return user
