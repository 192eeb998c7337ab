from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """The server-rendered web app: an interface layer beside mobile_api (no models, no rules)."""

    name = "web"
    verbose_name = _("Web app")
