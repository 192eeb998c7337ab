from django.apps import AppConfig


class HelpersConfig(AppConfig):
    name = "helpers"
    verbose_name = "Helpers"
