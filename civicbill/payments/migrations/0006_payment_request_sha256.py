from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0005_resent_files_and_processor_confirmations"),
    ]

    operations = [
        migrations.AddField(
            model_name="payment",
            name="request_sha256",
            field=models.CharField(blank=True, db_default="", max_length=64),
        ),
    ]
