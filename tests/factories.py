"""Factories and builders for the suite.

Plain rows come from factory_boy. Anything with a status is built by walking the real
services, so a test never starts from a state the product could not reach.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, time, timedelta
from typing import Any

import factory
import time_machine
from django.utils import timezone

from backend.geo import Point, point_to_geojson
from backend.models import User
from bookings import services
from bookings.matching.index import match_index_refresh
from bookings.models import (
    ActorRole,
    Booking,
    BookingStatus,
    HelpRequest,
    Offer,
    OfferStatus,
)
from catalogue.models import LEGAL_LANGUAGES, LegalDocument, LegalDocumentVersion, ServiceCategory
from catalogue.selectors import customer_waivers
from catalogue.services import legal_accept, legal_version_publish
from helpers import document_services
from helpers import services as helper_services
from helpers.conduct_test_services import OptionInput, QuestionInput, conduct_test_version_publish
from helpers.documents import detect_type, store_encrypted
from helpers.models import (
    ApprovalStatus,
    ConductTestAttempt,
    ConductTestOption,
    ConductTestVersion,
    HelperDocument,
    HelperProfile,
    HelperSkill,
    WeeklyAvailability,
)
from payments.models import LedgerEntry, Payment, PayoutAccount
from payments.receipts import receipt_issue

PASSWORD = "correct-horse-battery-staple"
ZURICH = Point(47.3769, 8.5417)  # Zürich HB
ZURICH_PLZ, ZURICH_LOCALITY = "8001", "Zürich"


def category(slug: str = "internet-wifi") -> ServiceCategory:
    return ServiceCategory.objects.get(slug=slug)


def offset(point: Point, *, north_m: float = 0.0, east_m: float = 0.0) -> Point:
    """A point roughly north_m/east_m metres away (good enough to place test people)."""
    import math

    return Point(
        point.latitude + north_m / 111_320.0,
        point.longitude + east_m / (111_320.0 * math.cos(math.radians(point.latitude))),
    )


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.ch")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    phone = "+41 79 123 45 67"
    languages = factory.LazyFunction(lambda: ["de", "en"])
    preferred_language = "de"
    home_street = "Bahnhofplatz 1"
    home_postal_code = ZURICH_PLZ
    home_locality = ZURICH_LOCALITY
    home_latitude = ZURICH.latitude
    home_longitude = ZURICH.longitude
    home_location = factory.LazyAttribute(
        lambda user: point_to_geojson(Point(user.home_latitude, user.home_longitude))
    )
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance: User, create: bool, results: Any = None) -> None:
        if create:
            instance.save()


class ManagerFactory(UserFactory):
    email = factory.Sequence(lambda n: f"manager{n}@quartier.test")
    is_staff = True
    is_superuser = True


def at(user: User, point: Point) -> User:
    """Move a user's home to `point`."""
    user.home_latitude, user.home_longitude = point.latitude, point.longitude
    user.home_location = point_to_geojson(point)
    user.save(update_fields=["home_latitude", "home_longitude", "home_location"])
    return user


def make_helper(
    *,
    point: Point = ZURICH,
    skills: tuple[str, ...] = ("internet-wifi",),
    radius_km: int = 10,
    languages: tuple[str, ...] = ("de", "en"),
    approval: str = ApprovalStatus.APPROVED,
    weekly: tuple[tuple[time, time], ...] = ((time(0, 0), time(23, 59)),),
    rating: tuple[int, int] = (0, 0),
    takes_payments: bool = True,
    **user_fields: Any,
) -> HelperProfile:
    """An approved helper at `point`, free around the clock by default (23:59 = midnight).

    `rating` is (count, sum) of published reviews. `takes_payments`: as if their payout account
    took charges, which paid offers need (the payments tests connect a real account instead).
    """
    user = UserFactory.create(languages=list(languages), **user_fields)
    at(user, point)
    helper = HelperProfile.objects.create(
        user=user,
        service_radius_km=radius_km,
        approval_status=approval,
        rating_count=rating[0],
        rating_sum=rating[1],
        takes_payments=takes_payments,
    )
    for slug in skills:
        HelperSkill.objects.create(helper=helper, category=category(slug))
    WeeklyAvailability.objects.bulk_create(
        [
            WeeklyAvailability(helper=helper, weekday=day, start_time=start, end_time=end)
            for day in range(7)
            for start, end in weekly
        ]
    )
    # Written straight to the tables above, so the match index is brought in step here, as
    # the services do whenever they change a helper.
    match_index_refresh(helper_ids=[helper.pk])
    return helper


