"""The applicant's pages: where the application stands (the vetting steps in words and what is
needed next), uploading the two documents, handing them in, and withdrawing. Every rule is in
`helpers.services` and `helpers.document_services`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.db import transaction
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from backend.config import config
from backend.exceptions import ApplicationError
from helpers.appeal_services import appeal_file
from helpers.document_services import DOCUMENT_UPLOAD_STEPS, document_upload
from helpers.documents import check_upload_size
from helpers.models import (
    VETTING_STATUSES,
    AppealStatus,
    ApprovalStatus,
    HelperDocument,
    HelperProfile,
)
from helpers.selectors import appeals_of, application_history, documents_of
from helpers.services import application_submit_documents, application_withdraw
from web.errors import add_service_error, message_for
from web.helper_forms import AppealForm, DocumentUploadForm
from web.kept_forms import kept_form, refused
from web.views.helper import helper_only, me_of
from web.words import DOCUMENT_KIND_WORDS

TEMPLATE = "web/helper/application.html"
KINDS = (HelperDocument.Kind.IDENTITY, HelperDocument.Kind.CRIMINAL_RECORD_EXTRACT)
_A = ApprovalStatus

# The pipeline as the applicant reads it; the interview only where the setting asks for it
# (or the manager invited them).
STEP_TEXTS: tuple[tuple[str, Promise], ...] = (
    ("applied", gettext_lazy("You applied.")),
    ("documents", gettext_lazy("You upload your documents and hand them in.")),
    ("check", gettext_lazy("The community manager checks your documents.")),
    ("test", gettext_lazy("You pass the code-of-conduct test online.")),
    ("interview", gettext_lazy("You meet the community manager for an interview.")),
    ("approved", gettext_lazy("The community manager approves you: offers come to you.")),
)
CURRENT_STEP = {
    _A.APPLIED: "documents",
    _A.NEEDS_INFORMATION: "documents",
    _A.DOCUMENTS_SUBMITTED: "check",
    _A.DOCUMENTS_CHECKED: "test",
    _A.INTERVIEW: "interview",
}
NEXT = {
    _A.APPLIED: gettext_lazy(
        "Upload both documents below, then hand them in for the community manager's check."
    ),
    _A.NEEDS_INFORMATION: gettext_lazy(
        "The community manager needs more from you (see below). Replace a document if asked,"
        " then hand them in again."
    ),
    _A.DOCUMENTS_SUBMITTED: gettext_lazy(
        "Nothing to do for now: the community manager checks your documents and writes to you."
    ),
    _A.DOCUMENTS_CHECKED: gettext_lazy("Your documents are in order. Take the test next."),
    _A.CONDUCT_TEST_PASSED: gettext_lazy(
        "You passed the test. The community manager decides on your application next."
    ),
    _A.INTERVIEW: gettext_lazy(
        "The community manager will contact you to agree on a time for the interview."
    ),
    _A.APPROVED: gettext_lazy("You are approved. Set your hours so that offers can reach you."),
    _A.REJECTED: gettext_lazy("Your application was not accepted."),
    _A.WITHDRAWN: gettext_lazy("You withdrew your application."),
    _A.SUSPENDED: gettext_lazy("You are suspended: no offers come to you."),
    _A.OFFBOARDED: gettext_lazy("You no longer help through Quartier."),
}


@dataclass(frozen=True)
class Step:
    number: int
    text: str
    state: str  # "done", "current" or "to_come"


def steps_of(helper: HelperProfile) -> list[Step]:
    """The vetting steps with where the applicant stands: all done once approved (or
    suspended since); none at all once the application ended otherwise."""
    status = helper.approval_status
    names = [name for name, _text in STEP_TEXTS]
    if not config().vetting_interview_required and status != _A.INTERVIEW:
        names.remove("interview")
    if status in (_A.APPROVED, _A.SUSPENDED):
        current = len(names)
    elif status == _A.CONDUCT_TEST_PASSED:
        current = names.index("interview" if "interview" in names else "approved")
    elif status in CURRENT_STEP:
        current = names.index(CURRENT_STEP[ApprovalStatus(status)])
    else:
        return []
    texts = dict(STEP_TEXTS)
    return [
        Step(
            number=index + 1,
            text=str(texts[name]),
            state="done" if index < current else "current" if index == current else "to_come",
        )
        for index, name in enumerate(names)
    ]


def _page(
    request: HttpRequest,
    helper: HelperProfile,
    forms: dict[str, DocumentUploadForm] | None = None,
    appeal_form: AppealForm | None = None,
) -> HttpResponse:
    in_force = {
        document.kind: document for document in documents_of(helper).filter(deleted_at=None)
    }
    can_upload = helper.approval_status in DOCUMENT_UPLOAD_STEPS
    forms = forms or {}
    documents = [
        {
            "kind": kind,
            "name": DOCUMENT_KIND_WORDS[kind],
            "held": in_force.get(kind),
            "form": (forms.get(kind) or DocumentUploadForm(kind=kind)) if can_upload else None,
        }
        for kind in KINDS
    ]
    # An upload the page no longer offers (handed in meanwhile): its refusal is said on top.
    refused = [
        str(message)
        for form in forms.values()
        if not can_upload
        for problems in form.errors.values()
        for message in problems
    ]
    context = {
        "helper": helper,
        "refused": refused,
        "steps": steps_of(helper),
        "next": NEXT[ApprovalStatus(helper.approval_status)],
        "needs_information": helper.approval_status == _A.NEEDS_INFORMATION,
        "documents": documents,
        "can_upload": can_upload,
        "can_submit": can_upload and len(in_force) == len(KINDS),
        "is_open": helper.approval_status in VETTING_STATUSES,
        "history": application_history(helper),
        **_appeals(helper, appeal_form),
    }
    return render(request, TEMPLATE, context)


def _appeals(helper: HelperProfile, form: AppealForm | None) -> dict[str, object]:
    """The helper's appeals, and the form to appeal while suspended with none open."""
    appeals = list(appeals_of(helper))
    may_appeal = helper.approval_status == _A.SUSPENDED and not any(
        appeal.status == AppealStatus.OPEN for appeal in appeals
    )
    return {"appeals": appeals, "appeal_form": (form or AppealForm()) if may_appeal else None}


