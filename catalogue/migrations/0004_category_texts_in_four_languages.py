"""The categories' names and descriptions get a column per language (django-modeltranslation).

`name_de`, `name_fr` and `name_it` were hand-added columns; they stay, now managed by
modeltranslation, with `name_en` and `description_{de,fr,it,en}` added. The English columns
take today's texts. The nine categories Quartier starts with get the plain-words descriptions
the web app showed (so the API and the pages now say the same, in the reader's language); any
other category keeps its description, in English.
"""

from django.db import migrations, models

# slug: (en, de, fr, it)
DESCRIPTIONS = {
    "internet-wifi": (
        "The internet at home, the router, the WiFi in every room.",
        "Das Internet zu Hause, der Router, das WLAN in jedem Zimmer.",
        "Internet à la maison, le routeur, le WiFi dans chaque pièce.",
        "Internet a casa, il router, il WiFi in ogni stanza.",
    ),
    "tv-streaming": (
        "The television, the TV box, channels and streaming.",
        "Der Fernseher, die TV-Box, Sender und Streaming.",
        "La télévision, la box TV, les chaînes et le streaming.",
        "Il televisore, il TV box, i canali e lo streaming.",
    ),
    "smartphone-tablet": (
        "Setting up a phone or tablet, messages, photos, video calls.",
        "Ein Handy oder Tablet einrichten, Nachrichten, Fotos, Videoanrufe.",
        "Configurer un téléphone ou une tablette, messages, photos, appels vidéo.",
        "Configurare un telefonino o un tablet, messaggi, foto, videochiamate.",
    ),
    "computer-printer": (
        "The computer, the printer, the scanner, updates.",
        "Der Computer, der Drucker, der Scanner, Updates.",
        "L’ordinateur, l’imprimante, le scanner, les mises à jour.",
        "Il computer, la stampante, lo scanner, gli aggiornamenti.",
    ),
    "smart-home": (
        "Smart lights, heating, door bells and cameras.",
        "Smarte Lampen, Heizung, Türklingeln und Kameras.",
        "Lampes connectées, chauffage, sonnettes et caméras.",
        "Luci intelligenti, riscaldamento, campanelli e telecamere.",
    ),
    "apps-accounts": (
        "Apps and accounts: e-banking, SBB, TWINT, e-mail, passwords.",
        "Apps und Konten: E-Banking, SBB, TWINT, E-Mail, Passwörter.",
        "Applications et comptes : e-banking, CFF, TWINT, e-mail, mots de passe.",
        "App e account: e-banking, FFS, TWINT, e-mail, password.",
    ),
    "data-backup-transfer": (
        "Saving photos and files, moving them to a new device.",
        "Fotos und Dateien sichern, auf ein neues Gerät übertragen.",
        "Sauvegarder photos et fichiers, les transférer sur un nouvel appareil.",
        "Salvare foto e file, trasferirli su un nuovo apparecchio.",
    ),
    "landline-telephony": (
        "The landline telephone, the answering machine.",
        "Das Festnetztelefon, der Anrufbeantworter.",
        "Le téléphone fixe, le répondeur.",
        "Il telefono fisso, la segreteria telefonica.",
    ),
    "security-privacy": (
        "Staying safe: viruses, scams, privacy settings.",
        "Sicher bleiben: Viren, Betrug, Privatsphäre-Einstellungen.",
        "Rester en sécurité : virus, arnaques, réglages de confidentialité.",
        "Restare al sicuro: virus, truffe, impostazioni della privacy.",
    ),
}


def fill_languages(apps, schema_editor):
    category_model = apps.get_model("catalogue", "ServiceCategory")
    for category in category_model.objects.all():
        category.name_en = category.name
        for language in ("de", "fr", "it"):
            field = f"name_{language}"
            setattr(category, field, getattr(category, field) or None)
        texts = DESCRIPTIONS.get(category.slug)
        if texts is None:
            category.description_en = category.description or None
        else:
            category.description = texts[0]
            (
                category.description_en,
                category.description_de,
                category.description_fr,
                category.description_it,
            ) = texts
        category.save()


def keep_english(apps, schema_editor):
    """Back: the original columns keep the English texts; the hand-added ones stay filled."""
    category_model = apps.get_model("catalogue", "ServiceCategory")
    for category in category_model.objects.all():
        category.name = category.name_en or category.name
        category.description = category.description_en or ""
        for language in ("de", "fr", "it"):
            field = f"name_{language}"
            setattr(category, field, getattr(category, field) or "")
        category.save()


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0003_legal_documents_and_acceptances"),
    ]

    operations = [
        migrations.AddField(
            model_name="servicecategory",
            name="description_de",
            field=models.CharField(blank=True, max_length=300, null=True),
        ),
        migrations.AddField(
            model_name="servicecategory",
            name="description_en",
            field=models.CharField(blank=True, max_length=300, null=True),
        ),
        migrations.AddField(
            model_name="servicecategory",
            name="description_fr",
            field=models.CharField(blank=True, max_length=300, null=True),
        ),
        migrations.AddField(
            model_name="servicecategory",
            name="description_it",
            field=models.CharField(blank=True, max_length=300, null=True),
        ),
        migrations.AddField(
            model_name="servicecategory",
            name="name_en",
            field=models.CharField(max_length=80, null=True),
        ),
        migrations.AlterField(
            model_name="servicecategory",
            name="name_de",
            field=models.CharField(max_length=80, null=True),
        ),
        migrations.AlterField(
            model_name="servicecategory",
            name="name_fr",
            field=models.CharField(max_length=80, null=True),
        ),
        migrations.AlterField(
            model_name="servicecategory",
            name="name_it",
            field=models.CharField(max_length=80, null=True),
        ),
        migrations.RunPython(fill_languages, keep_english),
    ]
