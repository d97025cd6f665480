"""Seed the standard miscellaneous receipt codes (each mapped to its General Fund revenue account)."""

from django.db import migrations

RECEIPT_CODES = [
    # code, description, GL revenue account, reference label
    ("PARKING", "Parking citation", "100-4310", "Citation number"),
    ("BUSLIC", "Business license", "100-4320", "License number"),
    ("PERMIT", "Permit", "100-4330", "Permit number"),
    ("COPIES", "Copies", "100-4390", ""),
    ("OTHER", "Other city fees", "100-4390", ""),
]


def forward(apps, schema_editor):
    GLAccount = apps.get_model("ledger", "GLAccount")
    ReceiptCode = apps.get_model("payments", "ReceiptCode")
    gl = {account.code: account for account in GLAccount.objects.all()}
    existing = set(ReceiptCode.objects.values_list("code", flat=True))
    ReceiptCode.objects.bulk_create(
        ReceiptCode(
            code=code,
            description=description,
            gl_account=gl[gl_code],
            fund=gl[gl_code].fund,
            reference_label=label,
        )
        for code, description, gl_code, label in RECEIPT_CODES
        if code not in existing
    )


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial"), ("ledger", "0004_cashiering_accounts")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
