"""Every e-mail Quartier sends, rendered in each language: the greeting ("Bonjour Claire,") is
followed by a first sentence that starts with a capital letter in French, Italian and English;
German goes on after "Hallo Claire," in a small letter unless the word is one German always
writes with a capital ("Sie", "Ihre", a noun, a name), and with a capital after the Swiss
greeting without a comma ("Guten Tag Claire")."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from academy import emails as academy_emails
from academy.models import Certification, EventRegistration, TrainingEvent
from backend import emails as account_emails
from backend.models import User
from backend.relay import relay_pending
from bookings import customer_emails, helper_emails, services
from bookings import emails as safety_emails
from bookings.models import BookingStatus, HelpRequestStatus, WithdrawalCause
from helpers import emails as helper_step_emails
from helpers import events
from payments import emails as payment_emails
from payments.models import Payment
from tests.factories import (
    ManagerFactory,
    UserFactory,
    make_booking,
    make_helper,
    pending_offer,
    post_request,
)

pytestmark = pytest.mark.django_db

LANGUAGES = ("de", "fr", "it", "en")

# The words German writes with a capital letter that the first sentences start with: the polite
# pronoun and its forms, and the nouns.
_GERMAN_CAPITALS = {"Sie", "Ihr", "Ihre", "Ihren", "Ihrem", "Ihrer", "Ihres", "Quartier"}


def rendered(user: User, send: Callable[[], object]) -> dict[str, str]:
    """The body of the e-mail `send` writes to `user`, in each language."""
    bodies = {}
    for language in LANGUAGES:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
        mail.outbox.clear()
        send()
        [message] = [m for m in mail.outbox if m.to == [user.email]]
        bodies[language] = str(message.body)
    return bodies


def misread(language: str, body: str, names: set[str]) -> str | None:
    """The greeting and first word of `body` when they do not start as `language` writes it."""
    greeting, first = re.match(r"^(.*?)\n\n(\S+)", body).groups()  # type: ignore[union-attr]
    if language != "de" or not greeting.endswith(","):
        right = first[0].isupper()
    else:
        right = first[0].islower() or first in _GERMAN_CAPITALS | names
    return None if right else f"{greeting} {first}"


def assert_capitals(bodies: dict[str, str], *people: User) -> None:
    names = {part for person in people for part in person.display_name.split()} | {"CHF"}
    wrong = {language: misread(language, body, names) for language, body in bodies.items()}
    assert wrong == dict.fromkeys(LANGUAGES)


def test_the_check_sees_a_small_letter_and_lets_german_keep_its_own():
    assert misread("fr", "Bonjour Claire,\n\nvotre certification", set()) == "Bonjour Claire, votre"
    assert misread("fr", "Bonjour Claire,\n\nVotre certification", set()) is None
    assert misread("en", "Hello Ann,\n\nthank you", set()) == "Hello Ann, thank"
    assert misread("it", "Buongiorno Anna,\n\nGrazie", set()) is None
    assert misread("de", "Hallo Anna,\n\nvielen Dank", set()) is None
    assert misread("de", "Hallo Anna,\n\nSie haben", set()) is None
    assert misread("de", "Hallo Anna,\n\nVielen Dank", set()) == "Hallo Anna, Vielen"
    assert misread("de", "Guten Tag Anna\n\nIhre Zertifizierung", set()) is None
    assert misread("de", "Guten Tag Anna\n\nihre Zertifizierung", set()) == "Guten Tag Anna ihre"


def test_the_account_e_mails():
    user = UserFactory.create()
    for send in (
        lambda: account_emails.send_verify_email(user, "token"),
        lambda: account_emails.send_sign_up_attempt_notice(user),
        lambda: account_emails.send_password_reset_email(user, "link"),
        lambda: account_emails.send_pending_sign_up_notice(
            user, "link", name=user.display_name, language=user.preferred_language
        ),
    ):
        assert_capitals(rendered(user, send), user)


STEPS = [
    events.HelperDocumentsSubmitted,
    events.HelperDocumentsChecked,
    events.HelperConductTestPassed,
    events.HelperInvitedToInterview,
    events.HelperInformationRequested,
    events.HelperApproved,
    events.HelperRejected,
    events.HelperWithdrew,
    events.HelperSuspended,
    events.HelperReinstated,
    events.HelperOffboarded,
]


def test_the_helper_application_and_appeal_e_mails():
    helper = make_helper()
    user = helper.user
    sends: list[Callable[[], object]] = [
        lambda: helper_step_emails.send_application_step(
            events.HelperApplied(helper_id=helper.pk, user_id=user.pk)
        ),
        *(
            lambda step=step: helper_step_emails.send_application_step(
                step(helper_id=helper.pk, from_status="", to_status="", actor_id=None, note="")
            )
            for step in STEPS
        ),
        lambda: helper_step_emails.send_appeal_step(
            events.HelperAppealFiled(helper_id=helper.pk, appeal_id=1)
        ),
        lambda: helper_step_emails.send_appeal_step(
            events.HelperAppealDecided(helper_id=helper.pk, appeal_id=1, lifted=False, note="No.")
        ),
    ]
    for send in sends:
        assert_capitals(rendered(user, send), user)


def test_the_academy_e_mails():
    helper = make_helper()
    user = helper.user
    now = timezone.now()
    certification = Certification(
        helper=helper, course_id=0, expires_at=now + timedelta(days=7), revoke_reason="Outdated."
    )
    event = TrainingEvent.objects.create(
        kind="online",
        title="Routers",
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=3, hours=2),
        capacity=5,
        online_url="https://meet.example.ch/routers",
        cancel_reason="The trainer is ill.",
    )
    registration = EventRegistration.objects.create(event=event, helper=helper, status="registered")
    for send in (
        lambda: academy_emails.send_certification_reminder(certification),
        lambda: academy_emails.send_certification_revoked(certification),
        lambda: academy_emails.send_moved_up(registration.pk),
        lambda: academy_emails.send_event_cancelled(event.pk, [registration.pk]),
    ):
        assert_capitals(rendered(user, send), user)


def test_the_payment_e_mails():
    booking = make_booking(BookingStatus.CONFIRMED)
    customer, helper = booking.help_request.customer, booking.helper.user
    payment = Payment(
        booking=booking,
        amount_minor=4000,
        due_minor=4000,
        authorised_minor=4000,
        currency="CHF",
        failure_code="card_declined",
    )
    for person in (customer, helper):
        for send in (
            lambda: payment_emails.send_hold_failed(payment),
            lambda: payment_emails.send_hold_recovered(payment),
            lambda: payment_emails.send_payment_lost(payment),
            lambda: payment_emails.send_payment_lost_ahead(payment),
            lambda: payment_emails.send_card_needed_again(payment),
            lambda: payment_emails.send_card_needed_again_before_confirming(payment),
        ):
            assert_capitals(rendered(person, send), customer, helper)
    for reminder in (0, 1):
        bodies = rendered(
            customer, lambda r=reminder: payment_emails.send_payment_due(payment, reminder=r)
        )
        assert_capitals(bodies, customer, helper)


def test_the_safety_e_mails():
    visit = make_booking(BookingStatus.IN_PROGRESS)
    customer, helper = visit.help_request.customer, visit.helper.user
    manager = ManagerFactory.create()
    report = services.safety_report_file(
        booking=visit, actor=customer, category="harassment", text="He shouted."
    )
    services.safety_report_triage(report=report, actor=manager, outcome="warning", note="Be calm.")
    for person, send in (
        (manager, lambda: safety_emails.send_report_filed(report.pk)),
        (customer, lambda: safety_emails.send_report_decided(report.pk)),
        (helper, lambda: safety_emails.send_warning(report.pk)),
    ):
        assert_capitals(rendered(person, send), customer, helper, manager)


def test_the_customer_e_mails():
    helper = make_helper()
    nobody = post_request(UserFactory.create())
    services.offer_decline(offer=pending_offer(nobody, helper), actor=helper.user)
    services.offers_dispatch(help_request=nobody)
    nobody.refresh_from_db()
    assert nobody.status == HelpRequestStatus.UNMATCHED
    bodies = rendered(
        nobody.customer, lambda: customer_emails.send_nobody_found(nobody.pk, expired=False)
    )
    assert_capitals(bodies, nobody.customer)
    ended = post_request(UserFactory.create(), hours=1)
    with time_machine.travel(ended.windows.get().ends_at + timedelta(hours=1), tick=False):
        services.help_request_expire(help_request=ended, expected="open")
    bodies = rendered(
        ended.customer, lambda: customer_emails.send_nobody_found(ended.pk, expired=True)
    )
    assert_capitals(bodies, ended.customer)
    proposed = make_booking(BookingStatus.PROPOSED)
    cancelled = make_booking(BookingStatus.CANCELLED)
    completed = make_booking(BookingStatus.COMPLETED)
    ids = list(proposed.proposals.values_list("pk", flat=True))
    for booking, send in (
        (proposed, lambda: customer_emails.send_times_proposed(proposed.pk, ids)),
        (cancelled, lambda: customer_emails.send_visit_cancelled(cancelled.pk, by_helper=True)),
        (cancelled, lambda: customer_emails.send_visit_cancelled(cancelled.pk, by_helper=False)),
        (cancelled, lambda: customer_emails.send_times_withdrawn(cancelled.pk)),
        (completed, lambda: customer_emails.send_sign_off_asked(completed.pk)),
    ):
        customer = booking.help_request.customer
        assert_capitals(rendered(customer, send), customer, booking.helper.user)


def test_the_helper_e_mails():
    for status, send in (
        (BookingStatus.CONFIRMED, helper_emails.send_visit_confirmed),
        (BookingStatus.CANCELLED, helper_emails.send_visit_cancelled),
        (BookingStatus.AWAITING_PROPOSAL, helper_emails.send_times_requested),
        (BookingStatus.SIGNED_OFF, helper_emails.send_visit_signed_off),
    ):
        booking = make_booking(status)
        helper = booking.helper.user
        bodies = rendered(helper, lambda send=send, pk=booking.pk: send(pk))
        assert_capitals(bodies, helper, booking.help_request.customer)
    unpaid = make_helper()
    offer = pending_offer(post_request(UserFactory.create()), unpaid)
    unpaid.takes_payments = False
    unpaid.save(update_fields=["takes_payments"])
    services.offers_withdraw_for_unpaid_helper(helper_id=unpaid.pk)
    offer.refresh_from_db()
    assert offer.withdrawal_cause == WithdrawalCause.CANNOT_BE_PAID
    relay_pending()
    bodies = rendered(unpaid.user, lambda: helper_emails.send_offers_withdrawn_unpaid(offer.pk))
    assert_capitals(bodies, unpaid.user)
