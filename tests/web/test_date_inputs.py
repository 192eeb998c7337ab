"""Every date, moment and time field of the helper's and the manager's forms shows the value it
is given in every language. The browser's pickers take ISO 8601 (2027-03-08,
2027-03-08T14:30, 14:30) whatever the page's language; given the day as French, German or
Italian write it ("08/03/2027", "08.03.2027") they show the field empty."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.conf import settings
from django.forms.widgets import DateTimeBaseInput
from django.utils import translation

from helpers.models import HelperDocument
from web import console_forms, date_inputs, helper_forms, helper_profile_forms, kept_forms
from web import forms as web_forms

ZURICH = ZoneInfo("Europe/Zurich")
DAY = date(2027, 3, 8)
MOMENT = datetime(2027, 3, 8, 14, 30, tzinfo=ZURICH)
WINDOW = (datetime(2027, 3, 8, 8, 0, tzinfo=ZURICH), datetime(2027, 3, 8, 18, 0, tzinfo=ZURICH))
LANGUAGES = ("de", "fr", "it", "en")

# (what, the form given its initial values, the field, the value given)
FormMaker = Callable[[dict[str, Any]], forms.Form]
PREFILLED: list[tuple[str, FormMaker, str, object]] = [
    ("time off, first day", lambda i: helper_forms.TimeOffForm(initial=i), "first_day", DAY),
    ("time off, last day", lambda i: helper_forms.TimeOffForm(initial=i), "last_day", DAY),
    (
        "suspension's last day",
        lambda i: helper_forms.SuspendForm(initial=i, prefix="suspend"),
        "last_day",
        DAY,
    ),
    (
        "extract issued on",
        lambda i: helper_forms.DocumentUploadForm(
            initial=i, kind=HelperDocument.Kind.CRIMINAL_RECORD_EXTRACT
        ),
        "issued_on",
        DAY,
    ),
    ("funnel from", lambda i: helper_forms.FunnelPeriodForm(initial=i), "since", DAY),
    ("funnel until", lambda i: helper_forms.FunnelPeriodForm(initial=i), "until", DAY),
    (
        "proposed start",
        lambda i: helper_forms.ProposeForm(initial=i, windows=[WINDOW]),
        "start_1",
        MOMENT,
    ),
    ("weekly hours", lambda i: helper_forms.WeeklyHoursForm(initial=i), "d0_1_start", time(8)),
    ("event starts", lambda i: console_forms.EventForm(initial=i), "starts_at", MOMENT),
    ("event ends", lambda i: console_forms.EventForm(initial=i), "ends_at", MOMENT),
]
EXPECTED = {date: "2027-03-08", datetime: "2027-03-08T14:30", time: "08:00"}
INPUT_TYPE = {date: "date", datetime: "datetime-local", time: "time"}


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("make", "name", "value"),
    [pytest.param(make, name, value, id=what) for what, make, name, value in PREFILLED],
)
def test_a_prefilled_date_field_shows_its_value_in_every_language(language, make, name, value):
    with translation.override(language):
        html = str(make({name: value})[name])

    kind = type(value)
    assert re.search(r'type="([^"]+)"', html).group(1) == INPUT_TYPE[kind], html
    assert re.search(r'value="([^"]*)"', html).group(1) == EXPECTED[kind], html


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_value_typed_in_the_picker_is_read_in_every_language(language):
    with translation.override(language):
        form = helper_forms.TimeOffForm(
            {"kind": "unavailable", "first_day": "2027-03-08", "last_day": "2027-03-09"}
        )
        assert form.is_valid(), form.errors
    assert (form.cleaned_data["first_day"], form.cleaned_data["last_day"]) == (
        DAY,
        date(2027, 3, 9),
    )


FORM_MODULES = (web_forms, helper_forms, helper_profile_forms, kept_forms, console_forms)


def test_every_declared_date_field_of_the_web_forms_takes_an_iso_picker():
    """A new date field with Django's own widget would be written the language's way."""
    found = []
    for module in FORM_MODULES:
        for form in vars(module).values():
            if not (isinstance(form, type) and issubclass(form, forms.BaseForm)):
                continue
            for name, field in form.base_fields.items():
                widget = field.widget
                if isinstance(widget, DateTimeBaseInput):
                    found.append((form.__name__, name))
                    assert isinstance(widget, date_inputs.ISO_INPUTS), (form.__name__, name)
    assert ("TimeOffForm", "first_day") in found
    assert ("EventForm", "starts_at") in found


def test_no_web_form_builds_a_date_widget_of_its_own():
    """Fields made in a form's __init__ (the weekly hours, the proposed starts, the extract's
    date) are not among the declared ones: the source says which widget they take."""
    django_widgets = {"DateInput", "DateTimeInput", "TimeInput", "SplitDateTimeWidget"}
    web = Path(settings.BASE_DIR) / "web"
    built = [
        (path.name, node.lineno)
        for path in sorted(web.rglob("*.py"))
        if path.name != "date_inputs.py"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute | ast.Name)
        and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id)
        in django_widgets
    ]
    assert built == []