# The smallest files each accepted type is recognised by (their first bytes are what counts).
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"passport photo page" * 4
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"% Strafregisterauszug: keine Eintragungen\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)

# The steps of the vetting pipeline in order, and the service call that reaches each.
PIPELINE = (
    ApprovalStatus.DOCUMENTS_SUBMITTED,
    ApprovalStatus.DOCUMENTS_CHECKED,
    ApprovalStatus.CONDUCT_TEST_PASSED,
    ApprovalStatus.APPROVED,
)


def upload_documents(helper: HelperProfile) -> None:
    """The applicant uploads both documents (a recent extract), without submitting them."""
    document_services.document_upload(
        helper=helper,
        actor=helper.user,
        kind=HelperDocument.Kind.IDENTITY,
        content=PNG_BYTES,
        declared_type="image/png",
        original_name="id.png",
    )
    document_services.document_upload(
        helper=helper,
        actor=helper.user,
        kind=HelperDocument.Kind.CRIMINAL_RECORD_EXTRACT,
        content=PDF_BYTES,
        declared_type="application/pdf",
        original_name="extract.pdf",
        issued_on=timezone.localdate() - timedelta(days=10),
    )


def publish(document: LegalDocument, manager: User, *, text: str = "") -> LegalDocumentVersion:
    """A new version of `document`, in every language."""
    body = text or f"The terms of {document.slug}."
    return legal_version_publish(
        document=document,
        actor=manager,
        titles={language: f"{document.slug} ({language})" for language in LEGAL_LANGUAGES},
        texts={language: f"[{language}] {body}" for language in LEGAL_LANGUAGES},
    )


def accept_current_waivers(user: User, category_slug: str = "internet-wifi") -> None:
    """The customer accepts whatever terms and waivers are current for the category (nothing
    when none are published)."""
    for version in customer_waivers(category(category_slug)):
        legal_accept(
            user=user,
            version=version,
            language="de",
            text_sha256=version.sha256_in("de"),
        )


def stored_document(
    helper: HelperProfile, kind: str = HelperDocument.Kind.IDENTITY, content: bytes = PNG_BYTES
) -> HelperDocument:
    """A document of a helper whatever their step (an approved helper's, kept until deletion),
    stored encrypted as an upload would be."""
    return HelperDocument.objects.create(
        helper=helper,
        kind=kind,
        content_type=detect_type(content) or "",
        size_bytes=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        storage_name=store_encrypted(content),
    )


def vet(helper: HelperProfile, *, to: str = ApprovalStatus.APPROVED, manager: User | None = None):
    """Walk an applicant through the pipeline, up to and including step `to`."""
    manager = manager or ManagerFactory.create()
    upload_documents(helper)
    steps = {
        ApprovalStatus.DOCUMENTS_SUBMITTED: lambda h: helper_services.application_submit_documents(
            helper=h, actor=h.user
        ),
        ApprovalStatus.DOCUMENTS_CHECKED: lambda h: helper_services.application_check_documents(
            helper=h, actor=manager
        ),
        ApprovalStatus.CONDUCT_TEST_PASSED: lambda h: (
            helper_services.application_record_conduct_test(helper=h, actor=manager)
        ),
        ApprovalStatus.APPROVED: lambda h: helper_services.helper_approve(helper=h, actor=manager),
    }
    for step in PIPELINE:
        helper = steps[step](helper)
        if step == to:
            break
    return helper


