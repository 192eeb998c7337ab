"""Fair choice: of the helpers whose scores lie within the fairness margin, whom to ask.

`ranking.rank` finds the band (the best `limit` and the nearest of the equally good) and asks
`fair_choice` which of them get the offers, fewest offers today first, never passing over a
clearly better helper.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Protocol, TypeVar

from bookings.matching.protocol import IndexRow


class Candidate(Protocol):
    """What the choice reads of a helper in the band (`ranking.Scored` is one)."""

    @property
    def row(self) -> IndexRow: ...
    @property
    def distance_m(self) -> float: ...
    @property
    def new_helper(self) -> bool: ...
    @property
    def ranking(self) -> float: ...


Scored = TypeVar("Scored", bound=Candidate)


def fair_choice(
    band: Sequence[Scored], counts: dict[int, int], *, limit: int, margin: float
) -> list[Scored]:
    """Of `band` (best first), the `limit` helpers to ask: no helper left out may score more
    than `margin` above any helper chosen (scores that close count as equally good; a clearly
    better helper is never passed over), and within that bound the fewest offers today between
    them, then the most newcomers, then the shortest distances.

    Each helper in turn is tried as the lowest chosen one: everyone scoring more than `margin`
    above them must be chosen too, and the places left go to those in between, fewest offers
    first (each offer goes where it adds least to the sum of squared counts, i.e. to their
    spread), then newcomers, then the nearest. Of all these, the least (offers, newcomers,
    distance) in total wins; on a tie, the first tried. Distance rather than score settles ties
    on purpose: the best scores among equals belong to the same well-rated helpers request after
    request, while the nearest are as many different helpers as there are customers. The chosen
    are returned fewest offers today first, then best first (the order of their offers).
    """
    wanted = min(limit, len(band))
    if wanted == 0:
        return []

    def key(scored: Scored) -> tuple[int, bool, float, int]:
        offers = counts.get(scored.row.helper_id, 0)
        return offers, not scored.new_helper, scored.distance_m, scored.row.helper_id

    keys = [key(scored) for scored in band]

    def cost(picked: list[int]) -> tuple[int, int, float]:
        return (
            sum(keys[i][0] for i in picked),
            sum(keys[i][1] for i in picked),
            sum(keys[i][2] for i in picked),
        )

    # The best `wanted` always keep the bound: the first choice to beat.
    best_picked = list(range(wanted))
    best_cost = cost(best_picked)
    above = 0  # band[:above] score more than `margin` above the one tried as the lowest
    # Those in between, band[above:lowest], as (key, index) in the order of their keys (which
    # differ: the helper's id is the last part): kept in step as `above` and `lowest` move,
    # rather than sorted anew for each one tried, which took time quadratic in the band.
    between_keys = sorted((keys[i], i) for i in range(wanted))
    for lowest in range(wanted, len(band)):
        floor = band[lowest].ranking
        while band[above].ranking > floor + margin:
            del between_keys[bisect.bisect_left(between_keys, (keys[above], above))]
            above += 1
        if above > wanted - 1:
            break  # too many must be chosen above this one, and above anyone lower
        between = [i for _, i in between_keys[: wanted - 1 - above]]
        bisect.insort(between_keys, (keys[lowest], lowest))
        picked = [*range(above), *between, lowest]
        picked_cost = cost(picked)
        if picked_cost < best_cost:
            best_picked, best_cost = picked, picked_cost
    return [band[i] for i in sorted(best_picked, key=lambda i: (keys[i][0], i))]
