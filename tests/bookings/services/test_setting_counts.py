"""Counts that come from settings (the review window's days, the cancellation hours, the hold
days, the no-show minutes, how far ahead visits are booked) are plural messages: a setting of 1
reads "1 hour", "1 Stunde", "1 heure", "1 ora", and 2 "2 hours", in every language."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone, translation
from django.utils.translation import ngettext

from backend.config import config
from backend.exceptions import ApplicationError
from bookings import services
from bookings.models import Booking, BookingStatus, HelpRequest
from helpers.models import AvailabilityException, ExceptionKind
from helpers.services import availability_exception_add
from tests.bookings.services.test_customer_emails import START, confirmed, relayed
from tests.bookings.services.test_helper_emails import marie
from tests.factories import UserFactory, make_booking, make_helper, post_request

pytestmark = pytest.mark.django_db

LANGUAGES = ("de", "fr", "it", "en")


def setting(**values: int) -> override_settings:
    """Quartier's settings with `values` changed, for the block it opens."""
    return override_settings(QUARTIER=config().with_values(**values))


def refused(call) -> str:
    with pytest.raises(ApplicationError) as refusal:
        call()
    return refusal.value.message


WINDOWS = {
    "de": "Zeitfenster dürfen höchstens {n} {unit} im Voraus beginnen.",
    "fr": "Les plages horaires peuvent commencer au plus {n} {unit} à l’avance.",
    "it": "Le fasce orarie possono iniziare al massimo {n} {unit} in anticipo.",
    "en": "Windows may start at most {n} {unit} ahead.",
}
DAYS = {"de": ("Tag", "Tage"), "fr": ("jour", "jours"), "it": ("giorno", "giorni")}
DAYS["en"] = ("day", "days")


@pytest.mark.parametrize("days", [1, 2])
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_window_too_far_ahead_counts_the_days_allowed(language, days):
    customer = UserFactory.create()
    start = timezone.now() + timedelta(days=days + 2)
    with setting(max_request_days_ahead=days), translation.override(language):
        message = refused(lambda: post_request(customer, start=start))

    unit = DAYS[language][days > 1]
    assert message == WINDOWS[language].format(n=days, unit=unit)
    assert not HelpRequest.objects.filter(customer=customer).exists()


HOURS_OFF = {
    "de": "Besuche können höchstens {n} {unit} im Voraus gebucht werden: Beenden Sie die "
    "Ausnahme bis dahin.",
    "fr": "Les visites se réservent au plus {n} {unit} à l’avance : terminez l’exception d’ici là.",
    "it": "Le visite si prenotano al massimo {n} {unit} in anticipo: termini l’eccezione entro "
    "allora.",
    "en": "Visits can be booked at most {n} {unit} ahead: end the exception by then.",
}


@pytest.mark.parametrize("days", [1, 2])
@pytest.mark.parametrize("language", LANGUAGES)
def test_time_off_beyond_the_booking_horizon_counts_its_days(language, days):
    helper = make_helper()
    now = timezone.now()
    with setting(max_request_days_ahead=days), translation.override(language):
        message = refused(
            lambda: availability_exception_add(
                helper=helper,
                kind=ExceptionKind.UNAVAILABLE,
                starts_at=now + timedelta(hours=1),
                ends_at=now + timedelta(days=days + 3),
            )
        )

    assert message == HOURS_OFF[language].format(n=days, unit=DAYS[language][days > 1])
    assert not AvailabilityException.objects.filter(helper=helper).exists()


NO_SHOW = {
    "de": "Ein Nichterscheinen kann {n} {unit} nach Beginn gemeldet werden.",
    "fr": "Une absence peut être signalée {n} {unit} après l’heure de début.",
    "it": "Un’assenza può essere segnalata {n} {unit} dopo l’ora d’inizio.",
    "en": "A no-show can be reported {n} {unit} after the start time.",
}
MINUTES = {
    "de": ("Minute", "Minuten"),
    "fr": ("minute", "minutes"),
    "it": ("minuto", "minuti"),
    "en": ("minute", "minutes"),
}


@pytest.mark.parametrize("minutes", [1, 2])
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_no_show_reported_too_early_counts_the_minutes_to_wait(language, minutes):
    booking = make_booking(BookingStatus.CONFIRMED)
    with setting(no_show_grace_minutes=minutes), translation.override(language):
        message = refused(
            lambda: services.booking_report_no_show(
                booking=booking, actor=booking.help_request.customer
            )
        )

    assert message == NO_SHOW[language].format(n=minutes, unit=MINUTES[language][minutes > 1])
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED


FEE_MAIL = {
    "de": "Die Absage kam weniger als {n} {unit} vor dem Besuch, darum schuldet die Kundin oder "
    "der Kunde Ihnen eine Absagegebühr von",
    "fr": "L’annulation est intervenue moins de {n} {unit} avant la visite : la cliente ou le "
    "client vous doit donc des frais d’annulation de",
    "it": "L’annullamento è arrivato meno di {n} {unit} prima della visita, quindi la cliente o il "
    "cliente le deve una penale di annullamento di",
    "en": "The cancellation came less than {n} {unit} before the visit, so the customer owes you "
    "a cancellation fee of",
}
HOURS = {
    "de": ("Stunde", "Stunden"),
    "fr": ("heure", "heures"),
    "it": ("ora", "ore"),
    "en": ("hour", "hours"),
}


