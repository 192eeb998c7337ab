# The service categories move from the bookings app into their own app. The table stays as it
# is in this step (only Django's model state moves); 0002 renames it.

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("bookings", "0009_timestamps_on_the_clock"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ServiceCategory",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("slug", models.SlugField(max_length=40, unique=True)),
                        ("name", models.CharField(max_length=80)),
                        ("name_de", models.CharField(blank=True, max_length=80)),
                        ("name_fr", models.CharField(blank=True, max_length=80)),
                        ("name_it", models.CharField(blank=True, max_length=80)),
                        ("description", models.CharField(blank=True, max_length=300)),
                        ("typical_duration_minutes", models.PositiveSmallIntegerField(default=60)),
                        ("is_active", models.BooleanField(default=True)),
                        ("position", models.PositiveSmallIntegerField(default=0)),
                    ],
                    options={
                        "verbose_name_plural": "service categories",
                        "ordering": ("position", "slug"),
                        "db_table": "bookings_servicecategory",
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("typical_duration_minutes__gte", 15),
                                    ("typical_duration_minutes__lte", 480),
                                ),
                                name="category_duration_15_to_480",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
