"""An approved helper on the web learns what keeps offers away (the code of conduct not
accepted, no payout account, no hours) and accepts the helpers' terms on the offers page:
before, only the API could accept them, so a helper vetted on the web never got an offer."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from catalogue.models import LegalAcceptance, LegalDocument, LegalDocumentKind
from helpers.models import ApprovalStatus, AvailabilityException, ExceptionKind
from helpers.selectors import eligible_helpers
from tests.factories import ManagerFactory, make_helper, publish
from tests.web.refusals import shown_once
from tests.web.test_pages import _errors_of, _logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def helper_terms():
    manager = ManagerFactory.create()
    return [
        publish(
            LegalDocument.objects.create(
                slug="code", kind=LegalDocumentKind.HELPER_CODE_OF_CONDUCT
            ),
            manager,
            text="Respect the privacy of the customer.",
        ),
        publish(
            LegalDocument.objects.create(
                slug="liability", kind=LegalDocumentKind.HELPER_LIABILITY_TERMS
            ),
            manager,
            text="You are insured for the visit.",
        ),
    ]


def _ticked(versions, language: str = "fr") -> dict[str, str]:
    data = {f"terms-accept_{version.pk}": "on" for version in versions}
    return data | {f"terms-shown_{version.pk}": version.sha256_in(language) for version in versions}


def test_a_helper_who_has_not_accepted_the_code_of_conduct_reads_and_accepts_it(
    client, helper_terms
):
    helper = make_helper()
    _logged_in(client, helper.user, "fr")
    assert not eligible_helpers().filter(pk=helper.pk).exists()

    html = client.get("/helper/").content.decode()

    assert "Votre candidature est validée, mais aucune offre ne peut encore vous parvenir" in html
    assert 'href="/helper/#terms">Acceptez le code de conduite des personnes aidantes</a>' in html
    assert "Avant votre première offre : les conditions des personnes aidantes" in html
    for version in helper_terms:
        assert f"Lire « {version.title_in('fr')} »" in html
        assert version.text_in("fr") in html
        assert f'value="{version.sha256_in("fr")}"' in html

    response = client.post("/helper/terms", _ticked(helper_terms))

    assert response.status_code == 302
    assert response.headers["Location"] == "/helper/"
    stored = LegalAcceptance.objects.filter(user=helper.user).order_by("version_id")
    assert [(a.version_id, a.language, a.text_sha256) for a in stored] == [
        (v.pk, "fr", v.sha256_in("fr")) for v in helper_terms
    ]
    assert eligible_helpers().filter(pk=helper.pk).exists()
    html = client.get("/helper/").content.decode()
    assert "Merci : les conditions des personnes aidantes sont acceptées." in html
    assert "Avant votre première offre" not in html
    assert "aucune offre ne peut encore vous parvenir" not in html


def test_a_box_left_unticked_is_refused_next_to_it_and_stores_nothing(client, helper_terms):
    helper = make_helper()
    _logged_in(client, helper.user, "fr")
    data = _ticked(helper_terms)
    del data[f"terms-accept_{helper_terms[0].pk}"]

    response = client.post("/helper/terms", data)

    # Then the offers page is back at its own address, the problem shown once, the other box
    # still ticked
    html = shown_once(client, response, "/helper/")
    assert _errors_of(html, f"id_terms-accept_{helper_terms[0].pk}") == [
        "Cochez cette case pour accepter."
    ]
    ticked = re.findall(r'name="terms-accept_(\d+)" [^>]* checked', html)
    assert ticked == [str(version.pk) for version in helper_terms[1:]]
    assert not LegalAcceptance.objects.filter(user=helper.user).exists()


def test_a_helper_without_payout_account_or_hours_is_told_where_to_mend_it(client):
    helper = make_helper(takes_payments=False, weekly=())
    _logged_in(client, helper.user, "fr")

    for page in ("/helper/", "/helper/profile"):
        html = client.get(page).content.decode()
        assert "aucune offre ne peut encore vous parvenir" in html, page
        assert "vous recevez des offres." not in html, page
        assert (
            'href="/helper/payouts">Terminez la connexion de votre compte de versement' in html
        ), page
        assert 'href="/helper/hours">Indiquez vos horaires de la semaine' in html, page
        assert "#terms" not in html, page  # no code of conduct is published

    AvailabilityException.objects.create(
        helper=helper,
        kind=ExceptionKind.AVAILABLE,
        starts_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=2),
    )
    html = client.get("/helper/profile").content.decode()
    assert 'href="/helper/hours">' not in html.split('id="offer-blockers"')[1].split("</div>")[0]


def test_a_ready_helper_is_told_in_french_as_the_other_pages_say_it(client):
    helper = make_helper()
    _logged_in(client, helper.user, "fr")
    html = client.get("/helper/profile").content.decode()
    assert "Votre candidature est validée : vous recevez des offres." in html
    pending = make_helper(approval=ApprovalStatus.DOCUMENTS_SUBMITTED)
    _logged_in(client, pending.user, "fr")
    html = client.get("/helper/").content.decode()
    assert "La gestion de la communauté n’a pas encore validé votre candidature." in html


def test_an_applicant_is_not_told_they_are_suspended_on_their_profile(client):
    helper = make_helper(approval=ApprovalStatus.DOCUMENTS_SUBMITTED)
    _logged_in(client, helper.user, "fr")

    html = client.get("/helper/profile").content.decode()

    assert "suspendu" not in html
    assert "Documents à contrôler." in html
    assert 'href="/helper/application">Ma candidature</a>' in html


def test_the_manager_sees_on_the_helpers_record_what_keeps_offers_away(client, helper_terms):
    helper = make_helper(takes_payments=False)
    blocked = f"/manage/helpers/{helper.public_id}/"
    _logged_in(client, ManagerFactory.create(), "it")

    html = client.get(blocked).content.decode()

    assert "Questa persona non può ancora ricevere offerte:" in html
    listed = html.split('id="offer-blockers"')[1].split("</ul>")[0]
    assert "non ha accettato il codice di condotta delle persone aiutanti" in listed
    assert "non ha un conto di versamento che possa ricevere pagamenti" in listed
    assert "orari settimanali" not in listed  # free around the clock
    ready = make_helper()
    LegalAcceptance.objects.create(
        user=ready.user, version=helper_terms[0], language="de", text_sha256="x" * 64
    )
    assert (
        'id="offer-blockers"'
        not in client.get(f"/manage/helpers/{ready.public_id}/").content.decode()
    )


@pytest.mark.parametrize(
    ("status", "words"),
    [(ApprovalStatus.REJECTED, "Refusée"), (ApprovalStatus.WITHDRAWN, "Retirée")],
)
def test_a_helper_whose_application_ended_is_told_so_on_the_offers_page(client, status, words):
    helper = make_helper(approval=status)
    _logged_in(client, helper.user, "fr")

    html = client.get("/helper/").content.decode()

    said = html.split('id="application-ended">')[1].split("</p>")[0]
    assert said.startswith(f"Votre candidature : {words}. Vous ne recevez pas d’offres.")
    assert 'href="/helper/application">Ma candidature</a>' in said
