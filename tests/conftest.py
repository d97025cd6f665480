"""Shared fixtures: staff users in each role, a frozen business clock."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group, User

from civicbill.core.permissions import ROLES


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Argon2 is deliberately slow; tests hash many throw-away passwords (production keeps Argon2)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    def make(role: str, username: str | None = None) -> User:
        assert role in ROLES, role
        user = User.objects.create_user(username=username or role.lower(), password="test-password-1")
        group, _ = Group.objects.get_or_create(name=role)
        user.groups.add(group)
        return user

    return make


@pytest.fixture
def csr(make_user: Callable[..., User]) -> User:
    return make_user("CSR")


@pytest.fixture
def technician(make_user: Callable[..., User]) -> User:
    return make_user("Technician")


@pytest.fixture
def supervisor(make_user: Callable[..., User]) -> User:
    return make_user("Supervisor")


@pytest.fixture
def auditor(make_user: Callable[..., User]) -> User:
    return make_user("Auditor")


@pytest.fixture
def field_worker(make_user: Callable[..., User]) -> User:
    return make_user("Field")
