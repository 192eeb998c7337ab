"""Writes of the training academy: one function per state change.

Courses: the manager creates a course, writes a draft version (lessons and an end quiz, every
text in de, fr, it and en) and publishes it; a published version is never changed, the next
draft starts as a copy of it. Helpers take the quiz (a random draw, submitted once); a pass
earns the course's certification, which expires after the course's validity and can be
revoked by the manager. Certifications gate matching: their events refresh the helper's match
index rows in the same transaction (see `academy.events`).

Events: training sessions and meet-ups with a capacity, registration and a waiting list that
moves up when someone cancels; cancelled by the helper or the manager; attendance marked by
the manager, which earns the course's certification for a training that names one.
"""

from __future__ import annotations

import calendar
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from academy import emails
from academy.errors import AcademyError
from academy.events import (
    CertificationEarned,
    CertificationExpired,
    CertificationRevoked,
    CourseRequirementsChanged,
    EventRegistrationMoved,
)
from academy.models import (
    ACADEMY_LANGUAGES,
    OPTION_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    CalendarFeed,
    Certification,
    CertificationSource,
    Course,
    CourseVersion,
    EventKind,
    EventRegistration,
    Lesson,
    QuizAttempt,
    QuizOption,
    QuizQuestion,
    RegistrationStatus,
    TrainingEvent,
    VersionStatus,
    new_feed_token,
)
from academy.selectors import current_version
from backend import clock
from backend.exceptions import (
    Conflict,
    CoreError,
    PermissionDenied,
    ValidationFailed,
    raises,
)
from backend.models import User
from backend.outbox import emit
from catalogue.models import ServiceCategory
from helpers.models import HelperProfile

MAX_LESSONS = 50
MAX_QUESTIONS = 100
MIN_OPTIONS = 2
MAX_OPTIONS = 6
REASON_MAX_LENGTH = 500
REMINDER_DAYS = (30, 7)
MAX_CAPACITY = 10000
SWISS_TIME = ZoneInfo("Europe/Zurich")


def _manager(actor: User) -> None:
    if not actor.is_staff:
        raise PermissionDenied(
            _("Only the community manager does this."), code=AcademyError.MANAGER_ONLY
        )


def _own(helper: HelperProfile, actor: User) -> None:
    if actor.pk != helper.user_id:
        raise PermissionDenied(
            _("This is not your helper profile."), code=AcademyError.NOT_A_HELPER
        )


def _texts(
    texts: Mapping[str, str], where: str, *, limit: int, required: bool = True
) -> dict[str, str]:
    """The text in every language, stripped, each within `limit` characters."""
    cleaned = {}
    for language in ACADEMY_LANGUAGES:
        text = str(texts.get(language, "")).strip()
        if required and not text:
            raise ValidationFailed.for_field(
                f"{where}_{language}",
                _("Write the text in every language."),
                code=AcademyError.COURSE_TEXT_REQUIRED,
            )
        if len(text) > limit:
            raise ValidationFailed.for_field(
                f"{where}_{language}",
                _("At most %(limit)d characters.") % {"limit": limit},
                code=CoreError.MAX_LENGTH,
            )
        cleaned[language] = text
    return cleaned


def _columns(name: str, texts: Mapping[str, str]) -> dict[str, str]:
    return {f"{name}_{language}": text for language, text in texts.items()}


# --- Courses ------------------------------------------------------------------------------------


def _categories(category_ids: Sequence[int]) -> list[ServiceCategory]:
    found = list(ServiceCategory.objects.filter(pk__in=set(category_ids)))
    if len(found) != len(set(category_ids)):
        raise ValidationFailed.for_field(
            "required_for", _("No such category."), code=CoreError.INVALID_CHOICE
        )
    return found


def _check_validity(validity_months: int) -> None:
    if not 1 <= validity_months <= 120:
        raise ValidationFailed.for_field(
            "validity_months",
            _("A certification is valid 1 to 120 months."),
            code=AcademyError.COURSE_RULES_INVALID,
        )


@transaction.atomic
@raises(
    AcademyError.MANAGER_ONLY,
    AcademyError.COURSE_TEXT_REQUIRED,
    AcademyError.COURSE_RULES_INVALID,
    CoreError.MAX_LENGTH,
    CoreError.INVALID_CHOICE,
)
def course_create(
    *,
    actor: User,
    slug: str,
    titles: Mapping[str, str],
    required_for_all: bool = False,
    required_for: Sequence[int] = (),
    validity_months: int = 24,
) -> Course:
    """The manager creates a course and its first draft (with the title). Nothing gates
    matching until a version is published."""
    _manager(actor)
    _check_validity(validity_months)
    title = _texts(titles, "title", limit=TITLE_MAX_LENGTH)
    categories = _categories(required_for)
    if Course.objects.filter(slug=slug).exists():
        raise ValidationFailed.for_field(
            "slug", _("A course with this name exists."), code=AcademyError.COURSE_RULES_INVALID
        )
    course = Course.objects.create(
        slug=slug, required_for_all=required_for_all, validity_months=validity_months
    )
    course.required_for.set(categories)
    CourseVersion.objects.create(course=course, number=1, **_columns("title", title))
    return course


