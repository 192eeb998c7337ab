from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data builder: no models, only the `seed_demo` command and what it plays."""

    name = "demo"
    verbose_name = "Demo data"
