"""The training academy: courses (versioned lessons and an end quiz), quiz attempts,
certifications that gate the categories a helper is offered, and training events.

Every write is in `academy.services`; reads are scoped in `academy.selectors`. A published
course version is never changed: the manager edits a draft (a copy of the newest version) and
publishes it, so an attempt always keeps the questions it was drawn from.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from modeltranslation.manager import MultilingualManager

from backend import clock
from backend.formats import written
from catalogue.models import ServiceCategory
from helpers.models import HelperProfile

# The languages every text of a published course and of an event is written in.
ACADEMY_LANGUAGES = ("de", "fr", "it", "en")
TITLE_MAX_LENGTH = 160
TEXT_MAX_LENGTH = 20000
OPTION_MAX_LENGTH = 500
# A link (a lesson's image or video, an event online): what its column holds.
LINK_MAX_LENGTH = 200
# Each quiz question has this many answers, exactly one of them right.
MIN_OPTIONS = 2
MAX_OPTIONS = 6


class Course(models.Model):
    """A course and what it is required for. Its content lives in its versions; the newest
    published one is the one helpers take."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    required_for_all = models.BooleanField(
        _("required for all helpers"),
        default=False,
        help_text=_("Every helper must hold its certification to get any offer."),
    )
    required_for = models.ManyToManyField(
        ServiceCategory,
        blank=True,
        related_name="required_courses",
        help_text=_("Categories a helper is offered only while holding its certification."),
        verbose_name=_("required for"),
    )
    validity_months = models.PositiveSmallIntegerField(
        _("validity (months)"),
        default=24,
        help_text=_("How long a certification of this course is valid."),
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ("slug",)
        constraints = (
            models.CheckConstraint(
                condition=models.Q(validity_months__gte=1, validity_months__lte=120),
                name="academy_course_validity_1_to_120",
            ),
        )

    def __str__(self) -> str:
        return self.slug


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", pgettext_lazy("course version", "published")


class CourseVersion(models.Model):
    """One version of a course's content. A draft is edited; a published one never again."""

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="versions", verbose_name=_("course")
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    # Translated (academy/translation.py): a column per language.
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    summary = models.TextField(_("summary"), blank=True)
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark"),
        default=1,
        help_text=_("Correct answers needed to pass, out of the questions drawn."),
    )
    questions_per_attempt = models.PositiveSmallIntegerField(_("questions per attempt"), default=1)
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("published by"),
    )

    objects: MultilingualManager[CourseVersion] = MultilingualManager()

    class Meta:
        verbose_name = _("course version")
        verbose_name_plural = _("course versions")
        ordering = ("course", "number")
        constraints = (
            models.UniqueConstraint(fields=("course", "number"), name="academy_version_unique"),
            # One draft at a time per course.
            models.UniqueConstraint(
                fields=("course",),
                condition=models.Q(status="draft"),
                name="academy_one_draft_per_course",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    questions_per_attempt__gte=1,
                    pass_mark__gte=1,
                    pass_mark__lte=models.F("questions_per_attempt"),
                ),
                name="academy_version_pass_mark_valid",
            ),
        )

    def __str__(self) -> str:
        return f"{self.course.slug} v{self.number} ({self.get_status_display()})"

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED


class Lesson(models.Model):
    version = models.ForeignKey(
        CourseVersion,
        on_delete=models.CASCADE,
        related_name="lessons",
        verbose_name=_("course version"),
    )
    position = models.PositiveSmallIntegerField(_("position"))
    # `title` and `body` are translated.
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    body = models.TextField(_("text"))
    image_url = models.URLField(
        _("image link"),
        max_length=LINK_MAX_LENGTH,
        blank=True,
        help_text=_("An optional illustration (https)."),
    )
    video_url = models.URLField(
        _("video link"),
        max_length=LINK_MAX_LENGTH,
        blank=True,
        help_text=_("An optional video link (https)."),
    )

    objects: MultilingualManager[Lesson] = MultilingualManager()

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        ordering = ("version", "position")
        constraints = (
            models.UniqueConstraint(
                fields=("version", "position"), name="academy_lesson_position_unique"
            ),
        )

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class QuizQuestion(models.Model):
    version = models.ForeignKey(
        CourseVersion,
        on_delete=models.CASCADE,
        related_name="questions",
        verbose_name=_("course version"),
    )
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.CharField(_("text"), max_length=OPTION_MAX_LENGTH)  # translated

    objects: MultilingualManager[QuizQuestion] = MultilingualManager()

    class Meta:
        verbose_name = _("quiz question")
        verbose_name_plural = _("quiz questions")
        ordering = ("version", "position")
        constraints = (
            models.UniqueConstraint(
                fields=("version", "position"), name="academy_question_position_unique"
            ),
        )

    def __str__(self) -> str:
        return f"Q{self.position}: {self.text[:60]}"