@transaction.atomic
@raises(AcademyError.MANAGER_ONLY, AcademyError.COURSE_RULES_INVALID, CoreError.INVALID_CHOICE)
def course_requirements_set(
    *,
    actor: User,
    course: Course,
    required_for_all: bool,
    required_for: Sequence[int],
    validity_months: int,
) -> Course:
    """The manager changes whom a course is required of and how long its certification is
    valid (from the next one earned on). When the course is published, every approved
    helper's categories are refreshed in the index in this transaction."""
    _manager(actor)
    _check_validity(validity_months)
    categories = _categories(required_for)
    course = Course.objects.select_for_update().get(pk=course.pk)
    course.required_for_all = required_for_all
    course.validity_months = validity_months
    course.save(update_fields=["required_for_all", "validity_months"])
    course.required_for.set(categories)
    if current_version(course) is not None:
        emit(CourseRequirementsChanged(course_id=course.pk))
    return course


@dataclass(frozen=True)
class OptionInput:
    texts: Mapping[str, str]
    is_correct: bool = False


@dataclass(frozen=True)
class QuestionInput:
    texts: Mapping[str, str]
    options: Sequence[OptionInput] = field(default_factory=tuple)


@dataclass(frozen=True)
class LessonInput:
    titles: Mapping[str, str]
    bodies: Mapping[str, str]
    image_url: str = ""
    video_url: str = ""


def _check_quiz_rules(questions: int, pass_mark: int, per_attempt: int) -> None:
    if not 1 <= per_attempt <= max(questions, 1):
        raise ValidationFailed.for_field(
            "questions_per_attempt",
            _("Draw at least one question and at most as many as the quiz holds."),
            code=AcademyError.COURSE_RULES_INVALID,
        )
    if not 1 <= pass_mark <= per_attempt:
        raise ValidationFailed.for_field(
            "pass_mark",
            _("The pass mark is between 1 and the number of questions drawn."),
            code=AcademyError.COURSE_RULES_INVALID,
        )


def _check_url(url: str, where: str) -> str:
    url = url.strip()
    if url and not url.startswith("https://"):
        raise ValidationFailed.for_field(
            where, _("Give an https:// link."), code=AcademyError.COURSE_RULES_INVALID
        )
    return url


