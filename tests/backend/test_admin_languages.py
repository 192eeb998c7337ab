"""The back office speaks the manager's language (the one stored on the manager's account, as
the console does, whatever the browser asks for): the site's titles, the custom actions' names,
what they answer, the filters' titles and the columns' headers are German, French, Italian or
English, not English whatever the language."""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.utils import translation

from academy.models import Course, CourseVersion
from bookings.models import Booking
from helpers.models import ApprovalStatus, HelperProfile
from tests.academy.builders import publish_course
from tests.admin_world import admin_url, make_helper, manager_speaks, messages_of

pytestmark = pytest.mark.django_db

# Every admin with actions of its own, and what each action is called in German and French.
ACTION_NAMES = {
    HelperProfile: {
        "de": ["Ausgewählte Helferprofile freigeben", "Ausgewählte Helferprofile sperren"],
        "fr": [
            "Valider les profils de personnes aidantes sélectionnés",
            "Suspendre les profils de personnes aidantes sélectionnés",
        ],
    },
    Course: {
        "de": ["Nächsten Entwurf beginnen (eine Kopie der neuesten Version)"],
        "fr": ["Commencer le prochain brouillon (une copie de la version la plus récente)"],
    },
    CourseVersion: {
        "de": ["Ausgewählte Entwürfe veröffentlichen"],
        "fr": ["Publier les brouillons sélectionnés"],
    },
}


def custom_actions(model_admin: admin.ModelAdmin) -> list[str]:
    return [
        name
        for name in model_admin.actions or ()
        if isinstance(name, str) and name != "delete_selected"
    ]


def action_names(html: str) -> list[str]:
    """The options of the changelist's action menu, Django's own "Delete selected" left out."""
    menu = re.search(r'<select name="action".*?</select>', html, re.S)
    assert menu is not None, "the changelist shows no action menu"
    options = re.findall(r'<option value="([^"]+)"[^>]*>([^<]*)</option>', menu.group(0))
    return [text for value, text in options if value != "delete_selected"]


def test_the_models_with_actions_of_their_own_are_those_checked_below():
    with_actions = {
        model for model, model_admin in admin.site._registry.items() if custom_actions(model_admin)
    }
    assert with_actions == set(ACTION_NAMES)


@pytest.mark.parametrize("language", ["de", "fr", "it"])
def test_every_custom_action_has_its_name_in_each_language(language):
    untranslated = []
    for model_admin in admin.site._registry.values():
        for name in custom_actions(model_admin):
            description = getattr(model_admin, name).short_description
            with translation.override("en"):
                english = str(description)
            with translation.override(language):
                if str(description) == english:
                    untranslated.append(english)
    assert untranslated == []


@pytest.mark.parametrize("language", ["de", "fr"])
@pytest.mark.parametrize("model", list(ACTION_NAMES), ids=lambda model: model.__name__)
def test_the_action_menu_is_in_the_managers_language(manager_client, model, language):
    make_helper("anna")
    publish_course(publish=False)

    manager_speaks(language)

    response = manager_client.get(admin_url(model, "changelist"))

    assert response.status_code == 200
    assert action_names(response.content.decode()) == ACTION_NAMES[model][language]


def test_a_refused_approval_is_reported_in_french(manager_client):
    applicant = make_helper("anna")
    manager_speaks("fr")

    response = manager_client.post(
        admin_url(HelperProfile, "changelist"),
        {"action": "approve_helpers", "_selected_action": [applicant.pk], "index": 0},
    )

    applicant.refresh_from_db()
    assert (applicant.approval_status, applicant.approval_changed_at) == (
        ApprovalStatus.APPLIED,
        None,
    )
    assert applicant.approval_events.count() == 0
    assert messages_of(response) == [
        (
            "error",
            "Le compte de personne aidante de Anna <anna@example.ch> n’a pas été validé : "
            "Candidature de personne aidante : cette étape n’est pas possible à ce stade. Actualisez pour "
            "voir où en sont les choses.",
        ),
        ("warning", "0 personne validée."),
    ]


