"""The helper's phone app: applying, the profile and reviews, weekly hours and time off, and
the offers inbox. Every write is a service of `helpers.services` or `bookings.services`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any
from uuid import UUID

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from academy.helper_selectors import certification_gaps_of
from backend.exceptions import ApplicationError, NotFound
from backend.models import User
from backend.services import user_update_profile
from bookings.models import BookingStatus, Offer, OfferStatus, WithdrawalCause
from bookings.selectors import (
    bookings_visible_to,
    offer_for,
    offers_visible_to,
    request_description_for,
    reviews_received,
    shown_warnings,
)
from bookings.services import offer_accept, offer_decline
from catalogue.models import legal_language
from catalogue.selectors import helper_terms_missing
from helpers.models import HelperProfile, WeeklyAvailability
from helpers.selectors import (
    OfferBlocker,
    availability_exceptions_of,
    helper_is_applying,
    helper_profile_of,
    offer_blockers,
)
from helpers.services import (
    WeeklyInterval,
    availability_exception_add,
    availability_exception_remove,
    helper_apply,
    helper_profile_update,
    helper_set_weekly_availability,
)
from payments.selectors import payout_account_disconnected
from realtime.stream import stream_last_seq
from web.errors import add_service_error, message_for
from web.helper_forms import (
    INTERVALS_PER_DAY,
    DeclineForm,
    HelperTermsForm,
    TimeOffForm,
    WeeklyHoursForm,
)
from web.helper_profile_forms import PROFILE_FIELDS, HelperApplicationForm, HelperUpdateForm
from web.kept_forms import keep_refused_form, kept_form, refused
from web.views.request_page import FIRST_POLL_SECONDS, LONGEST_POLL_SECONDS, me_of
from web.views.terms_parts import terms_accept_shown

UPCOMING = (
    BookingStatus.AWAITING_PROPOSAL,
    BookingStatus.PROPOSED,
    BookingStatus.CONFIRMED,
    BookingStatus.ON_THE_WAY,
    BookingStatus.IN_PROGRESS,
)
HelperView = Callable[..., HttpResponse]


def helper_only(view: HelperView) -> HelperView:
    """The helper's pages: log-in first; someone who is no helper yet is sent to apply."""

    @login_required
    @wraps(view)
    def run(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            helper = helper_profile_of(me_of(request))
        except NotFound:
            return redirect("web:helper-apply")
        return view(request, helper, *args, **kwargs)

    return run


def next_poll(request: HttpRequest) -> int:
    try:
        waited = int(request.GET.get("wait", "0"))
    except ValueError:
        waited = 0
    return FIRST_POLL_SECONDS if waited <= 0 else min(waited * 2, LONGEST_POLL_SECONDS)


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    me = me_of(request)
    if HelperProfile.objects.filter(user=me).exists():
        return redirect("web:helper-home")
    initial = {"languages": me.languages, "service_radius_km": 10, "hourly_rate": "40.00"}
    if request.method == "GET":
        # A refused application comes back once, as it was sent, from the session
        builders = {
            "apply": lambda data, prefix: HelperApplicationForm(data, initial=initial, user=me)
        }
        kept = kept_form(request, request.path, builders).get("apply_form")
        context = {
            "form": kept or HelperApplicationForm(initial=initial, user=me),
            "has_home": bool(me.home_postal_code),
        }
        return render(request, "web/helper/apply.html", context)
    form = HelperApplicationForm(request.POST, initial=initial, user=me)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():  # the languages and the application, or neither
                user_update_profile(user=me, languages=data["languages"])
                helper_apply(
                    user=me,
                    skills=list(data["skills"]),
                    service_radius_km=data["service_radius_km"],
                    hourly_rate_minor=form.rate_minor(),
                    bio=data["bio"],
                )
        except ApplicationError as error:
            add_service_error(form, error, fields=PROFILE_FIELDS)
        else:
            messages.success(
                request,
                _("Thank you! Next, upload your documents for the community manager's check."),
            )
            return redirect("web:helper-application")
    # Refused: back on the page at its own address, so a reload does not send the form again
    return refused(request, form, request.path, "apply")


@helper_only
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest, helper: HelperProfile) -> HttpResponse:
    me = me_of(request)
    initial = {
        "skills": list(helper.skills.all()),
        "service_radius_km": helper.service_radius_km,
        "hourly_rate": f"{helper.hourly_rate_minor / 100:.2f}",
        "languages": me.languages,
        "bio": helper.bio,
        "is_accepting_jobs": helper.is_accepting_jobs,
    }
    if request.method == "GET":
        # A refused save comes back once, as it was sent, from the session
        builders = {"profile": lambda data, prefix: HelperUpdateForm(data, initial=initial)}
        kept = kept_form(request, request.path, builders)
        form = kept.get("profile_form") or HelperUpdateForm(initial=initial)
        return _profile_page(request, helper, form)
    form = HelperUpdateForm(request.POST, initial=initial)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():  # the languages and the profile, or neither
                user_update_profile(user=me, languages=data["languages"])
                helper_profile_update(
                    helper=helper,
                    skills=list(data["skills"]),
                    service_radius_km=data["service_radius_km"],
                    hourly_rate_minor=form.rate_minor(),
                    bio=data["bio"],
                    is_accepting_jobs=data["is_accepting_jobs"],
                )
        except ApplicationError as error:
            add_service_error(form, error, fields=PROFILE_FIELDS)
        else:
            messages.success(request, _("Your helper profile is saved."))
            return redirect("web:helper-profile")
    # Refused: back on the page at its own address, so a reload does not send the form again
    keep_refused_form(request, form, request.path, "profile")
    return redirect("web:helper-profile")


