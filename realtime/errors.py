"""The live stream's, the chat's and push's error codes (also sent in WebSocket error frames)."""

from __future__ import annotations

from backend.exceptions import ErrorCode


class RealtimeError(ErrorCode):
    # Chat
    NO_SUCH_MESSAGE = "no_such_message", 404
    CHAT_CLOSED = "chat_closed", 409
    # The event stream
    INVALID_CURSOR = "invalid_cursor"
    # Push subscriptions
    INVALID_SUBSCRIPTION = "invalid_subscription"
    # WebSocket frames (sent in error frames, never as HTTP answers)
    MALFORMED_FRAME = "malformed_frame"
    UNKNOWN_TYPE = "unknown_type"
    FRAME_TOO_LARGE = "frame_too_large"
    RATE_LIMITED = "rate_limited", 429
