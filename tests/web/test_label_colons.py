"""A label and its value, a moment and what happened then, are joined by a colon that belongs
to the translated text: French writes a space before it ("Langues : allemand"), German,
Italian and English do not. No template writes the colon itself beside a translated word."""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from bookings.models import BookingEvent, BookingStatus
from helpers import services as helper_services
from helpers.document_services import document_open
from helpers.models import ApprovalStatus, HelperDocument
from tests.factories import (
    ManagerFactory,
    UserFactory,
    make_booking,
    make_helper,
    post_request,
    vet,
)
from tests.web.refusals import shown_once
from tests.web.test_pages import _logged_in
from web.templatetags import quartier
from web.words import APPROVAL_WORDS

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "web" / "templates" / "web"
# A translated text, whose colon is the translation's own.
_TRANSLATED = re.compile(r"{% blocktranslate.*?{% endblocktranslate %}", re.S)
# A colon written right after a tag, a variable or a bold label: "{% translate 'X' %}: ".
_BARE_COLON = re.compile(r"(?:%}|}}|</strong>)\s*:")


def bare_colons(template: str) -> list[str]:
    """The places where a template joins a label and its value with a colon of its own."""
    return _BARE_COLON.findall(_TRANSLATED.sub("{% translated %}", template))


def test_the_check_sees_a_colon_written_by_the_template():
    assert bare_colons('<p>{% translate "Reason" %}: {{ reason }}</p>') == ["%}:"]
    assert bare_colons("<li>{{ when }}: {{ what }}</li>") == ["}}:"]
    assert bare_colons("<p><strong>{{ outcome }}</strong>: {{ note }}</p>") == ["</strong>:"]
    said = (
        "{% blocktranslate with label=x value=y %}{{ label }}: {{ value }}{% endblocktranslate %}"
    )
    assert bare_colons(f"<p>{said}</p>") == []
    assert bare_colons(f"<p>{said.replace(': ', ' ')}: <a>call</a></p>") == ["%}:"]


def test_no_page_writes_a_colon_of_its_own_beside_translated_words():
    found = {
        str(path.relative_to(TEMPLATES)): colons
        for path in sorted(TEMPLATES.rglob("*.html"))
        if (colons := bare_colons(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def _moment(moment, language: str) -> str:
    # A timeline's moment: "7 décembre 2026, 15:02" in a <time> element.
    with translation.override(language):
        return str(quartier.moment(moment))


def _items(html: str, start: str) -> list[str]:
    part = html[html.index(start) :].split("</ol>")[0].split("</ul>")[0]
    return [item.strip() for item in re.findall(r"<li>(.*?)</li>", part, re.S)]


@pytest.mark.parametrize(("language", "colon"), [("fr", " : "), ("de", ": "), ("en", ": ")])
def test_a_disputes_timeline_joins_each_moment_as_the_language_writes_it(client, language, colon):
    booking = make_booking(BookingStatus.DISPUTED)
    _logged_in(client, ManagerFactory.create(), language)

    html = client.get(f"/manage/disputes/{booking.public_id}/").content.decode()

    events = BookingEvent.objects.filter(booking=booking).order_by("created_at", "pk")
    lines = _items(html, '<ol class="timeline">')
    assert len(lines) == events.count()
    for line, event in zip(lines, events, strict=True):
        assert line.startswith(_moment(event.created_at, language) + colon)
    assert lines[-1].endswith(f"({booking.dispute_reason})")
    category = booking.help_request.category
    with translation.override(language):
        name = getattr(category, f"name_{language}")
    heading = re.search(r"<h1>(.*?)</h1>", html).group(1)
    assert heading == (
        f"{escape(name)}{colon}{booking.help_request.customer.display_name}"
        f" / {booking.helper.user.display_name}"
    )


@pytest.mark.parametrize(("language", "colon"), [("fr", " : "), ("de", ": "), ("en", ": ")])
def test_the_vetting_page_joins_history_access_log_and_status_as_the_language_writes_it(
    client, language, colon
):
    manager = ManagerFactory.create(display_name="Marta Manager")
    helper = vet(
        make_helper(approval=ApprovalStatus.APPLIED, display_name="Anna Alt"),
        to=ApprovalStatus.DOCUMENTS_CHECKED,
        manager=manager,
    )
    identity = HelperDocument.objects.get(helper=helper, kind="identity")
    document_open(document=identity, manager=manager, ip_address="192.0.2.7")
    access = identity.accesses.get()
    helper = helper_services.application_reject(helper=helper, actor=manager, note="No references.")
    _logged_in(client, ManagerFactory.create(), language)

    html = client.get(f"/manage/vetting/{helper.public_id}/").content.decode()

    rejected = helper.approval_events.get(to_status=ApprovalStatus.REJECTED)
    with translation.override(language):
        words = str(APPROVAL_WORDS[ApprovalStatus.REJECTED])
    history = _items(html, 'id="history-heading"')
    assert history[-1] == (
        f"{_moment(rejected.created_at, language)}{colon}{words} (Marta Manager)"
        f"{colon}No references."
    )
    assert f"{_moment(access.accessed_at, language)}{colon}Marta Manager (192.0.2.7)" in html
    assert f"<strong>{words}{colon.rstrip()}</strong> No references." in html


@pytest.mark.parametrize(
    ("language", "said"), [("fr", "Langues : allemand · "), ("de", "Sprachen: Deutsch · ")]
)
def test_the_request_page_names_its_languages_after_a_colon_as_the_language_writes_it(
    client, language, said
):
    make_helper(languages=("de",))
    help_request = post_request(UserFactory.create(), languages=["de"])
    _logged_in(client, ManagerFactory.create(), language)

    html = client.get(f"/manage/requests/{help_request.public_id}/").content.decode()

    assert f"<p>{said}" in html


@pytest.mark.parametrize(
    ("language", "said"),
    [("fr", "Vous rencontrez Rosa Rossi :"), ("de", "Sie treffen Rosa Rossi:")],
)
def test_the_helper_reads_whom_they_meet_before_the_number(client, language, said):
    booking = make_booking(BookingStatus.CONFIRMED)
    booking.help_request.__class__.objects.filter(pk=booking.help_request_id).update(
        on_behalf_name="Rosa Rossi", on_behalf_phone="+41791234567"
    )
    _logged_in(client, booking.helper.user, language)

    html = client.get(f"/helper/visits/{booking.public_id}/").content.decode()

    assert f'<p>{said} <a href="tel:+41791234567">+41791234567</a></p>' in html


@pytest.mark.parametrize(("language", "colon"), [("fr", " :"), ("en", ":")])
def test_a_forms_summary_of_problems_names_each_field_before_a_colon(client, language, colon):
    booking = make_booking(BookingStatus.DISPUTED)
    _logged_in(client, ManagerFactory.create(), language)

    refused = client.post(f"/manage/disputes/{booking.public_id}/resolve", {"note": "x"})

    shown = shown_once(client, refused, f"/manage/disputes/{booking.public_id}/")
    summary = shown.split('<div class="form-errors"')[1].split("</ul>")[0]
    links = re.findall(r"<a href=\"#[^\"]+\">(.*?)</a>", summary)
    assert links
    for link in links:  # "Issue : Dites ce qui a été décidé.", "Outcome: Say what was decided."
        assert re.fullmatch(rf"[^:]*[^\s:]{re.escape(colon)} \S.*", link, re.S), link
