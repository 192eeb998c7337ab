from django.apps import AppConfig


class AcademyConfig(AppConfig):
    name = "academy"
    verbose_name = "Training academy"

    def ready(self) -> None:
        from django.contrib import admin

        from academy import admin as academy_admin

        academy_admin.register(admin.site)