@transaction.atomic
@raises(
    AcademyError.MANAGER_ONLY,
    AcademyError.COURSE_NOT_DRAFT,
    AcademyError.COURSE_TEXT_REQUIRED,
    AcademyError.COURSE_RULES_INVALID,
    AcademyError.QUIZ_OPTIONS_INVALID,
    CoreError.MAX_LENGTH,
)
def course_draft_write(
    *,
    actor: User,
    version: CourseVersion,
    titles: Mapping[str, str],
    summaries: Mapping[str, str],
    lessons: Sequence[LessonInput],
    questions: Sequence[QuestionInput],
    pass_mark: int,
    questions_per_attempt: int,
) -> CourseVersion:
    """The manager writes a draft's whole content at once (its lessons and quiz replace the
    draft's). Every text in every language; each question with 2 to 6 answers, exactly one
    right. A published version is refused (write the next draft). Nothing is stored when
    anything is refused."""
    _manager(actor)
    version = CourseVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise Conflict(
            _("A published version is never changed: start a new draft."),
            code=AcademyError.COURSE_NOT_DRAFT,
        )
    if not 1 <= len(lessons) <= MAX_LESSONS:
        raise ValidationFailed.for_field(
            "lessons",
            _("A course has 1 to %(count)d lessons.") % {"count": MAX_LESSONS},
            code=AcademyError.COURSE_RULES_INVALID,
        )
    if not 1 <= len(questions) <= MAX_QUESTIONS:
        raise ValidationFailed.for_field(
            "questions",
            _("The quiz has 1 to %(count)d questions.") % {"count": MAX_QUESTIONS},
            code=AcademyError.COURSE_RULES_INVALID,
        )
    _check_quiz_rules(len(questions), pass_mark, questions_per_attempt)
    title = _texts(titles, "title", limit=TITLE_MAX_LENGTH)
    summary = _texts(summaries, "summary", limit=TEXT_MAX_LENGTH, required=False)
    lesson_rows = []
    for index, lesson in enumerate(lessons):
        where = f"lessons[{index}]"
        lesson_rows.append(
            (
                _texts(lesson.titles, f"{where}.title", limit=TITLE_MAX_LENGTH),
                _texts(lesson.bodies, f"{where}.body", limit=TEXT_MAX_LENGTH),
                _check_url(lesson.image_url, f"{where}.image_url"),
                _check_url(lesson.video_url, f"{where}.video_url"),
            )
        )
    question_rows = []
    for index, question in enumerate(questions):
        where = f"questions[{index}]"
        text = _texts(question.texts, f"{where}.text", limit=OPTION_MAX_LENGTH)
        if not MIN_OPTIONS <= len(question.options) <= MAX_OPTIONS or (
            sum(1 for option in question.options if option.is_correct) != 1
        ):
            raise ValidationFailed.for_field(
                f"{where}.options",
                _("Each question has %(low)d to %(high)d answers, exactly one right.")
                % {"low": MIN_OPTIONS, "high": MAX_OPTIONS},
                code=AcademyError.QUIZ_OPTIONS_INVALID,
            )
        options = [
            (_texts(option.texts, f"{where}.options[{n}].text", limit=OPTION_MAX_LENGTH), option)
            for n, option in enumerate(question.options)
        ]
        question_rows.append((text, options))
    for name, value in {**_columns("title", title), **_columns("summary", summary)}.items():
        setattr(version, name, value)
    version.pass_mark = pass_mark
    version.questions_per_attempt = questions_per_attempt
    version.save()
    version.lessons.all().delete()
    QuizOption.objects.filter(question__version=version).delete()
    version.questions.all().delete()
    Lesson.objects.bulk_create(
        Lesson(
            version=version,
            position=position,
            image_url=image,
            video_url=video,
            **_columns("title", lesson_title),
            **_columns("body", body),
        )
        for position, (lesson_title, body, image, video) in enumerate(lesson_rows, start=1)
    )
    for position, (text, options) in enumerate(question_rows, start=1):
        row = QuizQuestion.objects.create(
            version=version, position=position, **_columns("text", text)
        )
        QuizOption.objects.bulk_create(
            QuizOption(
                question=row,
                position=number,
                is_correct=option.is_correct,
                **_columns("text", option_text),
            )
            for number, (option_text, option) in enumerate(options, start=1)
        )
    return version


