import django.db.models.deletion
from django.db import migrations, models

import backend.clock


class Migration(migrations.Migration):
    dependencies = [
        ("backend", "0004_date_joined_on_the_clock"),
    ]

    operations = [
        migrations.CreateModel(
            name="OutboxEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("event_type", models.CharField(max_length=64)),
                ("aggregate_type", models.CharField(max_length=32)),
                ("aggregate_id", models.BigIntegerField()),
                ("payload", models.JSONField(default=dict)),
                ("occurred_at", models.DateTimeField(default=backend.clock.now)),
                ("relayed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "attempts",
                    models.PositiveIntegerField(
                        default=0, help_text="Failed deliveries to an after-commit handler so far."
                    ),
                ),
                ("last_error", models.TextField(blank=True)),
            ],
            options={"ordering": ("id",)},
        ),
        migrations.CreateModel(
            name="EventDelivery",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("handler", models.CharField(max_length=200)),
                ("delivered_at", models.DateTimeField(default=backend.clock.now)),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="deliveries",
                        to="backend.outboxevent",
                    ),
                ),
            ],
            options={"verbose_name_plural": "event deliveries", "ordering": ("id",)},
        ),
        migrations.AddIndex(
            model_name="outboxevent",
            index=models.Index(
                fields=["aggregate_type", "aggregate_id", "id"], name="outbox_event_aggregate"
            ),
        ),
        migrations.AddIndex(
            model_name="outboxevent",
            index=models.Index(
                condition=models.Q(("relayed_at__isnull", True)),
                fields=["id"],
                name="outbox_event_pending",
            ),
        ),
        migrations.AddConstraint(
            model_name="eventdelivery",
            constraint=models.UniqueConstraint(
                fields=("event", "handler"), name="event_delivered_once"
            ),
        ),
    ]
