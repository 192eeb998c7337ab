"""Every domain event: stored once per transition and heard once by the handlers inside its
transaction (rolled back with it), delivered by the worker's relay only after commit, again
after a crash between delivery and acknowledgement, never twice to an idempotent handler's
effect.

Each event class has a scenario: the set-up, then the one service call (`act`) that must
emit it exactly once for the aggregate named. A test fails if an event class has none.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, time, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from academy import events as academy_events
from academy import services as academy_services
from academy.models import Certification, Course, TrainingEvent
from backend import events as domain
from backend import services as accounts
from backend.devices import device_sign_in, devices_revoke_all
from backend.models import EventDelivery, OutboxEvent, User
from backend.outbox import emit
from backend.relay import relay_pending
from bookings import events as booking_events
from bookings import services
from bookings.models import BookingStatus, HelpRequestStatus, Offer, OfferStatus, Party
from catalogue import events as catalogue_events
from catalogue.models import LegalDocument, LegalDocumentKind
from catalogue.services import legal_accept
from helpers import events as helper_events
from helpers import services as helper_services
from helpers.appeal_services import appeal_decide, appeal_file
from helpers.models import ApprovalStatus, HelperProfile
from payments import events as payment_events
from payments import payouts
from payments import services as payment_services
from payments.models import Payment, PaymentStatus, PayoutAccount, PayoutAccountStatus
from realtime import events as chat_events
from realtime.chat import chat_message_send, chat_read_mark
from tests.academy.builders import publish_course
from tests.factories import (
    ZURICH,
    ManagerFactory,
    UserFactory,
    at,
    category,
    make_booking,
    make_helper,
    offset,
    pending_offer,
    post_request,
    publish,
    upload_documents,
    vet,
)
from tests.worker import run_worker

T0 = datetime(2027, 2, 2, 9, 0, tzinfo=ZoneInfo("Europe/Zurich"))  # a Tuesday morning
RELAY_TASK = "backend.tasks.relay_events"
Act = Callable[[], object]
Scenario = Callable[[time_machine.Traveller], tuple[Act, int]]


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


# --- One scenario per event class -------------------------------------------------------------


def _user_registered(clock) -> tuple[Act, int]:
    def act() -> object:
        return accounts.user_register(
            email="new@quartier.test", password="a long pass phrase 42", display_name="New"
        )

    # The new account's id is not known before: the next one the table will hand out.
    return act, -1


def _user_profile_changed(clock) -> tuple[Act, int]:
    user = UserFactory.create()
    return lambda: accounts.user_update_profile(user=user, display_name="Renamed"), user.pk


def _user_activation_changed(clock) -> tuple[Act, int]:
    user = UserFactory.create()
    return lambda: accounts.user_set_active(user=user, is_active=False), user.pk


def _devices_signed_out(clock) -> tuple[Act, int]:
    user = UserFactory.create()
    device_sign_in(user=user, name="Phone")
    return lambda: devices_revoke_all(user=user), user.pk


def _customer_figures_changed(clock) -> tuple[Act, int]:
    booking = make_booking(BookingStatus.CONFIRMED)
    customer = booking.help_request.customer
    act = lambda: services.booking_cancel(booking=booking, actor=customer, reason="Not needed")  # noqa: E731
    return act, customer.pk


def _helper_applied(clock) -> tuple[Act, int]:
    user = at(UserFactory.create(), ZURICH)
    return lambda: helper_services.helper_apply(user=user, skills=[category()]), -1


def _helper_profile_changed(clock) -> tuple[Act, int]:
    helper = make_helper()
    return lambda: helper_services.helper_profile_update(helper=helper, bio="Patient."), helper.pk


def _helper_availability_changed(clock) -> tuple[Act, int]:
    helper = make_helper()
    weekly = [helper_services.WeeklyInterval(0, time(8, 0), time(12, 0))]
    return lambda: helper_services.helper_set_weekly_availability(
        helper=helper, intervals=weekly
    ), helper.pk


def _applicant_at(step: str) -> HelperProfile:
    helper = helper_services.helper_apply(
        user=at(UserFactory.create(), ZURICH), skills=[category()]
    )
    if step == ApprovalStatus.APPLIED:
        upload_documents(helper)
        return helper
    return vet(helper, to=step)


def _vetting_step(step: str, move: Callable[[HelperProfile, User], object]) -> Scenario:
    """The event of one move (by the applicant or a manager) of an applicant at `step`."""

    def scenario(clock) -> tuple[Act, int]:
        helper = _applicant_at(step)
        manager = ManagerFactory.create()
        return lambda: move(helper, manager), helper.pk

    return scenario


def _by_manager(service: Callable[..., HelperProfile], **kwargs: str) -> Callable[..., object]:
    return lambda helper, manager: service(helper=helper, actor=manager, **kwargs)


def _helper_suspended(clock) -> tuple[Act, int]:
    helper = make_helper()
    manager = ManagerFactory.create()
    return lambda: helper_services.helper_suspend(
        helper=helper, actor=manager, note="Complaints"
    ), helper.pk


def _appeal_filed(clock) -> tuple[Act, int]:
    helper = make_helper(approval=ApprovalStatus.SUSPENDED)
    return lambda: appeal_file(helper=helper, actor=helper.user, text="The bus."), helper.pk


def _appeal_decided(clock) -> tuple[Act, int]:
    helper = make_helper(approval=ApprovalStatus.SUSPENDED)
    appeal = appeal_file(helper=helper, actor=helper.user, text="The bus.")
    return lambda: appeal_decide(
        appeal=appeal, actor=ManagerFactory.create(), outcome="uphold", note="No."
    ), helper.pk


def _report_filed(clock) -> tuple[Act, int]:
    booking = make_booking(BookingStatus.IN_PROGRESS)
    return lambda: services.safety_report_file(
        booking=booking, actor=booking.help_request.customer, category="safety", text="Rude."
    ), -1


def _report_decided(clock) -> tuple[Act, int]:
    booking = make_booking(BookingStatus.IN_PROGRESS)
    report = services.safety_report_file(
        booking=booking, actor=booking.help_request.customer, category="safety", text="Rude."
    )
    return lambda: services.safety_report_triage(
        report=report, actor=ManagerFactory.create(), outcome="warning", note="Talked."
    ), report.pk


def _helper_reinstated(clock) -> tuple[Act, int]:
    helper = make_helper(approval=ApprovalStatus.SUSPENDED)
    return lambda: helper_services.helper_approve(
        helper=helper, actor=ManagerFactory.create(), note="Cleared up."
    ), helper.pk


def _helper_offboarded(clock) -> tuple[Act, int]:
    helper = make_helper()
    manager = ManagerFactory.create()
    return lambda: helper_services.helper_offboard(
        helper=helper, actor=manager, note="Moved to Geneva"
    ), helper.pk


def _legal_version_published(clock) -> tuple[Act, int]:
    document = LegalDocument.objects.create(
        slug="code-of-conduct", kind=LegalDocumentKind.HELPER_CODE_OF_CONDUCT
    )
    manager = ManagerFactory.create()
    return lambda: publish(document, manager), document.pk


def _legal_terms_accepted(clock) -> tuple[Act, int]:
    version = publish(
        LegalDocument.objects.create(slug="terms", kind=LegalDocumentKind.CUSTOMER_TERMS),
        ManagerFactory.create(),
    )
    user = UserFactory.create()
    return lambda: legal_accept(
        user=user, version=version, language="de", text_sha256=version.sha256_in("de")
    ), user.pk


def _helper_figures_changed(clock) -> tuple[Act, int]:
    helper = make_helper()
    customer = UserFactory.create()
    return lambda: post_request(customer, point=ZURICH), helper.pk


def _help_request_posted(clock) -> tuple[Act, int]:
    make_helper()
    customer = UserFactory.create()
    return lambda: post_request(customer, point=ZURICH), -1


def _help_request_changed(clock) -> tuple[Act, int]:
    help_request = post_request(UserFactory.create(), point=ZURICH)
    return lambda: services.help_request_update(
        help_request=help_request, description="The printer will not print at all."
    ), help_request.pk


def _help_request_assigned(clock) -> tuple[Act, int]:
    helper = make_helper()
    help_request = post_request(UserFactory.create(), point=ZURICH)
    offer = pending_offer(help_request, helper)
    return lambda: services.offer_accept(offer=offer, actor=helper.user), help_request.pk


def _help_request_unmatched(clock) -> tuple[Act, int]:
    customer = UserFactory.create()
    return lambda: post_request(customer, point=ZURICH), -1


def _help_request_withdrawn(clock) -> tuple[Act, int]:
    help_request = post_request(UserFactory.create(), point=ZURICH)
    return lambda: services.help_request_withdraw(help_request=help_request), help_request.pk


def _help_request_expired(clock) -> tuple[Act, int]:
    help_request = post_request(UserFactory.create(), point=ZURICH)
    clock.shift(timedelta(days=3))
    return lambda: services.sweep_due_work(), help_request.pk


def _help_request_reopened(clock) -> tuple[Act, int]:
    booking = make_booking(BookingStatus.CONFIRMED)
    act = lambda: services.booking_cancel(booking=booking, actor=booking.helper.user, reason="Ill")  # noqa: E731
    return act, booking.help_request_id


def _help_request_closed(clock) -> tuple[Act, int]:
    booking = make_booking(BookingStatus.COMPLETED)
    customer = booking.help_request.customer
    return lambda: services.booking_sign_off(
        booking=booking, actor=customer
    ), booking.help_request_id


def _offer_made(clock) -> tuple[Act, int]:
    make_helper()
    customer = UserFactory.create()
    return lambda: post_request(customer, point=ZURICH), -1


def _offer_accepted(clock) -> tuple[Act, int]:
    helper = make_helper()
    offer = pending_offer(post_request(UserFactory.create(), point=ZURICH), helper)
    return lambda: services.offer_accept(offer=offer, actor=helper.user), offer.pk


def _offer_declined(clock) -> tuple[Act, int]:
    helper = make_helper()
    offer = pending_offer(post_request(UserFactory.create(), point=ZURICH), helper)
    return lambda: services.offer_decline(offer=offer, actor=helper.user), offer.pk


def _offer_expired(clock) -> tuple[Act, int]:
    helper = make_helper()
    help_request = post_request(UserFactory.create(), point=ZURICH)
    offer = pending_offer(help_request, helper)
    clock.shift(timedelta(minutes=31))
    return lambda: services.offers_expire_due(help_request=help_request), offer.pk


def _offer_withdrawn(clock) -> tuple[Act, int]:
    helper = make_helper()
    help_request = post_request(UserFactory.create(), point=ZURICH)
    offer = pending_offer(help_request, helper)
    return lambda: services.help_request_withdraw(help_request=help_request), offer.pk


def _booking_step(status: str, step: Callable[..., object]) -> Scenario:
    def scenario(clock) -> tuple[Act, int]:
        booking = make_booking(status)
        return lambda: step(booking), booking.pk

    return scenario


def _chat_message_read(booking) -> object:
    message = chat_message_send(booking=booking, author=booking.helper.user, text="On my way.")
    return chat_read_mark(
        booking=booking, reader=booking.help_request.customer, message_id=message.pk
    )


def _booking_opened(clock) -> tuple[Act, int]:
    helper = make_helper()
    offer = pending_offer(post_request(UserFactory.create(), point=ZURICH), helper)
    return lambda: services.offer_accept(offer=offer, actor=helper.user), -1


def _propose(booking) -> object:
    start = booking.help_request.windows.get().starts_at
    return services.booking_propose(
        booking=booking,
        actor=booking.helper.user,
        slots=[services.SlotInput(start, start + timedelta(hours=1))],
    )


def _confirm(booking) -> object:
    return services.booking_confirm(
        booking=booking,
        actor=booking.help_request.customer,
        proposal=booking.proposals.get(status="proposed"),
    )


def _new_times(booking) -> object:
    return services.booking_request_new_times(
        booking=booking, actor=booking.help_request.customer, reason="None suits me."
    )


def _settle(booking) -> object:
    return services.booking_transition(
        booking=booking, to=BookingStatus.SETTLED, actor=None, role="system", reason="settled"
    )


def _review(booking, role: str = "customer") -> object:
    author = booking.help_request.customer if role == "customer" else booking.helper.user
    return services.review_submit(booking=booking, actor=author, rating=5)


def _review_submitted(clock) -> tuple[Act, int]:
    booking = make_booking(BookingStatus.SIGNED_OFF)
    return lambda: _review(booking), -1


def _review_published(clock) -> tuple[Act, int]:
    booking = make_booking(BookingStatus.SIGNED_OFF)
    first = _review(booking, "helper")
    clock.shift(timedelta(days=8))
    return lambda: services.reviews_close_window(booking=booking), first.pk  # type: ignore[attr-defined]


def _held_payment(status: str) -> Payment:
    """A confirmed booking's payment, put in `status` (as Stripe's answers would have)."""
    booking = make_booking(BookingStatus.CONFIRMED)
    payment = Payment.objects.get(booking=booking)
    held = payment.amount_minor if status != PaymentStatus.REQUIRES_PAYMENT_METHOD else 0
    captured = held if status in (PaymentStatus.CAPTURED, PaymentStatus.REFUNDED) else 0
    Payment.objects.filter(pk=payment.pk).update(
        status=status, authorised_minor=held, captured_minor=captured
    )
    return Payment.objects.get(pk=payment.pk)


def _payment_move(origin: str, target: str) -> Scenario:
    def scenario(clock) -> tuple[Act, int]:
        payment = _held_payment(origin)

        def act() -> Payment:
            with transaction.atomic():
                locked = Payment.objects.select_for_update().get(pk=payment.pk)
                return payment_services.payment_transition(
                    payment=locked, to=target, role="system", reason="as Stripe answered"
                )

        return act, payment.pk

    return scenario


def _payment_released(clock) -> tuple[Act, int]:
    payment = _held_payment(PaymentStatus.REQUIRES_PAYMENT_METHOD)
    booking = payment.booking
    services.booking_cancel(booking=booking, actor=booking.help_request.customer, reason="Gone.")
    return lambda: payment_services.payment_on_booking_ended(payment=payment), payment.pk


def _payment_authorisation_failed(clock) -> tuple[Act, int]:
    # The helper has no payout account: the hold fails without asking Stripe.
    payment = _held_payment(PaymentStatus.REQUIRES_PAYMENT_METHOD)
    relay_pending()  # the confirmation's own try, without a card: nothing happens
    Payment.objects.filter(pk=payment.pk).update(payment_method_id="pm_card_visa")
    return lambda: payment_services.payment_authorise(payment=payment), payment.pk


def _payment_hold_deferred(clock) -> tuple[Act, int]:
    # A visit eight days out: the card is held two days before it, not now.
    helper = make_helper()
    PayoutAccount.objects.create(
        helper=helper,
        stripe_account_id="acct_deferred",
        status=PayoutAccountStatus.CAN_TAKE_PAYMENTS,
    )
    booking = make_booking(BookingStatus.CONFIRMED, helper=helper, start=T0 + timedelta(days=8))
    relay_pending()  # the confirmation's own try, without a card: nothing happens
    Payment.objects.filter(booking=booking).update(payment_method_id="pm_card_visa")
    payment = Payment.objects.get(booking=booking)
    return lambda: payment_services.payment_authorise(payment=payment), payment.pk


def _payment_account_lost(clock) -> tuple[Act, int]:
    # A visit still to come, its card held on the helper's account, which is then disconnected.
    helper = make_helper()
    account = PayoutAccount.objects.create(
        helper=helper, stripe_account_id="acct_lost", status=PayoutAccountStatus.PAYOUTS_ENABLED
    )
    booking = make_booking(BookingStatus.CONFIRMED, helper=helper)
    Payment.objects.filter(booking=booking).update(
        status=PaymentStatus.AUTHORISED, payout_account=account, intent_account_id="acct_lost"
    )
    payment = Payment.objects.get(booking=booking)
    return lambda: payouts.payout_account_disconnect(stripe_account_id="acct_lost"), payment.pk


def _payout_account_changed(clock) -> tuple[Act, int]:
    account = PayoutAccount.objects.create(helper=make_helper(), stripe_account_id="acct_events")

    def act() -> PayoutAccount:
        with transaction.atomic():
            return payouts.payout_account_move(
                account=account, to=PayoutAccountStatus.CAN_TAKE_PAYMENTS
            )

    return act, account.pk


def _certification() -> tuple[HelperProfile, Course]:
    course = publish_course("events-course", required_for=("internet-wifi",))
    return make_helper(), course


def _certification_earned(clock) -> tuple[Act, int]:
    helper, course = _certification()
    return (
        lambda: academy_services.certification_earn(helper=helper, course=course, source="quiz"),
        helper.pk,
    )


def _certification_revoked(clock) -> tuple[Act, int]:
    helper, course = _certification()
    certification = academy_services.certification_earn(helper=helper, course=course, source="quiz")
    manager = ManagerFactory.create()
    return (
        lambda: academy_services.certification_revoke(
            actor=manager, certification=certification, reason="Left a door open."
        ),
        helper.pk,
    )


def _certification_expired(clock) -> tuple[Act, int]:
    helper, course = _certification()
    Certification.objects.create(
        helper=helper,
        course=course,
        source="quiz",
        earned_at=T0 - timedelta(days=800),
        expires_at=T0 - timedelta(days=1),
    )
    return academy_services.certifications_expire_due, helper.pk


def _course_requirements_changed(clock) -> tuple[Act, int]:
    # Required of nobody when published (which tells nobody); the act makes it required.
    course = publish_course("events-course")
    manager = ManagerFactory.create()
    return (
        lambda: academy_services.course_requirements_set(
            actor=manager, course=course, required_for_all=True, required_for=[], validity_months=12
        ),
        course.pk,
    )


def _event_registration_moved(clock) -> tuple[Act, int]:
    helper = make_helper()
    event = TrainingEvent.objects.create(
        kind="meetup",
        title_en="Meet-up",
        starts_at=T0 + timedelta(days=3),
        ends_at=T0 + timedelta(days=3, hours=1),
        capacity=5,
        place="Zürich",
    )
    return (
        lambda: academy_services.event_register(helper=helper, actor=helper.user, event=event),
        event.pk,
    )


SCENARIOS: dict[type[domain.DomainEvent], Scenario] = {
    academy_events.CertificationEarned: _certification_earned,
    academy_events.CertificationRevoked: _certification_revoked,
    academy_events.CertificationExpired: _certification_expired,
    academy_events.CourseRequirementsChanged: _course_requirements_changed,
    academy_events.EventRegistrationMoved: _event_registration_moved,
    domain.UserRegistered: _user_registered,
    domain.UserProfileChanged: _user_profile_changed,
    domain.UserActivationChanged: _user_activation_changed,
    domain.DevicesSignedOut: _devices_signed_out,
    domain.CustomerFiguresChanged: _customer_figures_changed,
    catalogue_events.LegalVersionPublished: _legal_version_published,
    catalogue_events.LegalTermsAccepted: _legal_terms_accepted,
    helper_events.HelperApplied: _helper_applied,
    helper_events.HelperProfileChanged: _helper_profile_changed,
    helper_events.HelperDocumentsSubmitted: _vetting_step(
        ApprovalStatus.APPLIED,
        lambda h, _: helper_services.application_submit_documents(helper=h, actor=h.user),
    ),
    helper_events.HelperDocumentsChecked: _vetting_step(
        ApprovalStatus.DOCUMENTS_SUBMITTED,
        _by_manager(helper_services.application_check_documents),
    ),
    helper_events.HelperConductTestPassed: _vetting_step(
        ApprovalStatus.DOCUMENTS_CHECKED,
        lambda h, _: helper_services.application_record_conduct_test(helper=h, actor=None),
    ),
    helper_events.HelperInvitedToInterview: _vetting_step(
        ApprovalStatus.CONDUCT_TEST_PASSED,
        _by_manager(helper_services.application_invite_to_interview),
    ),
    helper_events.HelperInformationRequested: _vetting_step(
        ApprovalStatus.DOCUMENTS_SUBMITTED,
        _by_manager(helper_services.application_request_information, note="A sharper photo."),
    ),
    helper_events.HelperApproved: _vetting_step(
        ApprovalStatus.CONDUCT_TEST_PASSED, _by_manager(helper_services.helper_approve)
    ),
    helper_events.HelperRejected: _vetting_step(
        ApprovalStatus.DOCUMENTS_CHECKED,
        _by_manager(helper_services.application_reject, note="Entries in the extract."),
    ),
    helper_events.HelperWithdrew: _vetting_step(
        ApprovalStatus.DOCUMENTS_SUBMITTED,
        lambda h, _: helper_services.application_withdraw(helper=h, actor=h.user),
    ),
    helper_events.HelperAvailabilityChanged: _helper_availability_changed,
    helper_events.HelperSuspended: _helper_suspended,
    helper_events.HelperReinstated: _helper_reinstated,
    helper_events.HelperOffboarded: _helper_offboarded,
    helper_events.HelperFiguresChanged: _helper_figures_changed,
    helper_events.HelperAppealFiled: _appeal_filed,
    helper_events.HelperAppealDecided: _appeal_decided,
    booking_events.SafetyReportFiled: _report_filed,
    booking_events.SafetyReportDecided: _report_decided,
    booking_events.HelpRequestPosted: _help_request_posted,
    booking_events.HelpRequestChanged: _help_request_changed,
    booking_events.HelpRequestAssigned: _help_request_assigned,
    booking_events.HelpRequestUnmatched: _help_request_unmatched,
    booking_events.HelpRequestWithdrawn: _help_request_withdrawn,
    booking_events.HelpRequestExpired: _help_request_expired,
    booking_events.HelpRequestReopened: _help_request_reopened,
    booking_events.HelpRequestClosed: _help_request_closed,
    booking_events.OfferMade: _offer_made,
    booking_events.OfferAccepted: _offer_accepted,
    booking_events.OfferDeclined: _offer_declined,
    booking_events.OfferExpired: _offer_expired,
    booking_events.OfferWithdrawn: _offer_withdrawn,
    booking_events.BookingOpened: _booking_opened,
    booking_events.BookingProposed: _booking_step(BookingStatus.AWAITING_PROPOSAL, _propose),
    booking_events.BookingConfirmed: _booking_step(BookingStatus.PROPOSED, _confirm),
    booking_events.BookingTimesRequested: _booking_step(BookingStatus.PROPOSED, _new_times),
    booking_events.BookingJourneyStarted: _booking_step(
        BookingStatus.CONFIRMED,
        lambda b: services.booking_start_journey(booking=b, actor=b.helper.user, eta_minutes=9),
    ),
    booking_events.BookingCheckedIn: _booking_step(
        BookingStatus.ON_THE_WAY,
        lambda b: services.booking_check_in(booking=b, actor=b.helper.user),
    ),
    booking_events.BookingCompleted: _booking_step(
        BookingStatus.IN_PROGRESS,
        lambda b: services.booking_check_out(
            booking=b, actor=b.helper.user, work_summary="Set up the new router."
        ),
    ),
    booking_events.BookingSignedOff: _booking_step(
        BookingStatus.COMPLETED,
        lambda b: services.booking_sign_off(booking=b, actor=b.help_request.customer),
    ),
    booking_events.BookingDisputed: _booking_step(
        BookingStatus.COMPLETED,
        lambda b: services.booking_dispute(
            booking=b, actor=b.help_request.customer, reason="The Wi-Fi still drops."
        ),
    ),
    booking_events.BookingSettled: _booking_step(BookingStatus.SIGNED_OFF, _settle),
    booking_events.BookingCancelled: _booking_step(
        BookingStatus.AWAITING_PROPOSAL,
        lambda b: services.booking_cancel(
            booking=b, actor=b.help_request.customer, reason="Fixed it myself."
        ),
    ),
    booking_events.BookingNoShow: _booking_step(
        BookingStatus.ON_THE_WAY,
        lambda b: services.booking_report_no_show(
            booking=b, actor=ManagerFactory.create(), caused_by=Party.CUSTOMER
        ),
    ),
    booking_events.ProposalsMade: _booking_step(BookingStatus.AWAITING_PROPOSAL, _propose),
    booking_events.ProposalChosen: _booking_step(BookingStatus.PROPOSED, _confirm),
    booking_events.ProposalsSuperseded: _booking_step(BookingStatus.PROPOSED, _new_times),
    booking_events.ReviewSubmitted: _review_submitted,
    booking_events.ReviewPublished: _review_published,
    payment_events.PaymentAuthorised: _payment_move(
        PaymentStatus.REQUIRES_PAYMENT_METHOD, PaymentStatus.AUTHORISED
    ),
    payment_events.PaymentDue: _payment_move(
        PaymentStatus.REQUIRES_PAYMENT_METHOD, PaymentStatus.DUE
    ),
    payment_events.PaymentCaptured: _payment_move(PaymentStatus.AUTHORISED, PaymentStatus.CAPTURED),
    payment_events.PaymentRefunded: _payment_move(PaymentStatus.CAPTURED, PaymentStatus.REFUNDED),
    payment_events.PaymentReleased: _payment_released,
    payment_events.PaymentAuthorisationFailed: _payment_authorisation_failed,
    payment_events.PaymentHoldDeferred: _payment_hold_deferred,
    payment_events.PayoutAccountChanged: _payout_account_changed,
    payment_events.PaymentAccountLost: _payment_account_lost,
    chat_events.ChatMessagePosted: _booking_step(
        BookingStatus.CONFIRMED,
        lambda b: chat_message_send(
            booking=b, author=b.help_request.customer, text="See you at ten."
        ),
    ),
    chat_events.ChatMessagesRead: _booking_step(BookingStatus.CONFIRMED, _chat_message_read),
}
EVENT_CLASSES = [pytest.param(cls, id=cls.__name__) for cls in SCENARIOS]


def test_every_event_class_has_a_scenario():
    assert set(domain.event_types()) == set(SCENARIOS)


def _run(event_cls, clock) -> tuple[int, int, object]:
    """Set up, then act; returns the last event number before acting, the aggregate, and
    what the act returned."""
    act, aggregate_id = SCENARIOS[event_cls](clock)
    before = OutboxEvent.objects.order_by("pk").values_list("pk", flat=True).last() or 0
    result = act()
    return before, aggregate_id, result


def _stored(event_cls, after: int) -> list[OutboxEvent]:
    return list(OutboxEvent.objects.filter(pk__gt=after, event_type=event_cls.type_name()))


@pytest.mark.django_db
@pytest.mark.parametrize("event_cls", EVENT_CLASSES)
def test_each_transition_stores_its_event_once(event_cls, clock):
    # When the service that makes the transition runs
    before, aggregate_id, _ = _run(event_cls, clock)

    # Then its event is stored once for that aggregate, and reads back as it was
    stored = _stored(event_cls, before)
    if aggregate_id == -1:  # created by the act: the only one of its type
        assert len(stored) == 1
        aggregate_id = stored[0].aggregate_id
    mine = [row for row in stored if row.aggregate_id == aggregate_id]
    assert len(mine) == 1
    row = mine[0]
    assert row.aggregate_type == event_cls.aggregate_type
    event = domain.decode(row.event_type, json.loads(json.dumps(row.payload)))
    assert type(event) is event_cls
    assert event.aggregate_id == aggregate_id


@pytest.mark.django_db
@pytest.mark.parametrize("event_cls", EVENT_CLASSES)
def test_each_transition_is_heard_once_inside_its_transaction(event_cls, clock):
    # Given a handler that must share the transaction (as the match index does)
    heard: list[tuple[int, bool]] = []

    def projection(events) -> None:
        in_transaction = transaction.get_connection().in_atomic_block
        heard.extend(
            (event.aggregate_id, in_transaction) for event in events if type(event) is event_cls
        )

    with domain.subscribed(projection, event_cls):
        # When the service that makes the transition runs
        before, aggregate_id, _ = _run(event_cls, clock)

    # Then the handler heard each stored event once, inside the transaction, and this
    # aggregate's event exactly once
    stored = _stored(event_cls, before)
    assert sorted(heard) == sorted((row.aggregate_id, True) for row in stored)
    if aggregate_id == -1:  # created by the act: the only one of its type
        aggregate_id = stored[0].aggregate_id
    assert [mine for mine, _ in heard if mine == aggregate_id] == [aggregate_id]


class _Undone(Exception):
    pass


@pytest.mark.django_db
@pytest.mark.parametrize("event_cls", EVENT_CLASSES)
def test_an_events_row_is_rolled_back_with_its_transaction(event_cls, clock):
    # Given someone listening after commit
    with domain.subscribed(
        lambda event, sequence: None, event_cls, phase=domain.Phase.AFTER_COMMIT
    ):
        act, _ = SCENARIOS[event_cls](clock)
        before = OutboxEvent.objects.order_by("pk").values_list("pk", flat=True).last() or 0
        relays = DBTaskResult.objects.filter(task_path=RELAY_TASK).count()

        # When the transition's transaction is rolled back
        def act_then_undo() -> None:
            with transaction.atomic():
                act()
                assert len(_stored(event_cls, before)) >= 1
                raise _Undone

        with pytest.raises(_Undone):
            act_then_undo()

    # Then neither the event nor the relay task that would deliver it is left
    assert _stored(event_cls, before) == []
    assert DBTaskResult.objects.filter(task_path=RELAY_TASK).count() == relays


@pytest.fixture
def only_this_tests_handlers(monkeypatch):
    """The apps' own after-commit handlers (payments follows the bookings) stand aside, so
    that the relay is watched with the test's handler alone.

    The test works on a copy of the subscriptions; the apps' own list is put back untouched
    afterwards, in its order, whatever order the fixtures are torn down in.
    """
    monkeypatch.setattr(domain, "_subscriptions", domain.subscriptions(domain.Phase.IN_TRANSACTION))


@pytest.mark.django_db
@pytest.mark.parametrize("event_cls", EVENT_CLASSES)
@pytest.mark.usefixtures("only_this_tests_handlers")
def test_the_relay_delivers_each_event_at_least_once_and_an_idempotent_effect_once(
    event_cls, clock
):
    heard: list[int] = []
    effects: set[int] = set()

    def handler(event, sequence: int) -> None:
        heard.append(sequence)
        effects.add(sequence)  # idempotent: keyed on the event's number

    with domain.subscribed(handler, event_cls, phase=domain.Phase.AFTER_COMMIT):
        # When the transition commits, a relay task waits for the worker and nothing is heard
        before, _, _ = _run(event_cls, clock)
        stored = [row.pk for row in _stored(event_cls, before)]
        assert stored
        assert DBTaskResult.objects.filter(task_path=RELAY_TASK).exists()
        assert heard == []

        # When the relay runs, but the process dies before the acknowledgement is stored
        with mock.patch.object(EventDelivery.objects, "create", side_effect=RuntimeError("killed")):
            relay_pending()
        assert heard == stored
        assert OutboxEvent.objects.filter(pk__in=stored, relayed_at__isnull=True).count() == len(
            stored
        )
        assert EventDelivery.objects.count() == 0

        # And when it runs again
        relay_pending()

    # Then the event was delivered again (at least once), its effect happened once
    assert heard == [*stored, *stored]
    assert effects == set(stored)
    assert set(
        EventDelivery.objects.filter(event_id__in=stored).values_list("event_id", flat=True)
    ) == set(stored)
    assert not OutboxEvent.objects.filter(pk__in=stored, relayed_at__isnull=True).exists()

    # And a further relay delivers nothing twice
    with domain.subscribed(handler, event_cls, phase=domain.Phase.AFTER_COMMIT):
        relay_pending()
    assert heard == [*stored, *stored]


# --- The relay, through the real worker ---------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("event_cls", EVENT_CLASSES)
def test_the_worker_delivers_each_event_only_after_its_transaction_committed(event_cls, clock):
    heard: list[tuple[int, bool]] = []

    def handler(event, sequence: int) -> None:
        heard.append((sequence, transaction.get_connection().in_atomic_block))

    with domain.subscribed(handler, event_cls, phase=domain.Phase.AFTER_COMMIT):
        # Given the transition's transaction, still open: nothing is heard inside it
        act, _ = SCENARIOS[event_cls](clock)
        before = OutboxEvent.objects.order_by("pk").values_list("pk", flat=True).last() or 0
        with transaction.atomic():
            act()
            stored = [row.pk for row in _stored(event_cls, before)]
            assert stored
            assert heard == []

        # When it has committed and the worker runs
        run_worker()

    # Then each of its events was heard once, by the worker, in a transaction of its own
    assert heard == [(sequence, True) for sequence in stored]
    assert not OutboxEvent.objects.filter(pk__in=stored, relayed_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_relays_after_commit_and_the_sweep_catches_up_after_a_failure(clock):
    # Given a handler after commit that fails while its provider is down, and an offer that
    # is declined
    heard: list[str] = []
    provider = {"down": True}

    def flaky(event, sequence: int) -> None:
        if provider["down"]:
            raise RuntimeError("payment provider down")
        heard.append(type(event).__name__)

    helper = make_helper(point=offset(ZURICH, east_m=300))
    help_request = post_request(UserFactory.create(), point=ZURICH)
    with domain.subscribed(flaky, booking_events.OfferDeclined, phase=domain.Phase.AFTER_COMMIT):
        services.offer_decline(offer=pending_offer(help_request, helper), actor=helper.user)
        row = OutboxEvent.objects.get(event_type="OfferDeclined")

        # When the worker runs (each relay task it has tries once): the handler fails, the
        # event waits with the failures counted
        run_worker()
        row.refresh_from_db()
        assert (heard, row.relayed_at) == ([], None)
        assert row.attempts >= 1
        assert "payment provider down" in row.last_error

        # When the provider is back and the sweep runs
        provider["down"] = False
        call_command("sweep", verbosity=0)

    # Then the event was delivered once and is done
    row.refresh_from_db()
    assert heard == ["OfferDeclined"]
    assert row.relayed_at == T0
    flaky_deliveries = EventDelivery.objects.filter(handler__endswith=".flaky")
    assert list(flaky_deliveries.values_list("event_id", flat=True)) == [row.pk]
    assert Offer.objects.get(helper=helper).status == OfferStatus.DECLINED


@pytest.mark.django_db
def test_events_of_one_aggregate_wait_behind_one_that_failed(clock):
    # Given two events of one request and one of another, all heard after commit
    heard: list[tuple[str, int]] = []
    failing = {"first": True}

    def handler(event, sequence: int) -> None:
        if isinstance(event, booking_events.HelpRequestPosted) and failing["first"]:
            failing["first"] = False
            raise RuntimeError("down")
        heard.append((type(event).__name__, event.help_request_id))

    kinds = (booking_events.HelpRequestPosted, booking_events.HelpRequestWithdrawn)
    with domain.subscribed(handler, *kinds, phase=domain.Phase.AFTER_COMMIT):
        first = post_request(UserFactory.create(), point=ZURICH)
        services.help_request_withdraw(help_request=first)
        second = post_request(UserFactory.create(), point=offset(ZURICH, east_m=900))

        # When the relay runs and the first request's first event fails
        relay_pending()
        # Then its later event waits; the other request's event is delivered
        assert heard == [("HelpRequestPosted", second.pk)]

        # And once the failure is over, they come in their order
        relay_pending()
    assert heard == [
        ("HelpRequestPosted", second.pk),
        ("HelpRequestPosted", first.pk),
        ("HelpRequestWithdrawn", first.pk),
    ]
    first.refresh_from_db()
    assert first.status == HelpRequestStatus.WITHDRAWN


@pytest.mark.django_db
def test_emit_refuses_to_run_outside_a_transaction():
    with mock.patch("django.db.transaction.get_connection") as connection:
        connection.return_value.in_atomic_block = False
        with pytest.raises(RuntimeError, match="inside the transaction"):
            emit(domain.UserRegistered(user_id=1))
    assert not OutboxEvent.objects.exists()


def test_events_name_their_aggregate_and_are_json_safe():
    for cls in domain.event_types():
        assert cls.aggregate_type, cls
        assert not cls.abstract, cls
