"""Who may touch what (OWASP API1 BOLA and API3 mass assignment).

The matrix is generated from the URL resolver: every route with an object id in its path,
every method its view answers, every kind of caller. Someone else's object does not exist for
you (404 not_found, never 403, never 200); an anonymous caller is 401 not_authenticated.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import time, timedelta
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from academy.models import (
    Certification,
    CourseVersion,
    EventRegistration,
    QuizAttempt,
    TrainingEvent,
)
from backend.devices import device_sign_in
from backend.models import Device, User
from bookings.models import (
    Booking,
    BookingStatus,
    HelpRequest,
    HelpRequestStatus,
    Offer,
    OfferStatus,
    SafetyReport,
    SlotProposal,
)
from helpers.appeal_services import appeal_file
from helpers.models import (
    AvailabilityException,
    ConductTestAttempt,
    DocumentAccess,
    HelperAppeal,
    HelperDocument,
    HelperProfile,
)
from helpers.services import helper_suspend
from realtime.chat import chat_message_send
from tests.academy.builders import publish_course
from tests.api.api_assertions import (
    API,
    assert_error,
    client_for,
    results,
    row_counts,
)
from tests.factories import (
    PASSWORD,
    ManagerFactory,
    UserFactory,
    make_booking,
    make_helper,
    pending_offer,
    post_request,
    publish_conduct_test,
    stored_document,
)

pytestmark = pytest.mark.django_db

# Free around the clock, so that visits starting in 30 minutes match at any hour of the day.
ALL_DAY = ((time(0, 0), time(23, 59)),)
METHODS = ("get", "post", "put", "patch", "delete")
ROLES = ("anonymous", "customer", "helper", "other_customer", "other_helper", "manager")
PUBLIC_ROUTES = {
    "auth-register",
    "auth-verify-email",
    "auth-token",
    "auth-password-reset",
    "auth-password-reset-confirm",
    "categories",
}


# --- The routes, from the resolver -------------------------------------------------------------


@dataclass(frozen=True)
class ApiRoute:
    name: str
    route: str  # e.g. "bookings/<uuid:booking_id>/propose"
    methods: tuple[str, ...]
    params: tuple[str, ...]


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def api_routes() -> list[ApiRoute]:
    """Every route of /api/v1/, with the HTTP methods its view implements."""
    found = []
    for route, pattern in _walk(get_resolver().url_patterns):
        if not route.startswith("api/v1/") or pattern.name == "api-not-found":
            continue  # the catch-all is tested in test_error_pages
        view = pattern.callback.view_class  # type: ignore[attr-defined]
        found.append(
            ApiRoute(
                name=str(pattern.name),
                route=route.removeprefix("api/v1/"),
                methods=tuple(method for method in METHODS if hasattr(view, method)),
                params=tuple(pattern.pattern.converters),
            )
        )
    return found


# --- Who owns what, and what the owner sends ---------------------------------------------------


@dataclass
class World:
    """One customer's booking and open request, their helper, two strangers and a manager."""

    users: dict[str, User | None]
    helper: HelperProfile
    booking: Booking
    proposal: SlotProposal
    help_request: HelpRequest
    offer: Offer
    exception: AvailabilityException
    document: HelperDocument
    attempt: ConductTestAttempt
    report: SafetyReport
    device: Device
    appeal: HelperAppeal
    quiz_attempt: QuizAttempt
    event: TrainingEvent
    certification: Certification

    def kwargs(self, params: tuple[str, ...]) -> dict[str, Any]:
        ids = {
            "request_id": self.help_request.public_id,
            "offer_id": self.offer.public_id,
            "booking_id": self.booking.public_id,
            "helper_id": self.helper.public_id,
            "exception_id": self.exception.pk,
            "document_id": self.document.public_id,
            "attempt_id": self.attempt.public_id,
            "number": self.attempt.version.number,
            "report_id": self.report.public_id,
            "device_id": self.device.public_id,
            "appeal_id": self.appeal.public_id,
            "slug": self.quiz_attempt.version.course.slug,
            "quiz_attempt_id": self.quiz_attempt.public_id,
            "event_id": self.event.public_id,
            "certification_id": self.certification.pk,
        }
        return {name: ids[name] for name in params}

    def state(self) -> dict[str, Any]:
        """Everything a refused call must leave as it was."""
        return {
            **row_counts(),
            "exceptions": AvailabilityException.objects.count(),
            "devices": sorted(Device.objects.values_list("pk", "user_id")),
            "document_accesses": DocumentAccess.objects.count(),
            "attempts": sorted(
                ConductTestAttempt.objects.values_list("pk", "submitted_at", "score")
            ),
            "booking": Booking.objects.values_list("status", "updated_at").get(pk=self.booking.pk),
            "request": HelpRequest.objects.values_list("status", "updated_at").get(
                pk=self.help_request.pk
            ),
            "offers": sorted(Offer.objects.values_list("pk", "status")),
            "reports": sorted(SafetyReport.objects.values_list("pk", "outcome")),
            "appeals": sorted(HelperAppeal.objects.values_list("pk", "status")),
            "proposals": sorted(SlotProposal.objects.values_list("pk", "status")),
            "helpers": sorted(
                HelperProfile.objects.values_list("pk", "approval_status", "cancellations_caused")
            ),
            "quiz_attempts": sorted(QuizAttempt.objects.values_list("pk", "submitted_at")),
            "certifications": sorted(Certification.objects.values_list("pk", "revoked_at")),
            "course_versions": sorted(CourseVersion.objects.values_list("pk", "status")),
            "events": sorted(TrainingEvent.objects.values_list("pk", "cancelled_at")),
            "registrations": sorted(
                EventRegistration.objects.values_list("pk", "status", "attended")
            ),
        }


