"""What the back office tests share: one of everything, made with plain ORM creates, and a
manager logged in.

These tests are about what the admin shows and which services it calls, not about how the rows
came to be, so the rows are written directly rather than through the services.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from backend.models import LoginFailureCounter, User
from bookings.models import (
    ActorRole,
    Booking,
    BookingEvent,
    BookingStatus,
    HelpRequest,
    MatchingRun,
    Offer,
    OfferStatus,
    Review,
    SlotProposal,
    TimeWindow,
)
from catalogue.models import LegalDocument, LegalDocumentKind, ServiceCategory
from catalogue.services import legal_accept
from helpers.models import (
    ApprovalStatus,
    AvailabilityException,
    ConductTestAttempt,
    DocumentAccess,
    ExceptionKind,
    HelperProfile,
    HelperSkill,
    WeeklyAvailability,
)
from tests.factories import publish, publish_conduct_test, stored_document

PASSWORD = "correct-horse-battery-staple"


ZURICH_LAT, ZURICH_LON = 47.3769, 8.5417


def make_user(name: str, **fields: Any) -> User:
    defaults: dict[str, Any] = {
        "display_name": name.title(),
        "phone": "+41 79 123 45 67",
        "languages": ["de", "en"],
        "home_street": "Bahnhofplatz 1",
        "home_postal_code": "8001",
        "home_locality": "Zürich",
        "home_latitude": ZURICH_LAT,
        "home_longitude": ZURICH_LON,
        "home_location": {"type": "Point", "coordinates": [ZURICH_LON, ZURICH_LAT]},
    }
    return User.objects.create_user(
        email=f"{name}@example.ch", password=PASSWORD, **{**defaults, **fields}
    )


def make_helper(
    name: str, *, status: str = ApprovalStatus.APPLIED, **user_fields: Any
) -> HelperProfile:
    helper = HelperProfile.objects.create(
        user=make_user(name, **user_fields),
        approval_status=status,
        rating_count=4,
        rating_sum=18,
        offers_accepted=3,
        offers_declined=1,
        response_seconds_total=800,
    )
    HelperSkill.objects.create(helper=helper, category=category())
    return helper


def category(slug: str = "internet-wifi") -> ServiceCategory:
    return ServiceCategory.objects.get(slug=slug)


def make_help_request(customer: User, **fields: Any) -> HelpRequest:
    defaults: dict[str, Any] = {
        "category": category(),
        "description": "The Wi-Fi drops every evening.",
        "languages": ["de"],
        "street": "Bahnhofstrasse 1",
        "postal_code": "8001",
        "locality": "Zürich",
        "location": {"type": "Point", "coordinates": [ZURICH_LON, ZURICH_LAT]},
        "latitude": ZURICH_LAT,
        "longitude": ZURICH_LON,
    }
    help_request = HelpRequest.objects.create(customer=customer, **{**defaults, **fields})
    start = timezone.now() + timedelta(days=2)
    TimeWindow.objects.create(
        help_request=help_request, starts_at=start, ends_at=start + timedelta(hours=4)
    )
    return help_request


def make_offer(
    help_request: HelpRequest, helper: HelperProfile, *, status: str = OfferStatus.PENDING
) -> Offer:
    return Offer.objects.create(
        help_request=help_request,
        helper=helper,
        status=status,
        round=1,
        rank=1,
        distance_m=2100,
        score=0.87,
        explanation={"distance_m": 2100, "rating_average": 4.5, "rating_count": 4},
        expires_at=timezone.now() + timedelta(minutes=15),
    )


def make_matching_run(help_request: HelpRequest, helper: HelperProfile) -> MatchingRun:
    """A pass that offered `helper`, passed over a helper deleted since, and one out of reach."""
    number = MatchingRun.objects.count() + 1
    gone = make_helper(f"gone{number}")
    gone_id = gone.pk
    gone.delete()
    far = make_helper(f"far{number}", status=ApprovalStatus.APPROVED)
    return MatchingRun.objects.create(
        help_request=help_request,
        radius_km=5.0,
        wanted=3,
        offered=1,
        examined_count=4,
        considered=[
            {
                "helper_id": helper.pk,
                "distance_m": 2100,
                "score": 0.87,
                "offered": True,
                "reason": "offered",
            },
            {
                "helper_id": gone_id,
                "distance_m": 2400,
                "score": None,
                "offered": False,
                "reason": "speaks none of the customer's languages",
            },
            {
                "helper_id": far.pk,
                "distance_m": 3050,
                "score": None,
                "offered": False,
                "reason": "their service radius of 2 km does not reach 3.1 km",
            },
        ],
    )


def make_booking(customer: User, helper: HelperProfile) -> Booking:
    help_request = make_help_request(customer)
    offer = make_offer(help_request, helper, status=OfferStatus.ACCEPTED)
    start = timezone.now() - timedelta(days=1)
    booking = Booking.objects.create(
        help_request=help_request,
        offer=offer,
        helper=helper,
        status=BookingStatus.SIGNED_OFF,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        price_minor=8000,
        work_summary="Replaced the router.",
    )
    SlotProposal.objects.create(
        booking=booking, starts_at=start, ends_at=start + timedelta(hours=1), status="chosen"
    )
    BookingEvent.objects.create(
        booking=booking,
        from_status=BookingStatus.COMPLETED,
        to_status=BookingStatus.SIGNED_OFF,
        actor=customer,
        actor_role=ActorRole.CUSTOMER,
        reason="customer signed off",
    )
    return booking


MANAGER_EMAIL = "manager@quartier.test"


@pytest.fixture
def manager_client(client: Client) -> Client:
    """A manager who reads English, logged in: the admin speaks the logged-in user's language."""
    manager = User.objects.create_superuser(
        email=MANAGER_EMAIL,
        password=PASSWORD,
        display_name="Mia Manager",
        preferred_language="en",
    )
    client.force_login(manager)
    return client


