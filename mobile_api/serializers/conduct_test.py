"""The online code-of-conduct test: the applicant's standing, a drawn attempt's questions in
their language (never which answer is right), a result (which questions were wrong, not the
right answers), and the manager's versions."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from helpers.conduct_test_services import MAX_OPTIONS, MAX_QUESTIONS
from helpers.models import CONDUCT_TEXT_MAX_LENGTH, ConductTestAttempt, ConductTestVersion
from mobile_api.serializers.moments import ApiDateTimeField, ApiModelSerializer


class ConductTestStandingSerializer(serializers.Serializer):
    state = serializers.CharField(
        help_text=(
            "unavailable, not_at_this_step, passed, in_progress, waiting, exhausted or can_start."
        )
    )
    version = serializers.IntegerField(source="version.number", allow_null=True, default=None)
    questions_per_attempt = serializers.IntegerField(
        source="version.questions_per_attempt", allow_null=True, default=None
    )
    pass_mark = serializers.IntegerField(source="version.pass_mark", allow_null=True, default=None)
    attempts_used = serializers.IntegerField()
    attempts_left = serializers.IntegerField()
    next_attempt_from = ApiDateTimeField(allow_null=True)
    open_attempt = serializers.UUIDField(
        source="open_attempt.public_id", allow_null=True, default=None
    )


class DrawnOptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.SerializerMethodField()

    def get_text(self, option: Any) -> str:
        return str(option.text_in(self.context["language"]))


class DrawnQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.SerializerMethodField()
    options = DrawnOptionSerializer(many=True, source="drawn_options")

    def get_text(self, question: Any) -> str:
        return str(question.text_in(self.context["language"]))


class ConductTestAttemptSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="attempt.public_id")
    number = serializers.IntegerField(source="attempt.number")
    version = serializers.IntegerField(source="attempt.version.number")
    started_at = ApiDateTimeField(source="attempt.started_at")
    pass_mark = serializers.IntegerField(source="attempt.version.pass_mark")
    language = serializers.CharField()
    questions = DrawnQuestionSerializer(many=True)


class AnswerSerializer(serializers.Serializer):
    question = serializers.IntegerField(min_value=1)
    option = serializers.IntegerField(min_value=1)


class ConductTestSubmitSerializer(serializers.Serializer):
    answers = serializers.ListField(child=AnswerSerializer(), max_length=MAX_QUESTIONS)


class ConductTestResultSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="attempt.public_id")
    submitted_at = ApiDateTimeField(source="attempt.submitted_at")
    score = serializers.IntegerField(source="attempt.score")
    out_of = serializers.SerializerMethodField()
    pass_mark = serializers.IntegerField(source="attempt.version.pass_mark")
    passed = serializers.BooleanField(source="attempt.passed")
    wrong_questions = serializers.ListField(
        child=serializers.IntegerField(),
        source="wrong_question_ids",
        help_text="The ids of the questions answered wrongly (the right answers are not told).",
    )

    def get_out_of(self, result: Any) -> int:
        attempt: ConductTestAttempt = result.attempt
        return len(attempt.question_ids)


class OptionInputSerializer(serializers.Serializer):
    text_de = serializers.CharField(max_length=CONDUCT_TEXT_MAX_LENGTH)
    text_fr = serializers.CharField(max_length=CONDUCT_TEXT_MAX_LENGTH)
    text_it = serializers.CharField(max_length=CONDUCT_TEXT_MAX_LENGTH)
    text_en = serializers.CharField(max_length=CONDUCT_TEXT_MAX_LENGTH)
    is_correct = serializers.BooleanField()


class QuestionInputSerializer(serializers.Serializer):
    text_de = serializers.CharField(max_length=CONDUCT_TEXT_MAX_LENGTH)
    text_fr = serializers.CharField(max_length=CONDUCT_TEXT_MAX_LENGTH)
    text_it = serializers.CharField(max_length=CONDUCT_TEXT_MAX_LENGTH)
    text_en = serializers.CharField(max_length=CONDUCT_TEXT_MAX_LENGTH)
    options = serializers.ListField(child=OptionInputSerializer(), max_length=MAX_OPTIONS)


class ConductTestPublishSerializer(serializers.Serializer):
    pass_mark = serializers.IntegerField(min_value=1)
    questions_per_attempt = serializers.IntegerField(min_value=1)
    max_attempts = serializers.IntegerField(min_value=1)
    waiting_hours = serializers.IntegerField(
        min_value=0, help_text="How long after a failed attempt the next may start."
    )
    questions = serializers.ListField(child=QuestionInputSerializer(), max_length=MAX_QUESTIONS)


class ConductTestOptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text_de = serializers.CharField()
    text_fr = serializers.CharField()
    text_it = serializers.CharField()
    text_en = serializers.CharField()
    is_correct = serializers.BooleanField()


class ConductTestQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text_de = serializers.CharField()
    text_fr = serializers.CharField()
    text_it = serializers.CharField()
    text_en = serializers.CharField()
    options = ConductTestOptionSerializer(many=True, source="options.all")


class ConductTestVersionSerializer(ApiModelSerializer):
    waiting_hours = serializers.SerializerMethodField()
    published_by = serializers.CharField(source="published_by.display_name", default=None)
    question_count = serializers.IntegerField()
    submitted_count = serializers.IntegerField(help_text="Attempts submitted.")
    passed_count = serializers.IntegerField(help_text="Attempts passed.")

    class Meta:
        model = ConductTestVersion
        fields: tuple[str, ...] = (
            "number",
            "published_at",
            "published_by",
            "pass_mark",
            "questions_per_attempt",
            "max_attempts",
            "waiting_hours",
            "question_count",
            "submitted_count",
            "passed_count",
        )

    def get_waiting_hours(self, version: ConductTestVersion) -> int:
        return int(version.waiting_period.total_seconds() // 3600)


class ConductTestVersionDetailSerializer(ConductTestVersionSerializer):
    questions = ConductTestQuestionSerializer(many=True, source="questions.all")

    class Meta(ConductTestVersionSerializer.Meta):
        fields = (*ConductTestVersionSerializer.Meta.fields, "questions")
