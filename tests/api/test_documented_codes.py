"""The services' documented codes come back over the API, under the input's own field names,
and every code an app raises is one of its enum's members, declared where it is raised."""

from __future__ import annotations

import ast
import importlib
import inspect
from collections.abc import Iterator
from datetime import time, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from backend.exceptions import RAISES_ATTRIBUTE, ErrorCode
from bookings.models import BookingStatus
from helpers.models import HelperProfile
from tests.api.api_assertions import API, assert_error, client_for, row_counts
from tests.factories import UserFactory, make_booking, make_helper

pytestmark = pytest.mark.django_db

ALL_DAY = ((time(0, 0), time(23, 59)),)
PROPOSE = ("post", "/api/v1/bookings/{booking_id}/propose")
CHECK_OUT = ("post", "/api/v1/bookings/{booking_id}/check-out")
APPLY = ("post", "/api/v1/helper/profile")
UPDATE_PROFILE = ("patch", "/api/v1/helper/profile")
WEEKLY = ("put", "/api/v1/helper/availability/weekly")


def _slot(start: Any, minutes: int = 60) -> dict[str, str]:
    return {
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(minutes=minutes)).isoformat(),
    }


def _booking_state(booking: Any) -> tuple[Any, ...]:
    booking.refresh_from_db()
    return (booking.status, booking.starts_at, booking.work_summary, booking.updated_at)


# --- Issue 9.13: the serializers no longer pre-empt the services' codes ----------------------


def test_a_proposal_without_slots_is_slots_required():
    # Given a booking awaiting the helper's proposal
    booking = make_booking(helper=make_helper(weekly=ALL_DAY))
    before, state = row_counts(), _booking_state(booking)

    # When the helper proposes no time at all
    response = client_for(booking.helper.user).post(
        f"{API}/bookings/{booking.public_id}/propose", {"slots": []}
    )

    # Then it is the service's documented code (not DRF's min_length), and nothing changed
    assert_error(response, 400, "slots_required", {"slots"}, documented_in=PROPOSE)
    assert row_counts() == before
    assert _booking_state(booking) == state


def test_a_proposal_of_six_slots_is_too_many_slots():
    # Given a booking awaiting the helper's proposal, inside a three-hour window
    booking = make_booking(helper=make_helper(weekly=ALL_DAY))
    window = booking.help_request.windows.get()
    before, state = row_counts(), _booking_state(booking)

    # When the helper proposes six times (the most is five)
    slots = [_slot(window.starts_at + timedelta(minutes=15 * index), 30) for index in range(6)]
    response = client_for(booking.helper.user).post(
        f"{API}/bookings/{booking.public_id}/propose", {"slots": slots}
    )

    # Then it is `too_many_slots` (not max_length), and nothing was proposed
    assert_error(response, 400, "too_many_slots", {"slots"}, documented_in=PROPOSE)
    assert row_counts() == before
    assert _booking_state(booking) == state


def test_an_empty_work_summary_is_summary_too_short():
    # Given a visit in progress
    booking = make_booking(BookingStatus.IN_PROGRESS, helper=make_helper(weekly=ALL_DAY))
    before, state = row_counts(), _booking_state(booking)

    # When the helper checks out with an empty summary
    response = client_for(booking.helper.user).post(
        f"{API}/bookings/{booking.public_id}/check-out", {"work_summary": ""}
    )

    # Then it is `summary_too_short` (not validation_blank), and the visit is still going on
    assert_error(response, 400, "summary_too_short", {"work_summary"}, documented_in=CHECK_OUT)
    assert row_counts() == before
    assert _booking_state(booking) == state