def manager_speaks(language: str) -> None:
    """The logged-in manager of `manager_client` now prefers `language` (de, fr, it, en)."""
    assert User.objects.filter(email=MANAGER_EMAIL).update(preferred_language=language) == 1


@pytest.fixture
def admin_world() -> dict[str, Any]:
    """One of everything, linked the way the product links them."""
    customer = make_user("carla")
    helper = make_helper("hugo", status=ApprovalStatus.APPROVED)
    WeeklyAvailability.objects.create(
        helper=helper, weekday=0, start_time="08:00", end_time="12:00"
    )
    AvailabilityException.objects.create(
        helper=helper,
        kind=ExceptionKind.UNAVAILABLE,
        starts_at=timezone.now() + timedelta(days=5),
        ends_at=timezone.now() + timedelta(days=6),
        note="Holiday in Ticino",
    )
    booking = make_booking(customer, helper)
    review = Review.objects.create(
        booking=booking,
        author=customer,
        subject=helper.user,
        author_role=ActorRole.CUSTOMER,
        rating=4,
        text="Quick and patient.",
        published_at=timezone.now(),
    )
    matching_run = make_matching_run(booking.help_request, helper)
    login_failures = LoginFailureCounter.objects.create(
        email="carla@example.ch", client="203.0.113.9", failures=3
    )
    terms = LegalDocument.objects.create(slug="terms", kind=LegalDocumentKind.CUSTOMER_TERMS)
    terms_version = publish(terms, make_user("lena", is_staff=True), text="Back up your data.")
    acceptance = legal_accept(
        user=customer,
        version=terms_version,
        language="fr",
        text_sha256=terms_version.sha256_in("fr"),
        ip_address="198.51.100.23",
    )
    document = stored_document(helper)
    document_access = DocumentAccess.objects.create(
        document=document,
        manager=make_user("mira", is_staff=True),
        ip_address="192.0.2.44",
    )
    conduct_version = publish_conduct_test(
        questions=3, per_attempt=2, pass_mark=1, manager=make_user("cora", is_staff=True)
    )
    conduct_attempt = ConductTestAttempt.objects.create(
        helper=helper,
        version=conduct_version,
        number=1,
        question_ids=list(conduct_version.questions.values_list("pk", flat=True)[:2]),
    )
    return {
        "conduct_version": conduct_version,
        "conduct_question": conduct_version.questions.get(position=1),
        "conduct_attempt": conduct_attempt,
        "legal_document": terms,
        "legal_version": terms_version,
        "legal_acceptance": acceptance,
        "document": document,
        "document_access": document_access,
        "login_failures": login_failures,
        "customer": customer,
        "helper": helper,
        "matching_run": matching_run,
        "help_request": booking.help_request,
        "offer": booking.offer,
        "booking": booking,
        "event": booking.events.get(),
        "review": review,
        "category": category(),
    }


def admin_url(model: type, view: str, *args: Any) -> str:
    meta = model._meta  # type: ignore[attr-defined]
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


def messages_of(response: Any) -> list[tuple[str, str]]:
    return [(message.level_tag, message.message) for message in get_messages(response.wsgi_request)]
