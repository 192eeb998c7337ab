"""The state machines of payments and payout accounts: every allowed move, who makes it and
the event it emits. `payment_transition` (payments/services.py) and `payout_account_move`
(payments/payouts.py) are the only writers of the two status fields.

A payment never moves backwards: a late or repeated webhook asks for a move that is not in the
table (captured → authorised) and changes nothing.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from backend.roles import ActorRole
from backend.state_machine import StateMachine, Transition
from payments import events
from payments.models import ExtraStatus, PaymentStatus, PayoutAccountStatus

SYSTEM, HELPER, MANAGER = ActorRole.SYSTEM, ActorRole.HELPER, ActorRole.MANAGER
_P = PaymentStatus

PAYMENT_MACHINE = StateMachine(
    noun=gettext_lazy("Payment"),
    transitions={
        (_P.REQUIRES_PAYMENT_METHOD, _P.AUTHORISED): Transition(
            frozenset({SYSTEM}), event=events.PaymentAuthorised
        ),
        # The booking ended before any hold was placed: nothing to charge.
        (_P.REQUIRES_PAYMENT_METHOD, _P.RELEASED): Transition(
            frozenset({SYSTEM}), event=events.PaymentReleased
        ),
        # A method that cannot be held (TWINT): due after sign-off (or for a cancellation fee),
        # then paid by the customer on a payment page.
        (_P.REQUIRES_PAYMENT_METHOD, _P.DUE): Transition(
            frozenset({SYSTEM}), event=events.PaymentDue
        ),
        (_P.DUE, _P.CAPTURED): Transition(frozenset({SYSTEM}), event=events.PaymentCaptured),
        (_P.AUTHORISED, _P.CAPTURED): Transition(frozenset({SYSTEM}), event=events.PaymentCaptured),
        (_P.AUTHORISED, _P.RELEASED): Transition(frozenset({SYSTEM}), event=events.PaymentReleased),
        # Refunded in full (a partial refund leaves the payment captured).
        (_P.CAPTURED, _P.REFUNDED): Transition(
            frozenset({SYSTEM, HELPER, MANAGER}), event=events.PaymentRefunded
        ),
    },
)

# The order a payment's life goes in: a webhook never moves a payment to an earlier rank.
PAYMENT_RANK = {
    _P.REQUIRES_PAYMENT_METHOD: 0,
    _P.AUTHORISED: 1,
    _P.DUE: 1,
    _P.CAPTURED: 2,
    _P.RELEASED: 2,
    _P.REFUNDED: 3,
}

_E = ExtraStatus
# Extra time or material: asked by the helper, consented to (and held) or declined by the
# customer (or lapsed at sign-off), captured with the visit or released with it.
EXTRA_MACHINE = StateMachine(
    noun=gettext_lazy("Extra time or material"),
    transitions={
        (_E.ASKED, _E.AUTHORISED): Transition(frozenset({SYSTEM})),
        (_E.ASKED, _E.DECLINED): Transition(frozenset({SYSTEM})),
        (_E.AUTHORISED, _E.CAPTURED): Transition(frozenset({SYSTEM})),
        (_E.AUTHORISED, _E.RELEASED): Transition(frozenset({SYSTEM})),
    },
)

_A = PayoutAccountStatus
# Stripe may ask for more details at any time, so an account can go back as well as forward.
PAYOUT_ACCOUNT_MACHINE = StateMachine(
    noun=gettext_lazy("Payout account"),
    transitions={
        (origin, target): Transition(frozenset({SYSTEM}), event=events.PayoutAccountChanged)
        for origin in _A.values
        for target in _A.values
        if origin != target
    },
)