@transaction.atomic
@raises(AcademyError.MANAGER_ONLY)
def course_draft_start(*, actor: User, course: Course) -> CourseVersion:
    """The manager starts the next draft: a copy of the newest version (lessons and quiz).
    A draft already under way is returned as it is."""
    _manager(actor)
    course = Course.objects.select_for_update().get(pk=course.pk)
    draft = course.versions.filter(status=VersionStatus.DRAFT).first()
    if draft is not None:
        return draft
    newest = course.versions.order_by("-number").first()
    number = (course.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    if newest is None:
        return CourseVersion.objects.create(course=course, number=number, title_en=course.slug)
    lessons = list(newest.lessons.all())
    questions = list(newest.questions.prefetch_related("options"))
    translated = ("title", "summary")
    copy = CourseVersion.objects.create(
        course=course,
        number=number,
        pass_mark=newest.pass_mark,
        questions_per_attempt=newest.questions_per_attempt,
        **{
            f"{name}_{language}": getattr(newest, f"{name}_{language}")
            for name in translated
            for language in ACADEMY_LANGUAGES
        },
    )
    Lesson.objects.bulk_create(
        Lesson(
            version=copy,
            position=lesson.position,
            image_url=lesson.image_url,
            video_url=lesson.video_url,
            **{
                f"{name}_{language}": getattr(lesson, f"{name}_{language}")
                for name in ("title", "body")
                for language in ACADEMY_LANGUAGES
            },
        )
        for lesson in lessons
    )
    for question in questions:
        row = QuizQuestion.objects.create(
            version=copy,
            position=question.position,
            **{
                f"text_{language}": getattr(question, f"text_{language}")
                for language in ACADEMY_LANGUAGES
            },
        )
        QuizOption.objects.bulk_create(
            QuizOption(
                question=row,
                position=option.position,
                is_correct=option.is_correct,
                **{
                    f"text_{language}": getattr(option, f"text_{language}")
                    for language in ACADEMY_LANGUAGES
                },
            )
            for option in question.options.all()
        )
    return copy


def _incomplete(message: str, where: str) -> ValidationFailed:
    return ValidationFailed.for_field(where, message, code=AcademyError.COURSE_INCOMPLETE)


def _check_complete(version: CourseVersion) -> None:
    """A version is published only whole: every text in every language, at least one lesson,
    enough questions for a draw, each with 2 to 6 answers of which exactly one is right."""
    for language in ACADEMY_LANGUAGES:
        if not getattr(version, f"title_{language}"):
            raise _incomplete(_("Write the title in every language."), f"title_{language}")
    lessons = list(version.lessons.all())
    if not lessons:
        raise _incomplete(_("A course has at least one lesson."), "lessons")
    for lesson in lessons:
        for name in ("title", "body"):
            for language in ACADEMY_LANGUAGES:
                if not getattr(lesson, f"{name}_{language}"):
                    raise _incomplete(
                        _("Write every lesson in every language."),
                        f"lessons[{lesson.position - 1}].{name}_{language}",
                    )
    questions = list(version.questions.prefetch_related("options"))
    if len(questions) < version.questions_per_attempt:
        raise _incomplete(_("The quiz has fewer questions than one attempt draws."), "questions")
    for question in questions:
        options = list(question.options.all())
        texts = [question, *options]
        if any(not getattr(row, f"text_{lang}") for row in texts for lang in ACADEMY_LANGUAGES):
            raise _incomplete(
                _("Write every question and answer in every language."),
                f"questions[{question.position - 1}]",
            )
        if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS or (
            sum(1 for option in options if option.is_correct) != 1
        ):
            raise ValidationFailed.for_field(
                f"questions[{question.position - 1}].options",
                _("Each question has %(low)d to %(high)d answers, exactly one right.")
                % {"low": MIN_OPTIONS, "high": MAX_OPTIONS},
                code=AcademyError.QUIZ_OPTIONS_INVALID,
            )


@transaction.atomic
@raises(
    AcademyError.MANAGER_ONLY,
    AcademyError.COURSE_NOT_DRAFT,
    AcademyError.COURSE_INCOMPLETE,
    AcademyError.QUIZ_OPTIONS_INVALID,
)
def course_version_publish(*, actor: User, version: CourseVersion) -> CourseVersion:
    """The manager publishes a draft: from now on helpers take it, and it never changes again.
    The course's first publication makes its requirements count: every approved helper's
    categories are refreshed in the match index in this transaction."""
    _manager(actor)
    Course.objects.select_for_update().filter(pk=version.course_id).first()
    version = CourseVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise Conflict(_("This version is published already."), code=AcademyError.COURSE_NOT_DRAFT)
    _check_complete(version)
    first = not CourseVersion.objects.filter(
        course_id=version.course_id, status=VersionStatus.PUBLISHED
    ).exists()
    version.status = VersionStatus.PUBLISHED
    version.published_at = clock.now()
    version.published_by = actor
    version.save(update_fields=["status", "published_at", "published_by"])
    course = version.course
    if first and (course.required_for_all or course.required_for.exists()):
        emit(CourseRequirementsChanged(course_id=course.pk))
    return version


# --- Quiz attempts ----------------------------------------------------------------------------


@transaction.atomic
@raises(AcademyError.NOT_A_HELPER, AcademyError.COURSE_NOT_PUBLISHED)
def quiz_attempt_start(*, helper: HelperProfile, actor: User, course: Course) -> QuizAttempt:
    """The helper starts the course's quiz: questions drawn at random from its current
    version, in random order. An attempt under way on that version is returned as it is."""
    _own(helper, actor)
    version = current_version(course)
    if version is None:
        raise Conflict(_("This course is not published."), code=AcademyError.COURSE_NOT_PUBLISHED)
    HelperProfile.objects.select_for_update().filter(pk=helper.pk).first()
    open_attempt = QuizAttempt.objects.filter(
        helper=helper, version=version, submitted_at__isnull=True
    ).first()
    if open_attempt is not None:
        return open_attempt
    bank = list(version.questions.values_list("pk", flat=True))
    drawn = secrets.SystemRandom().sample(bank, version.questions_per_attempt)
    try:
        with transaction.atomic():
            return QuizAttempt.objects.create(helper=helper, version=version, question_ids=drawn)
    except IntegrityError:  # started meanwhile (no row lock on SQLite)
        return QuizAttempt.objects.get(helper=helper, version=version, submitted_at__isnull=True)


def _answer_refused(code: AcademyError, message: str, question_id: int | None) -> ValidationFailed:
    name = "answers" if question_id is None else f"answers.{question_id}"
    return ValidationFailed.for_field(name, message, code=code)


def _chosen_options(
    attempt: QuizAttempt, answers: Sequence[tuple[int, int]]
) -> dict[int, QuizOption]:
    drawn = set(attempt.question_ids)
    seen: set[int] = set()
    for question_id, _option_id in answers:
        if question_id not in drawn:
            raise _answer_refused(
                AcademyError.QUIZ_QUESTION_NOT_DRAWN,
                _("This question is not part of your quiz."),
                question_id,
            )
        if question_id in seen:
            raise _answer_refused(
                AcademyError.QUIZ_ANSWERED_TWICE,
                _("Give one answer to each question."),
                question_id,
            )
        seen.add(question_id)
    missing = [question_id for question_id in attempt.question_ids if question_id not in seen]
    if missing:
        raise _answer_refused(
            AcademyError.QUIZ_ANSWER_MISSING, _("Answer every question."), missing[0]
        )
    options = QuizOption.objects.in_bulk([option_id for _q, option_id in answers])
    chosen = {}
    for question_id, option_id in answers:
        option = options.get(option_id)
        if option is None or option.question_id != question_id:
            raise _answer_refused(
                AcademyError.QUIZ_OPTION_NOT_OF_QUESTION,
                _("This answer does not belong to this question."),
                question_id,
            )
        chosen[question_id] = option
    return chosen


@dataclass(frozen=True)
class QuizResult:
    attempt: QuizAttempt
    wrong_question_ids: list[int]
    certification: Certification | None


@transaction.atomic
@raises(
    AcademyError.NOT_A_HELPER,
    AcademyError.QUIZ_ALREADY_SUBMITTED,
    AcademyError.QUIZ_QUESTION_NOT_DRAWN,
    AcademyError.QUIZ_ANSWERED_TWICE,
    AcademyError.QUIZ_ANSWER_MISSING,
    AcademyError.QUIZ_OPTION_NOT_OF_QUESTION,
)
def quiz_attempt_submit(
    *, attempt: QuizAttempt, actor: User, answers: Sequence[tuple[int, int]]
) -> QuizResult:
    """The helper submits an attempt once: one answer (question id, option id) for each drawn
    question. A pass earns the course's certification in this transaction (and with it the
    categories it gates). A refusal stores nothing."""
    _own(attempt.helper, actor)
    attempt = (
        QuizAttempt.objects.select_for_update()
        .select_related("version__course", "helper")
        .get(pk=attempt.pk)
    )
    if attempt.submitted_at is not None:
        raise Conflict(
            _("This quiz is already submitted."), code=AcademyError.QUIZ_ALREADY_SUBMITTED
        )
    chosen = _chosen_options(attempt, answers)
    wrong = [qid for qid in attempt.question_ids if not chosen[qid].is_correct]
    score = len(attempt.question_ids) - len(wrong)
    passed = score >= attempt.version.pass_mark
    stored = QuizAttempt.objects.filter(pk=attempt.pk, submitted_at__isnull=True).update(
        submitted_at=clock.now(),
        answers={str(qid): option.pk for qid, option in chosen.items()},
        score=score,
        passed=passed,
    )
    if not stored:  # submitted meanwhile (no row lock on SQLite)
        raise Conflict(
            _("This quiz is already submitted."), code=AcademyError.QUIZ_ALREADY_SUBMITTED
        )
    attempt.refresh_from_db()
    certification = None
    if passed:
        certification = certification_earn(
            helper=attempt.helper,
            course=attempt.version.course,
            source=CertificationSource.QUIZ,
            attempt=attempt,
        )
    return QuizResult(attempt=attempt, wrong_question_ids=wrong, certification=certification)


# --- Certifications ---------------------------------------------------------------------------


def _add_months(moment: datetime, months: int) -> datetime:
    """The same Swiss wall-clock time `months` later (the last day of a shorter month)."""
    local = moment.astimezone(SWISS_TIME)
    month = local.month - 1 + months
    year = local.year + month // 12
    month = month % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day)


