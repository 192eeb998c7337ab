from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class HelpersConfig(AppConfig):
    name = "helpers"
    verbose_name = _("Helpers")

    def ready(self) -> None:
        from django.contrib import admin

        from backend.events import Phase, subscribe
        from helpers import conduct_test_admin, handlers, vetting_admin
        from helpers.appeal_services import appeals_close_when_suspension_ends
        from helpers.checks import development_document_key
        from helpers.events import HelperApprovalMoved

        subscribe(handlers.schedule_document_deletion, *handlers.DELETION_EVENTS)
        subscribe(handlers.schedule_reinstatement, *handlers.REINSTATEMENT_EVENTS)
        subscribe(appeals_close_when_suspension_ends, HelperApprovalMoved)
        subscribe(handlers.mail_applicant, *handlers.MAIL_EVENTS, phase=Phase.AFTER_COMMIT)
        checks.register(development_document_key, checks.Tags.security)
        vetting_admin.register(admin.site)
        conduct_test_admin.register(admin.site)
