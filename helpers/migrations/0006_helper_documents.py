# Applicants' documents (the files are encrypted on disk) and the log of managers' accesses.

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import backend.clock


class Migration(migrations.Migration):
    dependencies = [
        ("helpers", "0005_approval_vetting_steps"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HelperDocument",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("public_id", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("identity", "Identity document (passport or ID card)"),
                            ("criminal_record_extract", "Criminal record extract"),
                        ],
                        max_length=32,
                    ),
                ),
                (
                    "content_type",
                    models.CharField(help_text="Detected from the file's content.", max_length=32),
                ),
                ("size_bytes", models.PositiveIntegerField()),
                ("original_name", models.CharField(blank=True, max_length=120)),
                ("issued_on", models.DateField(blank=True, null=True)),
                (
                    "sha256",
                    models.CharField(
                        help_text="Of the file as uploaded (not encrypted).", max_length=64
                    ),
                ),
                ("storage_name", models.CharField(editable=False, max_length=64, unique=True)),
                ("uploaded_at", models.DateTimeField(default=backend.clock.now, editable=False)),
                ("delete_after", models.DateTimeField(blank=True, null=True)),
                ("deleted_at", models.DateTimeField(blank=True, null=True)),
                (
                    "deletion_cause",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("replaced", "Replaced by a newer upload"),
                            ("retention", "Deleted after the decision, as announced"),
                        ],
                        max_length=16,
                    ),
                ),
                (
                    "helper",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="documents",
                        to="helpers.helperprofile",
                    ),
                ),
            ],
            options={
                "ordering": ("helper", "kind", "uploaded_at", "id"),
            },
        ),
        migrations.CreateModel(
            name="DocumentAccess",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("accessed_at", models.DateTimeField(default=backend.clock.now, editable=False)),
                ("ip_address", models.GenericIPAddressField(blank=True, null=True)),
                (
                    "manager",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "document",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="accesses",
                        to="helpers.helperdocument",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "document accesses",
                "ordering": ("accessed_at", "id"),
            },
        ),
        migrations.AddIndex(
            model_name="helperdocument",
            index=models.Index(
                fields=["deleted_at", "delete_after"], name="helpers_hel_deleted_dd4ba4_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="helperdocument",
            constraint=models.UniqueConstraint(
                condition=models.Q(("deleted_at__isnull", True)),
                fields=("helper", "kind"),
                name="helper_document_one_in_force_per_kind",
            ),
        ),
    ]