def _profile_page(request: HttpRequest, helper: HelperProfile, form: forms.Form) -> HttpResponse:
    context = {
        "form": form,
        "helper": helper,
        "reviews": reviews_received(me_of(request))[:20],
        **_blockers_of(helper),
    }
    return render(request, "web/helper/profile.html", context)


def _blockers_of(helper: HelperProfile) -> dict[str, object]:
    """What keeps an approved helper's offers away, for offer_blockers.html: a payout account
    that was disconnected is told as such (reconnect it), not as one to finish."""
    blockers = offer_blockers(helper) if helper.approval_status == "approved" else []
    return {
        "blockers": blockers,
        "payout_disconnected": OfferBlocker.PAYOUTS in blockers
        and payout_account_disconnected(helper.pk),
    }


def _weekly_initial(helper: HelperProfile) -> dict[str, str]:
    initial: dict[str, str] = {}
    seen: dict[int, int] = {}
    row: WeeklyAvailability
    for row in helper.weekly_availability.all():
        number = seen.get(row.weekday, 0) + 1
        seen[row.weekday] = number
        if number <= INTERVALS_PER_DAY:
            initial[f"d{row.weekday}_{number}_start"] = row.start_time.strftime("%H:%M")
            initial[f"d{row.weekday}_{number}_end"] = row.end_time.strftime("%H:%M")
    return initial


# The hours page's two forms (without prefixes), each rebuilt there from what a refusal sent.
HOURS_FORMS: dict[str, Callable[..., forms.Form]] = {
    "weekly": lambda data, prefix: WeeklyHoursForm(data),
    "time_off": lambda data, prefix: TimeOffForm(data),
}


@helper_only
@require_GET
def hours(request: HttpRequest, helper: HelperProfile) -> HttpResponse:
    kept = kept_form(request, request.path, HOURS_FORMS)
    context = {
        "weekly": kept.get("weekly_form") or WeeklyHoursForm(initial=_weekly_initial(helper)),
        "time_off": kept.get("time_off_form") or TimeOffForm(),
        "exceptions": availability_exceptions_of(helper).filter(ends_at__gt=timezone.now()),
    }
    return render(request, "web/helper/hours.html", context)


def _hours_refused(request: HttpRequest, form: forms.Form, name: str) -> HttpResponse:
    """Back on the hours page at its own address, the form as sent: a reload resends nothing."""
    page = reverse("web:helper-hours")
    keep_refused_form(request, form, page, name)
    return redirect(page)


@helper_only
@require_POST
def hours_weekly(request: HttpRequest, helper: HelperProfile) -> HttpResponse:
    form = WeeklyHoursForm(request.POST)
    if form.is_valid():
        chosen = form.intervals()
        try:
            helper_set_weekly_availability(
                helper=helper,
                intervals=[WeeklyInterval(day, start, end) for day, start, end, _field in chosen],
            )
        except ApplicationError as error:
            fields = {f"intervals[{index}].end_time": row[3] for index, row in enumerate(chosen)}
            add_service_error(form, error, fields=fields)
        else:
            messages.success(request, _("Your weekly hours are saved."))
            return redirect("web:helper-hours")
    return _hours_refused(request, form, "weekly")


