from django.apps import AppConfig


class WebConfig(AppConfig):
    """The server-rendered web app: an interface layer beside mobile_api (no models, no rules)."""

    name = "web"
    verbose_name = "Web app"
