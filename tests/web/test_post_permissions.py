"""Read-only roles change nothing: every page that takes a POST needs a permission the auditor (and,
for reprints, the technician) does not hold (issue 11, point 10). The test walks every URL pattern,
so a new page is covered the day it is added."""

from __future__ import annotations

import inspect
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from civicbill.core.models import AuditEvent
from civicbill.payments.models import Payment
from tests.fixtures.database import assert_nothing_changed

pytestmark = pytest.mark.django_db

# pages any signed-in person may POST to: they change nothing in the books
OPEN_TO_EVERYONE = {
    "/login/",
    "/logout/",
    "/i18n/setlang/",
    "/account/password/",  # one's own password
    "/account/tokens/",  # one's own API tokens
    "/account/tokens/1/revoke/",
}
# read-only answers to a POST (a search form posted by mistake) are fine as long as nothing changes
SAMPLE = {
    "int": "1",
    "str": "1000001-8",
    "slug": "x",
    "path": "x",
    "uuid": "00000000-0000-0000-0000-000000000001",
}


def _walk(patterns: list[Any], prefix: str = "") -> list[str]:
    paths = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            paths += _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            paths.append(route)
    return paths


def _web_paths() -> list[str]:
    paths = []
    for route in _walk(get_resolver().url_patterns):
        if route.startswith("api/") or route.startswith("^") or "(?P" in route:
            continue
        paths.append("/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE[m.group(1) or "str"], route))
    return sorted(set(paths))


def test_the_walk_finds_the_pages():
    paths = _web_paths()
    assert len(paths) > 60
    assert "/counter/receipts/1000001-8/reprint/" in paths


def _handles_post(path: str) -> bool:
    """Whether the view behind ``path`` reads a POST at all (a read page ignores the method)."""
    view = inspect.unwrap(resolve(path).func)
    view = getattr(view, "view_class", view)
    source = inspect.getsource(view)
    return any(word in source for word in ("request.POST", "request.FILES", "request.method", "require_POST"))


def test_the_auditor_is_refused_every_post(client: Client, auditor: Any):
    client.force_login(auditor)
    before = AuditEvent.objects.count()
    allowed = []
    with assert_nothing_changed():
        for path in _web_paths():
            if path in OPEN_TO_EVERYONE:
                continue
            response = client.post(path, {})
            if response.status_code in (403, 405):
                continue
            # a read page (the auditor may read it) answering a POST as a GET changes nothing
            if response.status_code in (200, 404) and not _handles_post(path):
                continue
            allowed.append((path, response.status_code))
    assert allowed == []
    assert AuditEvent.objects.count() == before


def test_read_only_roles_cannot_reprint_a_receipt(
    frozen: Any,
    client: Client,
    csr: Any,
    auditor: Any,
    technician: Any,
    drawers: Any,
    rosa_account: Any,
):
    client.force_login(csr)
    client.post("/counter/", {"drawer": "CH-1", "starting_float": "200.00"})
    client.post(
        "/counter/pay/",
        {
            "a": [rosa_account.number],
            f"amount-{rosa_account.number}": "90.01",
            "cash": "100.00",
            "idempotency_key": "r1",
        },
    )
    payment = Payment.objects.get()
    url = f"/counter/receipts/{payment.receipt_number}/reprint/"
    for reader in (auditor, technician):
        client.force_login(reader)
        before = AuditEvent.objects.count()
        with assert_nothing_changed():
            assert client.post(url).status_code == 403
            assert (
                "Reprint" not in client.get(f"/counter/receipts/{payment.receipt_number}/").content.decode()
            )
        assert AuditEvent.objects.count() == before
    payment.refresh_from_db()
    assert payment.reprint_count == 0
    client.force_login(csr)
    assert client.post(url).status_code == 302
    payment.refresh_from_db()
    assert payment.reprint_count == 1
