"""Seed the chart accounts added for cashiering (undeposited funds, misc receipt revenue)."""

from django.db import migrations

from civicbill.ledger.chart import seed_chart


def forward(apps, schema_editor):
    seed_chart(apps.get_model("ledger", "GLAccount"))


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_journal_triggers")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
