"""Reviews get a public id, like requests, offers and bookings: the API names each review."""

import uuid

from django.db import migrations, models


def give_ids(apps, schema_editor):
    review_model = apps.get_model("bookings", "Review")
    for review in review_model.objects.filter(public_id__isnull=True).only("pk"):
        review_model.objects.filter(pk=review.pk).update(public_id=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0017_booking_charge"),
    ]

    operations = [
        migrations.AddField(
            model_name="review",
            name="public_id",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(give_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="review",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
