"""The browser's own pickers for a day, a moment and a time of day, for every form of the web app.

Their value is ISO 8601 in every language (2027-03-08, 2027-03-08T14:30, 14:30): given the
day as French, German or Italian write it ("08/03/2027", "08.03.2027") the browser shows the
field empty, which Django's own widgets do for a pre-filled field. What the browser sends
back is ISO as well, which the date and time fields read in every language.
"""

from __future__ import annotations

from typing import Any

from django import forms

from backend.texts import refuse_null_characters

DAY_FORMAT = "%Y-%m-%d"
# Swiss local time, to the minute, as a datetime-local field writes it.
MOMENT_FORMAT = "%Y-%m-%dT%H:%M"
CLOCK_FORMAT = "%H:%M"


class DayInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=DAY_FORMAT)


class MomentInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=MOMENT_FORMAT)


class MomentField(forms.DateTimeField):
    """A moment picked with `MomentInput`, in Swiss local time; a value with a NUL byte is
    refused (`refuse_null_characters`), not read up to it."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MomentInput())
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        refuse_null_characters(value)
        return super().to_python(value)


class ClockInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=CLOCK_FORMAT)


# Every date and time widget the web app's forms may take.
ISO_INPUTS = (DayInput, MomentInput, ClockInput)