def build_world() -> World:
    helper = make_helper(weekly=ALL_DAY)
    # A competitor nearby with the same skill: offered the same requests.
    other_helper = make_helper(weekly=ALL_DAY)
    customer, other_customer = UserFactory.create(), UserFactory.create()
    booking = make_booking(BookingStatus.PROPOSED, customer=customer, helper=helper)
    help_request = post_request(customer)
    starts_at = timezone.now() + timedelta(days=5)
    return World(
        users={
            "anonymous": None,
            "customer": customer,
            "helper": helper.user,
            "other_customer": other_customer,
            "other_helper": other_helper.user,
            "manager": ManagerFactory.create(),
        },
        helper=helper,
        booking=booking,
        proposal=booking.proposals.get(status="proposed"),
        help_request=help_request,
        offer=pending_offer(help_request, helper),
        exception=AvailabilityException.objects.create(
            helper=helper,
            kind="unavailable",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
        ),
        document=stored_document(helper),
        attempt=_attempt_under_way(helper),
        report=SafetyReport.objects.create(
            booking=booking,
            reporter=customer,
            reporter_role="customer",
            reported=helper.user,
            category="safety",
            text="Rude.",
        ),
        device=device_sign_in(user=customer, name="Phone")[0],
        appeal=_appeal_waiting(),
        **_academy(helper),
    )


def _appeal_waiting() -> HelperAppeal:
    """A third helper, suspended, whose appeal waits for the manager."""
    helper = make_helper()
    helper_suspend(helper=helper, actor=ManagerFactory.create(), note="Late twice.")
    return appeal_file(helper=helper, actor=helper.user, text="The bus was late.")


def _academy(helper: HelperProfile) -> dict[str, Any]:
    """The helper's quiz attempt under way, a certification of theirs, and an event with
    their registration."""
    course = publish_course("permission-course", questions=2, per_attempt=1, pass_mark=1)
    version = course.versions.get()
    now = timezone.now()
    event = TrainingEvent.objects.create(
        kind="training",
        title_en="Permissions",
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=3, hours=2),
        capacity=5,
        place="Zürich",
    )
    EventRegistration.objects.create(event=event, helper=helper, status="registered")
    return {
        "quiz_attempt": QuizAttempt.objects.create(
            helper=helper,
            version=version,
            question_ids=[version.questions.first().pk],  # type: ignore[union-attr]
        ),
        "event": event,
        "certification": Certification.objects.create(
            helper=helper,
            course=course,
            source="quiz",
            earned_at=now,
            expires_at=now + timedelta(days=700),
        ),
    }


def _attempt_under_way(helper: HelperProfile) -> ConductTestAttempt:
    version = publish_conduct_test(questions=2, per_attempt=1, pass_mark=1)
    return ConductTestAttempt.objects.create(
        helper=helper,
        version=version,
        number=1,
        question_ids=[version.questions.values_list("pk", flat=True)[0]],
    )