# The page's forms, each rebuilt there from what a refused POST sent: an upload by its kind
# (its prefix; the file itself is chosen again), the appeal.
KEPT_FORMS: dict[str, Callable[..., Form]] = {
    **{kind: lambda data, prefix: DocumentUploadForm(data, kind=prefix) for kind in KINDS},
    "appeal": lambda data, prefix: AppealForm(data),
}


@helper_only
@require_GET
def application(request: HttpRequest, helper: HelperProfile) -> HttpResponse:
    kept = kept_form(request, request.path, KEPT_FORMS)
    uploads: dict[str, DocumentUploadForm] = {
        str(kind): form
        for kind in KINDS
        if isinstance(form := kept.get(f"{kind}_form"), DocumentUploadForm)
    }
    appeal = kept.get("appeal_form")
    return _page(
        request,
        helper,
        forms=uploads,
        appeal_form=appeal if isinstance(appeal, AppealForm) else None,
    )


def _refused(request: HttpRequest, form: Form, name: str) -> HttpResponse:
    """Back on the application's page at its own address: a reload resends nothing."""
    return refused(request, form, reverse("web:helper-application"), name)


@helper_only
@require_POST
def document_add(request: HttpRequest, helper: HelperProfile, kind: str) -> HttpResponse:
    if kind not in KINDS:
        return redirect("web:helper-application")
    form = DocumentUploadForm(request.POST, request.FILES, kind=kind)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            check_upload_size(upload.size)
            document_upload(
                helper=helper,
                actor=me_of(request),
                kind=kind,
                content=upload.read(),
                declared_type=upload.content_type or "",
                original_name=upload.name or "",
                issued_on=form.cleaned_data.get("issued_on"),
            )
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Uploaded. It is stored encrypted."))
            return redirect("web:helper-application")
    return _refused(request, form, kind)


@helper_only
@require_POST
def application_submit(request: HttpRequest, helper: HelperProfile) -> HttpResponse:
    try:
        application_submit_documents(helper=helper, actor=me_of(request))
    except ApplicationError as error:
        messages.error(request, message_for(error))
    else:
        messages.success(request, _("Handed in. The community manager checks your documents."))
    return redirect("web:helper-application")


@helper_only
@require_POST
def application_withdraw_view(request: HttpRequest, helper: HelperProfile) -> HttpResponse:
    try:
        with transaction.atomic():
            application_withdraw(helper=helper, actor=me_of(request))
    except ApplicationError as error:
        messages.error(request, message_for(error))
    else:
        messages.success(request, _("Your application is withdrawn."))
    return redirect("web:helper-application")


@helper_only
@require_POST
def appeal_add(request: HttpRequest, helper: HelperProfile) -> HttpResponse:
    form = AppealForm(request.POST)
    if form.is_valid():
        try:
            appeal_file(helper=helper, actor=me_of(request), text=form.cleaned_data["text"])
        except ApplicationError as error:
            if error.fields:
                add_service_error(form, error)
            else:
                # Suspended no more, or an appeal filed meanwhile: the page shows where it stands.
                messages.error(request, message_for(error))
                return redirect("web:helper-application")
        else:
            messages.success(
                request,
                _("Your appeal is with the community manager. You hear from them by e-mail."),
            )
            return redirect("web:helper-application")
    return _refused(request, form, "appeal")
