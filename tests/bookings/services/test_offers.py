"""Offers, called directly: a helper declines with a reason and a note, only their own offer
and only while it is pending; a refused answer changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from backend.exceptions import ApplicationError, NotFound
from bookings import services
from bookings.exceptions import OfferNotPending
from bookings.models import DeclineReason, HelpRequest, Offer, OfferStatus
from helpers.models import HelperProfile
from tests.factories import ZURICH, UserFactory, make_helper, offset, pending_offer, post_request

pytestmark = pytest.mark.django_db


def offer_rows(help_request: HelpRequest) -> list[tuple[Any, ...]]:
    return list(Offer.objects.filter(help_request=help_request).order_by("pk").values_list())


def offered_helper_and_request() -> tuple[HelperProfile, HelpRequest, Offer]:
    helper = make_helper(point=offset(ZURICH, east_m=400))
    help_request = post_request(UserFactory.create(), point=ZURICH)
    offer = pending_offer(help_request, helper)
    assert offer is not None
    return helper, help_request, offer


def test_a_decline_keeps_the_reason_and_the_note_and_counts_for_the_helper(clock):
    # Given a helper with a pending offer
    helper, _, offer = offered_helper_and_request()

    # When they decline it as too far, with a note
    declined = services.offer_decline(
        offer=offer, actor=helper.user, reason=DeclineReason.TOO_FAR, note="  Over the hill.  "
    )

    # Then the offer is declined with both, the note normalised, and the helper's figures count it
    declined = Offer.objects.get(pk=declined.pk)
    assert (declined.status, declined.decline_reason, declined.decline_note) == (
        OfferStatus.DECLINED,
        DeclineReason.TOO_FAR,
        "Over the hill.",
    )
    assert HelperProfile.objects.values_list("offers_declined", flat=True).get(pk=helper.pk) == 1


@pytest.mark.parametrize(
    ("reason", "note", "code", "field"),
    [
        ("busy", "", "invalid_choice", "reason"),
        ("", "x" * 301, "max_length", "note"),
        ("", "\u202eevil", "forbidden_characters", "note"),
    ],
    ids=["unknown reason", "note too long", "direction override"],
)
def test_a_decline_with_bad_input_is_refused_and_changes_nothing(clock, reason, note, code, field):
    # Given a helper with a pending offer
    helper, help_request, offer = offered_helper_and_request()
    before = offer_rows(help_request)

    # When they decline with input the service refuses
    with pytest.raises(ApplicationError) as refused:
        services.offer_decline(offer=offer, actor=helper.user, reason=reason, note=note)

    # Then it says which field and why, and no offer changed
    assert (refused.value.code, list(refused.value.fields)) == (code, [field])
    assert offer_rows(help_request) == before


def test_only_a_pending_offer_can_be_declined(clock):
    # Given an offer the helper already declined
    helper, help_request, offer = offered_helper_and_request()
    services.offer_decline(offer=offer, actor=helper.user)
    before = offer_rows(help_request)

    # When they decline it again
    with pytest.raises(OfferNotPending) as refused:
        services.offer_decline(offer=offer, actor=helper.user, reason=DeclineReason.OTHER)

    # Then it is refused as not pending and nothing changed
    assert (refused.value.code, refused.value.status) == ("offer_not_pending", 409)
    assert offer_rows(help_request) == before


def test_an_offer_to_someone_else_does_not_exist_for_them(clock):
    # Given an offer to one helper, and another helper
    _, help_request, offer = offered_helper_and_request()
    other = make_helper(point=offset(ZURICH, north_m=30_000))
    before = offer_rows(help_request)

    # When the other helper tries to accept or decline it
    with pytest.raises(NotFound):
        services.offer_accept(offer=offer, actor=other.user)
    with pytest.raises(NotFound):
        services.offer_decline(offer=offer, actor=other.user)

    # Then nothing changed
    assert offer_rows(help_request) == before
    assert HelpRequest.objects.get(pk=help_request.pk).status == help_request.status
