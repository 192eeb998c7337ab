"""A form refused on a POST-only address, kept for the page it was sent from.

The answer to the refused POST is a redirect to that page (post/redirect/get): the page then
stands at its own address, so reloading it only reloads it, where a page rendered at the POST's
address would have the browser send the form again. The form comes back on the page once, as
it was sent and with its errors (the list of problems above it takes the focus, as for any form
sent back), from the session.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, QueryDict

SESSION_KEY = "kept_form"


def keep_refused_form(request: HttpRequest, form: forms.Form, page: str) -> None:
    """Keep `form` (bound to this POST, with its errors) for the next GET of `page`."""
    prefix = form.prefix or ""
    request.session[SESSION_KEY] = {
        "page": page,
        "prefix": prefix,
        "data": {
            key: request.POST.getlist(key)
            for key in request.POST
            if key.startswith(f"{prefix}-") and key != "csrfmiddlewaretoken"
        },
        "errors": form.errors.get_json_data(),
    }


def kept_form(
    request: HttpRequest, page: str, builders: Mapping[str, Callable[..., forms.Form]]
) -> dict[str, forms.Form]:
    """The form kept for `page` (once: it is then forgotten), as `{"<prefix>_form": form}`,
    rebuilt by its prefix's builder with the data sent and the errors it had; else nothing."""
    kept: dict[str, Any] | None = request.session.get(SESSION_KEY)
    if not kept or kept.get("page") != page:
        return {}
    del request.session[SESSION_KEY]
    build = builders.get(kept["prefix"])
    if build is None:
        return {}
    data = QueryDict(mutable=True)
    for key, values in kept["data"].items():
        data.setlist(key, values)
    form = build(data, prefix=kept["prefix"])
    # The errors it was refused with (the service's too), not those of validating it again
    form.errors.clear()
    form.cleaned_data = {}
    for field, errors in kept["errors"].items():
        for error in errors:
            form.add_error(
                None if field == "__all__" else field,
                ValidationError(error["message"], code=error["code"] or None),
            )
    return {f"{kept['prefix']}_form": form}
