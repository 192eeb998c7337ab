"""A refused form, kept for the page it was sent from.

The answer to the refused POST is a redirect to that page (post/redirect/get): the page then
stands at its own address, and reloading it only reloads it, where a page rendered as the
answer to the POST would have the browser send the form again (and ask the customer whether to
"resend the data"). The form comes back on the page once, as it was sent and with its errors
(the list of problems above it takes the focus, as for any form sent back), from the session.
What was typed in a password field, and a form's `not_kept` fields (the card Stripe.js made),
are not kept: those fields come back empty.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponseRedirect, QueryDict

SESSION_KEY = "kept_form"


def _kept_names(form: forms.Form) -> list[str]:
    """The names `form` sends that are kept: not a password's, nor its `not_kept` fields'."""
    not_kept = set(getattr(form, "not_kept", ()))
    return [
        form.add_prefix(name)
        for name, field in form.fields.items()
        if name not in not_kept and not isinstance(field.widget, forms.PasswordInput)
    ]


def _sent(request: HttpRequest, names: Sequence[str]) -> dict[str, list[str]]:
    return {name: request.POST.getlist(name) for name in names if name in request.POST}


def keep_refused_form(
    request: HttpRequest, form: forms.Form, page: str, name: str | None = None
) -> None:
    """Keep `form` (bound to this POST, with its errors) for the next GET of `page` (a path),
    under `name` (its prefix unless given: a page with several forms without a prefix names
    each, and its builder for that name rebuilds it)."""
    request.session[SESSION_KEY] = {
        "page": page,
        "prefix": name or form.prefix or "",
        "data": _sent(request, _kept_names(form)),
        "errors": form.errors.get_json_data(),
    }


def refused(
    request: HttpRequest, form: forms.Form, page: str, name: str | None = None
) -> HttpResponseRedirect:
    """The answer to a POST whose `form` was refused: back to `page` (a path, with its query
    or fragment if it has one), where the form is shown once again with its problems."""
    keep_refused_form(request, form, page.split("#", 1)[0].split("?", 1)[0], name)
    return HttpResponseRedirect(page)


def refused_together(
    request: HttpRequest,
    sent: Sequence[forms.Form],
    page: str,
    name: str,
    also: Sequence[str] = (),
) -> HttpResponseRedirect:
    """`refused` for the forms of one POST that a page shows as one (a course's draft with
    its lessons and questions, each a form of its own prefix), kept under `name` with what
    was sent in the `also` fields (how many lessons, questions, answers)."""
    request.session[SESSION_KEY] = {
        "page": page.split("#", 1)[0].split("?", 1)[0],
        "prefix": name,
        "data": _sent(request, [*also, *(key for form in sent for key in _kept_names(form))]),
        "errors_by_form": {form.prefix or "": form.errors.get_json_data() for form in sent},
    }
    return HttpResponseRedirect(page)


def _take(request: HttpRequest, page: str) -> dict[str, Any] | None:
    """What was kept for `page`, forgotten as it is taken."""
    kept: dict[str, Any] | None = request.session.get(SESSION_KEY)
    if not kept or kept.get("page") != page:
        return None
    del request.session[SESSION_KEY]
    return kept


def _data(kept: dict[str, Any]) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, values in kept["data"].items():
        data.setlist(key, values)
    return data


def with_kept_errors(form: forms.Form, errors: dict[str, list[dict[str, str]]]) -> None:
    """Give `form` the errors it was refused with (the service's too), not those of validating
    it again; a field the page no longer shows (a term accepted since) takes none."""
    form.errors.clear()
    form.cleaned_data = {}
    for field, problems in errors.items():
        if field != "__all__" and field not in form.fields:
            continue
        for error in problems:
            form.add_error(
                None if field == "__all__" else field,
                ValidationError(error["message"], code=error["code"] or None),
            )


def kept_form(
    request: HttpRequest, page: str, builders: Mapping[str, Callable[..., forms.Form]]
) -> dict[str, forms.Form]:
    """The form kept for `page` (once: it is then forgotten), as `{"<name>_form": form}`
    (`{"form": form}` for a form without a prefix or name), rebuilt by its name's builder
    (given the data sent and `prefix=<name>`) with the errors it had; else nothing."""
    kept = _take(request, page)
    if kept is None or "errors" not in kept:
        return {}
    prefix = kept["prefix"]
    build = builders.get(prefix)
    if build is None:
        return {}
    form = build(_data(kept), prefix=prefix or None)
    with_kept_errors(form, kept["errors"])
    return {f"{prefix}_form" if prefix else "form": form}


def kept_together(
    request: HttpRequest, page: str, name: str
) -> tuple[QueryDict, dict[str, dict[str, list[dict[str, str]]]]] | None:
    """The forms kept together for `page` under `name` (once), as what was sent and each
    form's errors by its prefix: the page rebuilds its forms from the first and gives each its
    errors (`with_kept_errors`); else None."""
    kept = _take(request, page)
    if kept is None or kept.get("prefix") != name or "errors_by_form" not in kept:
        return None
    return _data(kept), kept["errors_by_form"]
