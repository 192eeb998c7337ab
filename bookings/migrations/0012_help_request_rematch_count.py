from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0011_help_request_in_the_swiss_bounding_box"),
    ]

    operations = [
        migrations.AddField(
            model_name="helprequest",
            name="rematch_count",
            field=models.PositiveSmallIntegerField(
                default=0,
                help_text="How often a change of place, times or languages made matching start over.",
            ),
        ),
    ]
