# Requests and the match index point at the catalogue app's categories (the same table: state
# only), and the bookings app stops owning the model.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0009_timestamps_on_the_clock"),
        ("catalogue", "0001_initial"),
        ("helpers", "0003_categories_move_to_catalogue"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="helprequest",
                    name="category",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        to="catalogue.servicecategory",
                    ),
                ),
                migrations.AlterField(
                    model_name="matchentry",
                    name="category",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="catalogue.servicecategory",
                    ),
                ),
                migrations.DeleteModel(name="ServiceCategory"),
            ],
            database_operations=[],
        ),
    ]
