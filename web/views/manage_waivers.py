"""The manager's console: the terms and waivers (each document's versions, publishing a new
one, acceptance rates of the current one), and a visit's acceptances exported as JSON or PDF
for a dispute or an insurer."""

from __future__ import annotations

import json
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from backend.exceptions import ApplicationError, NotFound
from bookings.acceptances_export import acceptances_json, acceptances_pdf, booking_acceptances
from bookings.models import Booking
from bookings.selectors import booking_for
from bookings.waiver_rates import legal_document_for_manager, legal_versions_of, waiver_rates
from catalogue.models import LEGAL_LANGUAGES, LegalDocument, legal_language
from catalogue.services import legal_version_publish
from web.console_forms import LegalVersionForm, text_initial, texts_of
from web.errors import add_service_error
from web.kept_forms import kept_form, refused
from web.views.helper import me_of
from web.views.manage import manager_only
from web.words import LEGAL_KIND_WORDS


def _language() -> str:
    return legal_language(get_language())


@manager_only
@require_GET
def waivers(request: HttpRequest) -> HttpResponse:
    language = _language()
    rows = [
        {
            "rate": rate,
            "kind": LEGAL_KIND_WORDS[rate.document.kind],
            "title": rate.current.title_in(language) if rate.current else rate.document.slug,
        }
        for rate in waiver_rates(me_of(request))
    ]
    return render(request, "web/manage/waivers.html", {"rows": rows})


def _document(request: HttpRequest, slug: str) -> LegalDocument:
    document = legal_document_for_manager(me_of(request), slug)
    if document is None:
        raise Http404
    return document


def _document_page(
    request: HttpRequest, document: LegalDocument, form: LegalVersionForm | None = None
) -> HttpResponse:
    versions = list(legal_versions_of(document))
    language = _language()
    for version in versions:
        version.shown_title = version.title_in(language)  # type: ignore[attr-defined]
    if form is None:
        # The next version starts as the current one's text, to change.
        current = versions[0] if versions else None
        initial = (
            {**text_initial(current, "title"), **text_initial(current, "text")} if current else {}
        )
        form = LegalVersionForm(initial=initial)
    context = {
        "document": document,
        # The title in force, in the manager's language (the slug only before a first version).
        "title": versions[0].shown_title if versions else document.slug,  # type: ignore[attr-defined]
        "kind": LEGAL_KIND_WORDS[document.kind],
        "versions": versions,
        "languages": LEGAL_LANGUAGES,
        "form": form,
    }
    return render(request, "web/manage/waiver.html", context)


@manager_only
@require_http_methods(["GET", "POST"])
def waiver(request: HttpRequest, slug: str) -> HttpResponse:
    document = _document(request, slug)
    if request.method == "GET":
        builders = {"version": lambda data, prefix: LegalVersionForm(data)}
        kept = kept_form(request, request.path, builders).get("version_form")
        return _document_page(
            request, document, kept if isinstance(kept, LegalVersionForm) else None
        )
    form = LegalVersionForm(request.POST)
    if form.is_valid():
        try:
            version = legal_version_publish(
                document=document,
                actor=me_of(request),
                titles=texts_of(form.cleaned_data, "title"),
                texts=texts_of(form.cleaned_data, "text"),
            )
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Version %(number)d is published and in force from the next booking on.")
                % {"number": version.number},
            )
            return redirect("web:manage-waiver", document.slug)
    # Back on the document's page at its own address, the form as sent: a reload resends nothing
    return refused(request, form, request.path, "version")


def _booking(request: HttpRequest, public_id: UUID) -> Booking:
    try:
        return booking_for(me_of(request), public_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@manager_only
@require_GET
def acceptances_export_json(request: HttpRequest, public_id: UUID) -> HttpResponse:
    export = booking_acceptances(me_of(request), _booking(request, public_id))
    response = HttpResponse(
        json.dumps(acceptances_json(export), ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="acceptances-{public_id}.json"'
    return response


@manager_only
@require_GET
def acceptances_export_pdf(request: HttpRequest, public_id: UUID) -> HttpResponse:
    export = booking_acceptances(me_of(request), _booking(request, public_id))
    response = HttpResponse(
        acceptances_pdf(export, _language()),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'attachment; filename="acceptances-{public_id}.pdf"'
    return response
