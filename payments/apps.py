from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        # Payments listens to bookings (a lower layer), which never imports it.
        from backend.events import Phase, subscribe
        from bookings.events import (
            BookingCancelled,
            BookingConfirmed,
            BookingNoShow,
            BookingSignedOff,
        )
        from bookings.visit_checks import register_hold_check
        from payments import handlers, selectors
        from payments.events import (
            PaymentAccountLost,
            PaymentAuthorisationFailed,
            PaymentAuthorised,
            PaymentDue,
            PaymentHoldDeferred,
            PaymentReleased,
            PayoutAccountChanged,
        )

        register_hold_check(selectors.hold_missing_now)
        subscribe(handlers.open_payments, BookingConfirmed)
        subscribe(handlers.schedule_deferred_holds, PaymentHoldDeferred)
        subscribe(handlers.follow_payout_account, PayoutAccountChanged)
        subscribe(handlers.schedule_pay_after_reminder, PaymentDue)
        subscribe(handlers.tell_payment_due, PaymentDue, phase=Phase.AFTER_COMMIT)
        subscribe(handlers.place_hold, BookingConfirmed, phase=Phase.AFTER_COMMIT)
        subscribe(handlers.tell_hold_failed, PaymentAuthorisationFailed, phase=Phase.AFTER_COMMIT)
        subscribe(handlers.tell_hold_recovered, PaymentAuthorised, phase=Phase.AFTER_COMMIT)
        subscribe(handlers.tell_payment_lost, PaymentReleased, phase=Phase.AFTER_COMMIT)
        subscribe(handlers.tell_payment_lost_ahead, PaymentAccountLost, phase=Phase.AFTER_COMMIT)
        subscribe(handlers.capture_on_sign_off, BookingSignedOff, phase=Phase.AFTER_COMMIT)
        subscribe(
            handlers.release_or_charge_fee,
            BookingCancelled,
            BookingNoShow,
            phase=Phase.AFTER_COMMIT,
        )
