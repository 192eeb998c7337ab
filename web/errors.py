"""The services' errors, said to people in their language, next to the field they concern.

The services decide what is wrong, name it with a stable code and say it in the reader's
language. A code without an entry here shows the service's own message; an entry is kept only
where the page says it differently on purpose (to the person in front of the form, or with a
hint for the form's own fields).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from django import forms
from django.utils.translation import gettext_lazy as _

from backend.exceptions import ApplicationError

MESSAGES = {
    "caused_by_required": _("Say who caused it."),
    "duplicate_slots": _("The same time twice: choose different times."),
    "helper_profile_exists": _("You are already a helper."),
    "home_address_required": _("Set your home address in your profile first."),
    "in_the_past": _("This day has already passed."),  # a suspension's or time off's last day
    "invalid_availability": _("The end must come after the start, and times must not overlap."),
    "invalid_choice": _("Choose one of the options."),
    "invalid_eta": _("Choose when you will arrive."),
    "invalid_radius": _("Choose from 1 to 50 km."),
    "offer_not_pending": _("This offer is no longer open."),
    "outside_bookable_horizon": _("This is too far ahead or too long ago."),
    "request_already_taken": _(
        "Another helper was a little quicker: this job is taken. Thank you for answering so fast!"
    ),
    "slot_in_past": _("This time has already passed."),
    "slot_inverted": _("The end must come after the start."),
    "slot_length": _("A visit lasts from 15 minutes to 8 hours."),
    "slot_outside_windows": _("Choose a time inside the customer's times."),
    "too_many_slots": _("Propose fewer times."),
    "address_required": _("Give the postcode and the locality."),
    "forbidden_characters": _("This text contains characters that cannot be shown."),
    "illegal_transition": _("This is not possible any more: the page was out of date."),
    "invalid_language": _("Choose at least one language."),
    "invalid_postal_code": _("A Swiss postcode has four digits."),
    "invalid_rating": _("Choose from one to five stars."),
    "max_length": _("This text is too long."),
    "not_allowed_for_role": _("This is not possible for you."),
    "not_reviewable": _("This visit cannot be reviewed (yet)."),
    "nothing_visible": _("Write something visible."),
    "open_request_limit": _(
        "You already have as many open requests as allowed. Withdraw one or wait for a helper."
    ),
    "outside_switzerland": _("Quartier works in Switzerland only."),
    "reason_required": _("Tell us why, in a few words."),
    "rematch_limit_reached": _("This request was changed too often. Post a new one instead."),
    "request_not_editable": _("This request cannot be changed any more."),
    "review_window_closed": _("The time to review this visit is over."),
    "unknown_category": _("Choose what you need help with."),
    "unknown_postal_code": _("We do not know this postcode."),
    "window_in_past": _("This time has already passed."),
    "window_inverted": _("The end must come after the start."),
    "window_too_far_ahead": _("Choose a day within the next two months."),
    "window_too_long": _("A time window is at most 24 hours long."),
    "window_too_short": _("A time window is at least 30 minutes long."),
    "windows_overlap": _("Two of your times overlap. Choose different ones."),
    "windows_required": _("Choose at least one day and time."),
    "wrong_password": _("This is not your current password."),
    # The applicant's documents, as the upload service checks them
    "empty_file": _("The file is empty."),
    "file_too_large": _("The file is too large. Take a smaller photo or scan."),
    "unsupported_file_type": _("Upload a photo (JPEG, PNG, WebP) or a PDF."),
    "content_type_mismatch": _(
        "The file's content does not match its type. Upload the original photo or PDF."
    ),
    "pdf_active_content": _(
        "The PDF contains scripts or other active content. Print it to a new PDF or upload a"
        " photo instead."
    ),
    "pdf_encrypted": _("The PDF is password-protected: upload it without protection."),
    "pdf_too_complex": _("The PDF is too large once unpacked. Upload a photo instead."),
    "documents_missing": _("Upload both documents first."),
    "documents_locked": _("Documents can be handed in only while the application waits for them."),
}


def message_for(error: ApplicationError) -> str:
    return str(MESSAGES.get(error.code, error.message))


def add_service_error(
    form: forms.Form, error: ApplicationError, *, fields: dict[str, str] | None = None
) -> None:
    """Show a service's error on the form: next to the field it names (through `fields`,
    which maps the service's field names to the form's), else above the form."""
    fields = fields or {}
    message = message_for(error)
    placed = False
    for service_field, problems in error.fields.items():
        name = fields.get(service_field, service_field)
        if name in form.fields:
            # Password rules come from Django in the user's language: show them all.
            texts = problems if error.code == "weak_password" else [message]
            for text in texts:
                form.add_error(name, text)
            placed = True
    if not placed:
        form.add_error(None, message)


# One of a service's rules, as a form runs it: the form's fields it reads, and the rule.
Rule = tuple[Sequence[str], Callable[[], object]]


def add_service_rules(
    form: forms.Form, rules: Iterable[Rule], *, fields: dict[str, str] | None = None
) -> None:
    """Run, within the form's `clean()`, each of a service's rules whose fields all passed the
    form's own checks, and show what each refuses as `add_service_error` does: the person
    mends the form's problems and the service's in one round. The service runs the same rules
    again when it is called; a rule is written once, in the service."""
    for needed, rule in rules:
        if any(name in form.errors or name not in form.cleaned_data for name in needed):
            continue
        try:
            rule()
        except ApplicationError as error:
            add_service_error(form, error, fields=fields)
