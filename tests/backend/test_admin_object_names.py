"""The admin names a row by its model's __str__ (in the deletion summary, the change list, the
history): those names speak the manager's language too, instead of "Hugo (helper)", "Payment …
(captured)" or "customer 2 blocks helper 1" in English whatever the language."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from backend.models import Device, User
from bookings.models import HelperBlock, SafetyReport
from payments.models import Payment, PaymentStatus
from tests.admin_world import admin_url, make_booking, make_helper, make_user, manager_speaks

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "rows"),
    [
        (
            "de",
            [
                "Gerät: Carla’s phone (Anderes) von Konto {customer}",
                "Blockierung einer helfenden Person: Konto {customer} blockiert die helfende "
                "Person {helper}",
            ],
        ),
        (
            "fr",
            [
                "Appareil: Carla’s phone (Autre) du compte {customer}",
                "Blocage d’une personne aidante: le compte {customer} bloque la personne "
                "aidante {helper}",
            ],
        ),
    ],
)
def test_the_deletion_summary_names_each_row_in_the_managers_language(
    manager_client, language, rows
):
    customer = make_user("carla")
    helper = make_helper("hugo")
    Device.objects.create(
        user=customer, key_digest="0" * 64, name="Carla’s phone", platform="other"
    )
    HelperBlock.objects.create(customer=customer, helper=helper)
    manager_speaks(language)

    response = manager_client.get(admin_url(User, "delete", customer.pk), HTTP_ACCEPT_LANGUAGE="en")

    objects = response.content.decode().split('<ul id="deleted-objects">')[1]
    assert response.status_code == 200
    assert re.findall(r"<li>([^<]*)</li>", objects) == [
        row.format(customer=customer.pk, helper=helper.pk) for row in rows
    ]
    assert User.objects.filter(pk=customer.pk).exists()
    assert (Device.objects.count(), HelperBlock.objects.count()) == (1, 1)


@pytest.mark.parametrize(
    ("language", "names"),
    [
        (
            "de",
            [
                "Hugo (helfende Person)",
                "Angebot an Hugo (helfende Person) (Angenommen)",
                "Besuch {booking} (Abgenommen)",
                "Zahlung {payment} (Belastet)",
                "Sicherheitsmeldung zum Besuch {visit} (Schaden)",
            ],
        ),
        (
            "fr",
            [
                "Hugo (personne aidante)",
                "Offre à Hugo (personne aidante) (Acceptée)",
                "Visite {booking} (Validée)",
                "Paiement {payment} (Débité)",
                "Signalement sur la visite {visit} (Dommage)",
            ],
        ),
    ],
)
def test_a_visits_rows_are_named_in_the_active_language(language, names):
    booking = make_booking(make_user("carla"), make_helper("hugo"))
    payment = Payment.objects.create(
        booking=booking, currency="CHF", amount_minor=8000, status=PaymentStatus.CAPTURED
    )
    customer = booking.help_request.customer
    report = SafetyReport.objects.create(
        booking=booking,
        reporter=customer,
        reporter_role="customer",
        reported=booking.helper.user,
        category="damage",
        text="The cable was cut.",
    )

    with translation.override(language):
        found = [str(row) for row in (booking.helper, booking.offer, booking, payment, report)]

    assert found == [
        name.format(booking=booking.public_id, payment=payment.public_id, visit=booking.pk)
        for name in names
    ]
