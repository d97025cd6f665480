"""API tokens expire and can be revoked (issue 11, point 14): the service, the bearer check and
``civicbill api-token`` (make with --expires-days, --list, --revoke by id or prefix)."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from civicbill.core.accounts import api_token_create, api_token_revoke, api_token_user
from civicbill.core.exceptions import ApplicationError, PermissionDeniedError
from civicbill.core.models import ApiToken, AuditEvent
from tests.fixtures.database import assert_nothing_changed

pytestmark = pytest.mark.django_db
AT = dt.datetime(2026, 12, 1, 17, 0, tzinfo=dt.UTC)


def _cli(*args: str) -> str:
    out = StringIO()
    call_command("api_token", *args, stdout=out)
    return out.getvalue()


def test_a_token_expires_after_its_days(csr: Any):
    token, plain = api_token_create(user=csr, name="export", actor=csr, expires_days=7, at=AT)
    assert token.expires_at == AT + dt.timedelta(days=7)
    assert api_token_user(token=plain, at=AT + dt.timedelta(days=6, hours=23)) == csr
    assert api_token_user(token=plain, at=AT + dt.timedelta(days=7)) is None
    with time_machine.travel(AT + dt.timedelta(days=8), tick=False):
        answer = Client().get("/api/accounts/?q=x", headers={"Authorization": f"Bearer {plain}"})
    assert answer.status_code == 401


def test_the_default_lifetime_and_its_bounds(csr: Any):
    token, _ = api_token_create(user=csr, name="export", actor=csr, at=AT)
    assert token.expires_at == AT + dt.timedelta(days=90)
    for days in (0, -1, 366):
        with pytest.raises(ApplicationError, match=f"A token lasts from 1 to 365 days, not {days}"):
            api_token_create(user=csr, name="x", actor=csr, expires_days=days, at=AT)
    assert ApiToken.objects.count() == 1


def test_a_revoked_token_is_refused_and_only_its_owner_or_an_admin_revokes(
    csr: Any, auditor: Any, make_user: Any
):
    token, plain = api_token_create(user=csr, name="export", actor=csr, at=AT)
    with assert_nothing_changed(), pytest.raises(PermissionDeniedError):
        api_token_revoke(token=token, actor=auditor, at=AT)
    api_token_revoke(token=token, actor=make_user("Admin", "ada"), at=AT)
    assert api_token_user(token=plain, at=AT) is None
    with pytest.raises(ApplicationError, match="already revoked"):
        api_token_revoke(token=token, actor=csr, at=AT)
    assert list(AuditEvent.objects.order_by("id").values_list("action", "actor_username")) == [
        ("api_token.create", "csr"),
        ("api_token.revoke", "ada"),
    ]


def test_the_command_makes_lists_and_revokes_by_prefix_or_id(csr: Any, frozen: Any):
    plain = _cli("csr", "--name", "nightly", "--expires-days", "10").strip()
    first = ApiToken.objects.get()
    assert plain.startswith("cb_") and first.token_prefix == plain[:8]
    assert (first.expires_at - first.created_at) == dt.timedelta(days=10)
    second = _cli("csr", "--name", "other").strip()
    listing = _cli("--list", "csr")
    assert f"#{first.pk}\t{first.token_prefix}…\tcsr\tnightly\tvalid until 2026-12-11" in listing
    assert plain not in listing and second not in listing
    assert (
        _cli("--revoke", plain[:8]) == f"Revoked token #{first.pk} {first.token_prefix}… (nightly) of csr\n"
    )
    other = ApiToken.objects.exclude(pk=first.pk).get()
    _cli("--revoke", str(other.pk))
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 0
    assert "revoked 2026-12-01" in _cli("--list")
    with pytest.raises(CommandError, match="already revoked"):
        _cli("--revoke", str(other.pk))
    with pytest.raises(CommandError, match="There is no API token 'cb_nope0'"):
        _cli("--revoke", "cb_nope0")
    with pytest.raises(CommandError, match="A token lasts from 1 to 365 days, not 400"):
        _cli("csr", "--expires-days", "400")
