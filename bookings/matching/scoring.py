"""The composite score's one definition: distance, Bayesian rating and reliability.

`Weights` holds the ranking settings and computes the score and its parts in Python and, for
the match index's searches, as SQL (in the `ScoreDialect` each database backend module
declares). The rating and reliability terms (`static_score`) do not depend on where the
customer is, so the match index stores them with each row, under the settings named by
`Weights.static_key`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from backend.config import config

# Reliability: the share of commitments kept (the rest is responsiveness), and how much of an
# answer's worth its slowness can take away.
COMMITMENT_SHARE = 0.8
SLOW_ANSWER_SHARE = 0.5
# Bump when the arithmetic of `static_score` changes: stored scores are then not used.
STATIC_FORMULA = 1


class ScoreDialect(NamedTuple):
    """How one database writes the score in SQL (`Weights.static_sql`)."""

    real_type: str  # the floating-point type to CAST to
    approved_epoch: str  # the row's approval time in whole epoch seconds, as an expression
    named_parameters: bool  # `:b_<name>` parameters (sqlite3's own cursor), else `%s` in order


@dataclass(frozen=True, slots=True)
class Weights:
    """The ranking settings, read once: the one definition of the score and its parts."""

    prior_mean: float
    prior_weight: float
    ttl_seconds: float
    distance_weight: float
    rating_weight: float
    reliability_weight: float

    @classmethod
    def current(cls) -> Weights:
        current = config()
        return cls(
            prior_mean=current.rating_prior_mean,
            prior_weight=current.rating_prior_weight,
            ttl_seconds=current.offer_ttl_minutes * 60,
            distance_weight=current.score_weight_distance,
            rating_weight=current.score_weight_rating,
            reliability_weight=current.score_weight_reliability,
        )

    def bayesian_rating(self, rating_sum: int, rating_count: int) -> float:
        return float(
            (self.prior_weight * self.prior_mean + rating_sum) / (self.prior_weight + rating_count)
        )

    def reliability(
        self,
        completed: int,
        cancellations_caused: int,
        no_shows_caused: int,
        offers_answered: int,
        offers_expired: int,
        response_seconds_total: int,
    ) -> float:
        kept = completed + 1
        commitment = kept / (kept + cancellations_caused + 2 * no_shows_caused)
        slowness = SLOW_ANSWER_SHARE * min(
            offers_answered, response_seconds_total / self.ttl_seconds
        )
        responsiveness = (1 + offers_answered - slowness) / (1 + offers_answered + offers_expired)
        return COMMITMENT_SHARE * commitment + (1 - COMMITMENT_SHARE) * responsiveness

    def score(
        self, distance_m: float, search_radius_m: float, rating: float, reliable: float
    ) -> float:
        closeness = max(0.0, 1.0 - distance_m / search_radius_m) if search_radius_m else 0.0
        return float(self.distance_weight * closeness + self.rating_part(rating, reliable))

    def rating_part(self, rating: float, reliable: float) -> float:
        """The score's terms that do not depend on distance: rating (1–5★ scaled to 0–1) and
        reliability, each by its weight."""
        return float(self.rating_weight * (rating - 1.0) / 4.0 + self.reliability_weight * reliable)

    def static_score(
        self,
        *,
        rating_sum: int,
        rating_count: int,
        completed: int,
        cancellations_caused: int,
        no_shows_caused: int,
        offers_answered: int,
        offers_expired: int,
        response_seconds_total: int,
    ) -> float:
        """The score less its distance part: the rating and reliability terms, which the match
        index stores with each row (the newcomer's bonus depends on the day, so it does not)."""
        rating = self.bayesian_rating(rating_sum, rating_count)
        reliable = self.reliability(
            completed,
            cancellations_caused,
            no_shows_caused,
            offers_answered,
            offers_expired,
            response_seconds_total,
        )
        return self.rating_part(rating, reliable)

    def static_key(self) -> str:
        """Names the settings `static_score` depends on: stored scores computed under other
        settings must not be used to leave helpers out."""
        figures = (
            STATIC_FORMULA,
            self.prior_mean,
            self.prior_weight,
            self.ttl_seconds,
            self.rating_weight,
            self.reliability_weight,
        )
        return hashlib.sha256(repr(figures).encode()).hexdigest()[:32]

    def static_sql(
        self,
        dialect: ScoreDialect,
        *,
        bonus: float,
        new_since: datetime,
        new_visits: int,
        stored: str | None = None,
    ) -> tuple[str, list[Any] | dict[str, Any]]:
        """The ranking less its distance part (`static_score` plus the newcomer's bonus) as an
        SQL expression over the match index's columns, in the database's `dialect`, with its
        parameters: named (`:b_…`) or positional, as the dialect binds them.

        With `stored`, the name of a column holding `static_score` (or a bound above it), that
        column is read; without, the same arithmetic as `bayesian_rating` and `reliability` is
        written out term by term. Either way a ring search can leave out, inside the database,
        helpers who cannot reach a score.
        """
        real = dialect.real_type
        values: dict[str, Any] = {
            "rating_scale": self.rating_weight / 4.0,
            "prior_sum": self.prior_weight * self.prior_mean,
            "prior_weight": self.prior_weight,
            "commitment": self.reliability_weight * COMMITMENT_SHARE,
            "responsiveness": self.reliability_weight * (1 - COMMITMENT_SHARE),
            "slow": SLOW_ANSWER_SHARE,
            "ttl": self.ttl_seconds,
            "new_since": new_since.timestamp(),
            "new_visits": new_visits,
            "bonus": bonus,
        }
        positional: list[Any] = []

        def param(name: str) -> str:
            if dialect.named_parameters:
                return f":b_{name}"
            positional.append(values[name])
            return "%s" if name == "new_visits" else f"CAST(%s AS {real})"

        def column(name: str) -> str:
            return f"CAST({name} AS {real})"

        if stored is not None:
            static = stored
        else:
            completed, answered = column("completed_visits"), column("offers_answered")
            response = column("response_seconds_total")
            static = (
                f"{param('rating_scale')} * (({param('prior_sum')} + {column('rating_sum')}) "
                f"/ ({param('prior_weight')} + {column('rating_count')}) - 1)"
                f" + {param('commitment')} * ({completed} + 1) / ({completed} + 1 "
                f"+ {column('cancellations_caused')} + 2 * {column('no_shows_caused')})"
                f" + {param('responsiveness')} * (1 + {answered} - {param('slow')} * CASE WHEN "
                f"{answered} < {response} / {param('ttl')} THEN {answered} "
                f"ELSE {response} / {param('ttl')} END) "
                f"/ (1 + {answered} + {column('offers_expired')})"
            )
        sql = (
            f"({static} + CASE WHEN {dialect.approved_epoch} >= {param('new_since')} "
            f"AND completed_visits < {param('new_visits')} THEN {param('bonus')} ELSE 0 END)"
        )
        if not dialect.named_parameters:
            return sql, positional
        used = [name for name in values if f":b_{name}" in sql]
        return sql, {f"b_{name}": values[name] for name in used}
