"""The match index stores each row's rating and reliability score, and its spatial indexes
take that score as one more dimension: a third R*Tree dimension on SQLite, a second column of
the partial GiST on PostgreSQL (through btree_gist). The spatial indexes are built here, from
the table, for every category.

Existing rows get the score 10 (above any score, so they are never left out) until the next
`manage.py match_index_rebuild` computes them.
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def rebuild_spatial(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from bookings.matching.search import spatial_index

    alias = schema_editor.connection.alias
    spatial = spatial_index(alias)
    spatial.drop_all()
    category = apps.get_model("bookings", "ServiceCategory")
    for pk in category.objects.using(alias).values_list("pk", flat=True):
        spatial.ensure(pk)


def drop_spatial(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from bookings.matching.search import spatial_index

    spatial_index(schema_editor.connection.alias).drop_all()


class Migration(migrations.Migration):
    dependencies = [("bookings", "0007_match_index_spatial")]

    operations = [
        migrations.CreateModel(
            name="MatchIndexState",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("static_key", models.CharField(max_length=32)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
        ),
        migrations.AddField(
            model_name="matchentry",
            name="static_score",
            field=models.FloatField(
                default=10.0,
                help_text=(
                    "The rating and reliability part of the score under the settings "
                    "MatchIndexState names; 10 (above any score) until computed under them."
                ),
            ),
        ),
        BtreeGistExtension(),
        migrations.RunPython(rebuild_spatial, drop_spatial),
    ]
