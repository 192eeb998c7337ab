"""The demo's notes are in the language of the people who read them: the community manager's
notes on an application and the reason of a warning in the helper's (who reads them on their
pages and in the e-mails; the demo's manager reads all four languages), the decision on a
dispute in the language customer and helper write to each other in, a helper's notes on their
hours in that helper's."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pytest

from bookings.models import ActorRole, BookingEvent, BookingStatus, SafetyReport
from demo.safety import WARNING_NOTE
from demo.texts import texts
from helpers.models import AvailabilityException, HelperApprovalEvent

pytestmark = pytest.mark.django_db


def languages_of(text: str, tables: Iterable[Mapping[str, str]]) -> set[str]:
    """The languages `text` is written in among the demo's `tables`."""
    return {language for table in tables for language, written in table.items() if written == text}


def test_the_demo_writes_each_note_in_its_readers_language():
    # The package's demo (40 helpers, 40 customers, 60 requests, seed 1), built once.
    helpers, visits = texts().helpers, texts().visits

    vetting = [
        helpers.approved_note,
        helpers.suspended_note,
        helpers.conduct_test_note,
        helpers.information_note,
        helpers.rejected_note,
    ]
    notes = list(
        HelperApprovalEvent.objects.exclude(note="").select_related("helper__user", "actor")
    )
    assert {event.actor.is_staff for event in notes} == {True}
    assert len({event.note for event in notes}) >= 4
    assert [
        (event.note, event.helper.user.preferred_language)
        for event in notes
        if languages_of(event.note, vetting) != {event.helper.user.preferred_language}
    ] == []

    own = [helpers.holiday_note, helpers.day_off_note, helpers.extra_time_note]
    exceptions = list(AvailabilityException.objects.exclude(note="").select_related("helper__user"))
    assert exceptions
    assert [
        (exception.note, exception.helper.user.preferred_language)
        for exception in exceptions
        if languages_of(exception.note, own) != {exception.helper.user.preferred_language}
    ] == []

    decisions = list(
        BookingEvent.objects.filter(
            from_status=BookingStatus.DISPUTED, actor_role=ActorRole.MANAGER
        ).select_related("booking__help_request__customer", "booking__helper__user")
    )
    assert decisions
    for decision in decisions:
        [language] = languages_of(
            decision.reason, [visits.visit_stands_note, visits.visit_void_note]
        )
        assert language in decision.booking.help_request.customer.languages
        assert language in decision.booking.helper.user.languages

    warned = SafetyReport.objects.exclude(triage_note="").select_related("reported").get()
    assert warned.triage_note == WARNING_NOTE[warned.reported.preferred_language]
    assert warned.reported.preferred_language != "en"
