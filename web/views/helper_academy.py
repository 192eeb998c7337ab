"""The helper's academy in the phone app: the courses with their status, a course's lessons
and end quiz, the certifications and training record, and the events with registration, the
waiting list and the calendar feed. Every rule is in `academy.services`; every read in
`academy.selectors` and `academy.helper_selectors`."""

from __future__ import annotations

from urllib.parse import urlsplit
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from academy.helper_selectors import (
    calendar_feed_of,
    certification_gaps_of,
    course_standing_of,
    course_standings_of,
    events_attended_by,
    events_for_helper,
    last_quiz_outcome,
    open_quiz_attempt,
    training_record_of,
)
from academy.models import CourseVersion, RegistrationStatus, TrainingEvent
from academy.selectors import (
    calendar_feed_closed,
    course_for_helper,
    event_for_helper,
    quiz_attempt_of,
    quiz_drawn_questions,
)
from academy.services import (
    calendar_feed_for,
    event_register,
    event_registration_cancel,
    quiz_attempt_start,
    quiz_attempt_submit,
)
from backend.exceptions import ApplicationError, NotFound
from helpers.models import HelperProfile
from helpers.selectors import helper_is_applying
from web.errors import message_for
from web.helper_forms import AcademyQuizForm
from web.kept_forms import kept_form, refused
from web.views.helper import helper_only, me_of


def _course(slug: str) -> CourseVersion:
    try:
        return course_for_helper(slug)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@helper_only
@require_GET
def courses(request: HttpRequest, helper: HelperProfile) -> HttpResponse:
    context = {
        "standings": course_standings_of(helper),
        "gaps": certification_gaps_of(helper),
        "applying": helper_is_applying(helper),
    }
    return render(request, "web/helper/academy_courses.html", context)


def _course_page(
    request: HttpRequest,
    helper: HelperProfile,
    version: CourseVersion,
) -> HttpResponse:
    attempt = open_quiz_attempt(helper, version)
    form = None
    builders = {}
    if attempt is not None:
        questions = quiz_drawn_questions(attempt)
        form = AcademyQuizForm(questions=questions)
        builders = {"quiz": lambda data, prefix: AcademyQuizForm(data, questions=questions)}
    # A refused submission comes back once, the answers chosen kept, from the session (and is
    # forgotten if the attempt ended meanwhile)
    kept = kept_form(request, request.path, builders).get("quiz_form")
    if isinstance(kept, AcademyQuizForm):
        form = kept
    context = {
        "version": version,
        "course": version.course,
        "standing": course_standing_of(helper, version.course),
        "attempt": attempt,
        "form": form,
        "outcome": last_quiz_outcome(helper, version.course),
    }
    response = render(request, "web/helper/academy_course.html", context)
    # The lessons' illustrations are the manager's https links: their origins (and only
    # theirs) are let in.
    origins = sorted(
        {_origin(lesson.image_url) for lesson in version.lessons.all() if lesson.image_url}
    )
    if origins:
        response._csp_update = {"img-src": origins}  # type: ignore[attr-defined]
    return response


def _origin(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.scheme}://{parts.netloc}"


@helper_only
@require_GET
def course(request: HttpRequest, helper: HelperProfile, slug: str) -> HttpResponse:
    return _course_page(request, helper, _course(slug))


@helper_only
@require_POST
def quiz_start(request: HttpRequest, helper: HelperProfile, slug: str) -> HttpResponse:
    version = _course(slug)
    try:
        quiz_attempt_start(helper=helper, actor=me_of(request), course=version.course)
    except ApplicationError as error:
        messages.error(request, message_for(error))
    return redirect(reverse("web:helper-course", args=[slug]) + "#quiz")


@helper_only
@require_POST
def quiz_submit(request: HttpRequest, helper: HelperProfile, public_id: UUID) -> HttpResponse:
    try:
        attempt = quiz_attempt_of(helper, public_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    slug = attempt.version.course.slug
    if attempt.submitted_at is None:
        form = AcademyQuizForm(request.POST, questions=quiz_drawn_questions(attempt))
        if not form.is_valid():
            # Back on the course's page at its own address, the answers chosen kept: a reload
            # resends nothing. (No "#quiz": a jump to it would take the focus from the list of
            # problems, which brings the quiz into view itself.)
            return refused(request, form, reverse("web:helper-course", args=[slug]), "quiz")
        answers = form.answers()
    else:
        answers = []  # the service refuses a second submission
    try:
        result = quiz_attempt_submit(attempt=attempt, actor=me_of(request), answers=answers)
    except ApplicationError as error:
        messages.error(request, message_for(error))
    else:
        if result.attempt.passed:
            messages.success(request, _("You passed. Your certification is valid from today."))
        else:
            messages.error(request, _("Not passed this time."))
    return redirect(reverse("web:helper-course", args=[slug]) + "#quiz")


@helper_only
@require_GET
def record(request: HttpRequest, helper: HelperProfile) -> HttpResponse:
    context = {
        "certifications": training_record_of(helper),
        "attended": events_attended_by(helper),
    }
    return render(request, "web/helper/academy_record.html", context)


@helper_only
@require_GET
def events(request: HttpRequest, helper: HelperProfile) -> HttpResponse:
    closed = calendar_feed_closed(helper)
    feed = None if closed is not None else calendar_feed_of(helper)
    context = {
        "events": events_for_helper(helper),
        "feed_closed": closed,
        "feed_url": (
            request.build_absolute_uri(reverse("web:calendar-feed", args=[feed.token]))
            if feed is not None
            else ""
        ),
    }
    return render(request, "web/helper/academy_events.html", context)


def _event(public_id: UUID) -> TrainingEvent:
    try:
        return event_for_helper(public_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@helper_only
@require_POST
def event_join(request: HttpRequest, helper: HelperProfile, public_id: UUID) -> HttpResponse:
    event = _event(public_id)
    try:
        registration = event_register(
            helper=helper,
            actor=me_of(request),
            event=event,
            join_waiting_list=request.POST.get("waiting_list") == "yes",
        )
    except ApplicationError as error:
        messages.error(request, message_for(error))
    else:
        if registration.status == RegistrationStatus.WAITING:
            messages.success(request, _("You are on the waiting list. We write if a place frees."))
        else:
            messages.success(request, _("You are registered."))
    return redirect(reverse("web:helper-events") + f"#event-{event.public_id}")


@helper_only
@require_POST
def event_leave(request: HttpRequest, helper: HelperProfile, public_id: UUID) -> HttpResponse:
    event = _event(public_id)
    try:
        event_registration_cancel(helper=helper, actor=me_of(request), event=event)
    except ApplicationError as error:
        messages.error(request, message_for(error))
    else:
        messages.success(request, _("Your registration is cancelled."))
    return redirect(reverse("web:helper-events") + f"#event-{event.public_id}")


@helper_only
@require_POST
def calendar_feed(request: HttpRequest, helper: HelperProfile) -> HttpResponse:
    renew = request.POST.get("renew") == "yes"
    try:
        calendar_feed_for(helper=helper, actor=me_of(request), renew=renew)
    except ApplicationError as error:
        messages.error(request, message_for(error))
    else:
        if renew:
            messages.success(
                request, _("Your calendar has a new address; the old one has stopped.")
            )
    return redirect(reverse("web:helper-events") + "#calendar")