@helper_only
@require_POST
def time_off_add(request: HttpRequest, helper: HelperProfile) -> HttpResponse:
    form = TimeOffForm(request.POST)
    if form.is_valid():
        starts_at, ends_at = form.span()
        try:
            availability_exception_add(
                helper=helper,
                kind=form.cleaned_data["kind"],
                starts_at=starts_at,
                ends_at=ends_at,
                note=form.cleaned_data["note"],
            )
        except ApplicationError as error:
            add_service_error(form, error, fields={"starts_at": "first_day", "ends_at": "last_day"})
        else:
            messages.success(request, _("Saved. Offers follow it from now on."))
            return redirect("web:helper-hours")
    return _hours_refused(request, form, "time_off")


@helper_only
@require_POST
def time_off_remove(request: HttpRequest, helper: HelperProfile, exception_id: int) -> HttpResponse:
    exception = availability_exceptions_of(helper).filter(pk=exception_id).first()
    if exception is None:
        raise Http404
    availability_exception_remove(exception=exception)
    messages.success(request, _("Removed."))
    return redirect("web:helper-hours")


def _home_context(request: HttpRequest, helper: HelperProfile) -> dict[str, Any]:
    me = me_of(request)
    # Read before the page's data: the live socket resumes after it, so an event that comes
    # while the page is being rendered is heard, not lost.
    live_seq = stream_last_seq(me.pk)
    now = timezone.now()
    offers = list(
        offers_visible_to(me)
        .filter(helper=helper, status=OfferStatus.PENDING, expires_at__gt=now)
        .order_by("expires_at")
    )
    for offer in offers:
        # Not won yet: the phone numbers and e-mail addresses written in it stay masked.
        offer.description_read = request_description_for(offer.help_request, me)  # type: ignore[attr-defined]
        offer.decline_form = _decline_form(_decline_name(offer))  # type: ignore[attr-defined]
    visits = bookings_visible_to(me).filter(helper=helper, status__in=UPCOMING)
    today = timezone.localdate()
    visits_today, visits_next = [], []
    for visit in sorted(visits, key=lambda b: (b.starts_at is not None, b.starts_at or now)):
        if visit.starts_at is not None and timezone.localdate(visit.starts_at) == today:
            visits_today.append(visit)
        else:
            visits_next.append(visit)
    return {
        "helper": helper,
        "offers": offers,
        "taken": _taken_from(me, request.GET.getlist("gone")),
        "live_seq": live_seq,
        # Push is on while a VAPID key is configured: the page then offers to turn it on.
        "vapid_public_key": settings.QUARTIER_VAPID_PUBLIC_KEY,
        "visits_today": visits_today,
        "visits_next": visits_next,
        "gaps": certification_gaps_of(helper),
        # Still applying: no offer or visit can come yet, so the page says what comes first.
        "applying": helper_is_applying(helper),
        **_blockers_of(helper),
        "poll_seconds": next_poll(request),
    }


def _taken_from(me: User, public_ids: list[str]) -> bool:
    """Whether one of the offers the live page saw leave (`?gone=<offer id>`, sent by its
    script after an `offer.withdrawn`) went to another helper: the page then says so kindly."""
    ids = []
    for value in public_ids[:10]:
        try:
            ids.append(UUID(value))
        except ValueError:
            continue
    return (
        offers_visible_to(me)
        .filter(
            helper__user=me,
            public_id__in=ids,
            status=OfferStatus.WITHDRAWN,
            withdrawal_cause=WithdrawalCause.TAKEN,
        )
        .exists()
        if ids
        else False
    )


def _new_offers(offers: Iterable[Offer], shown: list[str]) -> int:
    """How many of the offers are new to the page that asks again, which says the ones it shows
    (`?shown=<offer id>`, sent by its script): its live region announces them."""
    seen = set(shown[:100])
    return sum(1 for offer in offers if str(offer.public_id) not in seen)


