"""Screen readers announce a live region whose words change, not one that arrives anew: the
pages that bring their news by themselves (the customer's request, the helper's visit, the
helper's offers) keep their live region outside the part they redraw, and the part's answer
changes only the region's words (out of band). The language switch's button says what it
changes."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.utils import translation

from bookings.models import BookingStatus
from bookings.services import offer_accept
from tests.factories import UserFactory, make_booking, make_helper, pending_offer, post_request
from tests.web.test_pages import _logged_in
from web.words import booking_words, helper_visit_words

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _LiveRegions(HTMLParser):
    """Each live region of a page (role=status or aria-live): its id, role and politeness,
    the ids of the elements around it, and its words."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[tuple[str, dict[str, str | None]]] = []
        self.regions: list[dict[str, object]] = []
        self.reading: list[tuple[int, dict[str, object]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if named.get("role") == "status" or "aria-live" in named:
            region: dict[str, object] = {
                "id": named.get("id"),
                "role": named.get("role"),
                "aria-live": named.get("aria-live"),
                "within": [found["id"] for _, found in self.open if found.get("id")],
                "words": "",
            }
            self.regions.append(region)
            self.reading.append((len(self.open), region))
        if tag not in VOID:
            self.open.append((tag, named))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        self.open.pop()
        self.reading = [(depth, region) for depth, region in self.reading if depth < len(self.open)]

    def handle_data(self, data: str) -> None:
        for _, region in self.reading:
            region["words"] = " ".join(f"{region['words']} {data}".split())


def _regions(html: str) -> list[dict[str, object]]:
    parser = _LiveRegions()
    parser.feed(html)
    return parser.regions


def test_the_request_pages_status_stays_while_its_part_is_redrawn(client):
    booking = make_booking(BookingStatus.AWAITING_PROPOSAL)
    _logged_in(client, booking.help_request.customer)
    url = f"/requests/{booking.help_request.public_id}/"
    with translation.override("en"):
        words = booking_words(booking)
    assert words.endswith("accepted your request and will propose times for the visit soon.")

    page = client.get(url).content.decode()
    fragment = client.get(url + "?wait=3", **HX).content.decode()

    # One status box on the page, outside the part the page asks for again (beside the
    # banner of a lost connection and the chat's log, which stay as well)
    assert _regions(page) == [
        {
            "id": "live-banner",
            "role": "status",
            "aria-live": None,
            "within": ["main"],
            "words": "Reconnecting…",
        },
        {
            "id": "request-status",
            "role": "status",
            "aria-live": "polite",
            "within": ["main"],
            "words": words,
        },
        {
            "id": "chat-messages",
            "role": "log",
            "aria-live": "polite",
            "within": ["main", "chat"],
            "words": "No messages yet. Write to the helper here.",
        },
    ]
    assert '<div id="request-main" data-live-status="request-status"' in page
    # The part's answer holds no live region of its own: it changes the box's words
    assert fragment.lstrip().startswith('<div id="request-main"')
    assert _regions(fragment) == []
    assert fragment.count("hx-swap-oob") == 1
    assert f'<p id="request-status-words" hx-swap-oob="innerHTML">{words}</p>' in fragment


def test_the_helpers_visit_status_stays_while_its_part_is_redrawn(client):
    booking = make_booking(BookingStatus.PROPOSED)
    _logged_in(client, booking.helper.user)
    url = f"/helper/visits/{booking.public_id}/"
    with translation.override("en"):
        words = helper_visit_words(booking)

    page = client.get(url).content.decode()
    fragment = client.get(url + "?wait=3", **HX).content.decode()

    regions = [
        region for region in _regions(page) if region["id"] not in {"live-banner", "chat-messages"}
    ]
    assert regions == [
        {
            "id": "visit-status",
            "role": "status",
            "aria-live": "polite",
            "within": ["main"],
            "words": words,
        }
    ]
    assert fragment.lstrip().startswith('<div id="visit-main" data-live-status="visit-status"')
    assert _regions(fragment) == []
    assert f'<p id="visit-status-words" hx-swap-oob="innerHTML">{words}</p>' in fragment


def _two_offers():
    helper = make_helper(display_name="Marco Rossi")
    first = pending_offer(post_request(UserFactory.create()), helper)
    second = pending_offer(post_request(UserFactory.create()), helper)
    return helper, first, second


def _news(fragment: str) -> str:
    start = fragment.index('<p id="offers-news" hx-swap-oob="innerHTML">')
    return fragment[start : fragment.index("</p>", start) + len("</p>")]


def test_the_offers_page_says_how_many_offers_are_new_to_it(client):
    helper, first, second = _two_offers()
    _logged_in(client, helper.user)

    page = client.get("/helper/").content.decode()
    one_new = client.get(f"/helper/?wait=3&shown={first.public_id}", **HX).content.decode()
    both_new = client.get("/helper/?wait=3", **HX).content.decode()
    none_new = client.get(
        f"/helper/?wait=3&shown={first.public_id}&shown={second.public_id}", **HX
    ).content.decode()

    # The page itself says nothing (the offers are there); the region waits outside the part
    news = [region for region in _regions(page) if region["id"] == "offers-news"]
    assert news == [
        {
            "id": "offers-news",
            "role": "status",
            "aria-live": "polite",
            "within": ["main"],
            "words": "",
        }
    ]
    assert (
        '<p class="visually-hidden" id="offers-news" role="status" aria-live="polite"></p>' in page
    )
    # Its answers change the region's words only
    for fragment in (one_new, both_new, none_new):
        assert fragment.lstrip().startswith('<div id="helper-main"')
        assert fragment.count("hx-swap-oob") == 2
        assert fragment.count('data-offer="') == 2
        assert '<div id="offers-taken" hx-swap-oob="innerHTML"></div>' in fragment
    assert _news(one_new) == '<p id="offers-news" hx-swap-oob="innerHTML">1 new offer</p>'
    assert _news(both_new) == '<p id="offers-news" hx-swap-oob="innerHTML">2 new offers</p>'
    assert _news(none_new) == '<p id="offers-news" hx-swap-oob="innerHTML"></p>'


@pytest.mark.parametrize(
    ("language", "one", "two"),
    [
        ("de", "1 neues Angebot", "2 neue Angebote"),
        ("fr", "1 nouvelle offre", "2 nouvelles offres"),
        ("it", "1 nuova offerta", "2 nuove offerte"),
    ],
)
def test_the_new_offers_are_counted_in_the_helpers_language(client, language, one, two):
    helper, first, _ = _two_offers()
    _logged_in(client, helper.user, language)

    one_new = client.get(f"/helper/?shown={first.public_id}", **HX).content.decode()
    both_new = client.get("/helper/", **HX).content.decode()

    assert _news(one_new) == f'<p id="offers-news" hx-swap-oob="innerHTML">{one}</p>'
    assert _news(both_new) == f'<p id="offers-news" hx-swap-oob="innerHTML">{two}</p>'


@pytest.mark.parametrize(
    ("language", "name", "shown"),
    [
        ("en", "Change language", "Change"),
        ("de", "Sprache wechseln", "Wechseln"),
        ("fr", "Changer de langue", "Changer"),
        ("it", "Cambia lingua", "Cambia"),
    ],
)
def test_the_language_buttons_name_says_what_it_changes(client, language, name, shown):
    _logged_in(client, UserFactory.create(), language)

    page = client.get("/requests/").content.decode()

    button = f'<button type="submit" aria-label="{name}">{shown}</button>'
    assert page.count(button) == 1
    # The word it shows is part of its name, as voice control needs
    assert shown.lower() in name.lower()


TAKEN = "Another helper was a little quicker: this job is taken. Thank you for answering so fast!"


def _an_offer_taken_by_a_rival():
    helper, rival = make_helper(display_name="Marco Rossi"), make_helper()
    help_request = post_request(UserFactory.create())
    mine = pending_offer(help_request, helper)
    offer_accept(offer=pending_offer(help_request, rival), actor=rival.user)
    return helper, mine


def test_an_offer_taken_by_another_helper_is_said_by_a_region_that_stays(client):
    helper, first = _an_offer_taken_by_a_rival()
    _logged_in(client, helper.user)

    page = client.get("/helper/").content.decode()
    fragment = client.get(f"/helper/?wait=3&gone={first.public_id}", **HX).content.decode()
    polled = client.get("/helper/?wait=6", **HX).content.decode()

    # A polite region outside the part, empty while nothing was taken
    taken = [region for region in _regions(page) if region["id"] == "offers-taken"]
    assert taken == [
        {
            "id": "offers-taken",
            "role": "status",
            "aria-live": "polite",
            "within": ["main"],
            "words": "",
        }
    ]
    assert '<div id="offers-taken" role="status" aria-live="polite"></div>' in page
    # The part's answer after the offer went brings the words to it, and no region of its own
    assert _regions(fragment) == []
    assert (
        '<div id="offers-taken" hx-swap-oob="innerHTML">'
        f'<p class="message message-taken">{TAKEN}</p></div>'
    ) in fragment
    assert fragment.count(TAKEN) == 1
    # The next answer takes them away again
    assert '<div id="offers-taken" hx-swap-oob="innerHTML"></div>' in polled
    assert TAKEN not in polled


def test_an_offer_taken_is_said_on_the_page_opened_after_it(client):
    helper, first = _an_offer_taken_by_a_rival()
    _logged_in(client, helper.user)

    page = client.get(f"/helper/?gone={first.public_id}").content.decode()

    taken = [region for region in _regions(page) if region["id"] == "offers-taken"]
    assert taken == [
        {
            "id": "offers-taken",
            "role": "status",
            "aria-live": "polite",
            "within": ["main"],
            "words": TAKEN,
        }
    ]
    assert page.count(TAKEN) == 1
