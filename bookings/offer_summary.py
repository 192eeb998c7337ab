"""An offer's explanation in one line, in the reader's language: "2.3 km, 4.5★ from 4 reviews,
skilled in Router & Wi-Fi, speaks German, French, free Sat 12.12. 14:00".

The matching stores the figures of its choice (distance, rating, the category, the shared
languages as codes, the free slot), never words: the line is written when it is read, so an
offer made while the helper read English reads in German once they switch."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from backend.languages import language_names
from bookings.models import Offer

# French and Italian write a weekday in small letters within a text, where Django's short names
# are capitalised ("Lun"), as the web's day words do.
_SMALL_WEEKDAYS = frozenset({"fr", "it"})


def explanation_summary(explanation: dict[str, Any], *, category: str) -> str:
    """The line for an explanation's figures (`category`: the category's name, in the reader's
    language); a figure the explanation lacks is left out."""
    said: list[str] = []
    if explanation.get("distance_m") is not None:
        km = formats.number_format(explanation["distance_m"] / 1000, 1)
        said.append(_("%(km)s km") % {"km": km})
    average, count = explanation.get("rating_average"), explanation.get("rating_count") or 0
    if average is not None and count:
        said.append(
            ngettext(
                "%(average)s★ from %(count)d review",
                "%(average)s★ from %(count)d reviews",
                count,
            )
            % {"average": formats.number_format(average), "count": count}
        )
    else:
        said.append(_("new helper"))
    said.append(_("skilled in %(category)s") % {"category": category})
    if explanation.get("shared_languages"):
        said.append(
            _("speaks %(languages)s")
            % {"languages": language_names(explanation["shared_languages"])}
        )
    if explanation.get("free_from"):
        free = timezone.localtime(datetime.fromisoformat(explanation["free_from"]))
        when = formats.date_format(free, "D d.m. H:i")
        if translation.get_language() in _SMALL_WEEKDAYS:
            when = when[:1].lower() + when[1:]
        said.append(_("free %(when)s") % {"when": when})
    return ", ".join(said)


def offer_summary(offer: Offer) -> str:
    """The offer's explanation in one line (reads the offer's request and its category)."""
    explanation = offer.explanation if isinstance(offer.explanation, dict) else {}
    return explanation_summary(explanation, category=offer.help_request.category.name)
