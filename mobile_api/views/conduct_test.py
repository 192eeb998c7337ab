"""The online code-of-conduct test over the API: the applicant's standing, starting and
submitting an attempt, and the manager's versions. Every rule is in
`helpers.conduct_test_services`; every read is scoped in `helpers.conduct_test_selectors`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from backend.exceptions import codes_raised_by, raises
from helpers.conduct_test_selectors import (
    conduct_test_attempt_of,
    conduct_test_drawn_questions,
    conduct_test_standing,
    conduct_test_version_for_manager,
    conduct_test_versions_for_manager,
)
from helpers.conduct_test_services import (
    OptionInput,
    QuestionInput,
    conduct_test_attempt_start,
    conduct_test_attempt_submit,
    conduct_test_version_publish,
)
from helpers.errors import HelperError
from helpers.models import CONDUCT_TEST_LANGUAGES, ConductTestAttempt
from helpers.selectors import helper_profile_of
from helpers.services import application_record_conduct_test
from mobile_api.idempotency import ApiView
from mobile_api.pagination import PAGE_PARAMETERS, PaginatedListView, page_of, paginated
from mobile_api.permissions import IsManager, request_user
from mobile_api.serializers.conduct_test import (
    ConductTestAttemptSerializer,
    ConductTestPublishSerializer,
    ConductTestResultSerializer,
    ConductTestStandingSerializer,
    ConductTestSubmitSerializer,
    ConductTestVersionDetailSerializer,
    ConductTestVersionSerializer,
)

# Over the API an applicant acts only on their own application and attempts.
OWN = frozenset({HelperError.NOT_YOUR_APPLICATION})
# Only managers reach the publishing (`IsManager`), and a text left empty is refused by the
# input serializer before the service sees it.
# A pass is recorded while the application is locked at "documents checked", by Quartier,
# with no note: none of the codes of recording it can come back.
RECORDING_UNREACHABLE = codes_raised_by(application_record_conduct_test)
PUBLISH_UNREACHABLE = frozenset({HelperError.MANAGER_ONLY, HelperError.CONDUCT_TEST_TEXT_REQUIRED})


def _attempt_body(attempt: ConductTestAttempt, language: str) -> dict[str, Any]:
    return {
        "attempt": attempt,
        "language": language,
        "questions": conduct_test_drawn_questions(attempt),
    }


def _language(request: Request) -> str:
    language = request_user(request).preferred_language
    return language if language in CONDUCT_TEST_LANGUAGES else "de"


class ConductTestStandingApi(ApiView):
    @extend_schema(
        operation_id="helper_conduct_test_retrieve",
        responses={200: ConductTestStandingSerializer},
    )
    @raises(helper_profile_of)
    def get(self, request: Request) -> Response:
        """Helper: where I stand with the code-of-conduct test: whether I can start an
        attempt, attempts left, and from when the next may start after a failed one."""
        helper = helper_profile_of(request_user(request))
        return Response(ConductTestStandingSerializer(conduct_test_standing(helper)).data)


class ConductTestAttemptStartApi(ApiView):
    @extend_schema(
        operation_id="helper_conduct_test_attempt_start",
        request=None,
        responses={201: ConductTestAttemptSerializer},
    )
    @raises(helper_profile_of, codes_raised_by(conduct_test_attempt_start) - OWN)
    def post(self, request: Request) -> Response:
        """Helper: start an attempt (at the step "documents checked"): the questions drawn
        for it, in my language, without the right answers. An attempt under way is returned
        as it is."""
        user = request_user(request)
        attempt = conduct_test_attempt_start(helper=helper_profile_of(user), actor=user)
        language = _language(request)
        body = ConductTestAttemptSerializer(
            _attempt_body(attempt, language), context={"language": language}
        )
        return Response(body.data, status=status.HTTP_201_CREATED)


class ConductTestAttemptSubmitApi(ApiView):
    @extend_schema(
        operation_id="helper_conduct_test_attempt_submit",
        request=ConductTestSubmitSerializer,
        responses={200: ConductTestResultSerializer},
    )
    @raises(
        helper_profile_of,
        conduct_test_attempt_of,
        codes_raised_by(conduct_test_attempt_submit) - OWN - RECORDING_UNREACHABLE,
    )
    def post(self, request: Request, attempt_id: UUID) -> Response:
        """Helper: submit my answers, one for each question drawn, once. The score, whether
        I passed, and which questions were wrong (not the right answers)."""
        user = request_user(request)
        attempt = conduct_test_attempt_of(helper_profile_of(user), attempt_id)
        data = ConductTestSubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answers = [(row["question"], row["option"]) for row in data.validated_data["answers"]]
        result = conduct_test_attempt_submit(attempt=attempt, actor=user, answers=answers)
        return Response(ConductTestResultSerializer(result).data)


class ConductTestVersionListApi(PaginatedListView, ApiView):
    permission_classes = (IsManager,)

    @extend_schema(
        operation_id="manager_conduct_test_versions_list",
        parameters=PAGE_PARAMETERS,
        responses={200: page_of(ConductTestVersionSerializer)},
    )
    @raises()
    def get(self, request: Request) -> Response:
        """Manager: every version of the test, newest (current) first, with how many attempts
        were submitted and passed."""
        versions = conduct_test_versions_for_manager(request_user(request))
        return paginated(request, self, list(versions), ConductTestVersionSerializer)

    @extend_schema(
        operation_id="manager_conduct_test_version_publish",
        request=ConductTestPublishSerializer,
        responses={201: ConductTestVersionDetailSerializer},
    )
    @raises(codes_raised_by(conduct_test_version_publish) - PUBLISH_UNREACHABLE)
    def post(self, request: Request) -> Response:
        """Manager: publish a new version (copy the current one and change it): every text in
        de, fr, it and en, each question with 2 to 6 answers, exactly one right. It is current
        at once; attempts under way keep theirs."""
        user = request_user(request)
        data = ConductTestPublishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        version = conduct_test_version_publish(
            actor=user,
            pass_mark=values["pass_mark"],
            questions_per_attempt=values["questions_per_attempt"],
            max_attempts=values["max_attempts"],
            waiting_period=timedelta(hours=values["waiting_hours"]),
            questions=[
                QuestionInput(
                    texts=_texts(question),
                    options=[
                        OptionInput(texts=_texts(option), is_correct=option["is_correct"])
                        for option in question["options"]
                    ],
                )
                for question in values["questions"]
            ],
        )
        version = conduct_test_version_for_manager(user, version.number)
        return Response(
            ConductTestVersionDetailSerializer(version).data, status=status.HTTP_201_CREATED
        )


def _texts(values: dict[str, Any]) -> dict[str, str]:
    return {language: values[f"text_{language}"] for language in CONDUCT_TEST_LANGUAGES}


class ConductTestVersionDetailApi(ApiView):
    permission_classes = (IsManager,)

    @extend_schema(
        operation_id="manager_conduct_test_version_retrieve",
        responses={200: ConductTestVersionDetailSerializer},
    )
    @raises(conduct_test_version_for_manager)
    def get(self, request: Request, number: int) -> Response:
        """Manager: one version with its questions and answers (the right ones marked), to
        copy into the next."""
        version = conduct_test_version_for_manager(request_user(request), number)
        return Response(ConductTestVersionDetailSerializer(version).data)
