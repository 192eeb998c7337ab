from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0013_payment_decline_reason"),
    ]

    operations = [
        migrations.AddField(
            model_name="extracharge",
            name="decline_reason",
            field=models.CharField(blank=True, max_length=32, verbose_name="decline reason"),
        ),
    ]
