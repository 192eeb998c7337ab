"""The helper's and the manager's forms: they check the shape of what was typed; the services
decide (rates, radii, overlapping hours, times inside the customer's windows)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from backend.config import config
from backend.file_sizes import file_size_words
from bookings.models import DeclineReason, DisputeOutcome, Party, SafetyOutcome
from catalogue.models import ServiceCategory
from helpers.appeal_services import AppealOutcome
from helpers.models import (
    APPEAL_TEXT_MAX_LENGTH,
    APPROVAL_NOTE_MAX_LENGTH,
    ApprovalStatus,
    ExceptionKind,
    HelperDocument,
)
from web.date_inputs import MOMENT_FORMAT, ClockInput, DayInput, MomentField, MomentInput
from web.forms import ZURICH, WaiversForm
from web.words import APPROVAL_WORDS

WEEKDAYS = (
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
)
INTERVALS_PER_DAY = 2
MAX_PROPOSED = 3


def eta_choices() -> list[tuple[int, str]]:
    return [
        (minutes, gettext("%(minutes)d minutes") % {"minutes": minutes})
        for minutes in (10, 15, 20, 30, 45, 60, 90)
    ]


LENGTH_CHOICES = [
    (60, _("1 hour")),
    (90, _("1½ hours")),
    (120, _("2 hours")),
    (180, _("3 hours")),
]


class WeeklyHoursForm(forms.Form):
    """Each day of the week: up to two stretches of time, in Swiss local time."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for day in range(7):
            for number in range(1, INTERVALS_PER_DAY + 1):
                for end in ("start", "end"):
                    field = forms.TimeField(
                        label=_("From") if end == "start" else _("Until"),
                        required=False,
                        widget=ClockInput(),
                    )
                    # Above the form, a problem names the day: 14 fields are "Until".
                    words = (
                        gettext("%(day)s, from") if end == "start" else gettext("%(day)s, until")
                    )
                    named = words % {"day": WEEKDAYS[day]}
                    field.summary_label = named  # type: ignore[attr-defined]
                    self.fields[f"d{day}_{number}_{end}"] = field

    def days(self) -> list[tuple[str, list[tuple[forms.BoundField, forms.BoundField]]]]:
        return [
            (
                str(WEEKDAYS[day]),
                [
                    (self[f"d{day}_{number}_start"], self[f"d{day}_{number}_end"])
                    for number in range(1, INTERVALS_PER_DAY + 1)
                ],
            )
            for day in range(7)
        ]

    def intervals(self) -> list[tuple[int, time, time, str]]:
        """(weekday, start, end, the end field's name) of each stretch filled in."""
        chosen = []
        for day in range(7):
            for number in range(1, INTERVALS_PER_DAY + 1):
                start = self.cleaned_data.get(f"d{day}_{number}_start")
                end = self.cleaned_data.get(f"d{day}_{number}_end")
                if start and end:
                    chosen.append((day, start, end, f"d{day}_{number}_end"))
        return chosen

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        for day in range(7):
            for number in range(1, INTERVALS_PER_DAY + 1):
                start = cleaned.get(f"d{day}_{number}_start")
                end = cleaned.get(f"d{day}_{number}_end")
                if bool(start) != bool(end):
                    self.add_error(
                        f"d{day}_{number}_end" if start else f"d{day}_{number}_start",
                        _("Give both the start and the end, or neither."),
                    )
        return cleaned


class TimeOffForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What is it?"),
        choices=(
            (ExceptionKind.UNAVAILABLE, _("I am not available (holiday, sick day)")),
            (ExceptionKind.AVAILABLE, _("I am available outside my weekly hours")),
        ),
        widget=forms.RadioSelect,
        initial=ExceptionKind.UNAVAILABLE,
    )
    first_day = forms.DateField(label=_("First day"), widget=DayInput())
    last_day = forms.DateField(label=_("Last day"), widget=DayInput())
    note = forms.CharField(label=_("Note for yourself"), max_length=200, required=False)

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", _("The last day must not come before the first day."))
        return cleaned

    def span(self) -> tuple[datetime, datetime]:
        first: date = self.cleaned_data["first_day"]
        last: date = self.cleaned_data["last_day"]
        return (
            datetime.combine(first, time(0), tzinfo=ZURICH),
            datetime.combine(last + timedelta(days=1), time(0), tzinfo=ZURICH),
        )


