from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo data builder: no models, only the `seed_demo` command and what it plays."""

    name = "demo"
    verbose_name = _("Demo data")

    def ready(self) -> None:
        from demo.summary import demo_log_ins
        from web.showcase import register_demo_log_ins

        register_demo_log_ins(demo_log_ins)