def test_the_suspension_page_asks_for_the_reason_in_german(manager_client):
    helper = make_helper("hugo", status=ApprovalStatus.APPROVED)
    manager_speaks("de")

    response = manager_client.post(
        admin_url(HelperProfile, "changelist"),
        {"action": "suspend_helpers", "_selected_action": [helper.pk], "index": 0},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Helferprofile sperren" in page
    assert "Warum die Helferprofile gesperrt werden. Wird bei jedem Profil gespeichert." in page
    assert 'value="1 Helferprofil sperren"' in page
    helper.refresh_from_db()
    assert helper.approval_status == ApprovalStatus.APPROVED


def column_headers(html: str) -> list[str]:
    return re.findall(r'<div class="text">(?:<a [^>]*>|<span>)?([^<]+)<', html)


def filter_titles(html: str) -> list[str]:
    return [title.strip() for title in re.findall(r"<summary>([^<]+)</summary>", html)]


def test_columns_and_filters_are_in_the_managers_language(manager_client, admin_world):
    manager_speaks("fr")
    bookings = manager_client.get(admin_url(Booking, "changelist"))
    manager_speaks("de")
    helpers = manager_client.get(admin_url(HelperProfile, "changelist"))

    # The columns the admin defines itself.
    headers = column_headers(bookings.content.decode())
    assert headers[2:6] == ["Cliente ou client", "Aide", "Catégorie", "Localité"]
    assert headers[7] == "Prix"
    assert "Nach gesprochener Sprache" in filter_titles(helpers.content.decode())
    assert column_headers(helpers.content.decode())[:4] == ["Name", "E-Mail", "Telefon", "Ort"]


def test_the_models_fields_and_choices_are_in_the_managers_language_on_a_list(
    manager_client, admin_world
):
    manager_speaks("de")

    response = manager_client.get(admin_url(HelperProfile, "changelist"))

    page = response.content.decode()
    assert response.status_code == 200
    assert column_headers(page) == [
        "Name",
        "E-Mail",
        "Telefon",
        "Ort",
        "Freigabestatus",
        "Auftragsannahme",
        "Fähigkeiten",
        "Bewertung",
        "Abgeschlossene Besuche",
        "Durchschnittliche Antwortzeit",
        "Freigabestatus geändert am",
        "Erstellt am",
    ]
    assert filter_titles(page)[:3] == [
        "Nach Freigabestatus",
        "Nach Auftragsannahme",
        "Nach Fähigkeiten",
    ]
    # The status of the approved helper, and the status filter's choices.
    assert list(HelperProfile.objects.values_list("approval_status", flat=True)) == [
        ApprovalStatus.APPROVED,
        ApprovalStatus.APPROVED,
    ]
    assert re.findall(r'<td class="field-approval_status">([^<]*)</td>', page) == [
        "Freigegeben",
        "Freigegeben",
    ]
    assert ">Dokumente eingereicht, Prüfung ausstehend</a>" in page


def test_the_models_fields_and_choices_are_in_the_managers_language_on_a_page(
    manager_client, admin_world
):
    booking = admin_world["booking"]
    manager_speaks("fr")

    response = manager_client.get(admin_url(Booking, "change", booking.pk))

    page = response.content.decode()
    assert response.status_code == 200
    assert "| Affichage de visite |" in page
    labels = re.findall(r"<label>([^<]*)</label>", page)
    assert labels[5:8] == ["Statut\u00a0:", "Commence le\u00a0:", "Se termine le\u00a0:"]
    assert "Résumé du travail\u00a0:" in labels
    assert "Annulation tardive\u00a0:" in labels
    assert re.findall(r'<div class="readonly">([^<]*)</div>', page)[1] == "Validée"
    # The inlines' columns: the visit's events.
    headers = [
        header.strip() for header in re.findall(r'<th class="column-[^"]*"[^>]*>([^<]*)</th>', page)
    ]
    assert headers[5:9] == ["Du statut", "Vers le statut", "Par", "Rôle"]


@pytest.mark.parametrize(
    ("language", "home", "place"),
    [
        ("de", "Start", "Wohnort"),
        ("fr", "Accueil", "Domicile"),
        ("it", "Pagina iniziale", "Domicilio"),
    ],
)
def test_the_back_office_home_is_not_the_helpers_home_address(
    manager_client, language, home, place
):
    """The admin's breadcrumbs say "Home" as Django's admin does; the console's "Home" (where a
    helper lives) is another word, with a context of its own, which used to replace it."""
    manager_speaks(language)

    response = manager_client.get(admin_url(Booking, "changelist"))

    breadcrumbs = re.search(
        r'<div class="breadcrumbs">\s*<a href="/admin/">([^<]*)</a>', response.content.decode()
    )
    assert breadcrumbs is not None
    assert breadcrumbs.group(1) == home
    with translation.override(language):
        assert translation.pgettext("address", "Home") == place
        assert translation.pgettext("back office", "Home") == home


@pytest.mark.parametrize(
    ("language", "title", "log_out", "helpers"),
    [
        ("de", "Community-Management | Quartier-Backoffice", "Abmelden", "Helferprofile"),
        (
            "fr",
            "Gestion de la communauté | Back-office de Quartier",
            "Se déconnecter",
            "Profils de personnes aidantes",
        ),
    ],
)
def test_the_back_office_speaks_the_managers_language_whatever_the_browser_asks(
    manager_client, language, title, log_out, helpers
):
    """The manager reads the console in the language of the account: so does the admin, with a
    browser set to English."""
    manager_speaks(language)

    response = manager_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en")

    page = response.content.decode()
    assert response.status_code == 200
    assert response.headers["Content-Language"] == language
    assert re.search(r"<title>([^<]*)</title>", page).group(1) == title
    assert (
        re.search(r'<div id="site-name"><a href="/admin/">([^<]*)</a>', page).group(1)
        == (title.split(" | ")[1])
    )
    assert re.search(r"<h1>([^<]*)</h1>", page).group(1) == title.split(" | ")[0]
    assert f">{log_out}</button>" in page
    assert f">{helpers}</a>" in page


def test_the_back_office_login_page_speaks_the_browsers_language(client):
    """Before anyone is logged in, the browser's language is all the admin knows."""
    response = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="fr")

    page = response.content.decode()
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "fr"
    assert re.search(r"<title>([^<]*)</title>", page).group(1) == (
        "Se connecter | Back-office de Quartier"
    )


def test_the_back_office_titles_are_translated_in_each_language():
    for language, header, index in [
        ("de", "Quartier-Backoffice", "Community-Management"),
        ("fr", "Back-office de Quartier", "Gestion de la communauté"),
        ("it", "Back office di Quartier", "Gestione della comunità"),
        ("en", "Quartier back office", "Community management"),
    ]:
        with translation.override(language):
            assert (
                str(admin.site.site_header),
                str(admin.site.site_title),
                str(admin.site.index_title),
            ) == (header, header, index)
