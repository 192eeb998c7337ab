"""The back office for help requests, offers, matching runs, bookings and reviews.

One module per aggregate. Everything with a status moves through the services (each status's one
move function), so the admin shows those rows read-only: the manager sees the whole story without
being able to bend it. Service categories are edited in `catalogue.admin`; the helpers' approval
actions are in `helpers.admin`.
"""

from bookings.admin import help_requests, matching_runs, offers, reviews, visits

__all__ = ["help_requests", "matching_runs", "offers", "reviews", "visits"]
