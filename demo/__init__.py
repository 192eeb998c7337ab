"""A believable Quartier for demos and development: `manage.py seed_demo`.

People live around real Swiss postcodes, speak the languages of where they live, and walk the
whole help-request loop. Every write goes through the services, at past moments on the services'
own clock (`backend.clock`), so the data is exactly what the product would have produced:
requests posted days ago, offers answered within their 30 minutes, visits checked in at their
slot, reviews within their window. The package sits above every app whose services it calls.

- `texts`: the names and texts, from `data/demo/*.toml`;
- `history`: the demo's now and the past moments its steps run at;
- `places`, `people`: where people live; the manager, customers and helpers;
- `community`: the state of one build, and the planning questions scenarios ask;
- `posting`, `visits`: the steps of a request and of a visit;
- `scenarios`: one story per kind, their timings and how common each is;
- `builder`: the whole build; `summary`: what it printed; `reset`: deleting the demo.
"""
