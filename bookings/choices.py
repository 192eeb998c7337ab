"""The statuses and other choices of the bookings' tables, labelled in the reader's language
(the back office shows them to the community manager). Only the values are stored and sent by
the API; the labels may change without a data change."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class HelpRequestStatus(models.TextChoices):
    OPEN = "open", _("Open: looking for a helper")
    ASSIGNED = "assigned", _("A helper accepted")
    UNMATCHED = "unmatched", _("Nobody available")
    WITHDRAWN = "withdrawn", _("Withdrawn by the customer")
    EXPIRED = "expired", _("Every time window passed")
    CLOSED = "closed", _("Closed")


class OfferStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the helper")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DeclineReason(models.TextChoices):
    NOT_AVAILABLE = "not_available", _("Not available then")
    TOO_FAR = "too_far", _("Too far away")
    NOT_MY_SKILL = "not_my_skill", _("Not something I can do")
    OTHER = "other", _("Other")


class WithdrawalCause(models.TextChoices):
    REQUEST_CHANGED = "request_changed", _("The customer changed the request")
    REQUEST_WITHDRAWN = "request_withdrawn", _("The customer withdrew the request")
    REQUEST_EXPIRED = "request_expired", _("Every time window passed")
    TAKEN = "taken", _("Another helper accepted")
    HELPER_SUSPENDED = "helper_suspended", _("The helper was suspended")
    CANNOT_BE_PAID = "cannot_be_paid", _("The helper's payout account cannot take payments")


class BookingStatus(models.TextChoices):
    AWAITING_PROPOSAL = "awaiting_proposal", _("Waiting for the helper to propose a time")
    PROPOSED = "proposed", _("Times proposed, waiting for the customer")
    CONFIRMED = "confirmed", _("Confirmed")
    ON_THE_WAY = "on_the_way", _("Helper on the way")
    IN_PROGRESS = "in_progress", _("Visit in progress")
    COMPLETED = "completed", _("Done, waiting for the customer's sign-off")
    SIGNED_OFF = "signed_off", _("Signed off")
    DISPUTED = "disputed", _("Disputed")
    SETTLED = "settled", _("Settled")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("No-show")


class DisputeOutcome(models.TextChoices):
    VISIT_STANDS = "visit_stands", _("The visit stands (signed off)")
    VISIT_VOID = "visit_void", _("The visit is void (cancelled)")


class Party(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    HELPER = "helper", _("Helper")
    NOBODY = "nobody", _("Nobody (e.g. weather, illness)")


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CHOSEN = "chosen", _("Chosen")
    SUPERSEDED = "superseded", _("Superseded")


class ReviewStatus(models.TextChoices):
    HIDDEN = "hidden", _("Hidden until both sides reviewed or the window closed")
    PUBLISHED = "published", _("Published")


class SafetyCategory(models.TextChoices):
    SAFETY = "safety", _("Safety")
    HARASSMENT = "harassment", _("Harassment")
    DAMAGE = "damage", _("Damage")
    NO_SHOW = "no_show", _("No-show")
    OTHER = "other", _("Other")


class SafetyOutcome(models.TextChoices):
    WARNING = "warning", _("Warning")
    SUSPENSION = "suspension", _("Suspension")
    NO_ACTION = "no_action", _("No action")
