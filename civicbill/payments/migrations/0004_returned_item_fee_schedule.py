"""Seed the returned-item (NSF) fee schedule: $25.00 from 2020-01-01 (change it with a new row)."""

import datetime as dt

from django.db import migrations


def forward(apps, schema_editor):
    fee = apps.get_model("payments", "ReturnedItemFee")
    fee.objects.get_or_create(effective_from=dt.date(2020, 1, 1), defaults={"amount_cents": 2500})


class Migration(migrations.Migration):
    dependencies = [("payments", "0003_channels_suspense_returns_refunds")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