def next_slot_start(*, days: int = 2, hour: int = 10) -> datetime:
    """A round future time in Swiss local time."""
    local = timezone.localtime() + timedelta(days=days)
    return local.replace(hour=hour, minute=0, second=0, microsecond=0)


def post_request(
    customer: User,
    *,
    slug: str = "internet-wifi",
    start: datetime | None = None,
    hours: int = 4,
    point: Point | None = None,
    languages: list[str] | None = None,
    **extra: Any,
) -> HelpRequest:
    """A help request posted through the service (so offers go out as in production)."""
    start = start or next_slot_start()
    address = (
        services.AddressInput(point=point)
        if point is not None
        else services.AddressInput(
            street="Bahnhofstrasse 1", postal_code=ZURICH_PLZ, locality=ZURICH_LOCALITY
        )
    )
    return services.help_request_create(
        customer=customer,
        category=category(slug),
        description=extra.pop("description", "The Wi-Fi drops every evening."),
        address=address,
        windows=[(start, start + timedelta(hours=hours))],
        languages=languages,
        **extra,
    )


def pending_offer(help_request: HelpRequest, helper: HelperProfile | None = None) -> Offer:
    offers = Offer.objects.filter(help_request=help_request, status=OfferStatus.PENDING)
    if helper is not None:
        offers = offers.filter(helper=helper)
    return offers.order_by("rank").first()  # type: ignore[return-value]


# Each status, and the steps that reach it from a fresh booking (awaiting_proposal).
def make_booking(
    status: str = BookingStatus.AWAITING_PROPOSAL,
    *,
    customer: User | None = None,
    helper: HelperProfile | None = None,
    manager: User | None = None,
    start: datetime | None = None,
) -> Booking:
    """A booking in `status`, reached through the services the way users reach it.

    The slot starts 30 minutes from now unless `start` is given, so the helper may go on the
    way and check in at once; states that need time to pass travel in time.
    """
    customer = customer if customer is not None else UserFactory.create()
    # Confirming needs the current terms and waivers accepted, when any are published.
    accept_current_waivers(customer)
    helper = helper if helper is not None else make_helper()
    start = start or (timezone.now() + timedelta(minutes=30)).replace(second=0, microsecond=0)
    help_request = post_request(customer, start=start, hours=3)
    offer = pending_offer(help_request, helper)
    assert offer is not None, "the helper was not offered the request"
    booking = services.offer_accept(offer=offer, actor=helper.user)
    if status == BookingStatus.AWAITING_PROPOSAL:
        return booking
    booking = services.booking_propose(
        booking=booking,
        actor=helper.user,
        slots=[services.SlotInput(start, start + timedelta(hours=1))],
    )
    if status == BookingStatus.PROPOSED:
        return booking
    booking = services.booking_confirm(
        booking=booking, actor=customer, proposal=booking.proposals.get(status="proposed")
    )
    if status == BookingStatus.CONFIRMED:
        return booking
    if status == BookingStatus.NO_SHOW:
        with time_machine.travel(start + timedelta(minutes=45), tick=False):
            return services.booking_report_no_show(booking=booking, actor=customer)
    if status == BookingStatus.CANCELLED:
        return services.booking_cancel(booking=booking, actor=customer, reason="Not needed")
    booking = services.booking_start_journey(booking=booking, actor=helper.user, eta_minutes=20)
    if status == BookingStatus.ON_THE_WAY:
        return booking
    booking = services.booking_check_in(booking=booking, actor=helper.user)
    if status == BookingStatus.IN_PROGRESS:
        return booking
    booking = services.booking_check_out(
        booking=booking,
        actor=helper.user,
        work_summary="Replaced the router and set up Wi-Fi.",
        leave_behind_note="Restart the router with the button at the back.",
    )
    if status == BookingStatus.COMPLETED:
        return booking
    if status == BookingStatus.DISPUTED:
        return services.booking_dispute(
            booking=booking, actor=customer, reason="The Wi-Fi still drops every evening."
        )
    booking = services.booking_sign_off(booking=booking, actor=customer)
    if status == BookingStatus.SIGNED_OFF:
        return booking
    if status == BookingStatus.SETTLED:
        return services.booking_transition(
            booking=booking,
            to=BookingStatus.SETTLED,
            actor=None,
            role=ActorRole.SYSTEM,
            reason="settled",
        )
    raise ValueError(f"no recipe for {status}")


