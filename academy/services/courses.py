"""Courses: the manager creates a course, writes a draft version (lessons and an end quiz,
every text in de, fr, it and en) and publishes it; a published version is never changed, the
next draft starts as a copy of it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from academy.errors import AcademyError
from academy.events import (
    CourseRequirementsChanged,
)
from academy.models import (
    ACADEMY_LANGUAGES,
    LINK_MAX_LENGTH,
    MAX_OPTIONS,
    MIN_OPTIONS,
    OPTION_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Course,
    CourseVersion,
    Lesson,
    QuizOption,
    QuizQuestion,
    VersionStatus,
)
from academy.selectors import current_version
from academy.services.common import columns, https_link, require_manager, translated
from academy.services.moves import course_version_move
from backend.exceptions import (
    Conflict,
    CoreError,
    ValidationFailed,
    raises,
)
from backend.models import User
from backend.outbox import emit
from catalogue.models import ServiceCategory

MAX_LESSONS = 50
MAX_QUESTIONS = 100


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
    CoreError.FORBIDDEN_CHARACTERS,
    CoreError.NOTHING_VISIBLE,
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
    require_manager(actor)
    _check_validity(validity_months)
    title = translated(titles, "title", limit=TITLE_MAX_LENGTH, one_line=True)
    categories = _categories(required_for)
    if Course.objects.filter(slug=slug).exists():
        raise ValidationFailed.for_field(
            "slug", _("A course with this name exists."), code=AcademyError.COURSE_RULES_INVALID
        )
    course = Course.objects.create(
        slug=slug, required_for_all=required_for_all, validity_months=validity_months
    )
    course.required_for.set(categories)
    CourseVersion.objects.create(course=course, number=1, **columns("title", title))
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
    require_manager(actor)
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
    return https_link(url, where, limit=LINK_MAX_LENGTH, code=AcademyError.COURSE_RULES_INVALID)


# A lesson's texts by language, image and video; a question's texts and its answers' texts.
CleanLesson = tuple[dict[str, str], dict[str, str], str, str]
CleanQuestion = tuple[dict[str, str], list[tuple[dict[str, str], OptionInput]]]


def _locked_draft(version: CourseVersion) -> CourseVersion:
    version = CourseVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise Conflict(
            _("A published version is never changed: start a new draft."),
            code=AcademyError.COURSE_NOT_DRAFT,
        )
    return version


def _check_sizes(lessons: int, questions: int, pass_mark: int, per_attempt: int) -> None:
    if not 1 <= lessons <= MAX_LESSONS:
        raise ValidationFailed.for_field(
            "lessons",
            _("A course has 1 to %(count)d lessons.") % {"count": MAX_LESSONS},
            code=AcademyError.COURSE_RULES_INVALID,
        )
    if not 1 <= questions <= MAX_QUESTIONS:
        raise ValidationFailed.for_field(
            "questions",
            _("The quiz has 1 to %(count)d questions.") % {"count": MAX_QUESTIONS},
            code=AcademyError.COURSE_RULES_INVALID,
        )
    _check_quiz_rules(questions, pass_mark, per_attempt)


def _clean_lessons(lessons: Sequence[LessonInput]) -> list[CleanLesson]:
    rows = []
    for index, lesson in enumerate(lessons):
        where = f"lessons[{index}]"
        rows.append(
            (
                translated(lesson.titles, f"{where}.title", limit=TITLE_MAX_LENGTH, one_line=True),
                translated(lesson.bodies, f"{where}.body", limit=TEXT_MAX_LENGTH),
                _check_url(lesson.image_url, f"{where}.image_url"),
                _check_url(lesson.video_url, f"{where}.video_url"),
            )
        )
    return rows


def _clean_questions(questions: Sequence[QuestionInput]) -> list[CleanQuestion]:
    rows = []
    for index, question in enumerate(questions):
        where = f"questions[{index}]"
        text = translated(question.texts, f"{where}.text", limit=OPTION_MAX_LENGTH)
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
            (
                translated(option.texts, f"{where}.options[{n}].text", limit=OPTION_MAX_LENGTH),
                option,
            )
            for n, option in enumerate(question.options)
        ]
        rows.append((text, options))
    return rows


def _replace_content(
    version: CourseVersion, lessons: list[CleanLesson], questions: list[CleanQuestion]
) -> None:
    """The draft's lessons and quiz are replaced by these (already checked) rows."""
    version.lessons.all().delete()
    QuizOption.objects.filter(question__version=version).delete()
    version.questions.all().delete()
    Lesson.objects.bulk_create(
        Lesson(
            version=version,
            position=position,
            image_url=image,
            video_url=video,
            **columns("title", lesson_title),
            **columns("body", body),
        )
        for position, (lesson_title, body, image, video) in enumerate(lessons, start=1)
    )
    for position, (text, options) in enumerate(questions, start=1):
        row = QuizQuestion.objects.create(
            version=version, position=position, **columns("text", text)
        )
        QuizOption.objects.bulk_create(
            QuizOption(
                question=row,
                position=number,
                is_correct=option.is_correct,
                **columns("text", option_text),
            )
            for number, (option_text, option) in enumerate(options, start=1)
        )


@transaction.atomic
@raises(
    AcademyError.MANAGER_ONLY,
    AcademyError.COURSE_NOT_DRAFT,
    AcademyError.COURSE_TEXT_REQUIRED,
    AcademyError.COURSE_RULES_INVALID,
    AcademyError.QUIZ_OPTIONS_INVALID,
    CoreError.MAX_LENGTH,
    CoreError.FORBIDDEN_CHARACTERS,
    CoreError.NOTHING_VISIBLE,
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
    right. A published version is refused (write the next draft). Everything is checked
    before anything is written, so nothing is stored when anything is refused."""
    require_manager(actor)
    version = _locked_draft(version)
    _check_sizes(len(lessons), len(questions), pass_mark, questions_per_attempt)
    title = translated(titles, "title", limit=TITLE_MAX_LENGTH, one_line=True)
    summary = translated(summaries, "summary", limit=TEXT_MAX_LENGTH, required=False)
    lesson_rows = _clean_lessons(lessons)
    question_rows = _clean_questions(questions)
    for name, value in {**columns("title", title), **columns("summary", summary)}.items():
        setattr(version, name, value)
    version.pass_mark = pass_mark
    version.questions_per_attempt = questions_per_attempt
    version.save()
    _replace_content(version, lesson_rows, question_rows)
    return version


@transaction.atomic
@raises(AcademyError.MANAGER_ONLY)
def course_draft_start(*, actor: User, course: Course) -> CourseVersion:
    """The manager starts the next draft: a copy of the newest version (lessons and quiz).
    A draft already under way is returned as it is."""
    require_manager(actor)
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
    require_manager(actor)
    Course.objects.select_for_update().filter(pk=version.course_id).first()
    version = CourseVersion.objects.select_for_update().get(pk=version.pk)
    first = not CourseVersion.objects.filter(
        course_id=version.course_id, status=VersionStatus.PUBLISHED
    ).exists()
    course_version_move(version=version, to=VersionStatus.PUBLISHED, actor=actor)
    course = version.course
    if first and (course.required_for_all or course.required_for.exists()):
        emit(CourseRequirementsChanged(course_id=course.pk))
    return version
