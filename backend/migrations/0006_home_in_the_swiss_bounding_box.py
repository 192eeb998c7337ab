from django.db import migrations, models


class Migration(migrations.Migration):
    """The home check uses backend.geo's one Swiss bounding box (every stored home passed it)."""

    dependencies = [
        ("backend", "0005_event_log"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="user", name="user_home_in_switzerland"),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("home_latitude__isnull", True), ("home_longitude__isnull", True)),
                    models.Q(
                        ("home_latitude__gte", 45.8),
                        ("home_latitude__lte", 47.85),
                        ("home_longitude__gte", 5.94),
                        ("home_longitude__lte", 10.5),
                    ),
                    _connector="OR",
                ),
                name="user_home_in_switzerland",
            ),
        ),
    ]