BOTH = ("customer", "helper")
EVERY_METHOD = frozenset(METHODS)


@dataclass(frozen=True)
class Access:
    owners: tuple[str, ...]
    # Methods the manager may use without being an owner.
    manager_methods: frozenset[str] = frozenset()
    # A valid body for the owner, so that a refusal is about who, never about what.
    body: Callable[[World], dict[str, Any]] = field(default=lambda world: {})


REASON_BODY = {"reason": "Something came up, sorry."}
ACCESS: dict[str, Access] = {
    "device": Access(("customer",)),
    "help-request": Access(
        ("customer",),
        frozenset({"get"}),
        lambda world: {"description": "The Wi-Fi drops every evening, and at noon."},
    ),
    "help-request-withdraw": Access(("customer",), body=lambda world: {"reason": "Fixed it."}),
    "offer": Access(("helper",), frozenset({"get"})),
    "offer-accept": Access(("helper",)),
    "offer-decline": Access(("helper",), body=lambda world: {"reason": "too_far"}),
    "booking": Access(BOTH, EVERY_METHOD),
    "booking-propose": Access(
        BOTH,
        EVERY_METHOD,
        lambda world: {
            "slots": [
                {
                    "starts_at": (world.proposal.starts_at + timedelta(hours=1)).isoformat(),
                    "ends_at": (world.proposal.ends_at + timedelta(hours=1)).isoformat(),
                }
            ]
        },
    ),
    "booking-confirm": Access(
        BOTH, EVERY_METHOD, lambda world: {"proposal": str(world.proposal.public_id)}
    ),
    "booking-request-new-times": Access(BOTH, EVERY_METHOD, lambda world: REASON_BODY),
    "booking-cancel": Access(BOTH, EVERY_METHOD, lambda world: REASON_BODY),
    "booking-no-show": Access(BOTH, EVERY_METHOD),
    "booking-on-my-way": Access(BOTH, EVERY_METHOD, lambda world: {"eta_minutes": 20}),
    "booking-check-in": Access(BOTH, EVERY_METHOD),
    "booking-check-out": Access(
        BOTH, EVERY_METHOD, lambda world: {"work_summary": "Set up the new router."}
    ),
    "booking-sign-off": Access(BOTH, EVERY_METHOD),
    "booking-dispute": Access(
        BOTH, EVERY_METHOD, lambda world: {"reason": "The Wi-Fi still drops."}
    ),
    "booking-resolve-dispute": Access(
        BOTH, EVERY_METHOD, lambda world: {"outcome": "visit_stands", "note": "Looked fine."}
    ),
    "booking-events": Access(BOTH, EVERY_METHOD),
    # The chat: its customer and helper; the manager only while a dispute is open.
    "booking-messages": Access(BOTH, body=lambda world: {"text": "Are you still coming?"}),
    "booking-messages-read": Access(BOTH, body=lambda world: {"message": _chat_message(world)}),
    "booking-reviews": Access(BOTH, EVERY_METHOD, lambda world: {"rating": 5}),
    # Reports: either party files one (the manager is refused by role, not hidden from); only
    # the manager reads and decides them.
    "booking-reports": Access(
        BOTH, EVERY_METHOD, lambda world: {"category": "safety", "text": "Rude."}
    ),
    "booking-helper-block": Access(BOTH, EVERY_METHOD),
    "manager-report": Access(("manager",)),
    "manager-report-decide": Access(
        ("manager",), body=lambda world: {"outcome": "warning", "note": "Talked to both."}
    ),
    "manager-helper": Access(("manager",)),
    "manager-appeal-decide": Access(
        ("manager",), body=lambda world: {"outcome": "uphold", "note": "Third time."}
    ),
    "manager-helper-approve": Access(("manager",)),
    "manager-helper-suspend": Access(("manager",), body=lambda world: {"note": "Complaints."}),
    "manager-application": Access(("manager",)),
    "manager-application-check-documents": Access(("manager",)),
    "manager-application-conduct-test-passed": Access(("manager",)),
    "manager-application-invite-to-interview": Access(("manager",)),
    "manager-application-request-information": Access(
        ("manager",), body=lambda world: {"note": "A sharper photo, please."}
    ),
    "manager-application-reject": Access(("manager",), body=lambda world: {"note": "Entries."}),
    "manager-helper-offboard": Access(("manager",), body=lambda world: {"note": "Moved away."}),
    "manager-document-file": Access(("manager",)),
    "manager-request-offers": Access(("manager",)),
    "manager-request-matching": Access(("manager",)),
    "helper-exception": Access(("helper",)),
    "helper-conduct-test-attempt-submit": Access(
        ("helper",), body=lambda world: {"answers": [{"question": 1, "option": 1}]}
    ),
    "manager-conduct-test-version": Access(("manager",)),
    "booking-payment": Access(BOTH, EVERY_METHOD),
    "booking-payment-method": Access(
        BOTH, EVERY_METHOD, lambda world: {"payment_method": "pm_card_visa"}
    ),
    "booking-payment-pay": Access(
        BOTH, EVERY_METHOD, lambda world: {"return_url": "https://app.example/paid"}
    ),
    "booking-payment-refunds": Access(
        BOTH, EVERY_METHOD, lambda world: {"amount_minor": 100, "reason": "Goodwill."}
    ),
    # Receipts and tips are the two parties' own: the manager does not see them either.
    "booking-receipt": Access(BOTH),
    "booking-tip": Access(BOTH, body=lambda world: {"amount_minor": 500}),
    "booking-extra": Access(BOTH, body=lambda world: {"minutes": 20}),
    "booking-extra-answer": Access(BOTH, body=lambda world: {"consent": False}),
    # The academy: a helper's own quiz attempt; the manager's courses, certifications, events.
    "academy-quiz-submit": Access(("helper",), body=lambda world: {"answers": []}),
    "manager-academy-course-requirements": Access(("manager",)),
    "manager-academy-course-drafts": Access(("manager",)),
    "manager-academy-course-version": Access(("manager",)),
    "manager-academy-course-version-publish": Access(("manager",)),
    "manager-academy-certification-revoke": Access(("manager",)),
    "manager-academy-event": Access(("manager",)),
    "manager-academy-event-cancel": Access(("manager",)),
    "manager-academy-event-attendance": Access(("manager",)),
    "manager-booking-acceptances": Access(("manager",)),
}