class HelperTermsForm(WaiversForm):
    """The helpers' terms (the code of conduct, the liability terms) a helper has still to
    accept: a tick-box each, with the SHA-256 of the text shown. A helper accepts for
    themselves only."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["on_behalf_name"]


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why not?"),
        choices=[
            (DeclineReason.NOT_AVAILABLE, _("I am not available then")),
            (DeclineReason.TOO_FAR, _("It is too far for me")),
            (DeclineReason.NOT_MY_SKILL, _("It is not something I can do")),
            (DeclineReason.OTHER, _("Another reason")),
        ],
        widget=forms.RadioSelect,
        initial=DeclineReason.NOT_AVAILABLE,
        error_messages={
            "required": _("Choose one of the options."),
            "invalid_choice": _("Choose one of the options."),
        },
    )


class ProposeForm(forms.Form):
    """Up to three times for the visit, each a start and a length. Given the customer's times,
    the phone's date picker opens on the first of them and offers nothing outside them (the
    service still checks each time)."""

    reason = forms.CharField(
        label=_("Why the visit moves (the customer reads this)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )

    def __init__(
        self, *args: object, windows: Sequence[tuple[datetime, datetime]] = (), **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        bounds = {}
        if windows:
            # Swiss local time, as the field reads it; the shortest visit must fit before the end.
            bounds = {
                "min": min(start for start, _end in windows).astimezone(ZURICH),
                "max": max(end for _start, end in windows).astimezone(ZURICH)
                - timedelta(minutes=min(minutes for minutes, _label in LENGTH_CHOICES)),
            }
        attrs = {name: moment.strftime(MOMENT_FORMAT) for name, moment in bounds.items()}
        for number in range(1, MAX_PROPOSED + 1):
            first = number == 1
            self.fields[f"start_{number}"] = MomentField(
                label=_("Start") if first else _("Or start"),
                required=first,
                input_formats=[MOMENT_FORMAT],
                widget=MomentInput(attrs),
            )
            self.fields[f"length_{number}"] = forms.TypedChoiceField(
                label=_("How long"),
                choices=LENGTH_CHOICES,
                coerce=int,
                initial=60,
                required=False,
                empty_value=None,
            )

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"start_{n}"], self[f"length_{n}"]) for n in range(1, MAX_PROPOSED + 1)]

    def slots(self) -> list[tuple[datetime, datetime]]:
        chosen = []
        for number in range(1, MAX_PROPOSED + 1):
            start = self.cleaned_data.get(f"start_{number}")
            if start:
                minutes = self.cleaned_data.get(f"length_{number}") or 60
                start = start.astimezone(ZURICH)
                chosen.append((start, start + timedelta(minutes=minutes)))
        return chosen


class OnMyWayForm(forms.Form):
    eta_minutes = forms.TypedChoiceField(
        label=_("I will be there in"), choices=eta_choices, coerce=int, initial=20
    )


class CheckOutForm(forms.Form):
    work_summary = forms.CharField(
        label=_("What you did"),
        max_length=2000,
        widget=forms.Textarea({"rows": 3}),
    )
    leave_behind_note = forms.CharField(
        label=_("How to do it yourself next time (the customer keeps this)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea({"rows": 4}),
    )


class NoShowForm(forms.Form):
    note = forms.CharField(
        label=_("What happened?"),
        max_length=500,
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note (the helper reads it)"),
        max_length=500,
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )


class SuspendForm(NoteForm):
    last_day = forms.DateField(
        label=_("Last day of the suspension"),
        help_text=_("Leave it empty to suspend until you lift it."),
        required=False,
        widget=DayInput(),
    )

    def until(self) -> datetime | None:
        """The end: midnight after the last day, Swiss time."""
        day = self.cleaned_data.get("last_day")
        if day is None:
            return None
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZURICH)


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=(
            (DisputeOutcome.VISIT_STANDS, _("The visit stands: it is signed off")),
            (DisputeOutcome.VISIT_VOID, _("The visit is void: it is cancelled")),
        ),
        widget=forms.RadioSelect,
    )
    caused_by = forms.ChoiceField(
        label=_("If void: who caused it?"),
        choices=(
            ("", _("Not void")),
            (Party.CUSTOMER, _("The customer")),
            (Party.HELPER, _("The helper")),
            (Party.NOBODY, _("Nobody")),
        ),
        required=False,
    )
    note = forms.CharField(
        label=_("The decision, in words (both sides read it)"),
        max_length=500,
        widget=forms.Textarea({"rows": 3}),
    )


class HelperFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or e-mail"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Approval"),
        required=False,
        # Every step a helper can stand at, in the order of the vetting.
        choices=(
            ("", _("All")),
            *(
                (status, words)
                for status, words in APPROVAL_WORDS.items()
                if status in ApprovalStatus.values
            ),
        ),
    )
    skill = forms.ModelChoiceField(
        label=_("Skill"),
        queryset=ServiceCategory.objects.filter(is_active=True),
        required=False,
        to_field_name="slug",
        empty_label=_("All"),
    )


PERIOD_CHOICES = (("7", _("7 days")), ("30", _("30 days")), ("90", _("90 days")))


class PeriodForm(forms.Form):
    days = forms.TypedChoiceField(
        label=_("Period"), choices=PERIOD_CHOICES, coerce=int, required=False, empty_value=None
    )


class MapFilterForm(PeriodForm):
    category = forms.ModelChoiceField(
        label=_("Helpers with the skill"),
        queryset=ServiceCategory.objects.filter(is_active=True),
        required=False,
        to_field_name="slug",
        empty_label=_("All"),
    )


class ConductTestAnswersForm(forms.Form):
    """One group of radio buttons per drawn question, in the order drawn: each must be
    answered (the service checks the rest)."""

    def __init__(self, *args: object, questions: list, language: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for number, question in enumerate(questions, start=1):
            self.fields[f"question_{question.pk}"] = forms.TypedChoiceField(
                label=gettext("%(number)d. %(question)s")
                % {"number": number, "question": question.text_in(language)},
                choices=[
                    (option.pk, option.text_in(language)) for option in question.drawn_options
                ],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose an answer.")},
            )
        self.questions = questions

    def answers(self) -> list[tuple[int, int]]:
        return [
            (question.pk, self.cleaned_data[f"question_{question.pk}"])
            for question in self.questions
        ]


class TriageForm(forms.Form):
    """The manager's decision on a safety report."""

    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=(
            (SafetyOutcome.WARNING, _("A warning")),
            (SafetyOutcome.SUSPENSION, _("Suspend the helper")),
            (SafetyOutcome.NO_ACTION, _("No action")),
        ),
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Why (kept on the reported person's record)"),
        help_text=_(
            "A warned or suspended person reads this as the reason for the measure: do not name "
            "who reported them."
        ),
        max_length=1000,
        widget=forms.Textarea({"rows": 3}),
    )

    def __init__(self, *args: Any, about_helper: bool = True, **kwargs: Any) -> None:
        """`about_helper`: the reported person is the visit's helper (a customer reported
        them); a customer reported by a helper can be warned, never suspended."""
        super().__init__(*args, **kwargs)
        if not about_helper:
            field = self.fields["outcome"]
            field.choices = [  # type: ignore[attr-defined]
                choice
                for choice in field.choices  # type: ignore[attr-defined]
                if choice[0] != SafetyOutcome.SUSPENSION
            ]


