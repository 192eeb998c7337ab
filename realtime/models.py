"""The per-user event stream, the bookings' chat and the devices' push subscriptions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from backend import clock
from backend.models import OutboxEvent

# A chat message's length limit, in characters.
CHAT_MESSAGE_MAX_LENGTH = 2000


class StreamCounter(models.Model):
    """The last sequence number given to a user's stream; locked while a row is appended."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("user"),
    )
    last_seq = models.PositiveBigIntegerField(_("last number"), default=0)
    acked_seq = models.PositiveBigIntegerField(
        _("last number received"),
        default=0,
        help_text=_("The last number a client of the user acknowledged."),
    )

    class Meta:
        verbose_name = _("event stream counter")
        verbose_name_plural = _("event stream counters")

    def __str__(self) -> str:
        return gettext("stream of user %(user)s at %(seq)s") % {
            "user": self.user_id,
            "seq": self.last_seq,
        }


class StreamEvent(models.Model):
    """One event one user must hear: written with the domain event in its transaction (by
    `realtime.stream.stream_append`, its one writer), numbered per user without gaps, and
    published by the relay after commit. The primary key is the event's id (clients drop an
    id they have seen); `seq` is what a reconnecting client resumes after. Append-only."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="stream_events",
        verbose_name=_("user"),
    )
    seq = models.PositiveBigIntegerField(_("number"))
    outbox_event = models.ForeignKey(
        OutboxEvent,
        on_delete=models.PROTECT,
        related_name="stream_events",
        verbose_name=_("outbox event"),
    )
    type = models.CharField(_("type"), max_length=64)
    data = models.JSONField(_("data"), default=dict)
    push = models.BooleanField(
        _("push notification"), default=False, help_text=_("Also sent as a push notification.")
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("stream event")
        verbose_name_plural = _("stream events")
        ordering = ("user", "seq")
        constraints = (models.UniqueConstraint(fields=("user", "seq"), name="stream_seq_unique"),)

    def __str__(self) -> str:
        return gettext("#%(seq)s %(type)s for user %(user)s") % {
            "seq": self.seq,
            "type": self.type,
            "user": self.user_id,
        }


class ChatMessage(models.Model):
    """A message in a booking's chat, kept with the booking. Stored as written; phone numbers
    and e-mail addresses are masked when shown to a reader the booking does not show them to."""

    booking = models.ForeignKey(
        "bookings.Booking",
        on_delete=models.PROTECT,
        related_name="chat_messages",
        verbose_name=_("visit"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    author_role = models.CharField(_("author's role"), max_length=16)
    text = models.TextField(_("text"), max_length=CHAT_MESSAGE_MAX_LENGTH)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        ordering = ("booking", "id")

    def __str__(self) -> str:
        return gettext("message %(id)s in visit %(booking)s") % {
            "id": self.pk,
            "booking": self.booking_id,
        }


class ChatReadMark(models.Model):
    """How far one participant has read a booking's chat (the read receipt)."""

    booking = models.ForeignKey(
        "bookings.Booking", on_delete=models.CASCADE, related_name="+", verbose_name=_("visit")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    last_read_message = models.ForeignKey(
        ChatMessage, on_delete=models.CASCADE, related_name="+", verbose_name=_("last message read")
    )
    read_at = models.DateTimeField(_("read at"), default=clock.now)

    class Meta:
        verbose_name = _("chat read mark")
        verbose_name_plural = _("chat read marks")
        constraints = (
            models.UniqueConstraint(fields=("booking", "user"), name="chat_read_once_per_user"),
        )

    def __str__(self) -> str:
        return gettext("user %(user)s read visit %(booking)s up to message %(message)s") % {
            "user": self.user_id,
            "booking": self.booking_id,
            "message": self.last_read_message_id,
        }


class PushSubscription(models.Model):
    """A device's Web Push subscription (the browser's PushSubscription.toJSON()). Registered
    with a device's token, it belongs to that device and is removed when the device is signed
    out; registered from a web session, it has no device."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="push_subscriptions",
        verbose_name=_("user"),
    )
    device = models.ForeignKey(
        "backend.Device",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="push_subscriptions",
        verbose_name=_("device"),
    )
    endpoint = models.URLField(_("endpoint"), max_length=1000, unique=True)
    p256dh = models.CharField(_("public key (P-256)"), max_length=200)
    auth = models.CharField(_("authentication secret"), max_length=100)
    device_name = models.CharField(_("device name"), max_length=100, blank=True)
    # Sends its push service refused or never answered since the last one it took
    # (`realtime.push.push_rows`): the subscription is forgotten after a few.
    failures = models.PositiveSmallIntegerField(_("failed sends in a row"), default=0)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("push subscription")
        verbose_name_plural = _("push subscriptions")
        ordering = ("id",)

    def __str__(self) -> str:
        return gettext("push subscription %(id)s of user %(user)s") % {
            "id": self.pk,
            "user": self.user_id,
        }
