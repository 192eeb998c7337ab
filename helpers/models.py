"""Helper profiles: who can be sent to a customer, where, for what, and when."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from backend import clock
from backend.formats import written
from backend.roles import ActorRole

# The longest note the manager gives with an approval move (in characters once normalised;
# `helper_approval_move` refuses longer ones).
APPROVAL_NOTE_MAX_LENGTH = 500


class ApprovalStatus(models.TextChoices):
    """Where a helper stands, from application through vetting to approval and beyond.

    The moves between them are the table in `helpers/transitions.py`."""

    APPLIED = "applied", _("Applied, documents to upload")
    DOCUMENTS_SUBMITTED = "documents_submitted", _("Documents submitted, waiting for the check")
    DOCUMENTS_CHECKED = "documents_checked", _("Documents checked, conduct test to pass")
    CONDUCT_TEST_PASSED = "conduct_test_passed", _("Conduct test passed")
    INTERVIEW = "interview", _("Invited to an interview")
    NEEDS_INFORMATION = "needs_information", _("More information needed from the applicant")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Application withdrawn")
    SUSPENDED = "suspended", _("Suspended")
    OFFBOARDED = "offboarded", _("Offboarded")


# The steps of an application still open: the manager's queue holds helpers in these.
VETTING_STATUSES = (
    ApprovalStatus.APPLIED,
    ApprovalStatus.DOCUMENTS_SUBMITTED,
    ApprovalStatus.DOCUMENTS_CHECKED,
    ApprovalStatus.CONDUCT_TEST_PASSED,
    ApprovalStatus.INTERVIEW,
    ApprovalStatus.NEEDS_INFORMATION,
)
STATUS_MAX_LENGTH = 24


class HelperProfile(models.Model):
    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="helper_profile",
        verbose_name=_("user"),
    )
    bio = models.TextField(_("about me"), max_length=1000, blank=True)
    service_radius_km = models.PositiveSmallIntegerField(
        _("service radius (km)"),
        default=10,
        help_text=_("How far from home this helper is willing to travel, in km."),
    )
    hourly_rate_minor = models.PositiveIntegerField(
        _("hourly rate (Rappen)"),
        default=4000,
        help_text=_("The helper's hourly rate in minor units (Rappen)."),
    )
    currency = models.CharField(_("currency"), max_length=3, default="CHF")
    takes_payments = models.BooleanField(
        _("takes payments"),
        default=False,
        help_text=_(
            "Whether the helper's payout account can take charges (kept by payments). A helper "
            "without it gets no paid offers; one who works for free (rate 0) still gets offers."
        ),
    )
    skills = models.ManyToManyField(
        "catalogue.ServiceCategory",
        through="HelperSkill",
        related_name="helpers",
        verbose_name=_("skills"),
    )

    approval_status = models.CharField(
        _("approval status"),
        max_length=STATUS_MAX_LENGTH,
        choices=ApprovalStatus.choices,
        default=ApprovalStatus.APPLIED,
    )
    approval_changed_at = models.DateTimeField(_("approval changed at"), null=True, blank=True)
    approval_note = models.CharField(
        _("approval note"), max_length=APPROVAL_NOTE_MAX_LENGTH, blank=True
    )
    # When a suspension ends by itself (the worker reinstates the helper then); None while not
    # suspended, or suspended until the manager lifts it.
    suspended_until = models.DateTimeField(_("suspended until"), null=True, blank=True)
    is_accepting_jobs = models.BooleanField(
        _("accepting jobs"),
        default=True,
        help_text=_("Helpers switch this off when they want no offers for a while."),
    )

    # Rating aggregates, maintained by the review services.
    rating_count = models.PositiveIntegerField(_("number of ratings"), default=0)
    rating_sum = models.PositiveIntegerField(_("sum of ratings"), default=0)

    # Reliability figures: only what this helper caused counts against them.
    completed_visits = models.PositiveIntegerField(_("completed visits"), default=0)
    cancellations_caused = models.PositiveIntegerField(_("cancellations caused"), default=0)
    late_cancellations_caused = models.PositiveIntegerField(
        _("late cancellations caused"), default=0
    )
    no_shows_caused = models.PositiveIntegerField(_("no-shows caused"), default=0)
    offers_received = models.PositiveIntegerField(_("offers received"), default=0)
    offers_accepted = models.PositiveIntegerField(_("offers accepted"), default=0)
    offers_declined = models.PositiveIntegerField(_("offers declined"), default=0)
    offers_expired = models.PositiveIntegerField(_("offers expired"), default=0)
    response_seconds_total = models.PositiveBigIntegerField(
        _("total response time (seconds)"),
        default=0,
        help_text=_("Sum of seconds between an offer and the helper's answer."),
    )

    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)
    updated_at = clock.UpdatedAtField(_("updated at"))

    class Meta:
        ordering = ("id",)
        verbose_name = _("helper profile")
        verbose_name_plural = _("helper profiles")
        indexes = (
            models.Index(fields=("approval_status", "is_accepting_jobs")),
            # The console's list of helpers, newest first.
            models.Index(fields=("created_at", "id"), name="helper_by_creation"),
            # The few helpers who charge but cannot take charges yet (the matching says why).
            models.Index(
                fields=("approval_status",),
                condition=models.Q(takes_payments=False, hourly_rate_minor__gt=0),
                name="helper_cannot_be_paid",
            ),
        )
        constraints = (
            models.CheckConstraint(
                condition=models.Q(service_radius_km__gte=1, service_radius_km__lte=50),
                name="helper_radius_1_to_50_km",
            ),
            models.CheckConstraint(
                condition=models.Q(rating_sum__lte=models.F("rating_count") * 5),
                name="helper_rating_sum_within_count",
            ),
        )

    def __str__(self) -> str:
        return gettext("%(name)s (helper)") % {"name": self.user.display_name}

    @property
    def rating_average(self) -> float | None:
        if self.rating_count == 0:
            return None
        return round(self.rating_sum / self.rating_count, 2)

    @property
    def offers_answered(self) -> int:
        return self.offers_accepted + self.offers_declined

    @property
    def average_response_seconds(self) -> int | None:
        if self.offers_answered == 0:
            return None
        return self.response_seconds_total // self.offers_answered


class HelperApprovalEvent(models.Model):
    """Append-only: every move of a helper's approval, who made it and why. Never updated,
    never deleted; the profile's `approval_note` is only the latest note."""

    helper = models.ForeignKey(
        HelperProfile,
        on_delete=models.CASCADE,
        related_name="approval_events",
        verbose_name=_("helper"),
    )
    from_status = models.CharField(
        _("from status"), max_length=STATUS_MAX_LENGTH, choices=ApprovalStatus.choices
    )
    to_status = models.CharField(
        _("to status"), max_length=STATUS_MAX_LENGTH, choices=ApprovalStatus.choices
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("actor"),
    )
    # Who moved it: the manager, the applicant themselves, or Quartier (an online test passed).
    role = models.CharField(
        _("role"), max_length=16, choices=ActorRole.choices, default=ActorRole.MANAGER
    )
    note = models.CharField(_("note"), max_length=APPROVAL_NOTE_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("approval event")
        verbose_name_plural = _("approval events")
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class HelperSkill(models.Model):
    helper = models.ForeignKey(
        HelperProfile, on_delete=models.CASCADE, related_name="skill_rows", verbose_name=_("helper")
    )
    category = models.ForeignKey(
        "catalogue.ServiceCategory", on_delete=models.PROTECT, verbose_name=_("category")
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    class Meta:
        ordering = ("id",)
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        constraints = (
            models.UniqueConstraint(fields=("helper", "category"), name="helper_skill_unique"),
        )

    def __str__(self) -> str:
        return f"{self.helper} – {self.category}"


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class WeeklyAvailability(models.Model):
    """A recurring weekly interval, in Swiss local time (Europe/Zurich)."""

    helper = models.ForeignKey(
        HelperProfile,
        on_delete=models.CASCADE,
        related_name="weekly_availability",
        verbose_name=_("helper"),
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))

    class Meta:
        ordering = ("helper", "weekday", "start_time")
        verbose_name = _("weekly hours")
        verbose_name_plural = _("weekly availability")
        constraints = (
            models.CheckConstraint(
                condition=models.Q(start_time__lt=models.F("end_time")),
                name="weekly_availability_start_before_end",
            ),
        )

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class ExceptionKind(models.TextChoices):
    UNAVAILABLE = "unavailable", _("Not available (holiday, appointment)")
    AVAILABLE = "available", _("Available outside the weekly hours")


class AvailabilityException(models.Model):
    helper = models.ForeignKey(
        HelperProfile,
        on_delete=models.CASCADE,
        related_name="availability_exceptions",
        verbose_name=_("helper"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ExceptionKind.choices)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    class Meta:
        ordering = ("helper", "starts_at")
        verbose_name = _("exception to the weekly hours")
        verbose_name_plural = _("exceptions to the weekly hours")
        constraints = (
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")),
                name="availability_exception_start_before_end",
            ),
        )

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {written.span(self.starts_at, self.ends_at)}"

    @property
    def last_day(self) -> date:
        """The last day it covers, Swiss time: a span of whole days ends at midnight after its
        last day, which is not a day of it."""
        return timezone.localdate(self.ends_at - timedelta(microseconds=1))


class DeletionCause(models.TextChoices):
    REPLACED = "replaced", _("Replaced by a newer upload")
    RETENTION = "retention", _("Deleted after the decision, as announced")


class HelperDocument(models.Model):
    """An applicant's identity document or criminal record extract.

    The file itself is encrypted (Fernet) in QUARTIER_DOCUMENT_DIR under a random name, never
    below a served directory; only `helpers.documents` reads or writes it. The row stays when
    the file is deleted (after the decision, or when replaced by a newer upload): it records
    what was handed in and when.
    """

    class Kind(models.TextChoices):
        IDENTITY = "identity", _("Identity document (passport or ID card)")
        CRIMINAL_RECORD_EXTRACT = "criminal_record_extract", _("Criminal record extract")

    # The only handle a URL ever carries: random, never a sequence number.
    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    helper = models.ForeignKey(
        HelperProfile, on_delete=models.CASCADE, related_name="documents", verbose_name=_("helper")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    content_type = models.CharField(
        _("file type"), max_length=32, help_text=_("Detected from the file's content.")
    )
    size_bytes = models.PositiveIntegerField(_("size (bytes)"))
    original_name = models.CharField(_("original file name"), max_length=120, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    sha256 = models.CharField(
        _("SHA-256"), max_length=64, help_text=_("Of the file as uploaded (not encrypted).")
    )
    storage_name = models.CharField(_("storage name"), max_length=64, unique=True, editable=False)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=clock.now, editable=False)
    # Set when the application is decided: the file is deleted from then on.
    delete_after = models.DateTimeField(_("delete after"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    deletion_cause = models.CharField(
        _("deletion cause"), max_length=16, choices=DeletionCause.choices, blank=True
    )

    class Meta:
        ordering = ("helper", "kind", "uploaded_at", "id")
        verbose_name = _("applicant's document")
        verbose_name_plural = _("applicants' documents")
        indexes = (models.Index(fields=("deleted_at", "delete_after")),)
        constraints = (
            # One file of each kind in force per applicant; replaced ones are deleted.
            models.UniqueConstraint(
                fields=("helper", "kind"),
                condition=models.Q(deleted_at__isnull=True),
                name="helper_document_one_in_force_per_kind",
            ),
        )

    def __str__(self) -> str:
        return gettext("%(kind)s of %(helper)s") % {
            "kind": self.get_kind_display(),
            "helper": self.helper,
        }


class DocumentAccess(models.Model):
    """Append-only: each time a manager opened an applicant's document."""

    document = models.ForeignKey(
        HelperDocument,
        on_delete=models.CASCADE,
        related_name="accesses",
        verbose_name=_("document"),
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("community manager")
    )
    accessed_at = models.DateTimeField(_("opened at"), default=clock.now, editable=False)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ("accessed_at", "id")
        verbose_name = _("document access")
        verbose_name_plural = _("document accesses")

    def __str__(self) -> str:
        return gettext("%(manager)s opened %(document)s on %(time)s") % {
            "manager": self.manager,
            "document": self.document,
            "time": written.moment_in_sentence(self.accessed_at),
        }


# --- The online code-of-conduct test -------------------------------------------------------------

# The languages every question and answer is written in (one column per language, as the
# catalogue's categories and the legal documents hold their texts).
CONDUCT_TEST_LANGUAGES = ("de", "fr", "it", "en")
CONDUCT_TEXT_MAX_LENGTH = 500


class ConductTestVersion(models.Model):
    """One published question bank and its rules. Stored published and never changed: the
    manager changes the test by publishing a new version (a copy, changed), so an attempt
    always keeps the questions it was drawn from. The newest version is the current one."""

    number = models.PositiveIntegerField(_("version"), unique=True)
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark"), help_text=_("Correct answers needed to pass, out of the questions drawn.")
    )
    questions_per_attempt = models.PositiveSmallIntegerField(_("questions per attempt"))
    max_attempts = models.PositiveSmallIntegerField(
        _("attempts allowed"),
        help_text=_("Attempts an applicant has in all (every version counts)."),
    )
    waiting_period = models.DurationField(
        _("waiting period"), help_text=_("How long after a failed attempt the next may start.")
    )
    published_at = models.DateTimeField(_("published at"), default=clock.now, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("published by"),
    )

    class Meta:
        ordering = ("number",)
        verbose_name = _("code-of-conduct test")
        verbose_name_plural = _("code-of-conduct tests")
        constraints = (
            models.CheckConstraint(
                condition=models.Q(
                    questions_per_attempt__gte=1,
                    pass_mark__gte=1,
                    pass_mark__lte=models.F("questions_per_attempt"),
                    max_attempts__gte=1,
                ),
                name="conduct_test_version_rules_sane",
            ),
        )

    def __str__(self) -> str:
        return f"{capfirst(self._meta.verbose_name)} v{self.number}"


class ConductTestQuestion(models.Model):
    version = models.ForeignKey(
        ConductTestVersion,
        on_delete=models.PROTECT,
        related_name="questions",
        verbose_name=_("code-of-conduct test"),
    )
    position = models.PositiveSmallIntegerField(_("position"))
    text_de = models.CharField(_("text (German)"), max_length=CONDUCT_TEXT_MAX_LENGTH)
    text_fr = models.CharField(_("text (French)"), max_length=CONDUCT_TEXT_MAX_LENGTH)
    text_it = models.CharField(_("text (Italian)"), max_length=CONDUCT_TEXT_MAX_LENGTH)
    text_en = models.CharField(_("text (English)"), max_length=CONDUCT_TEXT_MAX_LENGTH)

    class Meta:
        ordering = ("version", "position")
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = (
            models.UniqueConstraint(
                fields=("version", "position"), name="conduct_question_position_unique"
            ),
        )

    def __str__(self) -> str:
        return f"v{self.version.number} Q{self.position}: {self.text_en[:60]}"

    def text_in(self, language: str) -> str:
        return str(getattr(self, f"text_{language}"))


class ConductTestOption(models.Model):
    question = models.ForeignKey(
        ConductTestQuestion,
        on_delete=models.PROTECT,
        related_name="options",
        verbose_name=_("question"),
    )
    position = models.PositiveSmallIntegerField(_("position"))
    text_de = models.CharField(_("text (German)"), max_length=CONDUCT_TEXT_MAX_LENGTH)
    text_fr = models.CharField(_("text (French)"), max_length=CONDUCT_TEXT_MAX_LENGTH)
    text_it = models.CharField(_("text (Italian)"), max_length=CONDUCT_TEXT_MAX_LENGTH)
    text_en = models.CharField(_("text (English)"), max_length=CONDUCT_TEXT_MAX_LENGTH)
    is_correct = models.BooleanField(_("correct"), default=False)

    class Meta:
        ordering = ("question", "position")
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = (
            models.UniqueConstraint(
                fields=("question", "position"), name="conduct_option_position_unique"
            ),
            # The one right answer of a question.
            models.UniqueConstraint(
                fields=("question",),
                condition=models.Q(is_correct=True),
                name="conduct_option_one_correct",
            ),
        )

    def __str__(self) -> str:
        return self.text_en[:60]

    def text_in(self, language: str) -> str:
        return str(getattr(self, f"text_{language}"))


class ConductTestAttempt(models.Model):
    """An applicant's attempt: the questions drawn for it (in the order shown), and once
    submitted the answers given, the score and whether it passed. Written only by
    `helpers.conduct_test_services`; the answers are never changed after submission."""

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    helper = models.ForeignKey(
        HelperProfile,
        on_delete=models.CASCADE,
        related_name="conduct_test_attempts",
        verbose_name=_("helper"),
    )
    version = models.ForeignKey(
        ConductTestVersion,
        on_delete=models.PROTECT,
        related_name="attempts",
        verbose_name=_("code-of-conduct test"),
    )
    # The helper's first, second, ... attempt.
    number = models.PositiveSmallIntegerField(_("attempt"))
    # The drawn questions' ids, in the order they are shown.
    question_ids = models.JSONField(_("questions drawn"), default=list)
    started_at = models.DateTimeField(_("started at"), default=clock.now, editable=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # Question id (as text) → the chosen option's id.
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)

    class Meta:
        ordering = ("helper", "number")
        verbose_name = _("code-of-conduct test attempt")
        verbose_name_plural = _("code-of-conduct test attempts")
        indexes = (models.Index(fields=("version", "passed")),)
        constraints = (
            models.UniqueConstraint(
                fields=("helper", "number"), name="conduct_attempt_number_unique"
            ),
            # One attempt under way at a time.
            models.UniqueConstraint(
                fields=("helper",),
                condition=models.Q(submitted_at__isnull=True),
                name="conduct_attempt_one_open",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(submitted_at__isnull=True, score__isnull=True, passed__isnull=True)
                    | models.Q(
                        submitted_at__isnull=False, score__isnull=False, passed__isnull=False
                    )
                ),
                name="conduct_attempt_result_iff_submitted",
            ),
        )

    def __str__(self) -> str:
        return gettext("Attempt %(number)s of %(helper)s") % {
            "number": self.number,
            "helper": self.helper,
        }


# The longest appeal a suspended helper writes (in characters once normalised).
APPEAL_TEXT_MAX_LENGTH = 2000


class AppealStatus(models.TextChoices):
    OPEN = "open", _("Open, waiting for the community manager")
    UPHELD = "upheld", _("Suspension upheld")
    LIFTED = "lifted", _("Suspension lifted")
    # The suspension ended otherwise (its end date, the manager lifted it, offboarding) first.
    CLOSED = "closed", _("Closed: the suspension ended otherwise")


class HelperAppeal(models.Model):
    """A suspended helper's appeal against the suspension, and the manager's decision on it.
    At most one open appeal per helper (`helpers.appeal_services.appeal_file`); its status is
    written by `helpers.appeal_services.appeal_move` only (`helpers.appeal_transitions`)."""

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    helper = models.ForeignKey(
        HelperProfile, on_delete=models.CASCADE, related_name="appeals", verbose_name=_("helper")
    )
    text = models.TextField(_("text"))
    status = models.CharField(
        _("status"),
        max_length=STATUS_MAX_LENGTH,
        choices=AppealStatus.choices,
        default=AppealStatus.OPEN,
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appeals_decided",
        verbose_name=_("decided by"),
    )
    decision_note = models.CharField(
        _("decision note"), max_length=APPROVAL_NOTE_MAX_LENGTH, blank=True
    )

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ("-created_at", "-id")
        constraints = (
            models.UniqueConstraint(
                fields=("helper",),
                condition=models.Q(status="open"),
                name="one_open_appeal_per_helper",
            ),
        )
        indexes = (models.Index(fields=("status", "created_at"), name="appeal_by_status"),)

    def __str__(self) -> str:
        return gettext("appeal of helper %(helper)s (%(status)s)") % {
            "helper": self.helper_id,
            "status": self.get_status_display(),
        }
