"""Signing up, logging in and out, passwords and the profile: pages over backend.services."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from backend.account_links import PASSWORD_RESET_MAX_AGE, SIGN_UP_LINK_MAX_AGE, lifetime_words
from backend.account_throttle import account_request_wait
from backend.client_address import client_ip
from backend.exceptions import ApplicationError
from backend.login_limits import TooManyAttempts
from backend.models import LANGUAGE_CODES, User
from backend.services import (
    password_reset_confirm,
    password_reset_request,
    user_change_password,
    user_register,
    user_update_profile,
    user_verify_email,
)
from helpers.models import HelperProfile
from web.errors import add_service_error, message_for
from web.forms import (
    HOME_FIELDS,
    LogInForm,
    PasswordChangeForm,
    PasswordResetForm,
    PasswordResetRequestForm,
    ProfileForm,
    SignUpForm,
)
from web.kept_forms import kept_form, refused
from web.next_page import go_on, next_page
from web.views.request_page import me_of

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise


# The session's page to go on to once the address is confirmed (a path of this site, checked
# by next_page when the sign-up form was sent).
AFTER_SIGN_UP = "after_sign_up"


def _current_language() -> str:
    language = (translation.get_language() or "de")[:2]
    return language if language in LANGUAGE_CODES else "de"


def _too_many(
    request: HttpRequest,
    template: str,
    form: forms.Form,
    wait: int,
    words: _StrPromise,
) -> HttpResponse:
    """The account form again, refused for now (429): `words`, the sentence that says so
    (`ngettext_lazy` counted by "minutes"), with the minutes to wait, rounded up (`Retry-After`
    in seconds)."""
    minutes = -(-wait // 60)
    form.add_error(None, words % {"minutes": minutes})
    response = render(request, template, {"form": form, "next": next_page(request, "")}, status=429)
    response["Retry-After"] = str(wait)
    return response


def _this_page(request: HttpRequest) -> str:
    """The page's own address, with the page to go on to (`next`) the form was sent with."""
    then = next_page(request, "")
    return f"{request.path}?{urlencode({'next': then})}" if then else request.path


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    build = partial(SignUpForm, initial={"languages": [_current_language()]})
    if request.method != "POST":
        form = kept_form(request, request.path, {"": build}).get("form") or build()
        context = {"form": form, "next": next_page(request, "")}
        return render(request, "web/accounts/sign_up.html", context)
    form = build(request.POST)
    wait = account_request_wait(request)
    if wait is not None:
        # The API's limit on sign-ups from one client (its `throttled`), counted together.
        words = ngettext_lazy(
            "Too many sign-ups from your connection. Try again in %(minutes)d minute.",
            "Too many sign-ups from your connection. Try again in %(minutes)d minutes.",
            "minutes",
        )
        return _too_many(request, "web/accounts/sign_up.html", form, wait, words)
    if form.is_valid():
        data = form.cleaned_data
        try:
            user_register(
                email=data["email"],
                password=data["password"],
                display_name=data["display_name"],
                languages=data["languages"],
                preferred_language=_current_language(),
            )
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            # Confirming the address in this browser goes on to the page that asked for an
            # account ("Become a helper": the application), not to the customer's requests.
            request.session[AFTER_SIGN_UP] = next_page(request, "")
            # Every address reads this page alike: a new one's link and the link to an address
            # whose sign-up waits for confirmation last the same time.
            context = {"email": data["email"], "lifetime": lifetime_words(SIGN_UP_LINK_MAX_AGE)}
            return render(request, "web/accounts/sign_up_sent.html", context)
    # Back to the page (with the page to go on to), the password left out
    return refused(request, form, _this_page(request))


@require_http_methods(["GET", "POST"])
def verify_email(request: HttpRequest) -> HttpResponse:
    """The link in the sign-up e-mail. Opening it shows a button: mail scanners that follow
    links must not confirm sign-ups on their own."""
    token = request.POST.get("token") or request.GET.get("token") or ""
    error = ""
    if request.method == "POST":
        try:
            user = user_verify_email(token=token)
        except ApplicationError as exc:
            error = message_for(exc)
        else:
            then = request.session.pop(AFTER_SIGN_UP, "")
            login(request, user)
            messages.success(request, _("Your e-mail address is confirmed. Welcome to Quartier!"))
            return redirect(then or landing_page(user))
    return render(request, "web/accounts/verify_email.html", {"token": token, "error": error})


def landing_page(user: User) -> str:
    """Where someone lands after logging in without asking for a page: the manager in the
    console, a helper (approved or still applying) in the helper app, a customer on their
    requests."""
    if user.is_staff:
        return reverse("web:manage")
    if HelperProfile.objects.filter(user=user).exists():
        return reverse("web:helper-home")
    return reverse("web:history")


