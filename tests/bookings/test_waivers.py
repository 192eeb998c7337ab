"""Liability waivers: versioned legal documents, acceptances that record exactly what was shown,
a booking that cannot be confirmed without them, and helpers matched only under the current
code of conduct."""

from __future__ import annotations

import pytest
import time_machine
from django.utils import timezone, translation

from backend.exceptions import ApplicationError
from bookings import services
from bookings.matching.index import match_index_check
from bookings.models import Booking, BookingStatus, MatchEntry
from catalogue.models import LegalAcceptance, LegalDocument, LegalDocumentKind
from catalogue.selectors import waivers_missing
from catalogue.services import legal_accept, legal_version_publish
from tests.factories import (
    ManagerFactory,
    UserFactory,
    accept_current_waivers,
    category,
    make_booking,
    make_helper,
    publish,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return ManagerFactory.create()


@pytest.fixture
def waivers(manager):
    """The customer terms, the data-safety waiver, and a waiver for another category."""
    return {
        "terms": publish(
            LegalDocument.objects.create(slug="terms", kind=LegalDocumentKind.CUSTOMER_TERMS),
            manager,
        ),
        "data-safety": publish(
            LegalDocument.objects.create(
                slug="data-safety", kind=LegalDocumentKind.DATA_SAFETY_WAIVER
            ),
            manager,
            text="Back up your data before the visit.",
        ),
        "banking": publish(
            LegalDocument.objects.create(
                slug="banking-devices",
                kind=LegalDocumentKind.CATEGORY_WAIVER,
                category=category("tv-streaming"),
            ),
            manager,
        ),
    }


def proposed_booking(customer=None) -> Booking:
    """A booking waiting for the customer to confirm, made before they accepted anything."""
    customer = customer or UserFactory.create()
    booking = make_booking(BookingStatus.PROPOSED, customer=customer)
    LegalAcceptance.objects.filter(user=customer).delete()
    return booking


def confirm(booking: Booking) -> Booking:
    return services.booking_confirm(
        booking=booking,
        actor=booking.help_request.customer,
        proposal=booking.proposals.get(status="proposed"),
    )


def test_a_booking_is_not_confirmed_without_the_current_waivers(waivers):
    booking = proposed_booking()
    before = Booking.objects.values("status", "updated_at").get(pk=booking.pk)

    with pytest.raises(ApplicationError) as refused, translation.override("en"):
        confirm(booking)

    assert (refused.value.status, refused.value.code) == (409, "waivers_not_accepted")
    # The category's own waivers and the general ones (their titles in the reader's language);
    # not another category's.
    assert refused.value.message.endswith("first: terms (en), data-safety (en).")
    assert Booking.objects.values("status", "updated_at").get(pk=booking.pk) == before
    assert booking.events.filter(to_status=BookingStatus.CONFIRMED).count() == 0


def test_after_accepting_them_the_booking_is_confirmed(waivers):
    booking = proposed_booking()
    customer = booking.help_request.customer

    accept_current_waivers(customer)
    booking = confirm(booking)

    assert booking.status == BookingStatus.CONFIRMED
    assert sorted(
        LegalAcceptance.objects.filter(user=customer).values_list(
            "version__document__slug", "language", "text_sha256"
        )
    ) == [
        ("data-safety", "de", waivers["data-safety"].sha256_in("de")),
        ("terms", "de", waivers["terms"].sha256_in("de")),
    ]


def test_a_category_waiver_binds_the_bookings_of_its_category(waivers):
    customer = UserFactory.create()
    accept_current_waivers(customer)

    assert [v.document.slug for v in waivers_missing(user=customer, category=category())] == []
    assert [
        v.document.slug for v in waivers_missing(user=customer, category=category("tv-streaming"))
    ] == ["banking-devices"]


def test_a_new_version_binds_from_the_next_booking_on(waivers, manager, clock_ticks):
    customer = UserFactory.create()
    accept_current_waivers(customer)
    old = make_booking(BookingStatus.PROPOSED, customer=customer)

    # When a new terms version is published after that booking was made
    clock_ticks()
    publish(waivers["terms"].document, manager, text="New terms.")
    clock_ticks()

    # Then the old booking confirms under what was accepted then; a booking made now needs the
    # new terms
    assert confirm(old).status == BookingStatus.CONFIRMED
    assert [
        v.document.slug
        for v in waivers_missing(user=customer, category=category(), in_force_at=timezone.now())
    ] == ["terms"]


@pytest.fixture
def clock_ticks():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield lambda: traveller.shift(60)


@pytest.mark.parametrize(
    ("change", "code", "status"),
    [
        ({"text_sha256": "0" * 64}, "text_hash_mismatch", 400),
        ({"language": "es"}, "invalid_choice", 400),
        ({"language": "fr"}, "text_hash_mismatch", 400),  # the German text's hash, shown in French
        ({"stale": True}, "waiver_version_not_current", 409),
    ],
)
def test_an_acceptance_that_does_not_match_what_is_current_stores_nothing(
    waivers, manager, change, code, status
):
    customer = UserFactory.create()
    version = waivers["terms"]
    if change.pop("stale", False):
        publish(version.document, manager, text="Newer terms.")
    arguments = {"language": "de", "text_sha256": version.sha256_in("de"), **change}

    with pytest.raises(ApplicationError) as refused:
        legal_accept(user=customer, version=version, **arguments)

    assert (refused.value.status, refused.value.code) == (status, code)
    assert LegalAcceptance.objects.count() == 0


def test_publishing_needs_every_language_and_a_manager(waivers):
    document = waivers["terms"].document
    titles = {"de": "AGB", "fr": "CG", "it": "CG", "en": "Terms"}
    texts = {"de": "Text", "fr": "Texte", "it": "Testo", "en": ""}

    with pytest.raises(ApplicationError) as missing:
        legal_version_publish(
            document=document, actor=ManagerFactory.create(), titles=titles, texts=texts
        )
    with pytest.raises(ApplicationError) as not_manager:
        legal_version_publish(
            document=document,
            actor=UserFactory.create(),
            titles=titles,
            texts={**texts, "en": "Text"},
        )

    assert (missing.value.code, set(missing.value.fields)) == ("required", {"text_en"})
    assert not_manager.value.code == "manager_only"
    assert document.versions.count() == 1


def test_a_helper_is_matched_only_under_the_current_code_of_conduct(manager):
    helper = make_helper()
    assert MatchEntry.objects.filter(helper=helper).count() == 1
    code = LegalDocument.objects.create(
        slug="code-of-conduct", kind=LegalDocumentKind.HELPER_CODE_OF_CONDUCT
    )

    # When a code of conduct is published, the helper leaves the index until they accept it
    first = publish(code, manager)
    assert MatchEntry.objects.filter(helper=helper).count() == 0
    assert match_index_check() == []
    legal_accept(user=helper.user, version=first, language="it", text_sha256=first.sha256_in("it"))
    assert MatchEntry.objects.filter(helper=helper).count() == 1

    # And a new version takes them out again until they accept that one
    second = publish(code, manager, text="Revised code.")
    assert MatchEntry.objects.filter(helper=helper).count() == 0
    legal_accept(
        user=helper.user, version=second, language="en", text_sha256=second.sha256_in("en")
    )
    assert MatchEntry.objects.filter(helper=helper).count() == 1
    assert match_index_check() == []
