"""What a month held when it was closed, and no ``INSERT OR REPLACE`` around the append-only journal.

* ``PeriodCloseRecord`` / ``PeriodCloseTotal``: the entry count and per-GL-account totals of a month
  recorded by ``period_close`` (append-only), which ``check-books`` compares with the month today.
  Months already closed get their record now, from what they hold at this migration.
* SQLite: ``BEFORE INSERT`` triggers refusing a row whose key is taken, on the journal and the new
  tables, so ``INSERT OR REPLACE`` cannot delete a posted row even on a connection that has not
  turned ``recursive_triggers`` on (``civicbill/core/append_only.py``).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from civicbill.core.append_only import append_only_operations, no_replace_operations


def _next_month(month):  # type: ignore[no-untyped-def]
    import datetime as dt

    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def record_closed_periods(apps, schema_editor):  # type: ignore[no-untyped-def]
    from django.db.models import Count, Sum

    period_model = apps.get_model("ledger", "AccountingPeriod")
    entry_model = apps.get_model("ledger", "JournalEntry")
    line_model = apps.get_model("ledger", "JournalLine")
    record_model = apps.get_model("ledger", "PeriodCloseRecord")
    total_model = apps.get_model("ledger", "PeriodCloseTotal")
    for period in period_model.objects.filter(status="closed").order_by("month"):
        days = {"gte": period.month, "lt": _next_month(period.month)}
        entry_count = entry_model.objects.filter(
            accounting_date__gte=days["gte"], accounting_date__lt=days["lt"]
        ).count()
        sums = list(
            line_model.objects.filter(entry__accounting_date__gte=days["gte"], entry__accounting_date__lt=days["lt"])
            .values("gl_account_id")
            .annotate(count=Count("id"), debit=Sum("debit_cents"), credit=Sum("credit_cents"))
            .order_by("gl_account_id")
        )
        record = record_model.objects.create(
            month=period.month,
            closed_at=period.closed_at,
            closed_by_id=period.closed_by_id,
            entry_count=entry_count,
            debit_cents=sum(int(row["debit"] or 0) for row in sums),
            credit_cents=sum(int(row["credit"] or 0) for row in sums),
        )
        total_model.objects.bulk_create(
            total_model(
                record=record,
                gl_account_id=row["gl_account_id"],
                line_count=row["count"],
                debit_cents=int(row["debit"] or 0),
                credit_cents=int(row["credit"] or 0),
            )
            for row in sums
        )


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0007_statement_level_journal_checks"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PeriodCloseRecord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("month", models.DateField(db_index=True)),
                ("closed_at", models.DateTimeField()),
                ("entry_count", models.IntegerField()),
                ("debit_cents", models.BigIntegerField()),
                ("credit_cents", models.BigIntegerField()),
                (
                    "closed_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "ordering": ["month", "id"],
                "constraints": [
                    models.UniqueConstraint(fields=("month", "closed_at"), name="one_close_record_per_close")
                ],
            },
        ),
        migrations.CreateModel(
            name="PeriodCloseTotal",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("line_count", models.IntegerField()),
                ("debit_cents", models.BigIntegerField()),
                ("credit_cents", models.BigIntegerField()),
                (
                    "gl_account",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="ledger.glaccount"
                    ),
                ),
                (
                    "record",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="totals",
                        to="ledger.periodcloserecord",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("record", "gl_account"), name="one_close_total_per_gl_account")
                ],
            },
        ),
        migrations.RunPython(record_closed_periods, migrations.RunPython.noop),
        *append_only_operations("ledger_periodcloserecord"),
        *append_only_operations("ledger_periodclosetotal"),
        *no_replace_operations("ledger_journalentry", ("id", "idempotency_key", "reverses_id")),
        *no_replace_operations("ledger_journalline"),
        *no_replace_operations("ledger_periodcloserecord", ("id", "month, closed_at")),
        *no_replace_operations("ledger_periodclosetotal", ("id", "record_id, gl_account_id")),
    ]
