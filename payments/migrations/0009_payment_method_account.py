from typing import Any

from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def pin_method_accounts(apps: Any, schema_editor: Any) -> None:
    """Each card given so far was made on its payout account's Stripe account: the current one,
    or, for an account disconnected since, the one it still names until the helper reconnects."""
    payment_model = apps.get_model("payments", "Payment")
    account_model = apps.get_model("payments", "PayoutAccount")
    account_id = account_model.objects.filter(pk=OuterRef("payout_account_id")).values(
        "stripe_account_id"
    )[:1]
    payment_model.objects.exclude(payment_method_id="").update(
        method_account_id=Coalesce(Subquery(account_id), Value(""))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0008_payment_intent_account"),
    ]

    operations = [
        migrations.AddField(
            model_name="payment",
            name="method_account_id",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(pin_method_accounts, migrations.RunPython.noop),
    ]