class QuizOption(models.Model):
    question = models.ForeignKey(
        QuizQuestion, on_delete=models.CASCADE, related_name="options", verbose_name=_("question")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.CharField(_("text"), max_length=OPTION_MAX_LENGTH)  # translated
    is_correct = models.BooleanField(_("correct"), default=False)

    objects: MultilingualManager[QuizOption] = MultilingualManager()

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ("question", "position")
        constraints = (
            models.UniqueConstraint(
                fields=("question", "position"), name="academy_option_position_unique"
            ),
        )

    def __str__(self) -> str:
        return self.text[:60]


class QuizAttempt(models.Model):
    """A helper's attempt at a course's quiz: the questions drawn (in the order shown), and
    once submitted the answers, the score and whether it passed. Submitted once."""

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    helper = models.ForeignKey(
        HelperProfile,
        on_delete=models.CASCADE,
        related_name="quiz_attempts",
        verbose_name=_("helper"),
    )
    version = models.ForeignKey(
        CourseVersion,
        on_delete=models.PROTECT,
        related_name="attempts",
        verbose_name=_("course version"),
    )
    question_ids = models.JSONField(_("questions drawn"), default=list)
    started_at = models.DateTimeField(_("started at"), default=clock.now, editable=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        ordering = ("helper", "started_at")
        constraints = (
            # One attempt under way per helper and course version.
            models.UniqueConstraint(
                fields=("helper", "version"),
                condition=models.Q(submitted_at__isnull=True),
                name="academy_one_open_attempt",
            ),
        )

    def __str__(self) -> str:
        return gettext("attempt %(id)s of helper %(helper)s") % {
            "id": self.public_id,
            "helper": self.helper_id,
        }


class CertificationSource(models.TextChoices):
    QUIZ = "quiz", _("passed the course's quiz")
    EVENT = "event", _("attended a training event")


class Certification(models.Model):
    """A helper holds a course's certification from `earned_at` until `expires_at`, unless
    revoked. A new one (passing again, attending) replaces an expired or revoked one; the
    old rows stay as the helper's record."""

    helper = models.ForeignKey(
        HelperProfile,
        on_delete=models.CASCADE,
        related_name="certifications",
        verbose_name=_("helper"),
    )
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="certifications", verbose_name=_("course")
    )
    source = models.CharField(_("earned by"), max_length=8, choices=CertificationSource.choices)
    attempt = models.ForeignKey(
        QuizAttempt,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("quiz attempt"),
    )
    event = models.ForeignKey(
        "TrainingEvent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("training event"),
    )
    earned_at = models.DateTimeField(_("earned at"))
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revoke_reason = models.CharField(_("reason for the revocation"), max_length=500, blank=True)
    # When the daily task refreshed the match index for the expiry (once).
    expiry_processed_at = models.DateTimeField(_("expiry processed at"), null=True, blank=True)
    reminded_30_at = models.DateTimeField(_("reminded 30 days before at"), null=True, blank=True)
    reminded_7_at = models.DateTimeField(_("reminded 7 days before at"), null=True, blank=True)

    class Meta:
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        ordering = ("helper", "course", "-earned_at")
        indexes = (
            models.Index(fields=("helper", "course", "expires_at")),
            models.Index(fields=("expires_at",)),
        )

    def __str__(self) -> str:
        return gettext("%(course)s of helper %(helper)s until %(day)s") % {
            "course": self.course.slug,
            "helper": self.helper_id,
            "day": written.day_month_year(self.expires_at),
        }


class EventKind(models.TextChoices):
    TRAINING = "training", _("training session")
    MEETUP = "meetup", _("community meet-up")


class TrainingEvent(models.Model):
    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=EventKind.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)  # translated
    description = models.TextField(_("description"), blank=True)  # translated
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    online_url = models.URLField(_("online link"), max_length=LINK_MAX_LENGTH, blank=True)
    place = models.CharField(_("place"), max_length=300, blank=True)
    capacity = models.PositiveIntegerField(_("places"))
    # Attending a training that names a course earns its certification.
    course = models.ForeignKey(
        Course,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("course"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for the cancellation"), max_length=500, blank=True)

    objects: MultilingualManager[TrainingEvent] = MultilingualManager()

    class Meta:
        verbose_name = _("training event")
        verbose_name_plural = _("training events")
        ordering = ("starts_at", "pk")
        constraints = (
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="academy_event_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1), name="academy_event_capacity_positive"
            ),
        )

    def __str__(self) -> str:
        return f"{self.title} ({written.day_month_year(self.starts_at)})"


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("registered")
    WAITING = "waiting", _("on the waiting list")
    CANCELLED = "cancelled", _("cancelled")


class EventRegistration(models.Model):
    event = models.ForeignKey(
        TrainingEvent,
        on_delete=models.CASCADE,
        related_name="registrations",
        verbose_name=_("training event"),
    )
    helper = models.ForeignKey(
        HelperProfile,
        on_delete=models.CASCADE,
        related_name="event_registrations",
        verbose_name=_("helper"),
    )
    status = models.CharField(_("status"), max_length=12, choices=RegistrationStatus.choices)
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # Marked by the manager once the event started: None until then.
    attended = models.BooleanField(_("attended"), null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ("event", "created_at", "pk")
        constraints = (
            models.UniqueConstraint(
                fields=("event", "helper"),
                condition=~models.Q(status="cancelled"),
                name="academy_one_live_registration",
            ),
        )

    def __str__(self) -> str:
        return gettext("helper %(helper)s at event %(event)s: %(status)s") % {
            "helper": self.helper_id,
            "event": self.event_id,
            "status": self.get_status_display(),
        }


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """The secret of a helper's iCalendar feed URL: whoever holds it reads their events."""

    helper = models.OneToOneField(
        HelperProfile,
        on_delete=models.CASCADE,
        related_name="calendar_feed",
        verbose_name=_("helper"),
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return gettext("calendar feed of helper %(helper)s") % {"helper": self.helper_id}
