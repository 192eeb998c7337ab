from django.db import migrations, models


class Migration(migrations.Migration):
    """The place check uses backend.geo's one Swiss bounding box (every stored place passed it)."""

    dependencies = [
        ("bookings", "0010_categories_move_to_catalogue"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="helprequest", name="help_request_in_switzerland"),
        migrations.AddConstraint(
            model_name="helprequest",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("latitude__gte", 45.8),
                    ("latitude__lte", 47.85),
                    ("longitude__gte", 5.94),
                    ("longitude__lte", 10.5),
                ),
                name="help_request_in_switzerland",
            ),
        ),
    ]
