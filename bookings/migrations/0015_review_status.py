# Publication becomes a review's status (hidden → published) with its one writer. Reviews
# published before keep their moment of publication.

from django.db import migrations, models


def status_from_publication(apps, schema_editor):
    Review = apps.get_model("bookings", "Review")
    Review.objects.filter(published_at__isnull=False).update(status="published")


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0014_proposal_price_fixed_when_proposed"),
    ]

    operations = [
        migrations.AddField(
            model_name="review",
            name="status",
            field=models.CharField(
                choices=[
                    ("hidden", "Hidden until both sides reviewed or the window closed"),
                    ("published", "Published"),
                ],
                default="hidden",
                max_length=16,
            ),
        ),
        migrations.RunPython(status_from_publication, migrations.RunPython.noop),
    ]
