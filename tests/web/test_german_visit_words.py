"""German sentences of the visit's pages that a walk through them found wrong: a held price
"er wird jetzt belastet" spoke of the visit being charged, not the amount; the request form's
languages read "Sprachen, die die Helferin oder der Helfer sprechen darf"; a cancelled visit's
state read "Storniert" where every page says "abgesagt". And the helper's visit page heads the
note they left on how to do it next time, as the customer's page does."""

from __future__ import annotations

import pytest
from django.utils import translation

from bookings.models import BookingStatus
from tests.factories import make_booking, make_helper
from tests.web.test_pages import _logged_in
from web.words import STATUS_WORDS

pytestmark = pytest.mark.django_db


def test_the_held_price_being_charged_is_the_amount_not_the_visit():
    with translation.override("de"):
        said = translation.gettext(
            "Price: %(price)s, held on your card: you signed the visit off, so it is being "
            "charged now."
        ) % {"price": "CHF 80.00"}

    assert said == (
        "Preis: CHF 80.00, auf Ihrer Karte reserviert: Sie haben den Besuch abgenommen, der "
        "Betrag wird jetzt belastet."
    )


def test_the_request_form_names_the_languages_naturally(client):
    customer = make_booking(BookingStatus.AWAITING_PROPOSAL).help_request.customer
    _logged_in(client, customer, "de")

    html = client.get("/requests/new").content.decode()

    assert "Sprachen für das Gespräch mit der Helferin oder dem Helfer" in html
    assert "sprechen darf" not in html


def test_a_cancelled_visit_is_abgesagt_in_the_lists():
    with translation.override("de"):
        assert str(STATUS_WORDS[BookingStatus.CANCELLED]) == "Abgesagt"


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("de", "Ihre Notiz: So geht es nächstes Mal selbst"),
        ("fr", "Votre note : comment le faire soi-même la prochaine fois"),
        ("it", "La sua nota: come farlo da sé la prossima volta"),
        ("en", "Your note on how to do it next time"),
    ],
)
def test_the_helpers_visit_page_heads_the_note_for_next_time(client, language, heading):
    booking = make_booking(BookingStatus.COMPLETED, helper=make_helper())
    _logged_in(client, booking.helper.user, language)

    html = client.get(f"/helper/visits/{booking.public_id}/").content.decode()

    assert (
        f"<h3>{heading}</h3>\n"
        '      <p class="note">Restart the router with the button at the back.</p>'
    ) in html