def _home_owner() -> Any:
    return UserFactory.create(
        home_street="Bahnhofstrasse 1", home_postal_code="8001", home_locality="Zürich"
    )


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        pytest.param({"skills": []}, "skills_required", "skills", id="no skills"),
        pytest.param({"service_radius_km": 0}, "invalid_radius", "service_radius_km", id="r=0"),
        pytest.param({"service_radius_km": 51}, "invalid_radius", "service_radius_km", id="r=51"),
        pytest.param(
            {"hourly_rate_minor": 999},
            "invalid_hourly_rate",
            "hourly_rate_minor",
            id="rate below the bounds",
        ),
        pytest.param(
            {"hourly_rate_minor": 50001},
            "invalid_hourly_rate",
            "hourly_rate_minor",
            id="rate above the bounds",
        ),
    ],
)
def test_applying_as_a_helper_answers_the_services_codes(changes, code, field):
    # Given a person with a home address
    user = _home_owner()
    body = {"skills": ["internet-wifi"], "service_radius_km": 10, "hourly_rate_minor": 4000}

    # When they apply with a profile the service refuses
    response = client_for(user).post(f"{API}/helper/profile", {**body, **changes})

    # Then the service's code comes back on that field, and no profile exists
    assert_error(response, 400, code, {field}, documented_in=APPLY)
    assert not HelperProfile.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        pytest.param({"skills": []}, "skills_required", "skills", id="no skills"),
        pytest.param({"service_radius_km": 0}, "invalid_radius", "service_radius_km", id="r=0"),
        pytest.param(
            {"hourly_rate_minor": 999},
            "invalid_hourly_rate",
            "hourly_rate_minor",
            id="rate below the bounds",
        ),
    ],
)
def test_changing_a_helper_profile_answers_the_services_codes(changes, code, field):
    # Given a helper
    helper = make_helper()
    before = HelperProfile.objects.values().get(pk=helper.pk)
    skills = sorted(helper.skills.values_list("slug", flat=True))

    # When they change their profile to one the service refuses
    response = client_for(helper.user).patch(f"{API}/helper/profile", changes)

    # Then the service's code comes back, and the profile is as it was
    assert_error(response, 400, code, {field}, documented_in=UPDATE_PROFILE)
    assert HelperProfile.objects.values().get(pk=helper.pk) == before
    assert sorted(helper.skills.values_list("slug", flat=True)) == skills


# --- Issue 9.15: errors name the input's fields ------------------------------------------------


@pytest.mark.parametrize(
    ("intervals", "field"),
    [
        pytest.param(
            [{"weekday": 0, "start_time": "12:00", "end_time": "09:00"}],
            "intervals[0].end_time",
            id="inverted interval",
        ),
        pytest.param(
            [
                {"weekday": 2, "start_time": "09:00", "end_time": "12:00"},
                {"weekday": 2, "start_time": "11:00", "end_time": "14:00"},
            ],
            "intervals",
            id="overlapping intervals",
        ),
    ],
)
def test_weekly_hours_errors_name_the_intervals_field(intervals, field):
    # Given a helper with weekly hours
    helper = make_helper(weekly=ALL_DAY)
    before = list(helper.weekly_availability.values_list("weekday", "start_time", "end_time"))

    # When they replace them with hours the service refuses
    response = client_for(helper.user).put(
        f"{API}/helper/availability/weekly", {"intervals": intervals}
    )

    # Then the error names the field as the input does (`intervals`, never `weekly`)
    assert_error(response, 400, "invalid_availability", {field}, documented_in=WEEKLY)
    after = list(helper.weekly_availability.values_list("weekday", "start_time", "end_time"))
    assert after == before


# --- Issue 10.5: codes defined once, declared where they are raised ----------------------------

APPS = ("backend", "catalogue", "helpers", "bookings", "payments", "mobile_api")
ROOT = Path(settings.BASE_DIR)


def _app_modules() -> Iterator[tuple[str, ast.Module]]:
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            yield module.removesuffix(".__init__"), ast.parse(path.read_text())


def _code_arguments(tree: ast.AST) -> Iterator[ast.expr]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield from (keyword.value for keyword in node.keywords if keyword.arg == "code")
        elif isinstance(node, ast.ClassDef):
            for statement in node.body:
                targets = (
                    statement.targets
                    if isinstance(statement, ast.Assign)
                    else [statement.target]
                    if isinstance(statement, ast.AnnAssign)
                    else []
                )
                value = getattr(statement, "value", None)
                if value is not None and any(
                    isinstance(target, ast.Name) and target.id == "code" for target in targets
                ):
                    yield value


