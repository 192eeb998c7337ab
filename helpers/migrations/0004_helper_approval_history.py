# Each helper's approval gets a history. Helpers approved or suspended before it existed get
# one row for how they got there, with the note and time the profile kept.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import backend.clock


def record_past_approvals(apps, schema_editor):
    HelperProfile = apps.get_model("helpers", "HelperProfile")
    HelperApprovalEvent = apps.get_model("helpers", "HelperApprovalEvent")
    HelperApprovalEvent.objects.bulk_create(
        [
            HelperApprovalEvent(
                helper_id=pk,
                from_status="applied",
                to_status=status,
                note=note,
                created_at=changed_at or created_at,
            )
            for pk, status, note, changed_at, created_at in HelperProfile.objects.exclude(
                approval_status="applied"
            ).values_list(
                "pk", "approval_status", "approval_note", "approval_changed_at", "created_at"
            )
        ],
        batch_size=1000,
    )


def forget_past_approvals(apps, schema_editor):
    apps.get_model("helpers", "HelperApprovalEvent").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("helpers", "0003_categories_move_to_catalogue"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HelperApprovalEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "from_status",
                    models.CharField(
                        choices=[
                            ("applied", "Applied, waiting for the community manager"),
                            ("approved", "Approved"),
                            ("suspended", "Suspended"),
                        ],
                        max_length=16,
                    ),
                ),
                (
                    "to_status",
                    models.CharField(
                        choices=[
                            ("applied", "Applied, waiting for the community manager"),
                            ("approved", "Approved"),
                            ("suspended", "Suspended"),
                        ],
                        max_length=16,
                    ),
                ),
                ("note", models.CharField(blank=True, max_length=500)),
                ("created_at", models.DateTimeField(default=backend.clock.now, editable=False)),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "helper",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="approval_events",
                        to="helpers.helperprofile",
                    ),
                ),
            ],
            options={
                "ordering": ("created_at", "id"),
            },
        ),
        migrations.RunPython(record_past_approvals, forget_past_approvals),
    ]
