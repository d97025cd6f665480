from django.db import migrations

from civicbill.core.append_only import append_only_operations


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [*append_only_operations("core_auditevent")]
