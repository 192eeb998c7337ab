"""The helper's payout account: its Stripe Express account, onboarding, and its status.

`payout_account_move` is the only writer of `PayoutAccount.status`; the status follows the
account's state at Stripe (from `account.updated`, or fetched when asked) until the account
removes Quartier's access (`account.application.deauthorized`): then it is `disconnected`, and
only onboarding again (a new Express account on the same row) connects the helper anew.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from backend.exceptions import CoreError, PermissionDenied, raises
from backend.models import User
from backend.outbox import emit
from backend.roles import ActorRole
from helpers.models import HelperProfile
from payments import events, selectors, stripe_gateway
from payments.declines import CARD_ON_OLD_ACCOUNT
from payments.models import Payment, PayoutAccount, PayoutAccountStatus, StripeRequest
from payments.selectors import payments_lost_ahead
from payments.services import payment_card_ask_again
from payments.steps import _lock, _record_request
from payments.transitions import PAYOUT_ACCOUNT_MACHINE

# --- The status writer ----------------------------------------------------------------------


def payout_account_move(*, account: PayoutAccount, to: str) -> PayoutAccount:
    """The only writer of `PayoutAccount.status` (nothing happens when it is already `to`)."""
    if account.status == to:
        return account
    from_status = account.status
    PAYOUT_ACCOUNT_MACHINE.check(
        account, from_status=from_status, to_status=to, role=ActorRole.SYSTEM
    )
    account.status = to
    account.save(update_fields=["status", "updated_at"])
    emit(
        events.PayoutAccountChanged(
            payout_account_id=account.pk,
            helper_id=account.helper_id,
            from_status=from_status,
            to_status=to,
        )
    )
    return account


# --- Payout accounts --------------------------------------------------------------------------


def _account_status(state: stripe_gateway.AccountState) -> str:
    if state.charges_enabled and state.payouts_enabled:
        return PayoutAccountStatus.PAYOUTS_ENABLED
    if state.charges_enabled:
        return PayoutAccountStatus.CAN_TAKE_PAYMENTS
    if state.details_submitted:
        return PayoutAccountStatus.PENDING_VERIFICATION
    return PayoutAccountStatus.DETAILS_MISSING


def payout_helper_of(user: User) -> HelperProfile:
    try:
        return HelperProfile.objects.get(user=user)
    except HelperProfile.DoesNotExist as exc:
        raise PermissionDenied(
            _("Only helpers have payout accounts."), code=CoreError.NOT_ALLOWED_FOR_ROLE
        ) from exc


# Creating an account and its onboarding link charges no card.
@raises(CoreError.NOT_ALLOWED_FOR_ROLE, stripe_gateway.PROVIDER_ERRORS)
@transaction.atomic
def payout_account_onboard(
    *, actor: User, return_url: str, refresh_url: str
) -> tuple[PayoutAccount, str]:
    """The helper's Express account (created on the first call) and a fresh onboarding link.

    Calling again resumes an unfinished onboarding with a new link to the same account. After
    the account was disconnected (it removed Quartier's access, so Stripe refuses links to it),
    a new Express account takes its place on the same row: reconnecting.
    """
    helper = payout_helper_of(actor)
    account, _created = PayoutAccount.objects.select_for_update().get_or_create(helper=helper)
    if not account.stripe_account_id or account.is_disconnected:
        # One key per account created for this row: a retry after a crash sends the same one.
        created_before = StripeRequest.objects.filter(
            payout_account=account, action="account_create"
        ).count()
        key = f"quartier:payout-account:{account.public_id}:create:{created_before + 1}"
        _record_request(key, "account_create", payout_account=account)
        state = stripe_gateway.account_create(email=actor.email, idempotency_key=key)
        account.stripe_account_id = state.id
        account.save(update_fields=["stripe_account_id", "updated_at"])
        payout_account_move(account=account, to=_account_status(state))
    url = stripe_gateway.account_link_create(
        account_id=str(account.stripe_account_id), return_url=return_url, refresh_url=refresh_url
    )
    return account, url


@transaction.atomic
def payout_account_sync(
    *, stripe_account_id: str, state: stripe_gateway.AccountState | None = None
) -> PayoutAccount | None:
    """Follow the account's state at Stripe (from `account.updated`, or fetched now); once
    it takes payments, the cards given on the helper's previous account are asked for again
    (`payments_card_ask_again_on_new_account`). A disconnected account stays so: an `account.updated` sent before the access was removed may
    arrive after it, and Stripe answers nothing more about the account."""
    account = (
        PayoutAccount.objects.select_for_update()
        .filter(stripe_account_id=stripe_account_id)
        .first()
    )
    if account is None or account.is_disconnected:
        return account
    if state is None:
        state = stripe_gateway.account_retrieve(stripe_account_id)
    account = payout_account_move(account=account, to=_account_status(state))
    if account.can_take_payments:
        payments_card_ask_again_on_new_account(account=account)
    return account


@transaction.atomic
def payout_account_disconnect(*, stripe_account_id: str) -> PayoutAccount | None:
    """The account removed Quartier's access at Stripe (`account.application.deauthorized`): it
    is `disconnected` and takes no charges, so the helper gets no paid offers (their pending ones
    are withdrawn) until they connect an account again. None for an account Quartier does not
    know; nothing changes for one disconnected already."""
    account = (
        PayoutAccount.objects.select_for_update()
        .filter(stripe_account_id=stripe_account_id)
        .first()
    )
    if account is None:
        return None
    if account.is_disconnected:
        return account
    payout_account_move(account=account, to=PayoutAccountStatus.DISCONNECTED)
    payments_lost_ahead_announce(account=account)
    return account


def payments_lost_ahead_announce(*, account: PayoutAccount) -> list[Payment]:
    """The visits still to come paid on the (locked, just disconnected) account: the card held
    there, or given there for a hold still to be placed, can no longer be taken (a card's
    PaymentMethod lives on the connected account it was given on), so each visit's customer and
    helper are told now (`tell_payment_lost_ahead`), not at sign-off. Their pages say it as long
    as it holds (`payments.selectors.payment_lost_ahead`)."""
    lost = payments_lost_ahead(account)
    for payment in lost:
        emit(events.PaymentAccountLost(payment_id=payment.pk, booking_id=payment.booking_id))
    return lost


def payments_card_ask_again_on_new_account(*, account: PayoutAccount) -> list[Payment]:
    """The (locked) account takes payments: the card of each visit still to come that was given
    on the helper's previous account, for a hold not placed yet, cannot be held on this one, so
    it is asked for again now (`payment_card_ask_again`), and the customer's page, the API and
    the e-mails (`tell_hold_failed`) say so at once rather than when the hold falls due. A card
    held on the previous account keeps its own handling (`payment_lost_ahead`). The card is
    forgotten, so a second call finds nothing and tells nobody again."""
    asked = []
    for candidate in selectors.cards_on_previous_account(account):
        booking, payment = _lock(candidate)
        if selectors.card_on_previous_account(booking, payment):
            asked.append(payment_card_ask_again(payment=payment, failure_code=CARD_ON_OLD_ACCOUNT))
    return asked
