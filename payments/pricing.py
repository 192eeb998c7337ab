"""What Quartier takes from a visit's price: nothing. The helper keeps the whole price
(computed by `bookings.pricing`); payments will charge it without an application fee."""

from __future__ import annotations

PLATFORM_FEE_MINOR = 0
