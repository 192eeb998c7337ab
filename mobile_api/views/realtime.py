"""The live side of the API over plain HTTP: catching up on the event stream, a booking's
chat, and the devices' push subscriptions. The same events arrive live at /ws/v1/."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import django_filters
from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from backend import clock
from backend.exceptions import raises
from backend.models import Device
from bookings.selectors import booking_for
from mobile_api.filters import UpdatedSinceFilter
from mobile_api.idempotency import ApiView, IdempotencyKeyStep
from mobile_api.permissions import request_user
from mobile_api.serializers.moments import ApiDateTimeField, ApiModelSerializer
from realtime.chat import (
    chat_booking_for,
    chat_message_send,
    chat_messages_for,
    chat_read_mark,
    chat_read_marks,
)
from realtime.frames import frame_of
from realtime.models import CHAT_MESSAGE_MAX_LENGTH, ChatMessage, PushSubscription
from realtime.participants import message_data
from realtime.push import push_subscribe, push_unsubscribe
from realtime.stream import CATCH_UP_LIMIT, stream_after, stream_cursor, stream_last_seq

StreamEventSerializer = inline_serializer(
    "StreamEvent",
    {
        "id": serializers.IntegerField(help_text="The event's id: drop one you have seen."),
        "seq": serializers.IntegerField(help_text="Your stream's number: resume after it."),
        "event": serializers.CharField(help_text="offer.made, offer.withdrawn, booking.status…"),
        "data": serializers.DictField(),
        "at": ApiDateTimeField(),
    },
    many=True,
)


class EventListApi(ApiView):
    @extend_schema(
        operation_id="events_list",
        parameters=[
            OpenApiParameter(
                "after", int, description="The last sequence number you have (0 for all)."
            )
        ],
        responses={
            200: inline_serializer(
                "EventPage",
                {
                    "events": StreamEventSerializer,
                    "last_seq": serializers.IntegerField(),
                    "has_more": serializers.BooleanField(),
                },
            )
        },
    )
    @raises(stream_cursor, stream_after)
    def get(self, request: Request) -> Response:
        """My events after `after`, oldest first, at most 200 a time: what a phone without a
        socket polls, and what a reconnecting one missed (the socket does this by itself)."""
        user = request_user(request)
        after = stream_cursor(request.query_params.get("after", "0"))
        frames = [frame_of(row) for row in stream_after(user, after)]
        return Response(
            {
                "events": frames,
                "last_seq": stream_last_seq(user.pk),
                "has_more": len(frames) == CATCH_UP_LIMIT,
            }
        )


class ChatMessageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    booking = serializers.UUIDField()
    author = serializers.UUIDField(
        help_text="Who wrote it: their `id`, as `GET /api/v1/me` answers it."
    )
    author_role = serializers.CharField()
    text = serializers.CharField(
        help_text="Plain text; phone numbers and e-mail addresses show as ••• until the booking "
        "is confirmed, and to its helper again once the visit is signed off (or settled), "
        "cancelled or missed (no-show), as the booking's address and phones are. The customer "
        "and the manager keep reading them from confirmation on (but not once cancelled or "
        "missed)."
    )
    created_at = ApiDateTimeField()
    updated_at = ApiDateTimeField(
        help_text="When this answer last changed (the message, or its booking, which decides "
        "what is masked): the cursor for `?updated_since=`."
    )

    def to_representation(self, instance: Any) -> Any:
        if not isinstance(instance, ChatMessage):
            return instance
        changed = max(instance.created_at, instance.booking.updated_at)
        reader = request_user(self.context["request"])
        return {**message_data(instance, reader), "updated_at": clock.iso(changed)}


class ChatMessageFilter(django_filters.FilterSet):
    updated_since = UpdatedSinceFilter(
        fields=("created_at", "booking__updated_at"),
        label=(
            "Only the messages whose answer changed at or after this time (with its UTC "
            "offset): new ones, or all of them once the booking changed (contacts unmasked or masked again). "
            "Send the largest `updated_at` seen."
        ),
    )

    class Meta:
        model = ChatMessage
        fields = ("updated_since",)


class ChatMessageListApi(IdempotencyKeyStep, generics.ListAPIView):
    serializer_class = ChatMessageSerializer
    filterset_class = ChatMessageFilter
    queryset = ChatMessage.objects.none()

    class ChatMessageInput(serializers.Serializer):
        text = serializers.CharField(max_length=CHAT_MESSAGE_MAX_LENGTH, trim_whitespace=False)

    def get_queryset(self) -> QuerySet[ChatMessage]:
        user = request_user(self.request)
        booking = booking_for(user, self.kwargs["booking_id"])
        return chat_messages_for(user, booking).order_by("-id")

    @extend_schema(operation_id="chat_messages_list")
    @raises(booking_for, chat_messages_for)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """The booking's chat, newest first; for its customer and helper, and the manager
        while a dispute is open. `?updated_since=` for what changed since the last poll."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="chat_messages_create",
        request=ChatMessageInput,
        responses={201: ChatMessageSerializer},
    )
    @raises(booking_for, chat_message_send)
    def post(self, request: Request, booking_id: UUID) -> Response:
        """Write in the booking's chat (plain text, at most 2000 characters; links are not
        fetched). The others get it live."""
        user = request_user(request)
        booking = chat_booking_for(user, booking_for(user, booking_id))
        data = self.ChatMessageInput(data=request.data)
        data.is_valid(raise_exception=True)
        message = chat_message_send(booking=booking, author=user, text=data.validated_data["text"])
        message.refresh_from_db()
        answer = ChatMessageSerializer(message, context=self.get_serializer_context())
        return Response(answer.data, status=status.HTTP_201_CREATED)


