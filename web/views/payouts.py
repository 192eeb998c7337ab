"""The helper's payout account page: the account's state in words, why paid offers need it, and
the way into Stripe's Express onboarding (started or resumed through `payout_account_onboard`;
the emulator's onboarding page without Stripe keys). Coming back from it brings the state up to
date at once (`payout_account_sync`; the `account.updated` webhook does the same)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from backend.config import config
from backend.exceptions import ApplicationError
from helpers.models import HelperProfile
from payments import selectors
from payments.payouts import payout_account_onboard, payout_account_sync
from web.errors import message_for
from web.views.helper import helper_only, me_of


@helper_only
@require_GET
def payouts(request: HttpRequest, helper: HelperProfile) -> HttpResponse:
    account = selectors.payout_account_of(me_of(request))
    context = {
        "helper": helper,
        "account": account,
        "status": account.status if account is not None else "",
        "charges_for_visits": helper.hourly_rate_minor > 0,
    }
    response = render(request, "web/helper/payouts.html", context)
    # Its button goes on to Stripe's onboarding (a redirect the browser checks).
    response._csp_update = config().stripe_redirect_sources  # type: ignore[attr-defined]
    return response


@helper_only
@require_POST
def payouts_onboard(request: HttpRequest, helper: HelperProfile) -> HttpResponse:
    """To Stripe's onboarding: a new account the first time, the same one after that."""
    try:
        _account, url = payout_account_onboard(
            actor=me_of(request),
            return_url=request.build_absolute_uri(reverse("web:helper-payouts-back")),
            refresh_url=request.build_absolute_uri(reverse("web:helper-payouts")),
        )
    except ApplicationError as error:
        messages.error(request, message_for(error))
        return redirect("web:helper-payouts")
    return redirect(url)


@helper_only
@require_GET
def payouts_back(request: HttpRequest, helper: HelperProfile) -> HttpResponse:
    """Back from the onboarding: the account's state as Stripe has it now."""
    account = selectors.payout_account_of(me_of(request))
    if account is not None and account.stripe_account_id:
        try:
            payout_account_sync(stripe_account_id=str(account.stripe_account_id))
        except ApplicationError as error:
            messages.error(request, message_for(error))
    return redirect("web:helper-payouts")
