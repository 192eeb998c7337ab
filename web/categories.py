"""How the web app shows the service categories: an icon and a short description per language.

The categories' names come from the catalogue (`name_in`); their descriptions there are in
English only, so the pages describe the categories they know in their own words, and fall back
to the catalogue's description for any other.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from catalogue.models import ServiceCategory

DESCRIPTIONS = {
    "internet-wifi": _("The internet at home, the router, the WiFi in every room."),
    "tv-streaming": _("The television, the TV box, channels and streaming."),
    "smartphone-tablet": _("Setting up a phone or tablet, messages, photos, video calls."),
    "computer-printer": _("The computer, the printer, the scanner, updates."),
    "smart-home": _("Smart lights, heating, door bells and cameras."),
    "apps-accounts": _("Apps and accounts: e-banking, SBB, TWINT, e-mail, passwords."),
    "data-backup-transfer": _("Saving photos and files, moving them to a new device."),
    "landline-telephony": _("The landline telephone, the answering machine."),
    "security-privacy": _("Staying safe: viruses, scams, privacy settings."),
}
ICONS = frozenset(DESCRIPTIONS)


def description_of(category: ServiceCategory) -> str:
    text = DESCRIPTIONS.get(category.slug)
    return str(text) if text is not None else category.description


def icon_of(category: ServiceCategory) -> str:
    return f"web/icons/{category.slug if category.slug in ICONS else 'other'}.svg"