# Routes under the helper's own profile: to someone who is no helper, "not a helper".
HELPER_ROUTES = (
    "helper-exception",
    "helper-conduct-test-attempt-submit",
    "academy-quiz-submit",
)
# Routes on what every helper shares (published courses, coming events): no owner to tell
# apart, so they are not in the matrix; tests/academy covers who may use them.
SHARED_WITH_HELPERS = frozenset(
    {"academy-course", "academy-quiz-start", "academy-event-register", "academy-event-cancel"}
)


def _chat_message(world: World) -> int:
    """A message in the world's booking, written by its customer."""
    customer = world.users["customer"]
    assert customer is not None
    return chat_message_send(booking=world.booking, author=customer, text="Hello").pk


def _object_routes() -> list[ApiRoute]:
    return [
        route for route in api_routes() if route.params and route.name not in SHARED_WITH_HELPERS
    ]


def _allowed(access: Access, method: str, role: str) -> bool:
    return role in access.owners or (role == "manager" and method in access.manager_methods)


def _route_methods() -> list[Any]:
    return [
        pytest.param(route, method, id=f"{method.upper()} {route.route}")
        for route in _object_routes()
        if route.name in ACCESS
        for method in route.methods
    ]


def _owner_matrix() -> list[Any]:
    return [
        pytest.param(route, method, role, id=f"{method.upper()} {route.route} as {role}")
        for route in _object_routes()
        if route.name in ACCESS
        for method in route.methods
        for role in ROLES
        if _allowed(ACCESS[route.name], method, role)
    ]


def _unimplemented_methods() -> list[Any]:
    """GET on action routes, POST on read-only routes."""
    return [
        pytest.param(route, method, id=f"{method.upper()} {route.route}")
        for route in _object_routes()
        for method in ("get", "post")
        if method not in route.methods
    ]


def _missing_ids(params: tuple[str, ...]) -> dict[str, Any]:
    return {
        name: 999_999 if name in ("exception_id", "number", "certification_id") else uuid.uuid4()
        for name in params
    }


def _call(client: Any, method: str, url: str, body: dict[str, Any]) -> Any:
    if method in ("get", "delete"):
        return getattr(client, method)(url)
    return getattr(client, method)(url, body)


