from pathlib import Path

import pytest
from django.conf import settings

from civicbill.core.exceptions import PermissionDeniedError
from civicbill.core.management.commands.permissions_doc import permissions_doc
from civicbill.core.permissions import has_permission, require_permission


def test_the_permissions_page_matches_the_matrix_in_code():
    on_disk = (Path(settings.BASE_DIR) / "docs" / "permissions.md").read_text(encoding="utf-8")
    assert on_disk == permissions_doc()


def test_an_auditor_reads_everything_and_changes_nothing(auditor):
    assert has_permission(auditor, "customers.view")
    assert has_permission(auditor, "ledger.view")
    assert has_permission(auditor, "audit.view")
    for code in ("customers.edit", "customers.move_in", "customers.note", "ledger.post", "ledger.reverse"):
        assert not has_permission(auditor, code)


def test_a_csr_may_move_customers_in_but_not_reverse_entries(csr):
    assert has_permission(csr, "customers.move_in")
    with pytest.raises(
        PermissionDeniedError, match=r"csr may not reverse a posted journal entry \(ledger.reverse\)"
    ):
        require_permission(csr, "ledger.reverse")


def test_an_anonymous_or_inactive_user_holds_no_permission(supervisor):
    from django.contrib.auth.models import AnonymousUser

    assert not has_permission(AnonymousUser(), "customers.view")
    supervisor.is_active = False
    assert not has_permission(supervisor, "customers.view")


def test_production_passwords_are_hashed_with_argon2():
    import civicbill.settings as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