@transaction.atomic
def certification_earn(
    *,
    helper: HelperProfile,
    course: Course,
    source: str,
    attempt: QuizAttempt | None = None,
    event: TrainingEvent | None = None,
) -> Certification:
    """The helper earns the course's certification now, valid for the course's months. The
    match index is refreshed in this transaction (the event is a helper event). Called by a
    passed quiz and by attendance at a training; never directly by an interface."""
    now = clock.now()
    certification = Certification.objects.create(
        helper=helper,
        course=course,
        source=source,
        attempt=attempt,
        event=event,
        earned_at=now,
        expires_at=_add_months(now, course.validity_months),
    )
    emit(
        CertificationEarned(
            helper_id=helper.pk, course_id=course.pk, certification_id=certification.pk
        )
    )
    return certification


@transaction.atomic
@raises(
    AcademyError.MANAGER_ONLY,
    AcademyError.CERTIFICATION_REVOKED,
    CoreError.REASON_REQUIRED,
    CoreError.MAX_LENGTH,
)
def certification_revoke(
    *, actor: User, certification: Certification, reason: str
) -> Certification:
    """The manager revokes a certification with a reason: the helper loses the categories it
    gates at once (the index is refreshed in this transaction) and is told by e-mail."""
    _manager(actor)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed.for_field("reason", _("Say why."), code=CoreError.REASON_REQUIRED)
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationFailed.for_field(
            "reason",
            _("At most %(limit)d characters.") % {"limit": REASON_MAX_LENGTH},
            code=CoreError.MAX_LENGTH,
        )
    certification = (
        Certification.objects.select_for_update()
        .select_related("course", "helper__user")
        .get(pk=certification.pk)
    )
    if certification.revoked_at is not None:
        raise Conflict(
            _("This certification is revoked already."), code=AcademyError.CERTIFICATION_REVOKED
        )
    certification.revoked_at = clock.now()
    certification.revoked_by = actor
    certification.revoke_reason = reason
    certification.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    emit(
        CertificationRevoked(
            helper_id=certification.helper_id,
            course_id=certification.course_id,
            certification_id=certification.pk,
            actor_id=actor.pk,
            reason=reason,
        )
    )
    transaction.on_commit(lambda: emails.send_certification_revoked(certification))
    return certification