def test_every_route_with_an_object_id_is_in_the_matrix():
    # Given the routes the resolver knows, when we pick those that name an object
    with_ids = {route.name for route in _object_routes()}

    # Then each has an access rule here (and no rule is left over from a removed route)
    assert with_ids == set(ACCESS)
    assert {route.name for route in _object_routes() if "<uuid:" in route.route} == set(ACCESS) - {
        "helper-exception",
        "manager-conduct-test-version",
        # A course by its slug (and version number), a certification by its number.
        "manager-academy-course-requirements",
        "manager-academy-course-drafts",
        "manager-academy-course-version",
        "manager-academy-course-version-publish",
        "manager-academy-certification-revoke",
    }
    # And every method of every such route is tried by everyone who is not its owner
    assert len(_route_methods()) == sum(len(route.methods) for route in _object_routes())


@pytest.mark.parametrize(("route", "method"), _route_methods())
def test_object_routes_do_not_exist_for_anyone_but_their_owners(route: ApiRoute, method: str):
    # Given a booking, an open request with its offer, and a helper's exception
    world = build_world()
    access = ACCESS[route.name]
    url = reverse(route.name, kwargs=world.kwargs(route.params))
    before = world.state()
    nowhere = reverse(route.name, kwargs=_missing_ids(route.params))
    refused = [role for role in ROLES if not _allowed(access, method, role)]
    assert {"anonymous", "other_customer", "other_helper"} <= set(refused)

    for role in refused:
        user = world.users[role]

        # When anyone but the owner calls it with a body that would be valid for the owner
        response = _call(client_for(user), method, url, access.body(world))

        # Then anonymous is 401; for everybody else it does not exist; nothing changed
        if role == "anonymous":
            assert_error(response, 401, "not_authenticated", set())
        else:
            not_a_helper = route.name in HELPER_ROUTES and not hasattr(user, "helper_profile")
            assert_error(response, 404, "not_a_helper" if not_a_helper else "not_found", set())
        assert world.state() == before, role
        # And the answer is word for word the one for an id that does not exist at all
        missing = _call(client_for(user), method, nowhere, access.body(world))
        assert (missing.status_code, missing.json()) == (response.status_code, response.json())


@pytest.mark.parametrize(("route", "method"), _unimplemented_methods())
def test_methods_a_route_lacks_tell_strangers_nothing(route: ApiRoute, method: str):
    # Given the world, and a method the route's view does not implement
    world = build_world()
    url = reverse(route.name, kwargs=world.kwargs(route.params))
    nowhere = reverse(route.name, kwargs=_missing_ids(route.params))
    before = world.state()

    for role in ("other_customer", "other_helper"):
        # When a stranger tries it on a real object and on one that does not exist
        client = client_for(world.users[role])
        response, missing = (
            client.generic(method.upper(), url),
            client.generic(method.upper(), nowhere),
        )

        # Then both answers are the same 405, and nothing changed
        assert_error(response, 405, "method_not_allowed", set())
        assert (missing.status_code, missing.json()) == (405, response.json())
        assert world.state() == before, role


@pytest.mark.parametrize(("route", "method", "role"), _owner_matrix())
def test_object_routes_answer_their_owners(route: ApiRoute, method: str, role: str):
    # Given the same world
    world = build_world()
    url = reverse(route.name, kwargs=world.kwargs(route.params))

    # When an owner (or the manager, where allowed) calls the route
    response = _call(client_for(world.users[role]), method, url, ACCESS[route.name].body(world))

    # Then they get past the scoping: whatever the answer, it is not "who are you" or "no such"
    assert response.status_code not in (401, 404), response.content
    assert response.status_code < 500


def test_anonymous_callers_get_401_on_every_non_public_route(api_client):
    # Given every route of the API with placeholder ids
    routes = [route for route in api_routes() if route.name not in PUBLIC_ROUTES]
    assert len(routes) == len(api_routes()) - len(PUBLIC_ROUTES)

    for route in routes:
        url = reverse(route.name, kwargs=_missing_ids(route.params))
        for method in route.methods:
            # When nobody is logged in, then each answers 401 not_authenticated
            response = _call(api_client, method, url, {})
            assert_error(response, 401, "not_authenticated", set())


