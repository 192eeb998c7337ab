from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("realtime", "0003_model_and_field_labels_translated"),
    ]

    operations = [
        migrations.AddField(
            model_name="pushsubscription",
            name="failures",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="failed sends in a row"),
        ),
    ]
