"""Safety reports' e-mails, read from the outbox: every community manager hears of a new report
in their own language, the reporter of the decision in theirs, in general words (the report's
text and the manager's note stay in the console). A refused report or decision sends nothing."""

from __future__ import annotations

import pytest
from django.core import mail

from backend.exceptions import ApplicationError
from backend.relay import relay_pending
from bookings import services
from bookings.models import BookingStatus
from tests.factories import ManagerFactory, UserFactory, make_booking


@pytest.fixture
def visit():
    booking = make_booking(BookingStatus.IN_PROGRESS)
    relay_pending()
    mail.outbox.clear()
    return booking


@pytest.mark.django_db
def test_every_manager_hears_of_a_new_report_in_their_language(clock, visit):
    de = ManagerFactory.create(preferred_language="de")
    fr = ManagerFactory.create(preferred_language="fr")
    ManagerFactory.create(email="")  # no address: nobody to write to
    ManagerFactory.create(is_active=False)  # no longer at Quartier

    services.safety_report_file(
        booking=visit,
        actor=visit.help_request.customer,
        category="harassment",
        text="He shouted at me.",
    )
    relay_pending()

    assert sorted((m.to[0], m.subject) for m in mail.outbox) == sorted(
        [
            (de.email, "Neue Sicherheitsmeldung: Belästigung"),
            (fr.email, "Nouveau signalement de sécurité : Harcèlement"),
        ]
    )
    body = next(m.body for m in mail.outbox if m.to == [fr.email])
    assert visit.help_request.customer.display_name in body
    assert visit.helper.user.display_name in body
    assert "He shouted at me." not in body  # the text is read in the console only


@pytest.mark.django_db
def test_the_reporter_hears_of_the_decision_in_their_language(clock, visit):
    manager = ManagerFactory.create(preferred_language="en")
    helper_user = visit.helper.user
    helper_user.preferred_language = "it"
    helper_user.save(update_fields=["preferred_language"])
    report = services.safety_report_file(
        booking=visit, actor=helper_user, category="damage", text="The dog bit me."
    )
    relay_pending()
    mail.outbox.clear()

    services.safety_report_triage(
        report=report, actor=manager, outcome="warning", note="Called the customer."
    )
    relay_pending()

    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([helper_user.email], "La sua segnalazione è stata decisa")
    ]
    assert mail.outbox[0].extra_headers["Content-Language"] == "it"
    assert "Called the customer." not in mail.outbox[0].body
    assert "ha preso provvedimenti" in mail.outbox[0].body


@pytest.mark.django_db
def test_no_action_is_said_as_such(clock, visit):
    manager = ManagerFactory.create()
    customer = visit.help_request.customer
    report = services.safety_report_file(
        booking=visit, actor=customer, category="other", text="Late."
    )
    services.safety_report_triage(report=report, actor=manager, outcome="no_action", note="Fine.")
    mail.outbox.clear()
    relay_pending()

    decided = [m for m in mail.outbox if m.to == [customer.email]]
    assert [m.subject for m in decided] == ["Über Ihre Meldung wurde entschieden"]
    assert "keine Massnahmen nötig" in decided[0].body


@pytest.mark.django_db
def test_refused_reports_and_decisions_send_nothing(clock, visit):
    manager = ManagerFactory.create()
    with pytest.raises(ApplicationError):
        services.safety_report_file(
            booking=visit, actor=UserFactory.create(), category="safety", text="Hm."
        )
    report = services.safety_report_file(
        booking=visit, actor=visit.help_request.customer, category="safety", text="Hm."
    )
    relay_pending()
    mail.outbox.clear()

    with pytest.raises(ApplicationError):
        services.safety_report_triage(report=report, actor=manager, outcome="warning", note="")
    relay_pending()

    assert mail.outbox == []
