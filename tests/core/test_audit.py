import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction

from civicbill.core import clock
from civicbill.core.audit import audit_record, diff
from civicbill.core.models import AuditEvent


def test_diff_keeps_only_what_changed():
    assert diff({"phone": "1", "email": "a@x"}, {"phone": "2", "email": "a@x"}) == {
        "phone": {"before": "1", "after": "2"}
    }


@pytest.mark.django_db
def test_an_audit_event_can_be_neither_updated_nor_deleted_even_with_sql(csr):
    event = audit_record(actor=csr, action="user.touch", target=csr, summary="touched", at=clock.now())
    for statement in (
        f"UPDATE core_auditevent SET action = 'forged' WHERE id = {event.pk}",  # noqa: S608
        f"DELETE FROM core_auditevent WHERE id = {event.pk}",  # noqa: S608
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    event.refresh_from_db()
    assert event.action == "user.touch"
    assert AuditEvent.objects.count() == 1
    assert event.actor_username == "csr"
    assert event.target_type == "auth.user"
    assert User.objects.count() == 1