@require_http_methods(["GET", "POST"])
def log_in(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        form = kept_form(request, request.path, {"": LogInForm}).get("form") or LogInForm()
        context = {"form": form, "next": next_page(request, "")}
        return render(request, "web/accounts/log_in.html", context)
    form = LogInForm(request.POST)
    if form.is_valid():
        try:
            user = authenticate(
                request,
                username=form.cleaned_data["email"].lower(),
                password=form.cleaned_data["password"],
            )
        except TooManyAttempts as exc:
            form.add_error(None, exc.message)
            context = {"form": form, "next": next_page(request, "")}
            return render(request, "web/accounts/log_in.html", context, status=429)
        if user is None:
            form.add_error(None, _("The e-mail address or the password is wrong."))
        elif isinstance(user, User) and user.email_verified_at is None:
            form.add_error(None, _("Confirm your e-mail address first: open the link we sent you."))
        else:
            login(request, user)
            return go_on(request, landing_page(me_of(request)))
    # Back to the page (with the page to go on to), the e-mail address kept, not the password
    return refused(request, form, _this_page(request))


@require_POST
def log_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You are logged out. See you soon!"))
    return redirect("web:home")


_RESET_WORDS = ngettext_lazy(
    "Too many password requests from your connection. Try again in %(minutes)d minute.",
    "Too many password requests from your connection. Try again in %(minutes)d minutes.",
    "minutes",
)


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    """Without a token: ask for a link by e-mail (the same answer for any address). With the
    token from that e-mail: choose the new password."""
    token = request.POST.get("token") or request.GET.get("token") or ""
    if request.method != "POST":
        return _password_reset_page(request, token)
    # The API's limit on password requests from one client, counted together: each asks for
    # an e-mail or tries a token.
    wait = account_request_wait(request)
    if not token:
        ask = PasswordResetRequestForm(request.POST)
        if wait is not None:
            return _too_many(
                request, "web/accounts/password_reset_request.html", ask, wait, _RESET_WORDS
            )
        if not ask.is_valid():
            return refused(request, ask, reverse("web:password-reset"))
        password_reset_request(email=ask.cleaned_data["email"])
        lifetime = lifetime_words(PASSWORD_RESET_MAX_AGE)
        return render(request, "web/accounts/password_reset_sent.html", {"lifetime": lifetime})
    form = PasswordResetForm(request.POST, initial={"token": token})
    if wait is not None:
        return _too_many(request, "web/accounts/password_reset.html", form, wait, _RESET_WORDS)
    if form.is_valid():
        try:
            password_reset_confirm(
                token=form.cleaned_data["token"], password=form.cleaned_data["password"]
            )
        except ApplicationError as error:
            add_service_error(form, error, fields={"token": "password"})
        else:
            messages.success(request, _("Your new password is set. Log in with it."))
            return redirect("web:log-in")
    page = f"{reverse('web:password-reset')}?{urlencode({'token': token})}"
    return refused(request, form, page)


def _password_reset_page(request: HttpRequest, token: str) -> HttpResponse:
    """The form to ask for a link, or with the link's token the form to choose the password;
    either as it was refused, once, after a POST."""
    if not token:
        ask = kept_form(request, request.path, {"": PasswordResetRequestForm}).get("form")
        context = {"form": ask or PasswordResetRequestForm()}
        return render(request, "web/accounts/password_reset_request.html", context)
    build = partial(PasswordResetForm, initial={"token": token})
    form = kept_form(request, request.path, {"": build}).get("form") or build()
    return render(request, "web/accounts/password_reset.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    me = me_of(request)
    if request.method != "POST":
        builders = {"": partial(PasswordChangeForm, user=me)}
        form = kept_form(request, request.path, builders).get("form")
        context = {"form": form or PasswordChangeForm(user=me)}
        return render(request, "web/accounts/password_change.html", context)
    form = PasswordChangeForm(request.POST, user=me)
    if form.is_valid():
        try:
            user = user_change_password(
                user=me,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
                client=client_ip(request),
            )
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password is changed."))
            return redirect("web:profile")
    # Back to the page with the problems; what was typed in the password fields is not kept
    return refused(request, form, _this_page(request))


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    me = me_of(request)
    initial = {
        "display_name": me.display_name,
        "phone": me.phone,
        "languages": me.languages,
        "preferred_language": me.preferred_language,
        "home_street": me.home_street,
        "home_postal_code": me.home_postal_code,
        "home_locality": me.home_locality,
    }
    if request.method != "POST":
        builders = {"": partial(ProfileForm, initial=initial)}
        form = kept_form(request, request.path, builders).get("form")
        context = {"form": form or ProfileForm(initial=initial), "next": next_page(request, "")}
        return render(request, "web/accounts/profile.html", context)
    form = ProfileForm(request.POST, initial=initial)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                user_update_profile(
                    user=me,
                    display_name=data["display_name"],
                    phone=data["phone"],
                    languages=data["languages"],
                    preferred_language=data["preferred_language"],
                    home=form.home(),
                )
        except ApplicationError as error:
            add_service_error(form, error, fields=HOME_FIELDS)
        else:
            translation.activate(me.preferred_language)
            messages.success(request, _("Your profile is saved."))
            # Back to the page that asked for the address (the helper application), if any.
            return go_on(request, reverse("web:profile"))
    # Back to the page (with the page to go on to once saved), the problems above the form
    return refused(request, form, _this_page(request))
