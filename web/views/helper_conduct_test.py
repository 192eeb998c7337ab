"""The helper's code-of-conduct test: where they stand, starting an attempt, one page of
questions, and the result. Every rule is in `helpers.conduct_test_services`."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
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
from helpers.models import HelperProfile
from web.errors import message_for
from web.helper_forms import ConductTestAnswersForm
from web.views.helper import helper_only, me_of

TEMPLATE = "web/helper/conduct_test.html"


def _page(
    request: HttpRequest,
    helper: HelperProfile,
    form: ConductTestAnswersForm | None = None,
    status: int = 200,
) -> HttpResponse:
    standing = conduct_test_standing(helper)
    attempt = standing.open_attempt
    if form is None and attempt is not None and standing.state == ConductTestState.IN_PROGRESS:
        form = ConductTestAnswersForm(
            questions=conduct_test_drawn_questions(attempt), language=conduct_test_language()
        )
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
    return render(request, TEMPLATE, context, status=status)


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
    form = ConductTestAnswersForm(
        request.POST,
        questions=conduct_test_drawn_questions(attempt),
        language=conduct_test_language(),
    )
    if not form.is_valid():
        return _page(request, helper, form, status=400)
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