# --- Lists never leak --------------------------------------------------------------------------


def _ids(client: Any, path: str) -> set[str]:
    return {row["id"] for row in results(client.get(f"{API}/{path}", {"page_size": 100}))}


def _public_ids(queryset: Any) -> set[str]:
    return {str(public_id) for public_id in queryset.values_list("public_id", flat=True)}


def test_lists_show_only_ones_own_rows():
    # Given the world, plus a request and a booking of the other customer with the other helper
    world = build_world()
    other_customer, other_helper = world.users["other_customer"], world.users["other_helper"]
    assert other_customer is not None
    assert other_helper is not None
    theirs = make_booking(
        BookingStatus.AWAITING_PROPOSAL,
        customer=other_customer,
        helper=other_helper.helper_profile,
    )
    post_request(other_customer)

    for role in ("customer", "helper", "other_customer", "other_helper"):
        user = world.users[role]
        client = client_for(user)

        # When each lists requests, offers and bookings, then they see exactly their own
        assert _ids(client, "help-requests") == _public_ids(
            HelpRequest.objects.filter(customer=user)
        )
        assert _ids(client, "offers") == _public_ids(Offer.objects.filter(helper__user=user))
        assert _ids(client, "bookings") == _public_ids(
            Booking.objects.filter(help_request__customer=user)
            | Booking.objects.filter(helper__user=user)
        )

        # And the lists are not trivially empty: each sees something, nobody sees everything
        assert (
            0
            < len(_ids(client, "offers" if user.is_helper else "help-requests"))
            < len(
                _ids(
                    client_for(world.users["manager"]),
                    "offers" if user.is_helper else "help-requests",
                )
            )
        )
    assert _ids(client_for(world.users["customer"]), "bookings") == {str(world.booking.public_id)}
    assert _ids(client_for(other_customer), "bookings") == {str(theirs.public_id)}


def test_customers_and_helpers_cannot_see_the_manager_lists():
    # Given a customer and an approved helper (and a suspended one who appealed)
    world = build_world()

    for role in ("customer", "helper"):
        # When they list the helpers to vet, or the appeals, then there is no such thing for them
        for listing in ("helpers", "appeals"):
            response = client_for(world.users[role]).get(f"{API}/manager/{listing}")
            assert_error(response, 404, "not_found", set())
    manager = client_for(world.users["manager"])
    assert len(results(manager.get(f"{API}/manager/helpers"))) == 3
    assert [a["id"] for a in results(manager.get(f"{API}/manager/appeals"))] == [
        str(world.appeal.public_id)
    ]


# --- Mass assignment -----------------------------------------------------------------------------


def test_patching_read_only_fields_of_a_request_changes_nothing():
    # Given an open request with a pending offer
    world = build_world()
    customer, stranger = world.users["customer"], world.users["other_customer"]
    assert stranger is not None
    before = world.state()
    original = HelpRequest.objects.get(pk=world.help_request.pk)

    # When the customer PATCHes its status, owner, helper and search state
    response = client_for(customer).patch(
        f"{API}/help-requests/{world.help_request.public_id}",
        {
            "status": HelpRequestStatus.ASSIGNED,
            "customer": str(stranger.public_id),
            "assigned_helper": str(world.helper.public_id),
            "matching_round": 9,
            "search_radius_km": 50,
            "pending_offers": 0,
            "booking": str(world.booking.public_id),
        },
    )

    # Then the answer is the unchanged request, and nothing changed underneath
    assert response.status_code == 200, response.content
    assert response.json()["status"] == HelpRequestStatus.OPEN
    assert response.json()["pending_offers"] == 2
    assert response.json()["booking"] is None
    assert world.state() == before
    after = HelpRequest.objects.get(pk=world.help_request.pk)
    assert (after.customer_id, after.assigned_helper_id, after.matching_round) == (
        original.customer_id,
        original.assigned_helper_id,
        original.matching_round,
    )
    assert after.search_radius_km == original.search_radius_km


def test_the_helper_cannot_confirm_their_own_proposal():
    # Given a booking with a proposed time
    world = build_world()
    before = world.state()

    # When the helper confirms it in the customer's place
    response = client_for(world.users["helper"]).post(
        f"{API}/bookings/{world.booking.public_id}/confirm",
        {"proposal": str(world.proposal.public_id)},
    )

    # Then it is refused for the role, and the booking is still only proposed
    assert_error(response, 403, "not_allowed_for_role", set())
    assert world.state() == before
    world.booking.refresh_from_db()
    assert (world.booking.status, world.booking.price_minor) == (BookingStatus.PROPOSED, None)