@helper_only
@require_GET
@vary_on_headers("HX-Request")
def home(request: HttpRequest, helper: HelperProfile) -> HttpResponse:
    context = _home_context(request, helper)
    if request.htmx:  # type: ignore[attr-defined]
        context["new_offers"] = _new_offers(context["offers"], request.GET.getlist("shown"))
        return render(request, "web/helper/home.html#helper-news", context)
    missing = helper_terms_missing(me_of(request))
    # A refused acceptance or decline comes back once, as it was sent, from the session
    kept = kept_form(request, request.path, _home_forms(missing, context["offers"]))
    for offer in context["offers"]:
        declined = kept.get(f"{_decline_name(offer)}_form")
        if declined is not None:
            offer.decline_form = declined
    if missing:
        # Outside the part that refreshes itself: the ticks stay while the helper reads.
        context["terms_form"] = kept.get("terms_form") or _terms_form(missing)
    context["warnings"] = shown_warnings(me_of(request))
    return render(request, "web/helper/home.html", context)


def _terms_form(missing: list[Any], data: Any = None) -> HelperTermsForm:
    return HelperTermsForm(missing, legal_language(get_language()), data, prefix="terms")


def _home_forms(missing: list[Any], offers: list[Offer]) -> dict[str, Callable[..., forms.Form]]:
    """The offers page's forms by name, each rebuilt there from what a refused POST sent: the
    terms (those still to accept), and each offer's decline."""
    builders: dict[str, Callable[..., forms.Form]] = {
        "terms": lambda data, prefix: _terms_form(missing, data)
    }
    for offer in offers:
        builders[_decline_name(offer)] = lambda data, prefix: _decline_form(prefix, data)
    return builders


@helper_only
@require_POST
def terms_accept(request: HttpRequest, helper: HelperProfile) -> HttpResponse:
    """The helper accepts the helpers' terms shown, each as the page showed it (its text's
    SHA-256): all of them, or none."""
    me = me_of(request)
    missing = helper_terms_missing(me)
    form = _terms_form(missing, request.POST)
    if missing and form.is_valid():
        try:
            terms_accept_shown(request, me, form)
        except ApplicationError as error:  # a text changed since the page was shown
            messages.error(request, message_for(error))
        else:
            messages.success(request, _("Thank you: the helpers' terms are accepted."))
        return redirect("web:helper-home")
    if not missing:
        return redirect("web:helper-home")
    # Back on the offers page at its own address, the boxes as ticked: a reload resends nothing
    return refused(request, form, reverse("web:helper-home"), "terms")


def _offer(request: HttpRequest, public_id: UUID) -> Any:
    try:
        return offer_for(me_of(request), public_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@helper_only
@require_POST
def offer_take(request: HttpRequest, helper: HelperProfile, public_id: UUID) -> HttpResponse:
    offer = _offer(request, public_id)
    try:
        booking = offer_accept(offer=offer, actor=me_of(request))
    except ApplicationError as error:
        messages.error(request, message_for(error))
        return redirect("web:helper-home")
    messages.success(request, _("The job is yours. Now propose times for the visit."))
    return redirect("web:helper-visit", public_id=booking.public_id)


@helper_only
@require_POST
def offer_refuse(request: HttpRequest, helper: HelperProfile, public_id: UUID) -> HttpResponse:
    offer = _offer(request, public_id)
    name = _decline_name(offer)
    form = _decline_form(name, request.POST)
    if form.is_valid():
        try:
            offer_decline(offer=offer, actor=me_of(request), reason=form.cleaned_data["reason"])
        except ApplicationError as error:
            if not error.fields:  # no longer open: the page shows where it stands
                messages.error(request, message_for(error))
                return redirect("web:helper-home")
            add_service_error(form, error)
        else:
            messages.success(request, _("Declined. We ask another helper."))
            return redirect("web:helper-home")
    # Refused: the offer stays open, its decline back on the offers page with the problem
    return refused(request, form, reverse("web:helper-home"), name)


def _decline_name(offer: Offer) -> str:
    return f"decline_{offer.public_id.hex}"


def _decline_form(name: str, data: Any = None) -> DeclineForm:
    """An offer's decline form, its fields named by the offer on a page of several offers."""
    return DeclineForm(data, auto_id=f"id_{name}_%s")
