"""An offer's explanation in one line, in the reader's language: "2.3 km, 4.5★ from 4 reviews,
skilled in Router & Wi-Fi, speaks German, French, free Sat 12.12. 14:00".

The matching stores the figures of its choice (distance, rating, the category, the shared
languages as codes, the free slot), never words: the line is written when it is read, so an
offer made while the helper read English reads in German once they switch.

A helper reads an offer before they know where the customer lives: its distance is shown to
them rounded to HELPER_DISTANCE_STEP_M (`helper_explanation`), or two accounts at two places
could narrow a home down from exact distances. The matching and the manager keep the exact
figure."""

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

# A helper reads the distance to a request to the nearest 100 m.
HELPER_DISTANCE_STEP_M = 100
# Figures a helper's offer leaves out: the ranking score is the distance in another form
# (its distance part, with the rating and reliability shown beside it, gives the metres).
_NOT_FOR_HELPERS = frozenset({"score"})


def distance_for_helper(distance_m: float) -> int:
    """`distance_m` as a helper reads it: to the nearest HELPER_DISTANCE_STEP_M (half up)."""
    step = HELPER_DISTANCE_STEP_M
    return int((int(distance_m) + step // 2) // step * step)


def helper_explanation(explanation: dict[str, Any]) -> dict[str, Any]:
    """An offer's stored figures as the helper offered it may read them: the distance rounded
    (`distance_for_helper`), the score left out."""
    shown = {name: value for name, value in explanation.items() if name not in _NOT_FOR_HELPERS}
    if shown.get("distance_m") is not None:
        shown["distance_m"] = distance_for_helper(shown["distance_m"])
    return shown


def explanation_summary(explanation: dict[str, Any], *, category: str) -> str:
    """The line for an explanation's figures (`category`: the category's name, in the reader's
    language); a figure the explanation lacks is left out."""
    said: list[str] = []
    if explanation.get("distance_m") is not None:
        # To 100 m, for the manager as for the helper: one figure for one offer.
        km = formats.number_format(distance_for_helper(explanation["distance_m"]) / 1000, 1)
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