def paid_on_paper(booking: Any, *, fee_minor: int = 146) -> Any:
    """Rows of a captured payment, its ledger and its receipt for a signed-off booking, without
    Stripe (for pages that only show them; the payments tests take real payments from the
    emulator)."""
    price = booking.price_minor
    account, _created = PayoutAccount.objects.get_or_create(
        helper=booking.helper,
        defaults={
            "stripe_account_id": f"acct_paper{booking.helper.pk}",
            "status": "payouts_enabled",
        },
    )
    payment, _created = Payment.objects.update_or_create(
        booking=booking,
        defaults={
            "payout_account": account,
            "status": "captured",
            "currency": "CHF",
            "amount_minor": price,
            "authorised_minor": price,
            "captured_minor": price,
            "stripe_fee_minor": fee_minor,
            "payment_intent_id": f"pi_paper{booking.pk}",
            "payment_method_id": "pm_paper",
        },
    )
    for kind, debit, credit, amount, reference in (
        ("authorised", "customer", "hold", price, f"pi_paper{booking.pk}"),
        ("captured", "hold", "helper", price, f"ch_paper{booking.pk}"),
        ("stripe_fee", "helper", "stripe", fee_minor, f"txn_paper{booking.pk}"),
    ):
        LedgerEntry.objects.create(
            booking=booking,
            payment=payment,
            kind=kind,
            debit=debit,
            credit=credit,
            amount_minor=amount,
            currency="CHF",
            reference=reference,
        )
    return receipt_issue(payment=payment)


def publish_conduct_test(
    *,
    questions: int = 12,
    per_attempt: int = 8,
    pass_mark: int = 7,
    max_attempts: int = 3,
    waiting: timedelta = timedelta(days=7),
    manager: User | None = None,
) -> ConductTestVersion:
    """A published code-of-conduct test of `questions` questions, each with three answers of
    which the first is right."""

    def texts(label: str) -> dict[str, str]:
        return {language: f"{label} ({language})" for language in ("de", "fr", "it", "en")}

    return conduct_test_version_publish(
        actor=manager or ManagerFactory.create(),
        pass_mark=pass_mark,
        questions_per_attempt=per_attempt,
        max_attempts=max_attempts,
        waiting_period=waiting,
        questions=[
            QuestionInput(
                texts=texts(f"Question {number}"),
                options=[
                    OptionInput(texts=texts(f"Right {number}"), is_correct=True),
                    OptionInput(texts=texts(f"Wrong {number}a")),
                    OptionInput(texts=texts(f"Wrong {number}b")),
                ],
            )
            for number in range(1, questions + 1)
        ],
    )


def answers_for(attempt: ConductTestAttempt, *, wrong: int = 0) -> list[tuple[int, int]]:
    """(question, option) for each drawn question: the right answer, but wrong for the first
    `wrong` questions."""
    chosen = []
    for index, question_id in enumerate(attempt.question_ids):
        options = ConductTestOption.objects.filter(question_id=question_id)
        option = options.filter(is_correct=index >= wrong).order_by("position").first()
        assert option is not None
        chosen.append((question_id, option.pk))
    return chosen


def device_token(user: User, name: str = "") -> str:
    """A new signed-in device of `user`, and its API token."""
    from backend.devices import device_sign_in

    return device_sign_in(user=user, name=name)[1]
