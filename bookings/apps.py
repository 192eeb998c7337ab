from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = _("Requests and bookings")

    def ready(self) -> None:
        # Handlers are subscribed here, once the apps below are loaded: the layers under
        # bookings emit events and never import it.
        from academy.events import CourseRequirementsChanged
        from backend.events import Phase, UserActivationChanged, UserProfileChanged, subscribe
        from bookings import handlers, selectors
        from bookings.events import OfferWithdrawn
        from catalogue.events import LegalTermsAccepted, LegalVersionPublished
        from helpers.availability import register_busy_source
        from helpers.events import (
            HelperEvent,
            HelperOffboarded,
            HelperProfileChanged,
            HelperSuspended,
        )

        subscribe(handlers.count_figures, *handlers.FIGURE_EVENTS)
        subscribe(
            handlers.refresh_match_index,
            HelperEvent,
            UserProfileChanged,
            UserActivationChanged,
            LegalVersionPublished,
            LegalTermsAccepted,
            CourseRequirementsChanged,
        )
        subscribe(handlers.refresh_free_time, *handlers.FREE_TIME_EVENTS)
        subscribe(handlers.schedule_tasks, *handlers.TASK_EVENTS)
        subscribe(handlers.withdraw_offers_of_suspended, HelperSuspended, HelperOffboarded)
        subscribe(handlers.cancel_visits_of_suspended, HelperSuspended, HelperOffboarded)
        subscribe(handlers.withdraw_offers_of_unpaid, HelperProfileChanged)
        subscribe(handlers.mail_about_reports, *handlers.REPORT_EVENTS, phase=Phase.AFTER_COMMIT)
        subscribe(handlers.mail_customers, *handlers.CUSTOMER_MAIL_EVENTS, phase=Phase.AFTER_COMMIT)
        subscribe(handlers.mail_helpers, *handlers.HELPER_MAIL_EVENTS, phase=Phase.AFTER_COMMIT)
        subscribe(handlers.mail_helpers_about_offers, OfferWithdrawn, phase=Phase.AFTER_COMMIT)
        register_busy_source(selectors.visits_held)
