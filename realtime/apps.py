from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RealtimeConfig(AppConfig):
    name = "realtime"
    verbose_name = _("Live updates, chat and push")

    def ready(self) -> None:
        # The stream hears the lower layers' events: written in their transaction, published
        # after commit by the relay (backend.relay).
        from backend.events import DevicesSignedOut, Phase, subscribe
        from realtime import publish, stream

        subscribe(stream.stream_write, *stream.STREAMED_EVENTS)
        subscribe(publish.stream_publish, *stream.STREAMED_EVENTS, phase=Phase.AFTER_COMMIT)
        subscribe(publish.stream_push, *stream.STREAMED_EVENTS, phase=Phase.AFTER_COMMIT)
        # A device signed out: the sockets its token opened are closed at once.
        subscribe(publish.device_sockets_close, DevicesSignedOut, phase=Phase.AFTER_COMMIT)
