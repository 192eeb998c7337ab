"""The money pages in the browser app, against the emulator: the receipt (page and PDF) for the
visit's customer and helper only, the tip form on the customer's request page, and the helper's
earnings page with its CSV and PDF."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.dates import MONTHS
from pypdf import PdfReader

from backend.relay import relay_pending
from bookings import services as bookings
from bookings.models import Booking
from helpers.models import HelperProfile
from payments.documents import statement_csv
from payments.models import LedgerEntry, Receipt, StripeRequest, Tip
from payments.statements import earnings_statement
from tests.factories import UserFactory, make_helper
from tests.payments.money import completed, held_booking, payment_of
from tests.web.refusals import refused_page
from tests.web.test_pages import _errors_of, _logged_in

pytestmark = pytest.mark.django_db


def settled_booking() -> Booking:
    booking = completed(held_booking())
    bookings.booking_sign_off(booking=booking, actor=booking.help_request.customer)
    relay_pending()
    return Booking.objects.get(pk=booking.pk)


def _pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_receipt_page_in_the_customers_language(client, django_assert_max_num_queries):
    booking = settled_booking()
    number = Receipt.objects.get(booking=booking).number
    fee = payment_of(booking).stripe_fee_minor
    _logged_in(client, booking.help_request.customer, "de")
    with django_assert_max_num_queries(9):
        response = client.get(f"/receipts/{booking.public_id}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Quittung {number}" in html
    assert "Quartier-Gebühr" in html
    assert "CHF 0.00" in html
    assert f"CHF {(4000 - fee) // 100}.{(4000 - fee) % 100:02d}" in html
    assert booking.helper.user.display_name in html
    pdf = client.get(f"/receipts/{booking.public_id}/pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert f"Quittung {number}" in _pdf_text(pdf.content)


def test_the_helper_reaches_the_receipt_from_the_visit(client):
    booking = settled_booking()
    _logged_in(client, booking.helper.user, "fr")
    visit = client.get(f"/helper/visits/{booking.public_id}/").content.decode()
    assert f'href="/receipts/{booking.public_id}/"' in visit
    page = client.get(f"/receipts/{booking.public_id}/").content.decode()
    assert "Reçu" in page
    assert "40.00\u00a0CHF" in page or "40.00 CHF" in page


def test_nobody_else_finds_the_receipt(client):
    booking = settled_booking()
    others = (UserFactory.create(), make_helper().user, UserFactory.create(is_staff=True))
    for user in others:
        _logged_in(client, user)
        assert client.get(f"/receipts/{booking.public_id}/").status_code == 404
        assert client.get(f"/receipts/{booking.public_id}/pdf").status_code == 404
    client.logout()
    assert client.get(f"/receipts/{booking.public_id}/").status_code == 302


def test_a_visit_not_paid_yet_has_no_receipt_page_nor_link(client):
    booking = held_booking()
    _logged_in(client, booking.help_request.customer)
    assert client.get(f"/receipts/{booking.public_id}/").status_code == 404
    page = client.get(f"/requests/{booking.help_request.public_id}/").content.decode()
    assert "/receipts/" not in page
    assert 'name="tip-amount"' not in page


def test_the_customer_tips_from_the_request_page(client):
    booking = settled_booking()
    _logged_in(client, booking.help_request.customer)
    page_url = f"/requests/{booking.help_request.public_id}/"
    page = client.get(page_url).content.decode()
    assert f'href="/receipts/{booking.public_id}/"' in page
    assert 'name="tip-amount"' in page
    # Too little: said next to the field, nothing written
    refused = client.post(f"{page_url}tip", {"tip-amount": "0.50"})
    assert _errors_of(refused_page(client, refused, page_url), "id_tip-amount") == [
        "A tip must be between CHF 1.00 and CHF 200.00."
    ]
    assert (Tip.objects.count(), StripeRequest.objects.filter(action="tip").count()) == (0, 0)
    # Five francs: taken, shown, and the form is gone
    assert client.post(f"{page_url}tip", {"tip-amount": "5.00"}).status_code == 302
    assert Tip.objects.get(booking=booking).amount_minor == 500
    page = client.get(page_url).content.decode()
    assert "You gave a tip of CHF 5.00" in page
    assert 'name="tip-amount"' not in page
    receipt = client.get(f"/receipts/{booking.public_id}/").content.decode()
    assert "Tip" in receipt
    assert "CHF 5.00" in receipt
    # The helper cannot post the customer's form
    _logged_in(client, booking.helper.user)
    assert client.post(f"{page_url}tip", {"tip-amount": "5.00"}).status_code == 404
    assert LedgerEntry.objects.filter(booking=booking, kind="tipped").count() == 1


def test_the_browser_lets_whole_francs_and_any_rappen_through_the_tip_field(client):
    # A browser refuses a number off the field's steps, counted from its min, before sending:
    # a step of 0.50 from 0.01 refused CHF 5 (nearest valid values 4.51 and 5.01).
    booking = settled_booking()
    _logged_in(client, booking.help_request.customer)
    page = client.get(f"/requests/{booking.help_request.public_id}/").content.decode()
    field = re.search(r'<input type="number" name="tip-amount"[^>]*>', page)
    assert field is not None
    attributes = dict(re.findall(r'(\w+)="([^"]*)"', field.group(0)))
    least, step = Decimal(attributes["min"]), Decimal(attributes["step"])

    def on_a_step(amount: str) -> bool:
        return (Decimal(amount) - least) % step == 0

    assert [on_a_step(amount) for amount in ("1", "5", "5.00", "3.20", "200")] == [True] * 5


def test_the_helpers_earnings_page_csv_and_pdf(client, django_assert_max_num_queries):
    booking = settled_booking()
    payment = payment_of(booking)
    year = timezone.localdate().year
    month = timezone.localdate(payment.updated_at).month
    _logged_in(client, booking.helper.user)
    with django_assert_max_num_queries(8):
        page = client.get("/helper/earnings")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"My earnings {year}" in html
    assert f'href="/helper/earnings/{year}.csv"' in html
    # The eleven months with nothing in them are marked (on a phone: their name and net alone)
    assert html.count('<tr role="row" class="stack-empty">') == 11
    assert html.count('<tr role="row" class="stack-total">') == 1
    assert html.count('<tr role="row">') == 2  # the column names and the paid month
    exported = client.get(f"/helper/earnings/{year}.csv")
    assert exported["Content-Type"] == "text/csv; charset=utf-8"
    # For a spreadsheet in Switzerland: a byte-order mark, semicolons, francs as plain numbers.
    assert exported.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Month",
        "Gross (CHF)",
        "Stripe fees (CHF)",
        "Refunds (CHF)",
        "Tips (CHF)",
        "Net (CHF)",
    ]
    assert len(rows) == 14
    net = 4000 - payment.stripe_fee_minor
    fee = f"{payment.stripe_fee_minor // 100}.{payment.stripe_fee_minor % 100:02d}"
    francs = f"{net // 100}.{net % 100:02d}"
    assert rows[month] == [str(MONTHS[month]), "40.00", fee, "0.00", "0.00", francs]
    assert rows[13] == ["Total", "40.00", fee, "0.00", "0.00", francs]
    text = _pdf_text(client.get(f"/helper/earnings/{year}.pdf").content)
    assert f"Earnings {year}" in text
    assert f"{net // 100}.{net % 100:02d}" in text
    assert client.get("/helper/earnings?year=1066").status_code == 404


def _year_choices(html: str) -> list[str]:
    start = html.index('<select id="earnings-year"')
    select = html[start : html.index("</select>", start)]
    return re.findall(r'<option value="(\d+)"', select)


def test_the_earnings_years_to_choose_run_from_the_year_the_helper_joined_to_this_one(client):
    # Given a helper who joined two years ago
    this_year = timezone.localdate().year
    helper = make_helper()
    HelperProfile.objects.filter(pk=helper.pk).update(
        created_at=timezone.now().replace(year=this_year - 2, month=6, day=1)
    )
    _logged_in(client, helper.user)

    # Then the years offered are those since, newest first, whichever year is shown
    expected = [str(this_year), str(this_year - 1), str(this_year - 2)]
    assert _year_choices(client.get("/helper/earnings").content.decode()) == expected
    shown = client.get("/helper/earnings", {"year": this_year - 2}).content.decode()
    assert _year_choices(shown) == expected
    assert f'<option value="{this_year - 2}" selected>' in shown
    # And a year before they joined, asked for, is offered with them
    older = client.get("/helper/earnings", {"year": this_year - 4}).content.decode()
    assert _year_choices(older) == [str(this_year - n) for n in range(5)]


@pytest.mark.parametrize("year", ["²", "٢٠٢٤", "2" * 5000])
def test_a_year_not_written_in_the_digits_0_to_9_has_no_earnings_page(client, year):
    _logged_in(client, make_helper().user)

    response = client.get("/helper/earnings", {"year": year})

    assert response.status_code == 404


def test_a_customer_has_no_earnings_page(client):
    _logged_in(client, UserFactory.create())
    assert client.get("/helper/earnings").headers["Location"] == "/helper/apply"


def test_a_receipt_for_a_visit_booked_for_someone_names_both(client):
    booking = settled_booking()
    help_request = booking.help_request
    help_request.on_behalf_name = "Mario Bernasconi"
    help_request.save(update_fields=["on_behalf_name"])
    customer = help_request.customer
    _logged_in(client, customer, "it")

    html = client.get(f"/receipts/{booking.public_id}/").content.decode()
    assert f'Pagato da</th><td role="cell">{customer.display_name}</td>' in html
    assert 'Persona aiutata</th><td role="cell">Mario Bernasconi</td>' in html
    text = _pdf_text(client.get(f"/receipts/{booking.public_id}/pdf").content)
    assert customer.display_name in text
    assert "Persona aiutata" in text
    assert "Mario Bernasconi" in text


@pytest.mark.parametrize(
    ("language", "paid_by", "helper"),
    [
        ("fr", "Payé par", "Aide (bénéficiaire du paiement)"),
        ("it", "Pagato da", "Aiutante (a cui va il pagamento)"),
    ],
)
def test_a_receipt_names_who_paid_and_who_is_paid_without_a_gender(
    client, language, paid_by, helper
):
    booking = settled_booking()
    customer = booking.help_request.customer
    _logged_in(client, customer, language)

    html = client.get(f"/receipts/{booking.public_id}/").content.decode()
    text = _pdf_text(client.get(f"/receipts/{booking.public_id}/pdf").content)

    merchant = booking.helper.user.display_name
    assert f'{paid_by}</th><td role="cell">{customer.display_name}</td>' in html
    assert f'{helper}</th><td role="cell">{merchant}</td>' in html
    assert paid_by in text
    assert helper in text
    for gendered in (">Client<", ">Cliente<", "beneficiario"):
        assert gendered not in html


def test_a_paid_visit_says_it_is_paid_no_longer_that_it_will_be(client):
    booking = settled_booking()
    _logged_in(client, booking.help_request.customer, "de")

    html = client.get(f"/requests/{booking.help_request.public_id}/").content.decode()

    assert "Preis: CHF 40.00, an die Helferin oder den Helfer bezahlt." in html
    assert "nach dem Besuch an die Helferin oder den Helfer bezahlt" not in html
    assert "auf Ihrer Karte reserviert" not in html
    assert f'href="/receipts/{booking.public_id}/"' in html


def test_the_earnings_csv_speaks_the_helpers_language():
    booking = settled_booking()
    statement = earnings_statement(booking.helper.user, timezone.localdate().year)

    exported = statement_csv(statement, "de").removeprefix("\ufeff")

    header, january, *_months, total = exported.splitlines()
    assert header == (
        "Monat;Brutto (CHF);Stripe-Gebühren (CHF);Rückerstattungen (CHF);Trinkgelder (CHF);"
        "Netto (CHF)"
    )
    assert january.startswith("Januar;")
    assert total.startswith("Total;")