class DocumentUploadForm(forms.Form):
    """One of the applicant's documents. Its type, size, age and content are the upload
    service's to judge; the form only asks for a file (and the extract's issue date)."""

    file = forms.FileField(
        label=_("The file (a photo or a PDF)"),
        error_messages={"required": _("Choose a file."), "empty": _("The file is empty.")},
        widget=forms.ClearableFileInput({"accept": "image/jpeg,image/png,image/webp,.pdf"}),
    )

    def __init__(self, *args: object, kind: str, **kwargs: object) -> None:
        kwargs["prefix"] = kind
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.kind = kind
        self.fields["file"].help_text = gettext(
            "A photo (JPEG, PNG, WebP) or a PDF, at most %(size)s."
        ) % {"size": file_size_words(config().document_max_bytes)}
        if kind == HelperDocument.Kind.CRIMINAL_RECORD_EXTRACT:
            self.fields["issued_on"] = forms.DateField(
                label=_("Issued on"),
                help_text=_("The date printed on the extract: at most 3 months ago."),
                required=False,
                widget=DayInput(),
            )


class VettingFilterForm(forms.Form):
    """The manager's queue: one step, and a region as the start of the postcode."""

    step = forms.ChoiceField(
        label=_("Step"),
        required=False,
        choices=(
            ("", _("All")),
            ("applied", _("Applied, documents to upload")),
            ("documents_submitted", _("Documents to check")),
            ("documents_checked", _("Documents checked, conduct test to pass")),
            ("conduct_test_passed", _("Conduct test passed, to decide")),
            ("interview", _("Invited to an interview")),
            ("needs_information", _("More information needed")),
        ),
    )
    region = forms.RegexField(
        label=_("Region (start of the postcode)"),
        regex=r"^[0-9]{1,4}$",
        required=False,
        error_messages={"invalid": _("One to four digits, e.g. 80 for Zurich.")},
    )


