"""An applicant's uploads are bounded: so many within 24 hours
(QUARTIER_DOCUMENT_UPLOADS_PER_DAY) and so many bytes for their documents in force together
(QUARTIER_DOCUMENT_BYTES_PER_APPLICANT), so that re-uploading cannot fill the disk or keep the
checks busy. A refused upload answers with its code on the `file` field, in the reader's
language, and writes nothing: no row, no file, the document in force unchanged."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile

from backend.config import QuartierConfig
from backend.exceptions import ApplicationError
from helpers import document_services, services
from helpers.models import HelperDocument, HelperProfile
from tests.api.api_assertions import API, assert_error, client_for
from tests.factories import PDF_BYTES, PNG_BYTES, ZURICH, UserFactory, at, category
from tests.web.refusals import shown_once

pytestmark = pytest.mark.django_db

T0 = datetime(2027, 2, 2, 9, 0, tzinfo=ZoneInfo("Europe/Zurich"))
TODAY = date(2027, 2, 2)
EXTRACT = HelperDocument.Kind.CRIMINAL_RECORD_EXTRACT
IDENTITY = HelperDocument.Kind.IDENTITY
UPLOAD = ("post", "/api/v1/helper/application/documents")
TOO_MANY = {
    "de": "Sie haben innerhalb von 24 Stunden zu oft Dokumente hochgeladen. Versuchen Sie es "
    "in einem Tag wieder, oder bitten Sie das Community-Management um Hilfe.",
    "fr": "Vous avez téléversé des documents trop de fois en 24 heures. Réessayez dans un jour, "
    "ou demandez de l’aide à la gestion de la communauté.",
    "it": "Ha caricato documenti troppe volte nelle ultime 24 ore. Riprovi fra un giorno, "
    "oppure chieda aiuto alla gestione della comunità.",
    "en": "You have uploaded documents too many times within 24 hours. Try again in a day, "
    "or ask the community manager for help.",
}
TOO_LARGE = {
    "de": "Ihre Dokumente wären zusammen grösser als 4\u00a0KB: Laden Sie eine kleinere Datei hoch.",
    "fr": "Vos documents dépasseraient ensemble 4\u00a0Ko : téléversez un fichier plus petit.",
    "it": "Insieme i suoi documenti supererebbero 4\u00a0KB: carichi un file più piccolo.",
    "en": "Your documents together would be larger than 4\u00a0KB: upload a smaller file.",
}


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def documents_dir(tmp_path: Path, quartier_settings) -> Path:
    quartier_settings(
        DOCUMENT_DIR=str(tmp_path),
        DOCUMENT_MAX_BYTES=64 * 1024,
        DOCUMENT_UPLOADS_PER_DAY=3,
        DOCUMENT_BYTES_PER_APPLICANT=4096,
    )
    return tmp_path


def applicant() -> HelperProfile:
    return services.helper_apply(user=at(UserFactory.create(), ZURICH), skills=[category()])


def pdf(size: int) -> bytes:
    """A PDF of exactly `size` bytes (a comment fills it up)."""
    return PDF_BYTES + b"%" + b"x" * (size - len(PDF_BYTES) - 2) + b"\n"


def upload(helper: HelperProfile, content: bytes, kind: str = EXTRACT) -> HelperDocument:
    return document_services.document_upload(
        helper=helper,
        actor=helper.user,
        kind=kind,
        content=content,
        original_name="document.pdf",
        issued_on=TODAY - timedelta(days=20),
    )


def stored(helper: HelperProfile, directory: Path) -> tuple[list[Any], set[str]]:
    """The applicant's document rows (every column) and the files in the directory."""
    rows = list(HelperDocument.objects.filter(helper=helper).order_by("pk").values())
    return rows, {path.name for path in directory.iterdir()}


def test_past_the_uploads_of_a_day_an_upload_is_refused_and_nothing_is_written(
    clock, documents_dir
) -> None:
    # Given an applicant who uploaded three times within 24 hours (re-uploads count too)
    helper = applicant()
    upload(helper, pdf(600))
    clock.shift(timedelta(hours=10))
    upload(helper, pdf(700))
    in_force = upload(helper, PNG_BYTES, kind=IDENTITY)
    before = stored(helper, documents_dir)

    # When they upload a fourth time, 23 hours and 59 minutes after the first
    clock.shift(timedelta(hours=13, minutes=59))
    with pytest.raises(ApplicationError) as refused:
        upload(helper, pdf(800))

    # Then it is refused on the file, with its code, and nothing was written
    assert (refused.value.code, refused.value.status) == ("too_many_uploads", 429)
    assert refused.value.fields == {"file": [TOO_MANY["en"]]}
    assert stored(helper, documents_dir) == before
    assert HelperDocument.objects.get(pk=in_force.pk).deleted_at is None

    # And once the first upload is 24 hours old, the next is taken
    clock.shift(timedelta(minutes=1))
    assert upload(helper, pdf(800)).size_bytes == 800