@transaction.atomic
def certifications_expire_due() -> int:
    """Refresh the match index of every helper whose certification ran out since the last run
    (each expiry once); returns how many expired. Run daily by the worker."""
    now = clock.now()
    due = list(
        Certification.objects.select_for_update()
        .filter(expires_at__lte=now, expiry_processed_at__isnull=True)
        .order_by("pk")
    )
    if not due:
        return 0
    Certification.objects.filter(pk__in=[row.pk for row in due]).update(expiry_processed_at=now)
    emit(
        *(
            CertificationExpired(
                helper_id=row.helper_id, course_id=row.course_id, certification_id=row.pk
            )
            for row in due
            if row.revoked_at is None
        )
    )
    return len(due)


def certification_reminders_send() -> int:
    """E-mail each helper whose certification runs out within 30 days, and again within 7,
    once each (in their language), unless they already hold a newer one that lasts longer.
    Returns how many e-mails went out. Run daily by the worker."""
    now = clock.now()
    sent = 0
    # The 7-day reminder first: one first reminded within 7 days gets only that one.
    for days in sorted(REMINDER_DAYS):
        column = f"reminded_{days}_at"
        due = (
            Certification.objects.filter(
                revoked_at__isnull=True,
                expires_at__gt=now,
                expires_at__lte=now + timedelta(days=days),
                **{f"{column}__isnull": True},
            )
            .select_related("course", "helper__user")
            .order_by("pk")
        )
        for certification in due:
            renewed = Certification.objects.filter(
                helper_id=certification.helper_id,
                course_id=certification.course_id,
                revoked_at__isnull=True,
                expires_at__gt=certification.expires_at,
            ).exists()
            marks = {f"reminded_{other}_at": now for other in REMINDER_DAYS if other >= days}
            # Conditional: of two runs at once, one marks the row and mails.
            marked = Certification.objects.filter(
                pk=certification.pk, **{f"{column}__isnull": True}
            ).update(**marks)
            if marked and not renewed:
                emails.send_certification_reminder(certification)
                sent += 1
    return sent


# --- Events -------------------------------------------------------------------------------------


@transaction.atomic
@raises(
    AcademyError.MANAGER_ONLY,
    AcademyError.COURSE_TEXT_REQUIRED,
    AcademyError.EVENT_TIMES_INVALID,
    AcademyError.EVENT_PLACE_REQUIRED,
    AcademyError.EVENT_CAPACITY_INVALID,
    AcademyError.EVENT_COURSE_INVALID,
    CoreError.MAX_LENGTH,
)
def training_event_create(
    *,
    actor: User,
    kind: str,
    titles: Mapping[str, str],
    descriptions: Mapping[str, str],
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    online_url: str = "",
    place: str = "",
    course: Course | None = None,
) -> TrainingEvent:
    """The manager announces a training session or a meet-up: in the future, ending after it
    starts, online (an https link) or at a place, for 1 or more people. A training that
    names a published course earns its certification for those marked present."""
    _manager(actor)
    title = _texts(titles, "title", limit=TITLE_MAX_LENGTH)
    description = _texts(descriptions, "description", limit=TEXT_MAX_LENGTH, required=False)
    if starts_at <= clock.now() or ends_at <= starts_at:
        raise ValidationFailed.for_field(
            "starts_at",
            _("An event starts in the future and ends after it starts."),
            code=AcademyError.EVENT_TIMES_INVALID,
        )
    if not 1 <= capacity <= MAX_CAPACITY:
        raise ValidationFailed.for_field(
            "capacity",
            _("Between 1 and %(count)d places.") % {"count": MAX_CAPACITY},
            code=AcademyError.EVENT_CAPACITY_INVALID,
        )
    online_url = online_url.strip()
    place = place.strip()
    if not online_url and not place:
        raise ValidationFailed.for_field(
            "place", _("Give a place or an online link."), code=AcademyError.EVENT_PLACE_REQUIRED
        )
    if online_url and not online_url.startswith("https://"):
        raise ValidationFailed.for_field(
            "online_url", _("Give an https:// link."), code=AcademyError.EVENT_PLACE_REQUIRED
        )
    if course is not None and (kind != EventKind.TRAINING or current_version(course) is None):
        raise ValidationFailed.for_field(
            "course",
            _("Only a training grants a certification, of a published course."),
            code=AcademyError.EVENT_COURSE_INVALID,
        )
    return TrainingEvent.objects.create(
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        online_url=online_url,
        place=place,
        course=course,
        created_by=actor,
        **_columns("title", title),
        **_columns("description", description),
    )