class ChatReadApi(ApiView):
    class ChatReadInput(serializers.Serializer):
        message = serializers.IntegerField(min_value=1)

    @extend_schema(
        operation_id="chat_read",
        request=ChatReadInput,
        responses={
            200: inline_serializer(
                "ChatReadMarks",
                {
                    "read": serializers.DictField(
                        child=serializers.IntegerField(),
                        help_text="Each participant's `id` (as `GET /api/v1/me` answers it) "
                        "and the last message they read.",
                    )
                },
            )
        },
    )
    @raises(booking_for, chat_read_mark)
    def post(self, request: Request, booking_id: UUID) -> Response:
        """I have read up to `message`: the others see a read receipt. Answers each
        participant's last read message (user id → message id)."""
        user = request_user(request)
        booking = chat_booking_for(user, booking_for(user, booking_id))
        data = self.ChatReadInput(data=request.data)
        data.is_valid(raise_exception=True)
        chat_read_mark(booking=booking, reader=user, message_id=data.validated_data["message"])
        marks = chat_read_marks(chat_booking_for(user, booking))
        return Response({"read": marks})


class PushSubscriptionSerializer(ApiModelSerializer):
    class Meta:
        model = PushSubscription
        fields = ("endpoint", "device_name", "created_at")


class PushKeys(serializers.Serializer):
    """The subscription's keys, as the browser's `PushSubscription.toJSON()` gives them."""

    p256dh = serializers.CharField(
        max_length=200,
        help_text="The device's public key: a P-256 point, 65 bytes in unpadded base64url.",
    )
    auth = serializers.CharField(
        max_length=200,
        help_text="The device's authentication secret: 16 bytes in unpadded base64url.",
    )


@extend_schema_field(PushKeys)
class PushKeysField(serializers.DictField):
    """Read as a dictionary of texts, whose `p256dh` and `auth` `push_subscribe` checks and
    names a refusal of (`keys.p256dh`, `keys.auth`); described by PushKeys."""

    def __init__(self) -> None:
        super().__init__(child=serializers.CharField(max_length=200))


class PushSubscriptionApi(ApiView):
    class PushSubscriptionInput(serializers.Serializer):
        endpoint = serializers.URLField(max_length=1000)
        keys = PushKeysField()
        device_name = serializers.CharField(
            max_length=100, required=False, allow_blank=True, default=""
        )

    @extend_schema(
        operation_id="push_subscriptions_list",
        responses={
            200: inline_serializer(
                "PushSubscriptions",
                {
                    "vapid_public_key": serializers.CharField(),
                    "subscriptions": PushSubscriptionSerializer(many=True),
                },
            )
        },
    )
    @raises()
    def get(self, request: Request) -> Response:
        """My devices' push subscriptions, and the VAPID key to subscribe with (empty while
        push is off)."""
        subscriptions = PushSubscription.objects.filter(user=request_user(request))
        return Response(
            {
                "vapid_public_key": settings.QUARTIER_VAPID_PUBLIC_KEY,
                "subscriptions": PushSubscriptionSerializer(subscriptions, many=True).data,
            }
        )

    @extend_schema(
        operation_id="push_subscriptions_create",
        request=PushSubscriptionInput,
        responses={201: PushSubscriptionSerializer},
    )
    @raises(push_subscribe)
    def post(self, request: Request) -> Response:
        """Register this device for push (the browser's `PushSubscription.toJSON()`, with an
        optional device name): offers and messages then reach it while the app is closed.
        Sent with a device's token, the subscription belongs to that device: signing the
        device out removes it."""
        data = self.PushSubscriptionInput(data=request.data)
        data.is_valid(raise_exception=True)
        keys = data.validated_data["keys"]
        subscription = push_subscribe(
            user=request_user(request),
            endpoint=data.validated_data["endpoint"],
            p256dh=keys.get("p256dh", ""),
            auth=keys.get("auth", ""),
            device_name=data.validated_data["device_name"],
            device=request.auth if isinstance(request.auth, Device) else None,
        )
        return Response(
            PushSubscriptionSerializer(subscription).data, status=status.HTTP_201_CREATED
        )


class PushSubscriptionRemoveApi(ApiView):
    class PushEndpointInput(serializers.Serializer):
        endpoint = serializers.URLField(max_length=1000)

    @extend_schema(
        operation_id="push_subscriptions_remove", request=PushEndpointInput, responses={204: None}
    )
    @raises()
    def post(self, request: Request) -> Response:
        """Stop push to the device at `endpoint` (what the browser's unsubscribe gives); an
        endpoint that is not registered for me changes nothing."""
        data = self.PushEndpointInput(data=request.data)
        data.is_valid(raise_exception=True)
        push_unsubscribe(user=request_user(request), endpoint=data.validated_data["endpoint"])
        return Response(status=status.HTTP_204_NO_CONTENT)