@pytest.mark.parametrize("hours", [1, 2])
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_helpers_late_cancellation_e_mail_counts_the_hours(clock, language, hours):
    customer = marie()
    booking = confirmed(customer)
    helper = booking.helper.user
    helper.preferred_language = language
    helper.save(update_fields=["preferred_language"])
    clock.move_to(START - timedelta(minutes=20))

    with setting(late_cancellation_hours=hours):
        services.booking_cancel(booking=booking, actor=customer, reason="Plus besoin")
        [sent] = [m for m in relayed() if m.to == [helper.email]]

    expected = FEE_MAIL[language].format(n=hours, unit=HOURS[language][hours > 1])
    assert expected in sent.body


FREE_UNTIL = {
    "de": "Eine Absage bis {n} {unit} vor dem Besuch kostet nichts.",
    "fr": "Annuler ne coûte rien jusqu’à {n} {unit} avant la visite.",
    "it": "Annullare non costa nulla fino a {n} {unit} prima della visita.",
    "en": "Cancelling costs nothing up to {n} {unit} before the visit.",
}


@pytest.mark.parametrize("hours", [1, 2])
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_request_page_counts_the_cancellation_hours(client, clock, language, hours):
    customer = marie()
    customer.preferred_language = language
    customer.save(update_fields=["preferred_language"])
    booking = confirmed(customer)
    client.force_login(customer)

    with setting(late_cancellation_hours=hours):
        page = client.get(
            f"/requests/{booking.help_request.public_id}/", HTTP_ACCEPT_LANGUAGE=language
        ).content.decode()

    assert FREE_UNTIL[language].format(n=hours, unit=HOURS[language][hours > 1]) in page


# The other counted texts, read from the catalogue as the pages and e-mails ask for them.
COUNTED = [
    (
        "You can review the visit within %(days)s day. The helper sees your review only once "
        "they have written theirs, and you see theirs only once you have written yours.",
        "You can review the visit within %(days)s days. The helper sees your review only once "
        "they have written theirs, and you see theirs only once you have written yours.",
        {
            "de": ("innerhalb von 1 Tag bewerten", "innerhalb von 2 Tagen bewerten"),
            "fr": ("dans un délai de 1 jour.", "dans les 2 jours."),
            "it": ("entro 1 giorno.", "entro 2 giorni."),
            "en": ("within 1 day.", "within 2 days."),
        },
    ),
    (
        "Your card is ready. It will be held %(days)d day before the visit.",
        "Your card is ready. It will be held %(days)d days before the visit.",
        {
            "de": ("1 Tag vor dem Besuch", "2 Tage vor dem Besuch"),
            "fr": ("1 jour avant la visite", "2 jours avant la visite"),
            "it": ("1 giorno prima della visita", "2 giorni prima della visita"),
            "en": ("held 1 day before", "held 2 days before"),
        },
    ),
    (
        "A cancellation less than %(hours)s hour before the visit costs %(percent)s%% of the "
        "price, which goes to the helper.",
        "A cancellation less than %(hours)s hours before the visit costs %(percent)s%% of the "
        "price, which goes to the helper.",
        {
            "de": ("weniger als 1 Stunde vor", "weniger als 2 Stunden vor"),
            "fr": ("moins de 1 heure avant", "moins de 2 heures avant"),
            "it": ("meno di 1 ora dalla", "meno di 2 ore dalla"),
            "en": ("less than 1 hour before", "less than 2 hours before"),
        },
    ),
    (
        "Cancelling costs nothing up to %(hours)s hour before the visit. A later cancellation "
        "costs %(fee)s (%(percent)s%% of the price), which goes to the helper, who has kept "
        "the time for you, and counts against your reliability.",
        "Cancelling costs nothing up to %(hours)s hours before the visit. A later cancellation "
        "costs %(fee)s (%(percent)s%% of the price), which goes to the helper, who has kept "
        "the time for you, and counts against your reliability.",
        {
            "de": ("bis 1 Stunde vor", "bis 2 Stunden vor"),
            "fr": ("jusqu’à 1 heure avant", "jusqu’à 2 heures avant"),
            "it": ("fino a 1 ora prima", "fino a 2 ore prima"),
            "en": ("up to 1 hour before", "up to 2 hours before"),
        },
    ),
    (
        "Cancelling costs nothing up to %(hours)s hour before the visit. A later cancellation "
        "is recorded as late and counts against your reliability, because the helper has kept "
        "the time for you.",
        "Cancelling costs nothing up to %(hours)s hours before the visit. A later cancellation "
        "is recorded as late and counts against your reliability, because the helper has kept "
        "the time for you.",
        {
            "de": ("bis 1 Stunde vor", "bis 2 Stunden vor"),
            "fr": ("jusqu’à 1 heure avant", "jusqu’à 2 heures avant"),
            "it": ("fino a 1 ora prima", "fino a 2 ore prima"),
            "en": ("up to 1 hour before", "up to 2 hours before"),
        },
    ),
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("one", "many", "expected"), COUNTED)
def test_each_counted_text_reads_right_for_1_and_for_2(language, one, many, expected):
    values = {"fee": "CHF 20.00", "percent": 50}
    with translation.override(language):
        said = [
            ngettext(one, many, n) % {**values, "days": n, "hours": n, "minutes": n} for n in (1, 2)
        ]
    assert [wanted in text for wanted, text in zip(expected[language], said, strict=True)] == [
        True,
        True,
    ]
