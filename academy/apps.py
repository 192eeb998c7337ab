from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AcademyConfig(AppConfig):
    name = "academy"
    verbose_name = _("Training academy")

    def ready(self) -> None:
        from django.contrib import admin

        from academy import admin as academy_admin

        academy_admin.register(admin.site)
