"""The helper's code-of-conduct test: where they stand, starting an attempt, one page of
questions, and the result. Every rule is in `helpers.conduct_test_services`."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from backend.exceptions import ApplicationError, NotFound
from helpers.conduct_test_selectors import (
    ConductTestState,
    conduct_test_attempt_of,
    conduct_test_drawn_questions,
    conduct_test_language,
    conduct_test_standing,
    conduct_test_wrong_questions,
)
from helpers.conduct_test_services import conduct_test_attempt_start, conduct_test_attempt_submit
from helpers.models import ConductTestAttempt, HelperProfile
from web.errors import message_for
from web.helper_forms import ConductTestAnswersForm
from web.kept_forms import kept_form, refused
from web.views.helper import helper_only, me_of

TEMPLATE = "web/helper/conduct_test.html"


def _answers_form(attempt: ConductTestAttempt, data: Any = None) -> ConductTestAnswersForm:
    return ConductTestAnswersForm(
        data, questions=conduct_test_drawn_questions(attempt), language=conduct_test_language()
    )


def _page(request: HttpRequest, helper: HelperProfile) -> HttpResponse:
    standing = conduct_test_standing(helper)
    attempt = standing.open_attempt
    form = None
    builders = {}
    if attempt is not None and standing.state == ConductTestState.IN_PROGRESS:
        form = _answers_form(attempt)
        builders = {"answers": lambda data, prefix: _answers_form(attempt, data)}
    # A refused submission comes back once, the answers chosen kept, from the session (and is
    # forgotten if the attempt ended meanwhile)
    kept = kept_form(request, request.path, builders).get("answers_form")
    if isinstance(kept, ConductTestAnswersForm):
        form = kept
    last = standing.last_attempt
    wrong = []
    if last is not None and last.submitted_at is not None:
        wrong = [
            question.text_in(conduct_test_language())
            for question in conduct_test_wrong_questions(last)
        ]
    context = {
        "standing": standing,
        "form": form,
        "attempt": attempt,
        "last": last if last is not None and last.submitted_at is not None else None,
        "wrong": wrong,
    }
    return render(request, TEMPLATE, context)


@helper_only
@require_GET
def conduct_test(request: HttpRequest, helper: HelperProfile) -> HttpResponse:
    return _page(request, helper)


@helper_only
@require_POST
def conduct_test_start(request: HttpRequest, helper: HelperProfile) -> HttpResponse:
    try:
        conduct_test_attempt_start(helper=helper, actor=me_of(request))
    except ApplicationError as error:
        messages.error(request, message_for(error))
    return redirect("web:helper-conduct-test")


@helper_only
@require_POST
def conduct_test_submit(
    request: HttpRequest, helper: HelperProfile, public_id: UUID
) -> HttpResponse:
    try:
        attempt = conduct_test_attempt_of(helper, public_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    form = _answers_form(attempt, request.POST)
    if not form.is_valid():
        # Back on the test's page at its own address, the answers chosen kept: a reload
        # resends nothing
        return refused(request, form, reverse("web:helper-conduct-test"), "answers")
    try:
        result = conduct_test_attempt_submit(
            attempt=attempt, actor=me_of(request), answers=form.answers()
        )
    except ApplicationError as error:
        messages.error(request, message_for(error))
        return redirect("web:helper-conduct-test")
    if result.attempt.passed:
        messages.success(request, _("You passed. The community manager will be in touch."))
    else:
        messages.error(request, _("Not passed this time."))
    return redirect("web:helper-conduct-test")
