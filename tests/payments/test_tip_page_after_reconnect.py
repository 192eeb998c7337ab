"""The request page's tip after the helper reconnected a new payout account: the visit's card,
given on the old account, cannot pay it, so the tip form takes a card (Stripe.js, made on the
helper's new account) and says why; the tip is charged there. Without a card the form says to
enter one, next to the card, and nothing is written. A visit whose card can pay the tip keeps
the form without a card."""

from __future__ import annotations

import html

import pytest

from backend.config import config
from backend.relay import relay_pending
from bookings import services as bookings
from payments.models import LedgerEntry, StripeRequest, Tip
from tests.payments.money import card, completed, held_booking, payment_of
from tests.payments.test_tip_after_reconnect import _settled_then_reconnected
from tests.web.refusals import refused_page
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db

WHY_FR = (
    "Si vous le souhaitez, remerciez la personne aidante avec un pourboire de 1.00 CHF à 200.00 CHF, une "
    "seule fois. La personne aidante a connecté un nouveau compte de versement depuis que vous avez payé la "
    "visite : la carte avec laquelle vous l’avez payée ne peut donc pas être débitée pour le "
    "pourboire. Veuillez saisir une carte. Tout va à la personne aidante ; les frais Stripe sur ce montant "
    "sont à sa charge."
)
ENTER_A_CARD_FR = (
    "La carte avec laquelle cette visite a été payée a été donnée pour l’ancien compte de "
    "versement de la personne aidante et ne peut pas être débitée sur le nouveau. Veuillez saisir une carte "
    "pour le pourboire."
)


def _tip_section(page: str) -> str:
    return page.split('id="tip-heading"', 1)[1].split("</section>", 1)[0]


def _written() -> tuple[int, int, int]:
    return Tip.objects.count(), LedgerEntry.objects.count(), StripeRequest.objects.count()


def test_the_tip_form_takes_a_card_on_the_new_account_and_says_why(client):
    booking, old, new = _settled_then_reconnected(client)
    _logged_in(client, booking.help_request.customer, "fr")
    url = f"/requests/{booking.help_request.public_id}/"

    # When the customer opens the request's page
    answer = client.get(url)
    page = answer.content.decode()

    # Then the tip form takes a card made on the helper's new account, saying why
    tip = _tip_section(page)
    why = tip.split('id="tip-card-why">')[1].split("</p>")[0]
    assert html.unescape(" ".join(why.split())) == WHY_FR
    assert "data-card-form" in tip
    assert f'data-account="{new}"' in tip
    assert old not in page
    assert 'name="tip-payment_method"' in tip
    assert "web/card.js" in page
    # And the page lets the emulator's Stripe.js in (and only it), for the card
    policy = answer.headers["Content-Security-Policy"]
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert config().stripe_js_sources["script-src"][0] in script_src.split()

    # When the tip is given without a card
    before = _written()
    refused = client.post(f"{url}tip", {"tip-amount": "5"})

    # Then the form says to enter one, next to the card, and nothing is written
    errors = refused_page(client, refused, url).split('id="id_tip-payment_method_error">')[1]
    assert html.unescape(errors.split("</li>")[0].split("<li>")[1]) == ENTER_A_CARD_FR
    assert _written() == before

    # When the tip is given with a card made on the new account
    given = client.post(
        f"{url}tip", {"tip-amount": "5", "tip-payment_method": card(booking.helper)}
    )

    # Then it is charged there
    assert given.status_code == 302
    tip_row = Tip.objects.get(booking=booking)
    assert (tip_row.account_id, tip_row.amount_minor) == (new, 500)


def test_a_visit_whose_card_pays_the_tip_asks_for_no_card(client):
    booking = completed(held_booking())
    bookings.booking_sign_off(booking=booking, actor=booking.help_request.customer)
    relay_pending()
    assert payment_of(booking).status == "captured"
    _logged_in(client, booking.help_request.customer, "fr")

    page = client.get(f"/requests/{booking.help_request.public_id}/").content.decode()

    tip = _tip_section(page)
    assert "data-card-form" not in tip
    assert 'id="tip-card-why"' not in tip
    assert "débité de la carte avec laquelle vous avez payé" in html.unescape(tip)
