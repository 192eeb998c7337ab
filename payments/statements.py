"""A helper's yearly earnings statement (for the tax and AHV declarations), from the ledger:
per month (Europe/Zurich) what was charged for the helper's visits and cancellation fees
(gross), Stripe's fees (on charges and tips), refunds, tips, and the net that stays with the
helper. Quartier's fee is 0 and appears nowhere."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Sum
from django.db.models.functions import ExtractMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from backend import clock
from backend.digits import digits_value
from backend.exceptions import CoreError, PermissionDenied, ValidationFailed, raises
from backend.models import User
from helpers.models import HelperProfile
from payments.errors import PaymentError
from payments.models import LedgerEntry, LedgerKind

FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class StatementLine:
    month: int  # 1–12; 0 for the year's total
    gross_minor: int
    stripe_fees_minor: int
    refunds_minor: int
    tips_minor: int

    @property
    def net_minor(self) -> int:
        return self.gross_minor - self.stripe_fees_minor - self.refunds_minor + self.tips_minor

    @property
    def is_empty(self) -> bool:
        """Nothing was paid, charged, refunded or tipped in it."""
        return not (
            self.gross_minor or self.stripe_fees_minor or self.refunds_minor or self.tips_minor
        )


@dataclass(frozen=True)
class Statement:
    helper_name: str
    year: int
    currency: str
    months: list[StatementLine]
    total: StatementLine


@raises(PaymentError.INVALID_YEAR)
def statement_year(given: str | None) -> int:
    """The year asked for (a query's text), the current one when none is given."""
    if given is None or given == "":
        return timezone.localdate(clock.now()).year
    year = digits_value(given.strip())
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationFailed.for_field(
            "year",
            _("Choose a year from %(first)s to %(last)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR},
            code=PaymentError.INVALID_YEAR,
        )
    return year


def statement_years(helper: HelperProfile, shown: int) -> list[int]:
    """The years a helper can have a statement for, newest first: from the year they joined
    Quartier to this one (and the year `shown`, if asked for outside them)."""
    joined = timezone.localtime(helper.created_at).year
    this_year = timezone.localdate(clock.now()).year
    return list(range(max(this_year, shown), min(joined, shown) - 1, -1))


@raises(CoreError.NOT_ALLOWED_FOR_ROLE)
def earnings_statement(user: User, year: int) -> Statement:
    """The helper's statement for `year` (every month, also the empty ones)."""
    helper = HelperProfile.objects.select_related("user").filter(user=user).first()
    if helper is None:
        raise PermissionDenied(
            _("Only helpers have an earnings statement."), code=CoreError.NOT_ALLOWED_FOR_ROLE
        )
    sums: dict[tuple[int, str], int] = {}
    rows = (
        LedgerEntry.objects.filter(booking__helper=helper, created_at__year=year)
        .annotate(month=ExtractMonth("created_at"))
        .values("month", "kind")
        .annotate(total=Sum("amount_minor"))
        .values_list("month", "kind", "total")
    )
    for month, kind, total in rows:
        sums[(month, kind)] = total
    months = [
        StatementLine(
            month=month,
            gross_minor=sums.get((month, LedgerKind.CAPTURED), 0)
            + sums.get((month, LedgerKind.CANCELLATION_FEE), 0),
            stripe_fees_minor=sums.get((month, LedgerKind.STRIPE_FEE), 0),
            refunds_minor=sums.get((month, LedgerKind.REFUNDED), 0),
            tips_minor=sums.get((month, LedgerKind.TIPPED), 0),
        )
        for month in range(1, 13)
    ]
    total = StatementLine(
        month=0,
        gross_minor=sum(line.gross_minor for line in months),
        stripe_fees_minor=sum(line.stripe_fees_minor for line in months),
        refunds_minor=sum(line.refunds_minor for line in months),
        tips_minor=sum(line.tips_minor for line in months),
    )
    return Statement(
        helper_name=helper.user.display_name,
        year=year,
        currency=helper.currency,
        months=months,
        total=total,
    )
