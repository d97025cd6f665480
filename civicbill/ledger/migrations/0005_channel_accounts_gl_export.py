"""Seed the chart accounts for refunds payable and returned payment fees; the GL export tables."""

from django.db import migrations

from civicbill.ledger.chart import seed_chart


def forward(apps, schema_editor):
    seed_chart(apps.get_model("ledger", "GLAccount"))


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_cashiering_accounts")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
