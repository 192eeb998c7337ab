"""Phone numbers and e-mail addresses in what a customer or helper wrote, masked for a reader
who may not have them: the visit's chat (`realtime.participants`) and the request's
description as its helper reads it (`bookings.selectors.request_description_for`). The stored
text is kept as written; the mask is applied at read time, per reader."""

from __future__ import annotations

import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Seven or more digits, allowing the spaces, dots, dashes, slashes and brackets people write.
PHONE = re.compile(r"\+?\(?\d(?:[\s./()-]*\d){6,}")
MASK = "•••"


def mask_contacts(text: str) -> str:
    return PHONE.sub(MASK, EMAIL.sub(MASK, text))
