from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "catalogue"
    verbose_name = "Catalogue"

    def ready(self) -> None:
        from django.contrib import admin

        from catalogue import legal_admin

        legal_admin.register(admin.site)
