# Each proposed time keeps the price it was proposed at. Proposals made before are given the
# price the API showed for them until now: the helper's current rate, per started quarter hour.

from django.db import migrations, models


def price_existing_proposals(apps, schema_editor):
    SlotProposal = apps.get_model("bookings", "SlotProposal")
    for proposal in SlotProposal.objects.filter(price_minor__isnull=True).select_related(
        "booking__helper"
    ):
        helper = proposal.booking.helper
        minutes = int((proposal.ends_at - proposal.starts_at).total_seconds() // 60)
        billed = -(-minutes // 15) * 15
        proposal.price_minor = (helper.hourly_rate_minor * billed + 30) // 60
        proposal.currency = helper.currency
        proposal.save(update_fields=["price_minor", "currency"])


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0013_offer_withdrawal_cause"),
    ]

    operations = [
        migrations.AddField(
            model_name="slotproposal",
            name="price_minor",
            field=models.PositiveIntegerField(
                help_text="The visit's price at this time, in minor units, as proposed.", null=True
            ),
        ),
        migrations.AddField(
            model_name="slotproposal",
            name="currency",
            field=models.CharField(default="CHF", max_length=3),
        ),
        migrations.RunPython(price_existing_proposals, migrations.RunPython.noop),
    ]