def _locked_event(event: TrainingEvent) -> TrainingEvent:
    return TrainingEvent.objects.select_for_update().get(pk=event.pk)


def _moved(registration: EventRegistration, what: str) -> None:
    emit(
        EventRegistrationMoved(
            event_id=registration.event_id,
            helper_id=registration.helper_id,
            registration_id=registration.pk,
            to_status=registration.status,
            what=what,
        )
    )


@transaction.atomic
@raises(
    AcademyError.NOT_A_HELPER,
    AcademyError.EVENT_CLOSED,
    AcademyError.EVENT_FULL,
    AcademyError.ALREADY_REGISTERED,
)
def event_register(
    *, helper: HelperProfile, actor: User, event: TrainingEvent, join_waiting_list: bool = False
) -> EventRegistration:
    """The helper registers for an event that has not started and is not cancelled. When it
    is full they join the waiting list only if they asked to (`join_waiting_list`); otherwise
    `event_full` and nothing is stored. Locks the event: two registrations for the last
    place get one place and one refusal (or a place on the waiting list)."""
    _own(helper, actor)
    event = _locked_event(event)
    if event.cancelled_at is not None or event.starts_at <= clock.now():
        raise Conflict(_("Registration for this event is closed."), code=AcademyError.EVENT_CLOSED)
    live = EventRegistration.objects.filter(event=event).exclude(
        status=RegistrationStatus.CANCELLED
    )
    if live.filter(helper=helper).exists():
        raise Conflict(
            _("You are registered for this event already."), code=AcademyError.ALREADY_REGISTERED
        )
    full = live.filter(status=RegistrationStatus.REGISTERED).count() >= event.capacity
    if full and not join_waiting_list:
        raise Conflict(
            _("This event is full. You can join the waiting list."), code=AcademyError.EVENT_FULL
        )
    status = RegistrationStatus.WAITING if full else RegistrationStatus.REGISTERED
    registration = EventRegistration.objects.create(event=event, helper=helper, status=status)
    _moved(registration, str(status))
    return registration


def _move_up(event: TrainingEvent) -> None:
    """Give free places to the waiting list, first come first served (caller holds the event
    lock); each one moved up is told by e-mail after commit."""
    registered = EventRegistration.objects.filter(
        event=event, status=RegistrationStatus.REGISTERED
    ).count()
    free = event.capacity - registered
    if free <= 0:
        return
    for waiting in EventRegistration.objects.filter(
        event=event, status=RegistrationStatus.WAITING
    ).order_by("created_at", "pk")[:free]:
        EventRegistration.objects.filter(pk=waiting.pk).update(status=RegistrationStatus.REGISTERED)
        waiting.status = RegistrationStatus.REGISTERED
        _moved(waiting, "moved_up")
        transaction.on_commit(partial(emails.send_moved_up, waiting.pk))


@transaction.atomic
@raises(AcademyError.NOT_A_HELPER, AcademyError.NOT_REGISTERED, AcademyError.EVENT_CLOSED)
def event_registration_cancel(
    *, helper: HelperProfile, actor: User, event: TrainingEvent
) -> EventRegistration:
    """The helper cancels their registration (or leaves the waiting list) before the event
    starts. A freed place goes to the first on the waiting list, who is told."""
    _own(helper, actor)
    event = _locked_event(event)
    registration = (
        EventRegistration.objects.filter(event=event, helper=helper)
        .exclude(status=RegistrationStatus.CANCELLED)
        .first()
    )
    if registration is None:
        raise Conflict(
            _("You are not registered for this event."), code=AcademyError.NOT_REGISTERED
        )
    if event.cancelled_at is not None or event.starts_at <= clock.now():
        raise Conflict(_("This event has started or is cancelled."), code=AcademyError.EVENT_CLOSED)
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = clock.now()
    registration.save(update_fields=["status", "cancelled_at"])
    _moved(registration, "cancelled_by_helper")
    _move_up(event)
    return registration


