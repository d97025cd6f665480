"""Seed the chart of accounts from civicbill.ledger.chart.CHART (only the codes that are missing)."""

from django.db import migrations

from civicbill.ledger.chart import seed_chart


def forward(apps, schema_editor):
    seed_chart(apps.get_model("ledger", "GLAccount"))


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
