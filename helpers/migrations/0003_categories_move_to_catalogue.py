# A helper's skills point at the catalogue app's categories (the same table: state only).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("helpers", "0002_timestamps_on_the_clock"),
        ("catalogue", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="helperskill",
                    name="category",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        to="catalogue.servicecategory",
                    ),
                ),
                migrations.AlterField(
                    model_name="helperprofile",
                    name="skills",
                    field=models.ManyToManyField(
                        related_name="helpers",
                        through="helpers.HelperSkill",
                        to="catalogue.servicecategory",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
