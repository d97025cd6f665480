"""SQLite: ``INSERT OR REPLACE`` cannot rewrite an audit event, even on a connection without
``PRAGMA recursive_triggers`` (see ``civicbill/core/append_only.py``)."""

from django.db import migrations

from civicbill.core.append_only import no_replace_operations


class Migration(migrations.Migration):
    dependencies = [("core", "0004_roles")]

    operations = [*no_replace_operations("core_auditevent")]