@transaction.atomic
@raises(
    AcademyError.MANAGER_ONLY,
    AcademyError.EVENT_CLOSED,
    CoreError.REASON_REQUIRED,
    CoreError.MAX_LENGTH,
)
def training_event_cancel(*, actor: User, event: TrainingEvent, reason: str) -> TrainingEvent:
    """The manager cancels an event that has not ended, with a reason: every registration
    (and the waiting list) is cancelled, and everyone on it is told by e-mail."""
    _manager(actor)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed.for_field("reason", _("Say why."), code=CoreError.REASON_REQUIRED)
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationFailed.for_field(
            "reason",
            _("At most %(limit)d characters.") % {"limit": REASON_MAX_LENGTH},
            code=CoreError.MAX_LENGTH,
        )
    event = _locked_event(event)
    if event.cancelled_at is not None or event.ends_at <= clock.now():
        raise Conflict(_("This event has ended or is cancelled."), code=AcademyError.EVENT_CLOSED)
    now = clock.now()
    event.cancelled_at = now
    event.cancel_reason = reason
    event.save(update_fields=["cancelled_at", "cancel_reason"])
    live = list(
        EventRegistration.objects.filter(event=event).exclude(status=RegistrationStatus.CANCELLED)
    )
    EventRegistration.objects.filter(pk__in=[row.pk for row in live]).update(
        status=RegistrationStatus.CANCELLED, cancelled_at=now
    )
    for registration in live:
        registration.status = RegistrationStatus.CANCELLED
        _moved(registration, "event_cancelled")
    ids = [row.pk for row in live]
    transaction.on_commit(lambda: emails.send_event_cancelled(event.pk, ids))
    return event


@transaction.atomic
@raises(
    AcademyError.MANAGER_ONLY,
    AcademyError.ATTENDANCE_TOO_EARLY,
    AcademyError.EVENT_CLOSED,
    AcademyError.NOT_REGISTERED,
)
def event_attendance_mark(
    *, actor: User, event: TrainingEvent, attended_helper_ids: Sequence[int]
) -> list[EventRegistration]:
    """The manager marks who came, once the event has started: the registered helpers named
    attended, the others did not. Attending a training that names a course earns its
    certification (once per event: marking again grants nobody twice)."""
    _manager(actor)
    event = _locked_event(event)
    if event.cancelled_at is not None:
        raise Conflict(_("This event is cancelled."), code=AcademyError.EVENT_CLOSED)
    if event.starts_at > clock.now():
        raise Conflict(
            _("Attendance is marked once the event has started."),
            code=AcademyError.ATTENDANCE_TOO_EARLY,
        )
    registered = {
        row.helper_id: row
        for row in EventRegistration.objects.filter(
            event=event, status=RegistrationStatus.REGISTERED
        ).select_related("helper")
    }
    unknown = set(attended_helper_ids) - set(registered)
    if unknown:
        raise Conflict(
            _("Only registered helpers can be marked present."),
            code=AcademyError.NOT_REGISTERED,
            fields={"attended": [_("Only registered helpers can be marked present.")]},
        )
    marked = []
    for helper_id, registration in sorted(registered.items()):
        came = helper_id in attended_helper_ids
        if registration.attended != came:
            registration.attended = came
            registration.save(update_fields=["attended"])
        marked.append(registration)
        if came and event.course_id is not None:
            granted = Certification.objects.filter(
                helper_id=helper_id, event=event, course_id=event.course_id
            ).exists()
            if not granted:
                assert event.course is not None  # noqa: S101 - course_id is set
                certification_earn(
                    helper=registration.helper,
                    course=event.course,
                    source=CertificationSource.EVENT,
                    event=event,
                )
    return marked


@transaction.atomic
@raises(AcademyError.NOT_A_HELPER)
def calendar_feed_for(*, helper: HelperProfile, actor: User, renew: bool = False) -> CalendarFeed:
    """The helper's calendar feed secret, made on first use; `renew` replaces it (the old URL
    stops working at once)."""
    _own(helper, actor)
    feed, created = CalendarFeed.objects.get_or_create(helper=helper)
    if renew and not created:
        feed.token = new_feed_token()
        feed.save(update_fields=["token"])
    return feed
