"""The demo's safety reports: one the community manager decided with a warning, one still open
in the triage queue, and a customer who keeps a helper from their requests."""

from __future__ import annotations

from datetime import timedelta

from bookings import services
from bookings.models import Booking, BookingStatus
from demo.community import Community

# What each side writes, in the reporter's language.
CUSTOMER_TEXT = {
    "de": "Der Helfer war unfreundlich und hat meine Fragen nicht beantwortet.",
    "fr": "L’aide était désagréable et n’a pas répondu à mes questions.",
    "it": "La persona aiutante è stata scortese e non ha risposto alle mie domande.",
    "en": "The helper was rude and did not answer my questions.",
}
HELPER_TEXT = {
    "de": "Der Hund der Kundin hat mich gebissen; niemand hat ihn zurückgehalten.",
    "fr": "Le chien de la cliente m’a mordu ; personne ne l’a retenu.",
    "it": "Il cane della cliente mi ha morso; nessuno l’ha trattenuto.",
    "en": "The customer's dog bit me; nobody held it back.",
}
# The community manager's reason for the warning, in the language of the warned helper, who
# reads it in the e-mail and on their pages (never naming who reported them).
WARNING_NOTE = {
    "de": "Wir haben mit Ihnen gesprochen: Bitte achten Sie auf einen freundlichen Ton mit der "
    "Kundschaft.",
    "fr": "Nous en avons parlé avec vous : veillez à garder un ton aimable avec la clientèle.",
    "it": "Ne abbiamo parlato con lei: badi a mantenere un tono cortese con la clientela.",
    "en": "We talked it over with you: please keep a friendly tone with customers.",
}


def file_demo_reports(community: Community) -> int:
    """Reports on the first signed-off visits of demo people; how many were filed."""
    visits = list(
        Booking.objects.filter(
            status=BookingStatus.SIGNED_OFF,
            help_request__customer__in=[person.user for person in community.customers],
        )
        .select_related("help_request__customer", "helper__user")
        .order_by("pk")[:2]
    )
    if len(visits) < 2:
        return 0
    decided, open_one = visits
    customer, warned = decided.help_request.customer, decided.helper.user
    if decided.signed_off_at is None or open_one.signed_off_at is None:
        return 0
    now = community.history.now
    with community.history.at(min(decided.signed_off_at + timedelta(minutes=30), now)):
        report = services.safety_report_file(
            booking=decided,
            actor=customer,
            category="harassment",
            text=CUSTOMER_TEXT.get(customer.preferred_language, CUSTOMER_TEXT["en"]),
        )
        services.helper_block(booking=decided, actor=customer)
    with community.history.at(min(decided.signed_off_at + timedelta(days=1), now)):
        services.safety_report_triage(
            report=report,
            actor=community.manager,
            outcome="warning",
            note=WARNING_NOTE[warned.preferred_language],
        )
    helper_user = open_one.helper.user
    with community.history.at(min(open_one.signed_off_at + timedelta(minutes=30), now)):
        services.safety_report_file(
            booking=open_one,
            actor=helper_user,
            category="damage",
            text=HELPER_TEXT.get(helper_user.preferred_language, HELPER_TEXT["en"]),
        )
    return 2