# The defaults of the generic status classes, which name no code of any app.
GENERIC_DEFAULTS = {("backend.exceptions", "invalid"), ("backend.exceptions", "conflict")}


def test_app_code_raises_error_codes_only_as_enum_members():
    # Given every module of the apps (not the tests)
    literals = []
    for module, tree in _app_modules():
        for value in _code_arguments(tree):
            # When a code is given as a string literal
            if (
                isinstance(value, ast.Constant)
                and isinstance(value.value, str)
                and (module, value.value) not in GENERIC_DEFAULTS
            ):
                literals.append((module, value.lineno, value.value))

    # Then there is none: every code is a member of its app's ErrorCode enum
    assert literals == []


def _declared_functions() -> Iterator[tuple[str, Any]]:
    for module_name, _tree in _app_modules():
        module = importlib.import_module(module_name)
        for name, member in vars(module).items():
            if (
                inspect.isfunction(member)
                and member.__module__ == module_name
                and hasattr(member, RAISES_ATTRIBUTE)
            ):
                yield f"{module_name}.{name}", member


def _raised_directly(function: Any, seen: set[Any] | None = None) -> set[ErrorCode]:
    """The enum members named as `code=` in the function's body, the fixed codes of the
    exception classes it raises without one, and those of the undeclared helper functions of
    its own module that it calls (`_validate_slots`)."""
    function = inspect.unwrap(function)
    seen = seen if seen is not None else set()
    seen.add(function)
    tree = ast.parse(inspect.getsource(function).lstrip())
    namespace = function.__globals__
    found: set[ErrorCode] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            callee = namespace.get(node.func.id)
            if (
                inspect.isfunction(callee)
                and callee.__module__ == function.__module__
                and not hasattr(callee, RAISES_ATTRIBUTE)
                and callee not in seen
            ):
                found |= _raised_directly(callee, seen)
    for value in _code_arguments(tree):
        if isinstance(value, ast.Name) and value.id not in namespace:
            continue  # a parameter (`empty_code`): the caller names and declares the member
        member = eval(compile(ast.Expression(value), "<code>", "eval"), namespace)  # noqa: S307
        if isinstance(member, ErrorCode):
            found.add(member)
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            call = node.exc
            if any(keyword.arg == "code" for keyword in call.keywords):
                continue
            raised = namespace.get(call.func.id) if isinstance(call.func, ast.Name) else None
            code = getattr(raised, "code", None)
            if isinstance(raised, type) and isinstance(code, ErrorCode):
                found.add(code)
    return found


def _declared_callees(function: Any) -> dict[str, frozenset[ErrorCode]]:
    namespace = inspect.unwrap(function).__globals__
    tree = ast.parse(inspect.getsource(inspect.unwrap(function)).lstrip())
    callees = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            callee = namespace.get(node.func.id)
            declared = getattr(callee, RAISES_ATTRIBUTE, None)
            if declared is not None and callee is not function:
                callees[node.func.id] = declared
    return callees


def test_every_declaring_function_declares_what_it_raises_and_what_its_callees_raise():
    # Given every function of the apps that declares its codes with @raises
    functions = dict(_declared_functions())
    assert len(functions) >= 40

    for name, function in functions.items():
        declared = getattr(function, RAISES_ATTRIBUTE)
        # Then the codes it raises itself are declared
        assert _raised_directly(function) <= declared, name
        # And so are those of the declaring functions it calls
        for callee, codes in _declared_callees(function).items():
            assert codes <= declared, (name, callee, sorted(codes - declared))


def test_a_code_given_with_the_wrong_status_class_is_refused():
    from backend.exceptions import Conflict, ValidationFailed
    from bookings.errors import BookingError

    # A 409 code cannot be raised as a 400, nor a 400 code as a 409
    with pytest.raises(TypeError):
        ValidationFailed("x", code=BookingError.REQUEST_NOT_EDITABLE)
    with pytest.raises(TypeError):
        Conflict("x", code=BookingError.SLOTS_REQUIRED)
    # And the status comes from the code
    assert Conflict("x", code=BookingError.REQUEST_NOT_EDITABLE).status == 409