def test_past_the_bytes_of_an_applicant_an_upload_is_refused_and_nothing_is_written(
    clock, documents_dir
) -> None:
    # Given an applicant whose identity document holds 3000 of their 4096 bytes
    helper = applicant()
    upload(helper, pdf(3000), kind=IDENTITY)
    before = stored(helper, documents_dir)

    # When they upload an extract that would bring them past the total
    with pytest.raises(ApplicationError) as refused:
        upload(helper, pdf(1097))

    # Then it is refused on the file, with its code, and nothing was written
    assert (refused.value.code, refused.value.status) == ("documents_too_large_in_total", 400)
    assert refused.value.fields == {"file": [TOO_LARGE["en"]]}
    assert stored(helper, documents_dir) == before

    # And one that reaches the total exactly is taken; a replacement is counted without
    # the document it replaces
    assert upload(helper, pdf(1096)).size_bytes == 1096
    assert upload(helper, pdf(3000), kind=IDENTITY).size_bytes == 3000


@pytest.mark.parametrize("language", ["de", "fr", "it", "en"])
def test_the_api_refuses_in_the_readers_language_with_the_documented_codes(
    clock, documents_dir, quartier_settings, language: str
) -> None:
    helper = applicant()
    client = client_for(helper.user)

    def post(content: bytes) -> Any:
        data = {
            "kind": EXTRACT,
            "file": SimpleUploadedFile("extract.pdf", content, content_type="application/pdf"),
            "issued_on": (TODAY - timedelta(days=20)).isoformat(),
        }
        return client.post(
            f"{API}/helper/application/documents",
            data,
            format="multipart",
            HTTP_ACCEPT_LANGUAGE=language,
        )

    too_large = post(pdf(4097))
    body = assert_error(
        too_large, 400, "documents_too_large_in_total", {"file"}, documented_in=UPLOAD
    )
    assert body["fields"] == {"file": [TOO_LARGE[language]]}

    for size in (600, 700, 800):
        assert post(pdf(size)).status_code == 201
    before = stored(helper, documents_dir)
    too_many = post(pdf(900))
    body = assert_error(too_many, 429, "too_many_uploads", {"file"}, documented_in=UPLOAD)
    assert body["fields"] == {"file": [TOO_MANY[language]]}
    assert stored(helper, documents_dir) == before


def test_the_web_page_shows_the_refusal_at_the_file(clock, documents_dir, client) -> None:
    helper = applicant()
    client.force_login(helper.user)
    for size in (600, 700, 800):
        upload(helper, pdf(size))
    before = stored(helper, documents_dir)

    page = client.post(
        f"/helper/application/documents/{EXTRACT}",
        {
            f"{EXTRACT}-file": SimpleUploadedFile(
                "extract.pdf", pdf(900), content_type="application/pdf"
            ),
            f"{EXTRACT}-issued_on": (TODAY - timedelta(days=20)).isoformat(),
        },
        HTTP_ACCEPT_LANGUAGE="de",
    )

    html = shown_once(client, page, "/helper/application", HTTP_ACCEPT_LANGUAGE="de")
    assert TOO_MANY["de"] in html
    assert stored(helper, documents_dir) == before


def test_the_allowances_come_from_the_environment() -> None:
    config = QuartierConfig.from_env(
        {"QUARTIER_DOCUMENT_UPLOADS_PER_DAY": "5", "QUARTIER_DOCUMENT_BYTES_PER_APPLICANT": "2048"}
    )
    assert (config.document_uploads_per_day, config.document_bytes_per_applicant) == (5, 2048)
    defaults = QuartierConfig.from_env({})
    assert (defaults.document_uploads_per_day, defaults.document_bytes_per_applicant) == (
        10,
        10 * 1024 * 1024,
    )
    with pytest.raises(ImproperlyConfigured):
        QuartierConfig.from_env({"QUARTIER_DOCUMENT_UPLOADS_PER_DAY": "0"})
