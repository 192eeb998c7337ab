"""Safety reports' e-mails, read from the outbox: every community manager hears of a new report
in their own language, the reporter of the decision in theirs, in general words (the report's
text and the manager's note stay in the console), and a warned person of their warning with the
manager's reason in theirs (never the report). A refused report or decision sends nothing."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import formats, timezone, translation

from backend.exceptions import ApplicationError
from backend.relay import relay_pending
from bookings import services
from bookings.models import BookingStatus
from tests.factories import ManagerFactory, UserFactory, make_booking

WARNING_SUBJECT_DE = "Eine Verwarnung vom Community-Management von Quartier"


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

    decided = [m for m in mail.outbox if m.to == [helper_user.email]]
    assert [m.subject for m in decided] == ["La sua segnalazione è stata decisa"]
    assert decided[0].extra_headers["Content-Language"] == "it"
    assert "Called the customer." not in decided[0].body
    assert "ha preso provvedimenti" in decided[0].body


@pytest.mark.django_db
@pytest.mark.parametrize("reported", ["customer", "helper"])
def test_the_warned_person_hears_of_the_warning_and_its_reason_in_their_language(
    clock, visit, reported
):
    # Given a report on the customer (by the helper) or on the helper (by the customer)
    customer, helper_user = visit.help_request.customer, visit.helper.user
    reporter, warned = (
        (helper_user, customer) if reported == "customer" else (customer, helper_user)
    )
    warned.preferred_language = "fr"
    warned.save(update_fields=["preferred_language"])
    report = services.safety_report_file(
        booking=visit, actor=reporter, category="harassment", text="Shouted at me twice."
    )
    relay_pending()
    mail.outbox.clear()

    # When the manager warns them
    services.safety_report_triage(
        report=report, actor=ManagerFactory.create(), outcome="warning", note="Stay polite."
    )
    relay_pending()

    # Then the warned person is e-mailed once, in French, with the reason, never the report
    told = [m for m in mail.outbox if m.to == [warned.email]]
    assert [m.subject for m in told] == [
        "Un avertissement de la gestion de la communauté de Quartier"
    ]
    assert told[0].extra_headers["Content-Language"] == "fr"
    with translation.override("fr"):
        day = formats.date_format(timezone.localtime(visit.starts_at), "DATE_FORMAT")
    assert told[0].body == "\n\n".join(
        [
            f"Bonjour {warned.display_name},",
            f"Après la visite du {day}, la gestion de la communauté a examiné ce qui s’est "
            "passé et vous adresse un avertissement. Le motif :",
            "Stay polite.",
            "L’avertissement reste à votre dossier. Merci d’y penser lors de vos prochaines "
            "visites.",
            "Quartier",
        ]
    )
    assert "Shouted at me twice." not in told[0].body
    assert reporter.display_name not in told[0].body
    assert sorted(m.to[0] for m in mail.outbox) == sorted([reporter.email, warned.email])


@pytest.mark.django_db
@pytest.mark.parametrize("outcome", ["no_action", "suspension"])
def test_only_a_warning_is_written_to_the_reported_person_as_a_warning(clock, visit, outcome):
    customer = visit.help_request.customer
    report = services.safety_report_file(
        booking=visit, actor=customer, category="other", text="Late."
    )
    relay_pending()
    mail.outbox.clear()

    services.safety_report_triage(
        report=report, actor=ManagerFactory.create(), outcome=outcome, note="Seen."
    )
    relay_pending()

    # (a suspension has its own e-mail, from the helpers' suspension)
    warnings = [m for m in mail.outbox if m.subject == WARNING_SUBJECT_DE]
    assert warnings == []
    assert [m.to for m in mail.outbox if m.to == [customer.email]] == [[customer.email]]


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
