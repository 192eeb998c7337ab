"""How the web app shows the service categories: an icon each.

The categories' names and descriptions come from the catalogue, in the reader's language
(catalogue/translation.py); the nine categories Quartier starts with have an icon of their own,
any other the general one.
"""

from __future__ import annotations

from catalogue.models import ServiceCategory

ICONS = frozenset(
    {
        "internet-wifi",
        "tv-streaming",
        "smartphone-tablet",
        "computer-printer",
        "smart-home",
        "apps-accounts",
        "data-backup-transfer",
        "landline-telephony",
        "security-privacy",
    }
)


def icon_of(category: ServiceCategory) -> str:
    return f"web/icons/{category.slug if category.slug in ICONS else 'other'}.svg"
