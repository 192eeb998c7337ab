"""The catalogue: what Quartier's helpers help with, and on which terms (the legal documents
both sides accept, versioned, and their acceptances)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.manager import MultilingualManager

from backend import clock


class ServiceCategory(models.Model):
    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    # `name` and `description` are translated (catalogue/translation.py): a column per language.
    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("description"), max_length=300, blank=True)
    typical_duration_minutes = models.PositiveSmallIntegerField(
        _("typical duration (minutes)"), default=60
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    # Queries on `name` and `description` read the active language's column.
    objects: MultilingualManager[ServiceCategory] = MultilingualManager()

    class Meta:
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")
        ordering = ("position", "slug")
        constraints = (
            models.CheckConstraint(
                condition=models.Q(
                    typical_duration_minutes__gte=15, typical_duration_minutes__lte=480
                ),
                name="category_duration_15_to_480",
            ),
        )

    def __str__(self) -> str:
        return self.name

    def name_in(self, language: str) -> str:
        """The name in `language` (de, fr, it, en), English where it has none."""
        return (
            getattr(self, f"name_{language}", None) or getattr(self, "name_en", None) or self.name
        )


# --- Legal documents: terms, waivers and the helpers' code of conduct --------------------------

LEGAL_LANGUAGES = ("de", "fr", "it", "en")


def legal_language(language: str | None) -> str:
    """The language of the legal texts to show a reader of `language` (a code such as "de" or
    "de-ch"): their own, else English."""
    short = (language or "en")[:2]
    return short if short in LEGAL_LANGUAGES else "en"


class LegalDocumentKind(models.TextChoices):
    CUSTOMER_TERMS = "customer_terms", _("Customer terms")
    DATA_SAFETY_WAIVER = "data_safety_waiver", _("Data-safety waiver")
    CATEGORY_WAIVER = "category_waiver", _("Waiver for one category")
    HELPER_CODE_OF_CONDUCT = "helper_code_of_conduct", _("Helpers' code of conduct")
    HELPER_LIABILITY_TERMS = "helper_liability_terms", _("Helpers' liability terms")


# What a customer accepts before a visit is confirmed, and what a helper accepts to be matched.
CUSTOMER_KINDS = (
    LegalDocumentKind.CUSTOMER_TERMS,
    LegalDocumentKind.DATA_SAFETY_WAIVER,
    LegalDocumentKind.CATEGORY_WAIVER,
)
HELPER_KINDS = (LegalDocumentKind.HELPER_CODE_OF_CONDUCT, LegalDocumentKind.HELPER_LIABILITY_TERMS)


class LegalDocument(models.Model):
    """A document both sides may have to accept, in versions; a category waiver names its
    category."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=LegalDocumentKind.choices)
    category = models.ForeignKey(
        ServiceCategory,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="waivers",
        verbose_name=_("category"),
    )

    class Meta:
        verbose_name = _("legal document")
        verbose_name_plural = _("legal documents")
        ordering = ("kind", "slug")
        constraints = (
            models.CheckConstraint(
                condition=(
                    models.Q(kind=LegalDocumentKind.CATEGORY_WAIVER, category__isnull=False)
                    | (
                        ~models.Q(kind=LegalDocumentKind.CATEGORY_WAIVER)
                        & models.Q(category__isnull=True)
                    )
                ),
                name="legal_document_category_iff_category_waiver",
            ),
        )

    def __str__(self) -> str:
        return self.slug


class LegalDocumentVersion(models.Model):
    """One published version, in every language. Never changed once stored (published at
    creation): a change is a new version, and only the newest is current."""

    document = models.ForeignKey(
        LegalDocument,
        on_delete=models.PROTECT,
        related_name="versions",
        verbose_name=_("legal document"),
    )
    number = models.PositiveIntegerField(_("version"))
    title_de = models.CharField(_("title (German)"), max_length=200)
    title_fr = models.CharField(_("title (French)"), max_length=200)
    title_it = models.CharField(_("title (Italian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    text_de = models.TextField(_("text (German)"))
    text_fr = models.TextField(_("text (French)"))
    text_it = models.TextField(_("text (Italian)"))
    text_en = models.TextField(_("text (English)"))
    published_at = models.DateTimeField(_("published at"), default=clock.now, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("published by"),
    )

    class Meta:
        verbose_name = _("legal document version")
        verbose_name_plural = _("legal document versions")
        ordering = ("document", "number")
        constraints = (
            models.UniqueConstraint(
                fields=("document", "number"), name="legal_version_number_unique"
            ),
        )

    def __str__(self) -> str:
        return f"{self.document.slug} v{self.number}"

    def title_in(self, language: str) -> str:
        return str(getattr(self, f"title_{language}"))

    def text_in(self, language: str) -> str:
        return str(getattr(self, f"text_{language}"))

    def sha256_in(self, language: str) -> str:
        """The SHA-256 (hex) of exactly the text shown in `language`, as UTF-8."""
        return hashlib.sha256(self.text_in(language).encode("utf-8")).hexdigest()


class LegalAcceptance(models.Model):
    """Append-only: who accepted which version, of exactly which text, when, from where, and
    for whom (a relative booking for someone)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="legal_acceptances",
        verbose_name=_("user"),
    )
    version = models.ForeignKey(
        LegalDocumentVersion,
        on_delete=models.PROTECT,
        related_name="acceptances",
        verbose_name=_("legal document version"),
    )
    language = models.CharField(_("language"), max_length=2)
    text_sha256 = models.CharField(_("SHA-256 of the text"), max_length=64)
    accepted_at = models.DateTimeField(_("accepted at"), default=clock.now, editable=False)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    on_behalf_name = models.CharField(_("accepted on behalf of"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("acceptance")
        verbose_name_plural = _("acceptances")
        ordering = ("accepted_at", "id")
        indexes = (models.Index(fields=("user", "version")),)

    def __str__(self) -> str:
        return gettext("%(user)s accepted %(version)s") % {
            "user": self.user,
            "version": self.version,
        }
