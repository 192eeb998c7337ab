"""The core's models: people, the event log and the log-in counters.

One User can be a customer, a helper (it then has a HelperProfile), or both; the community
manager is a staff user. `OutboxEvent` is the event log every domain event is stored in
(`backend.outbox.emit`), `EventDelivery` records each after-commit delivery
(`backend.relay`), and `LoginFailureCounter` holds the log-in limits' counts
(`backend.login_limits`).
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from djgeojson.fields import PointField

from backend import clock
from backend.geo import SWISS_BOUNDING_BOX as SWISS


class Language(models.TextChoices):
    DE = "de", "Deutsch"
    FR = "fr", "Français"
    IT = "it", "Italiano"
    EN = "en", "English"


LANGUAGE_CODES = tuple(Language.values)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("e-mail"), unique=True)
    display_name = models.CharField(_("name"), max_length=80)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    languages = models.JSONField(
        _("languages"),
        default=list,
        help_text=_("Languages this person speaks, as codes: de, fr, it, en."),
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.DE
    )
    # Home address, geocoded offline from the Swiss localities directory. The point is kept in
    # two shapes, written together only by `backend.places.Place`: `home_location` is the
    # GeoJSON the API reads and writes as it is; `home_latitude` and `home_longitude` are plain
    # columns because the database checks (in Switzerland) and indexes them, and the match
    # index copies them, which it cannot do inside a JSON value on SQLite.
    home_street = models.CharField(_("street"), max_length=120, blank=True)
    home_postal_code = models.CharField(_("postal code"), max_length=4, blank=True)
    home_locality = models.CharField(_("locality"), max_length=80, blank=True)
    home_location = PointField(_("home location"), null=True, blank=True)
    home_latitude = models.FloatField(_("latitude"), null=True, blank=True)
    home_longitude = models.FloatField(_("longitude"), null=True, blank=True)

    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("community manager"),
        default=False,
        help_text=_("Community managers are staff: they use the back office."),
    )
    date_joined = models.DateTimeField(_("joined at"), default=clock.now)
    # Empty until the owner of the address confirms it: only self-service sign-up creates such
    # accounts (backend.services.user_register); accounts made any other way are verified.
    email_verified_at = models.DateTimeField(
        _("e-mail confirmed at"), null=True, blank=True, default=clock.now
    )

    # As a customer: reputation and reliability (only what this person caused counts).
    customer_rating_count = models.PositiveIntegerField(
        _("number of ratings as a customer"), default=0
    )
    customer_rating_sum = models.PositiveIntegerField(_("sum of ratings as a customer"), default=0)
    customer_cancellations_caused = models.PositiveIntegerField(
        _("cancellations caused as a customer"), default=0
    )
    customer_late_cancellations_caused = models.PositiveIntegerField(
        _("late cancellations caused as a customer"), default=0
    )
    customer_no_shows_caused = models.PositiveIntegerField(
        _("no-shows caused as a customer"), default=0
    )

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["display_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ("id",)
        # Matching's bounding-box prefilter ranges over the home latitude first.
        indexes = (models.Index(fields=("home_latitude", "home_longitude")),)
        constraints = (
            models.CheckConstraint(
                condition=(
                    models.Q(home_latitude__isnull=True, home_longitude__isnull=True)
                    | models.Q(
                        home_latitude__gte=SWISS.min_latitude,
                        home_latitude__lte=SWISS.max_latitude,
                        home_longitude__gte=SWISS.min_longitude,
                        home_longitude__lte=SWISS.max_longitude,
                    )
                ),
                name="user_home_in_switzerland",
            ),
        )

    def __str__(self) -> str:
        return f"{self.display_name} <{self.email}>"

    @property
    def is_helper(self) -> bool:
        return hasattr(self, "helper_profile")


class OutboxEvent(models.Model):
    """The stored event log: one row per domain event, written in the transaction that made
    the change (so it exists if and only if the change committed).

    The primary key is the global sequence number: events are numbered in the order they
    were stored, and a client that must catch up later resumes after the last number it saw.
    `relayed_at` is set once every after-commit handler has acknowledged the event (at once
    when none listens). Append-only: rows are never updated otherwise, never deleted.

    Real time will build on it: a per-user stream is a handler that records which users an
    event concerns, keyed on this sequence number, so a reconnecting client asks for what came
    after the last number it saw.
    """

    event_type = models.CharField(_("event type"), max_length=64)
    aggregate_type = models.CharField(_("aggregate type"), max_length=32)
    aggregate_id = models.BigIntegerField(_("aggregate ID"))
    payload = models.JSONField(_("payload"), default=dict)
    occurred_at = models.DateTimeField(_("occurred at"), default=clock.now)
    relayed_at = models.DateTimeField(_("relayed at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(
        _("attempts"),
        default=0,
        help_text=_("Failed deliveries to an after-commit handler so far."),
    )
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")
        ordering = ("id",)
        indexes = (
            models.Index(
                fields=("aggregate_type", "aggregate_id", "id"), name="outbox_event_aggregate"
            ),
            models.Index(
                fields=("id",),
                condition=models.Q(relayed_at__isnull=True),
                name="outbox_event_pending",
            ),
        )

    def __str__(self) -> str:
        return gettext("#%(id)s %(event)s of %(aggregate)s %(aggregate_id)s") % {
            "id": self.pk,
            "event": self.event_type,
            "aggregate": self.aggregate_type,
            "aggregate_id": self.aggregate_id,
        }


class EventDelivery(models.Model):
    """One after-commit handler's acknowledgement of one event, written in the handler's own
    transaction: a crash before it commits undoes the handler's database effects too, and the
    relay delivers the event again."""

    event = models.ForeignKey(
        OutboxEvent,
        on_delete=models.PROTECT,
        related_name="deliveries",
        verbose_name=_("outbox event"),
    )
    handler = models.CharField(_("handler"), max_length=200)
    delivered_at = models.DateTimeField(_("delivered at"), default=clock.now)

    class Meta:
        verbose_name = _("event delivery")
        verbose_name_plural = _("event deliveries")
        ordering = ("id",)
        constraints = (
            models.UniqueConstraint(fields=("event", "handler"), name="event_delivered_once"),
        )

    def __str__(self) -> str:
        return gettext("event #%(event)s → %(handler)s") % {
            "event": self.event_id,
            "handler": self.handler,
        }


class LoginFailureCounter(models.Model):
    """Failed log-ins for one account: from one client (`client` is its address), or from all
    clients together (`client` is empty). Written only by backend.login_limits."""

    email = models.CharField(_("e-mail"), max_length=254)
    client = models.CharField(_("client address"), max_length=64, blank=True)
    failures = models.PositiveIntegerField(_("failures"), default=0)
    window_started_at = models.DateTimeField(_("counted since"), default=clock.now)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    locks = models.PositiveIntegerField(
        _("locks in a row"), default=0, help_text=_("Locks in a row: each lasts longer.")
    )
    succeeded_at = models.DateTimeField(
        _("last successful log-in"),
        null=True,
        blank=True,
        help_text=_("The last log-in to the account from this client."),
    )
    updated_at = models.DateTimeField(_("updated at"), default=clock.now)

    class Meta:
        verbose_name = _("failed log-ins")
        verbose_name_plural = _("failed log-ins")
        constraints = (
            models.UniqueConstraint(fields=("email", "client"), name="login_failure_counter_key"),
        )
        indexes = (models.Index(fields=("updated_at",)),)

    def __str__(self) -> str:
        if not self.client:
            return gettext("%(email)s from any address: %(failures)s failed") % {
                "email": self.email,
                "failures": self.failures,
            }
        return gettext("%(email)s from %(client)s: %(failures)s failed") % {
            "email": self.email,
            "client": self.client,
            "failures": self.failures,
        }


class DevicePlatform(models.TextChoices):
    IOS = "ios", "iOS"
    ANDROID = "android", "Android"
    WEB = "web", "Web"
    OTHER = "other", _("Other")


class Device(models.Model):
    """A phone or browser signed in to the API, with a token of its own: logging out on one
    device (or revoking it from another) ends only that device's access. The token itself is
    shown once, at log-in; only its SHA-256 digest is kept. A device's push subscription
    belongs to it (realtime.PushSubscription.device) and goes with it."""

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        "backend.User", on_delete=models.CASCADE, related_name="devices", verbose_name=_("user")
    )
    key_digest = models.CharField(_("token digest"), max_length=64, unique=True, editable=False)
    # Empty when the log-in gave none: shown as "Unnamed device" in the reader's language.
    name = models.CharField(_("name"), max_length=100, blank=True)
    platform = models.CharField(
        _("platform"), max_length=16, choices=DevicePlatform.choices, default=DevicePlatform.OTHER
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return gettext("%(name)s (%(platform)s) of account %(user)s") % {
            "name": self.shown_name,
            "platform": self.get_platform_display(),
            "user": self.user_id,
        }

    @property
    def shown_name(self) -> str:
        """The name given at log-in, else "Unnamed device" in the reader's language."""
        return self.name or gettext("Unnamed device")
