# Why an offer was withdrawn, as a choice instead of only a note. Offers withdrawn before are
# given their cause from the note the services wrote with them.

from django.db import migrations, models

CAUSE_OF_NOTE = {
    "request changed": "request_changed",
    "request withdrawn": "request_withdrawn",
    "request expired": "request_expired",
    "another helper accepted": "taken",
    "helper suspended": "helper_suspended",
}


def causes_from_notes(apps, schema_editor):
    Offer = apps.get_model("bookings", "Offer")
    for note, cause in CAUSE_OF_NOTE.items():
        Offer.objects.filter(status="withdrawn", decline_note=note).update(withdrawal_cause=cause)


def forget_causes(apps, schema_editor):
    apps.get_model("bookings", "Offer").objects.update(withdrawal_cause="")


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0012_help_request_rematch_count"),
    ]

    operations = [
        migrations.AddField(
            model_name="offer",
            name="withdrawal_cause",
            field=models.CharField(
                blank=True,
                choices=[
                    ("request_changed", "The customer changed the request"),
                    ("request_withdrawn", "The customer withdrew the request"),
                    ("request_expired", "Every time window passed"),
                    ("taken", "Another helper accepted"),
                    ("helper_suspended", "The helper was suspended"),
                ],
                help_text="Why a withdrawn offer was withdrawn. One withdrawn because the customer changed the request does not count as an offer the helper received.",
                max_length=20,
            ),
        ),
        migrations.RunPython(causes_from_notes, forget_causes),
    ]