def test_the_customer_cannot_accept_an_offer_made_to_their_helper():
    # Given the customer's open request and the offer to a helper
    world = build_world()
    before = world.state()

    # When the customer tries to accept the offer themselves
    response = client_for(world.users["customer"]).post(
        f"{API}/offers/{world.offer.public_id}/accept"
    )

    # Then the offer does not exist for them, and it is still pending
    assert_error(response, 404, "not_found", set())
    assert world.state() == before
    world.offer.refresh_from_db()
    assert world.offer.status == OfferStatus.PENDING


def test_patching_ones_own_account_cannot_make_one_a_manager():
    # Given a customer
    customer = UserFactory.create(email="ruth@example.ch")

    # When they PATCH /me with staff flags and another email
    response = client_for(customer).patch(
        f"{API}/me",
        {"is_staff": True, "is_superuser": True, "is_manager": True, "email": "boss@example.ch"},
    )

    # Then the answer is their unchanged account
    assert response.status_code == 200, response.content
    assert (response.json()["is_manager"], response.json()["email"]) == (False, "ruth@example.ch")
    customer.refresh_from_db()
    assert (customer.is_staff, customer.is_superuser, customer.email) == (
        False,
        False,
        "ruth@example.ch",
    )


def test_an_applicant_cannot_approve_themselves_or_set_their_own_ratings():
    # Given a helper who applied and is not approved yet
    applicant = make_helper(approval="applied")

    # When they PATCH their profile with approval and reputation fields
    response = client_for(applicant.user).patch(
        f"{API}/helper/profile",
        {
            "approval_status": "approved",
            "rating_count": 50,
            "rating_sum": 250,
            "completed_visits": 40,
            "cancellations_caused": 0,
            "bio": "Ten years of IT support.",
        },
    )

    # Then only the bio changed
    assert response.status_code == 200, response.content
    assert response.json()["approval_status"] == "applied"
    applicant.refresh_from_db()
    assert (
        applicant.approval_status,
        applicant.rating_count,
        applicant.rating_sum,
        applicant.completed_visits,
        applicant.bio,
    ) == ("applied", 0, 0, 0, "Ten years of IT support.")


def test_a_revoked_or_made_up_token_is_refused(api_client):
    # Given a user's token, used once to log out
    user = UserFactory.create()
    response = api_client.post(f"{API}/auth/token", {"email": user.email, "password": PASSWORD})
    token = response.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get(f"{API}/me").status_code == 200
    assert api_client.post(f"{API}/auth/logout").status_code == 204

    # When the old token, or one made up, is used again
    revoked = api_client.get(f"{API}/me")
    api_client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    made_up = api_client.get(f"{API}/me")

    # Then both are 401 authentication_failed
    assert_error(revoked, 401, "authentication_failed", set())
    assert_error(made_up, 401, "authentication_failed", set())


# --- No N+1 on the lists -----------------------------------------------------------------------

LIST_ROWS = 10
# Measured on SQLite: 5 (help-requests), 3 (offers) and 4 (bookings) queries, the same for 1
# and for 10 rows: a count, the page and one per prefetch. One query per row would be 10 more.
MAX_LIST_QUERIES = 6


@pytest.mark.parametrize(
    ("path", "role"),
    [("help-requests", "customer"), ("offers", "helper"), ("bookings", "customer")],
)
def test_list_endpoints_run_a_fixed_number_of_queries(
    path: str, role: str, django_assert_max_num_queries: Any
):
    # Given ten bookings of one customer with one helper, each with a proposed time
    helper = make_helper(weekly=ALL_DAY)
    customer = UserFactory.create()
    for _ in range(LIST_ROWS):
        make_booking(BookingStatus.PROPOSED, customer=customer, helper=helper)
    client = client_for(customer if role == "customer" else helper.user)

    # When the list is read, then the query count does not grow with the rows
    with django_assert_max_num_queries(MAX_LIST_QUERIES):
        rows = results(client.get(f"{API}/{path}"))
    assert len(rows) == LIST_ROWS