class VettingDecisionForm(forms.Form):
    """The note with one decision on an application (the decision is in the address), named
    as that decision asks for it; the services say whether the decision fits the step and
    whether the note is required."""

    note = forms.CharField(
        label=_("Note (the applicant reads it)"),
        max_length=500,
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )

    def __init__(self, *args: Any, note_label: str | Promise | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if note_label is not None:
            self.fields["note"].label = str(note_label)  # in the language of this request


class FunnelPeriodForm(forms.Form):
    since = forms.DateField(label=_("From"), widget=DayInput())
    until = forms.DateField(label=_("Until (inclusive)"), widget=DayInput())

    def clean(self) -> dict:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end must come after the start."))
        return data


class RefundForm(forms.Form):
    """A refund in francs with its reason (the service takes Rappen and checks that it is no
    more than what is left of the capture)."""

    amount = forms.DecimalField(
        label=_("Amount to refund in CHF"),
        min_value=Decimal("0.01"),
        max_digits=8,
        decimal_places=2,
        widget=forms.NumberInput({"step": "0.01", "inputmode": "decimal"}),
    )
    reason = forms.CharField(
        label=_("Reason (the customer reads it)"),
        max_length=300,
        widget=forms.Textarea({"rows": 3}),
    )

    def amount_minor(self) -> int:
        return int(self.cleaned_data["amount"] * 100)


class ExtraForm(forms.Form):
    """Extra time (minutes, priced at the hourly rate per started quarter hour) and material
    in francs above the agreed price; the customer agrees to it in the app."""

    minutes = forms.IntegerField(
        label=_("Extra time in minutes"),
        min_value=0,
        max_value=480,
        initial=0,
        widget=forms.NumberInput({"inputmode": "numeric", "step": "5"}),
    )
    material = forms.DecimalField(
        label=_("Material in CHF"),
        min_value=Decimal("0"),
        max_digits=7,
        decimal_places=2,
        initial=Decimal("0"),
        widget=forms.NumberInput({"step": "0.05", "inputmode": "decimal"}),
    )
    note = forms.CharField(
        label=_("What for (the customer reads it)"), max_length=300, required=False
    )

    def material_minor(self) -> int:
        return int(self.cleaned_data["material"] * 100)


class AppealForm(forms.Form):
    text = forms.CharField(
        label=_("Why the suspension should be lifted"),
        max_length=APPEAL_TEXT_MAX_LENGTH,
        strip=False,
        widget=forms.Textarea({"rows": 5}),
    )


class AppealDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (AppealOutcome.UPHOLD, _("Uphold the suspension")),
            (AppealOutcome.LIFT, _("Lift the suspension")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Reason (the helper reads it)"),
        max_length=APPROVAL_NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )


class AcademyQuizForm(forms.Form):
    """A course's end quiz: one group of radio buttons per drawn question, in the order drawn,
    in the active language. Each must be answered; the service judges the rest."""

    def __init__(self, *args: object, questions: list, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for number, question in enumerate(questions, start=1):
            self.fields[f"question_{question.pk}"] = forms.TypedChoiceField(
                label=gettext("%(number)d. %(question)s")
                % {"number": number, "question": question.text},
                choices=[(option.pk, option.text) for option in question.options.all()],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose an answer.")},
            )
        self.questions = questions

    def answers(self) -> list[tuple[int, int]]:
        return [
            (question.pk, self.cleaned_data[f"question_{question.pk}"])
            for question in self.questions
        ]
