"""Each user's one API token becomes a device ("Unnamed device") with the same token, so that
phones signed in before devices existed stay signed in; the old token rows are removed."""

import hashlib

from django.db import migrations


def tokens_to_devices(apps, schema_editor):
    db = schema_editor.connection.alias
    Token = apps.get_model("authtoken", "Token")
    Device = apps.get_model("backend", "Device")
    for token in Token.objects.using(db).all().iterator():
        Device.objects.using(db).create(
            user_id=token.user_id,
            key_digest=hashlib.sha256(token.key.encode()).hexdigest(),
            name="Unnamed device",
            platform="other",
            created_at=token.created,
        )
    Token.objects.using(db).all().delete()


def devices_to_nothing(apps, schema_editor):
    # A device keeps only its token's digest: the token cannot be given back. Going back
    # signs every device out (each logs in again).
    apps.get_model("backend", "Device").objects.using(schema_editor.connection.alias).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("backend", "0009_devices"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(tokens_to_devices, devices_to_nothing)]
