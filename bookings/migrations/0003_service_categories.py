from django.db import migrations

CATEGORIES = [
    # slug, English, German, French, Italian, minutes, description
    (
        "internet-wifi",
        "Internet & Wi-Fi",
        "Internet & WLAN",
        "Internet & Wi-Fi",
        "Internet & Wi-Fi",
        60,
        "Router set-up, Wi-Fi coverage, mesh systems, connection problems.",
    ),
    (
        "tv-streaming",
        "TV & streaming",
        "TV & Streaming",
        "TV & streaming",
        "TV & streaming",
        60,
        "TV boxes, channel lists, recordings, streaming services.",
    ),
    (
        "smartphone-tablet",
        "Smartphone & tablet",
        "Smartphone & Tablet",
        "Smartphone & tablette",
        "Smartphone & tablet",
        60,
        "Setting up a new phone, moving contacts, e-mail, updates.",
    ),
    (
        "computer-printer",
        "Computer & printer",
        "Computer & Drucker",
        "Ordinateur & imprimante",
        "Computer & stampante",
        90,
        "New computer, printers and scanners, slow machines, updates.",
    ),
    (
        "smart-home",
        "Smart home",
        "Smart Home",
        "Maison connectée",
        "Casa intelligente",
        90,
        "Smart speakers, lights, thermostats, cameras and doorbells.",
    ),
    (
        "apps-accounts",
        "Apps & accounts",
        "Apps & Konten",
        "Applications & comptes",
        "App & account",
        45,
        "E-banking, SBB, TWINT, video calls, passwords and two-factor log-in.",
    ),
    (
        "data-backup-transfer",
        "Data backup & transfer",
        "Datensicherung & -übertragung",
        "Sauvegarde & transfert de données",
        "Backup & trasferimento dati",
        90,
        "Photos and documents backed up, moved to a new device or the cloud.",
    ),
    (
        "landline-telephony",
        "Landline & telephony",
        "Festnetz & Telefonie",
        "Téléphonie fixe",
        "Telefonia fissa",
        45,
        "Home phones, call forwarding, voicemail, IP telephony.",
    ),
    (
        "security-privacy",
        "Security & privacy",
        "Sicherheit & Datenschutz",
        "Sécurité & vie privée",
        "Sicurezza & privacy",
        60,
        "Antivirus, scam e-mails, safe settings, parental controls.",
    ),
]


def load_categories(apps, schema_editor):
    ServiceCategory = apps.get_model("bookings", "ServiceCategory")
    # The database being migrated, not the default one: a process may migrate several.
    categories = ServiceCategory.objects.using(schema_editor.connection.alias)
    for position, (slug, en, de, fr, it, minutes, description) in enumerate(CATEGORIES):
        categories.update_or_create(
            slug=slug,
            defaults={
                "name": en,
                "name_de": de,
                "name_fr": fr,
                "name_it": it,
                "typical_duration_minutes": minutes,
                "description": description,
                "position": position,
                "is_active": True,
            },
        )


def unload_categories(apps, schema_editor):
    ServiceCategory = apps.get_model("bookings", "ServiceCategory")
    ServiceCategory.objects.using(schema_editor.connection.alias).filter(
        slug__in=[row[0] for row in CATEGORIES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("bookings", "0002_relations")]

    operations = [migrations.RunPython(load_categories, unload_categories)]
