"""The match index's tables: the rows matching searches instead of the helper tables (one per
eligible helper and skill, and each helper's free time), derived from those tables and written
only by `bookings.matching`. Part of the bookings' models (`bookings.models` imports them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from backend import clock
from backend.formats import written
from catalogue.models import ServiceCategory

# Stored in MatchEntry.static_score when it was not computed under the index's settings: above
# any score, so it never leaves a helper out.
UNKNOWN_STATIC_SCORE = 10.0


class MatchIndexState(models.Model):
    """One row: the ranking settings (`bookings.matching.scoring.Weights.static_key`) the match index's
    stored scores were computed under. Searches use them only while their own settings agree."""

    static_key = models.CharField(_("settings key"), max_length=32)
    updated_at = clock.UpdatedAtField(_("updated at"))

    class Meta:
        verbose_name = _("match index state")
        verbose_name_plural = _("match index states")

    def __str__(self) -> str:
        return gettext("match index scores under settings %(key)s") % {"key": self.static_key}


class MatchEntry(models.Model):
    """The match index: one row per eligible helper and skill, with what ranking needs.

    Eligible means approved, accepting jobs, an active account and a home address. The rows
    are derived from the helper tables and written only by `bookings.matching.index`, called by
    the handler of every domain event that can change them (`bookings/handlers.py`), in the
    transaction of the change. Each category has its
    own spatial index beside this table: an R*Tree on SQLite (kept in step by triggers), a
    partial GiST over a generated geography column on PostgreSQL.
    """

    helper = models.ForeignKey(
        "helpers.HelperProfile",
        on_delete=models.CASCADE,
        related_name="match_entries",
        verbose_name=_("helper"),
    )
    category = models.ForeignKey(
        ServiceCategory, on_delete=models.CASCADE, related_name="+", verbose_name=_("category")
    )
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    service_radius_km = models.PositiveSmallIntegerField(_("service radius (km)"))
    languages_mask = models.PositiveSmallIntegerField(
        _("languages (bit mask)"),
        help_text=_(
            "The helper's languages, one bit each in the order of backend.models.Language."
        ),
    )
    rating_sum = models.PositiveIntegerField(_("sum of ratings"))
    rating_count = models.PositiveIntegerField(_("number of ratings"))
    completed_visits = models.PositiveIntegerField(_("completed visits"))
    cancellations_caused = models.PositiveIntegerField(_("cancellations caused"))
    no_shows_caused = models.PositiveIntegerField(_("no-shows caused"))
    offers_answered = models.PositiveIntegerField(_("offers answered"))
    offers_expired = models.PositiveIntegerField(_("offers expired"))
    response_seconds_total = models.PositiveBigIntegerField(_("total response time (seconds)"))
    approved_at = models.DateTimeField(_("approved at"), null=True)
    static_score = models.FloatField(
        _("score without distance"),
        default=UNKNOWN_STATIC_SCORE,
        # No number in the text: a translated text cannot follow the constant by itself.
        help_text=_(
            "The rating and reliability part of the score under the settings MatchIndexState "
            "names; a value above any score until computed under them."
        ),
    )

    class Meta:
        verbose_name = _("match index entry")
        verbose_name_plural = _("match index entries")
        constraints = (
            models.UniqueConstraint(fields=("helper", "category"), name="match_entry_unique"),
        )

    def __str__(self) -> str:
        return gettext("helper %(helper)s for category %(category)s") % {
            "helper": self.helper_id,
            "category": self.category_id,
        }


class FreeTimeSpan(models.Model):
    """One row: the span the `FreeTime` rows cover. Without it (a database that had helpers
    before free time was stored, until its first `match_index_rebuild`) matching reads the
    calendars."""

    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    updated_at = clock.UpdatedAtField(_("updated at"))

    class Meta:
        verbose_name = _("free time span")
        verbose_name_plural = _("free time spans")

    def __str__(self) -> str:
        return gettext("free time from %(start)s to %(end)s") % {
            "start": written.day_month_year(self.starts_at),
            "end": written.day_month_year(self.ends_at),
        }


class FreeTime(models.Model):
    """The match index's free time: one row per stretch a helper is free (weekly hours in Swiss
    time, exceptions added and removed, visits held subtracted), merged, within the span
    `FreeTimeSpan` records. Written only by `bookings.matching.free_time`, in the transaction
    of every change that moves it; matching filters on these rows in the database."""

    helper = models.ForeignKey(
        "helpers.HelperProfile",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("helper"),
    )
    # Microseconds since 1970-01-01 UTC: exact, and the search's arithmetic on them is the same
    # plain integer SQL on every database.
    starts_us = models.BigIntegerField(_("starts at (microseconds)"))
    ends_us = models.BigIntegerField(_("ends at (microseconds)"))

    class Meta:
        verbose_name = _("free time")
        verbose_name_plural = _("free times")
        # By start: requests mostly ask for the coming days, and a helper's stretches that
        # start before a window's end are those between today and then (with an index by end,
        # every stretch up to the horizon's end would be read).
        indexes = (models.Index(fields=("helper", "starts_us"), name="free_time_helper_starts"),)
        constraints = (
            models.CheckConstraint(
                condition=models.Q(starts_us__lt=models.F("ends_us")),
                name="free_time_start_before_end",
            ),
        )

    def __str__(self) -> str:
        epoch = datetime(1970, 1, 1, tzinfo=UTC)
        starts_at = epoch + timedelta(microseconds=self.starts_us)
        ends_at = epoch + timedelta(microseconds=self.ends_us)
        return gettext("helper %(helper)s free %(time)s") % {
            "helper": self.helper_id,
            "time": written.span(starts_at, ends_at),
        }
