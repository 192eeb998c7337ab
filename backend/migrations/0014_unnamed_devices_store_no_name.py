"""A device signed in without a name was stored as "Unnamed device", in English whatever the
reader's language; it now keeps no name, and the pages, the API and the back office show
"Unnamed device" in the reader's language."""

from django.db import migrations

STORED_IN_ENGLISH = "Unnamed device"


def english_name_to_none(apps, schema_editor):
    Device = apps.get_model("backend", "Device")
    Device.objects.using(schema_editor.connection.alias).filter(name=STORED_IN_ENGLISH).update(
        name=""
    )


def none_to_english_name(apps, schema_editor):
    Device = apps.get_model("backend", "Device")
    Device.objects.using(schema_editor.connection.alias).filter(name="").update(
        name=STORED_IN_ENGLISH
    )


class Migration(migrations.Migration):
    dependencies = [
        ("backend", "0013_device_name_may_be_empty"),
    ]

    operations = [migrations.RunPython(english_name_to_none, none_to_english_name)]
