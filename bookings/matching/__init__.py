"""Matching: which helpers a help request is offered to, and the match index it searches.

Read it in this order:

- `explain.match_request`: the entry point. Ranks the helpers for a request and records who
  was considered and why (`Candidate`, `Considered`).
- `ranking.rank`: the composite ranking, walking the match index outwards in named steps.
- `scoring.Weights`: the one definition of the score (distance, Bayesian rating, reliability).
- `index`: the match index's write side (`match_index_refresh`, `match_index_rebuild`,
  `match_index_check`): one `MatchEntry` row per eligible helper and skill.
- `search`: the ring search (`rings`) and each database's `SpatialIndex` (`spatial_index`),
  which also holds what the process remembers between searches.
- `protocol`: the rows a search returns and the ring protocol both backends speak.
- `sqlite`, `postgres`: one module per database: the per-category spatial indexes (an R*Tree,
  a partial GiST) and their searches.
"""
