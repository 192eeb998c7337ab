# Versioned legal documents (terms, waivers, the helpers' code of conduct) and the append-only
# record of who accepted which version of exactly which text.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import backend.clock


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0002_rename_table"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="LegalDocument",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("slug", models.SlugField(max_length=60, unique=True)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("customer_terms", "Customer terms"),
                            ("data_safety_waiver", "Data-safety waiver"),
                            ("category_waiver", "Waiver for one category"),
                            ("helper_code_of_conduct", "Helpers' code of conduct"),
                            ("helper_liability_terms", "Helpers' liability terms"),
                        ],
                        max_length=32,
                    ),
                ),
                (
                    "category",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="waivers",
                        to="catalogue.servicecategory",
                    ),
                ),
            ],
            options={
                "ordering": ("kind", "slug"),
            },
        ),
        migrations.CreateModel(
            name="LegalDocumentVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveIntegerField()),
                ("title_de", models.CharField(max_length=200)),
                ("title_fr", models.CharField(max_length=200)),
                ("title_it", models.CharField(max_length=200)),
                ("title_en", models.CharField(max_length=200)),
                ("text_de", models.TextField()),
                ("text_fr", models.TextField()),
                ("text_it", models.TextField()),
                ("text_en", models.TextField()),
                ("published_at", models.DateTimeField(default=backend.clock.now, editable=False)),
                (
                    "document",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="versions",
                        to="catalogue.legaldocument",
                    ),
                ),
                (
                    "published_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ("document", "number"),
            },
        ),
        migrations.CreateModel(
            name="LegalAcceptance",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("language", models.CharField(max_length=2)),
                ("text_sha256", models.CharField(max_length=64)),
                ("accepted_at", models.DateTimeField(default=backend.clock.now, editable=False)),
                ("ip_address", models.GenericIPAddressField(blank=True, null=True)),
                ("user_agent", models.CharField(blank=True, max_length=300)),
                ("on_behalf_name", models.CharField(blank=True, max_length=80)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="legal_acceptances",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "version",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="acceptances",
                        to="catalogue.legaldocumentversion",
                    ),
                ),
            ],
            options={
                "ordering": ("accepted_at", "id"),
            },
        ),
        migrations.AddConstraint(
            model_name="legaldocument",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("category__isnull", False), ("kind", "category_waiver")),
                    models.Q(
                        models.Q(("kind", "category_waiver"), _negated=True),
                        ("category__isnull", True),
                    ),
                    _connector="OR",
                ),
                name="legal_document_category_iff_category_waiver",
            ),
        ),
        migrations.AddConstraint(
            model_name="legaldocumentversion",
            constraint=models.UniqueConstraint(
                fields=("document", "number"), name="legal_version_number_unique"
            ),
        ),
        migrations.AddIndex(
            model_name="legalacceptance",
            index=models.Index(fields=["user", "version"], name="catalogue_l_user_id_03832f_idx"),
        ),
    ]
