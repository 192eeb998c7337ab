"""The web app's forms: they check the shape of what was typed; the services decide."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _

from backend import clock
from backend.formats.written import day as day_words
from backend.languages import validate_languages
from backend.models import Language, User
from backend.places import Place, resolve_place
from backend.services import (
    validate_display_name,
    validate_new_password,
    validate_profile_languages,
    validate_sign_up_password,
)
from backend.texts import phone_number, refuse_null_characters
from bookings.services import (
    AddressInput,
    validate_description,
    validate_on_behalf,
    validate_open_request_limit,
    validate_windows,
)
from catalogue.models import LegalDocumentVersion, ServiceCategory
from web.errors import add_service_rules

ZURICH = ZoneInfo("Europe/Zurich")
# How far ahead the day picker reaches (the service allows more; a short list is easier).
DAYS_OFFERED = 21
MAX_WINDOWS = 3
# The services name address fields without the profile's "home_" prefix in some errors.
HOME_FIELDS = {
    "postal_code": "home_postal_code",
    "locality": "home_locality",
    "street": "home_street",
    "location": "home_postal_code",
    "home_location": "home_postal_code",
}
# The request services' field names, as the request form names them.
REQUEST_FIELDS = {f"windows[{index}]": f"day_{index + 1}" for index in range(MAX_WINDOWS)} | {
    "windows": "day_1",
    "location": "postal_code",
}


class Slot:
    """Parts of the day a customer picks from: a window can never end before it starts."""

    CHOICES = (
        ("morning", _("Morning, 8:00 to 12:00")),
        ("midday", _("Midday, 12:00 to 14:00")),
        ("afternoon", _("Afternoon, 14:00 to 18:00")),
        ("evening", _("Evening, 18:00 to 21:00")),
    )
    HOURS = {"morning": (8, 12), "midday": (12, 14), "afternoon": (14, 18), "evening": (18, 21)}


def language_choices() -> list[tuple[str, str]]:
    return list(Language.choices)


def day_choices(today: date) -> list[tuple[str, str]]:
    """From tomorrow on: a day in the past cannot be chosen."""
    days = [today + timedelta(days=offset) for offset in range(1, DAYS_OFFERED + 1)]
    return [(day.isoformat(), day_words(day)) for day in days]


def window_of(day: str, slot: str) -> tuple[datetime, datetime]:
    start_hour, end_hour = Slot.HOURS[slot]
    chosen = date.fromisoformat(day)
    return (
        datetime.combine(chosen, time(start_hour), tzinfo=ZURICH),
        datetime.combine(chosen, time(end_hour), tzinfo=ZURICH),
    )


def email_address_field() -> forms.EmailField:
    """The e-mail address of a person's account, refused with what to do when it is incomplete
    ("anna@example" without its end), in the pages' own voice rather than Django's (whose
    Italian speaks to the reader informally). The browser may fill it in (`autocomplete`)."""
    return forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput({"autocomplete": "email"}),
        error_messages={
            "invalid": _("Enter the whole e-mail address, for example anna.muster@example.ch.")
        },
    )


class SignUpForm(forms.Form):
    display_name = forms.CharField(label=_("Your name"), max_length=80)
    email = email_address_field()
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        max_length=128,
        help_text=_("At least 8 characters, not only digits, not a common password."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages you speak"),
        choices=language_choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        # The account's own rules on the fields that passed, said with the form's problems
        add_service_rules(
            self,
            [
                (("display_name",), lambda: validate_display_name(cleaned["display_name"])),
                (
                    ("password",),
                    lambda: validate_sign_up_password(
                        cleaned["password"],
                        email=cleaned.get("email", ""),
                        display_name=cleaned.get("display_name", ""),
                    ),
                ),
                (("languages",), lambda: validate_profile_languages(cleaned["languages"])),
            ],
        )
        return cleaned


class LogInForm(forms.Form):
    email = email_address_field()
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PasswordResetRequestForm(forms.Form):
    email = email_address_field()


class PasswordResetForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=500)
    password = forms.CharField(
        label=_("New password"),
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class PasswordChangeForm(forms.Form):
    current_password = forms.CharField(
        label=_("Current password"),
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("New password"),
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        # The new password's rules, said with the form's problems. Whether the current password
        # is right only the change itself checks: it counts a wrong one as a failed log-in.
        new_password = cleaned.get("new_password", "")
        add_service_rules(
            self,
            [
                (
                    ("new_password",),
                    lambda: validate_new_password(new_password, self.user, field="new_password"),
                )
            ],
        )
        return cleaned


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Your name"), max_length=80)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    languages = forms.MultipleChoiceField(
        label=_("Languages you speak"),
        choices=language_choices,
        widget=forms.CheckboxSelectMultiple,
    )
    preferred_language = forms.ChoiceField(
        label=_("Language of Quartier's pages and e-mails"), choices=language_choices
    )
    home_street = forms.CharField(label=_("Street and number"), max_length=120, required=False)
    home_postal_code = forms.CharField(
        label=_("Postcode"),
        max_length=4,
        required=False,
        widget=forms.TextInput({"inputmode": "numeric", "autocomplete": "postal-code"}),
    )
    home_locality = forms.CharField(
        label=_("Locality"),
        max_length=80,
        required=False,
        widget=forms.TextInput({"list": "locality-suggestions", "autocomplete": "address-level2"}),
    )

    def home(self) -> Place | None:
        """The home address typed, as the directory knows it; None when it is left empty."""
        data = self.cleaned_data
        parts = (data["home_street"], data["home_postal_code"], data["home_locality"])
        if not any(parts):
            return None
        street, postal_code, locality = parts
        return resolve_place(
            street=street, postal_code=postal_code, locality=locality, field_prefix="home_"
        )

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        # The profile's own rules on the fields that passed, said with the form's problems
        add_service_rules(
            self,
            [
                (("display_name",), lambda: validate_display_name(cleaned["display_name"])),
                (("phone",), lambda: phone_number(cleaned["phone"], field="phone")),
                (("languages",), lambda: validate_profile_languages(cleaned["languages"])),
                (("home_street", "home_postal_code", "home_locality"), self.home),
            ],
            fields=HOME_FIELDS,
        )
        return cleaned


class WindowChoiceField(forms.ChoiceField):
    """A window's day or part of the day, picked from a list. A value sent with a NUL byte is
    refused as every text field refuses it (`null_characters_not_allowed`), rather than as a
    choice not offered, whose message would repeat the NUL."""

    def to_python(self, value: Any) -> str:
        refuse_null_characters(value)
        return super().to_python(value)


class TimesForm(forms.Form):
    """Up to MAX_WINDOWS days, each with a part of the day, from tomorrow on; the first one
    required."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        days = day_choices(clock.now().astimezone(ZURICH).date())
        for number in range(1, MAX_WINDOWS + 1):
            required = number == 1
            blank = [] if required else [("", _("No other day"))]
            self.fields[f"day_{number}"] = WindowChoiceField(
                label=_("Day") if required else _("Or another day"),
                choices=[*blank, *days],
                required=required,
            )
            self.fields[f"slot_{number}"] = WindowChoiceField(
                label=_("Time"), choices=[*blank, *Slot.CHOICES], required=required
            )

    def window_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """Each window's day and part of the day, as the page shows them side by side."""
        return [
            (self[f"day_{number}"], self[f"slot_{number}"]) for number in range(1, MAX_WINDOWS + 1)
        ]

    def _chosen(self) -> list[int]:
        """The numbers of the windows whose day and time were both chosen and passed."""
        return [
            number
            for number in range(1, MAX_WINDOWS + 1)
            if self.cleaned_data.get(f"day_{number}") and self.cleaned_data.get(f"slot_{number}")
        ]

    def windows(self) -> list[tuple[datetime, datetime]]:
        return [
            window_of(self.cleaned_data[f"day_{number}"], self.cleaned_data[f"slot_{number}"])
            for number in self._chosen()
        ]

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        for number in range(2, MAX_WINDOWS + 1):
            day, slot = cleaned.get(f"day_{number}"), cleaned.get(f"slot_{number}")
            # One of them refused already says what is wrong with the pair.
            refused = self.has_error(f"day_{number}") or self.has_error(f"slot_{number}")
            if bool(day) != bool(slot) and not refused:
                self.add_error(
                    f"slot_{number}" if day else f"day_{number}",
                    _("Choose both the day and the time, or neither."),
                )
        # The request's rules on the windows chosen, said with the form's own problems: each
        # window's next to its day (none chosen: the form says the first day is required).
        numbers = self._chosen()
        if numbers:
            windows = self.windows()
            named = {f"windows[{index}]": f"day_{number}" for index, number in enumerate(numbers)}
            add_service_rules(
                self,
                [((), lambda: validate_windows(windows, now=clock.now()))],
                fields=named | {"windows": f"day_{numbers[0]}"},
            )
        return cleaned


class HelpRequestForm(TimesForm):
    category = forms.ModelChoiceField(
        label=_("What do you need help with?"),
        queryset=ServiceCategory.objects.filter(is_active=True),
        widget=forms.RadioSelect,
        empty_label=None,
    )
    description = forms.CharField(
        label=_("Describe the problem"),
        max_length=2000,
        widget=forms.Textarea({"rows": 4}),
        help_text=_("For example: “The television shows no picture since the storm.”"),
    )
    place = forms.ChoiceField(
        label=_("Where should the helper come?"),
        choices=(("home", _("To my home address")), ("other", _("To another address"))),
        widget=forms.RadioSelect,
        initial="home",
    )
    street = forms.CharField(label=_("Street and number"), max_length=120, required=False)
    postal_code = forms.CharField(
        label=_("Postcode"),
        max_length=4,
        required=False,
        widget=forms.TextInput({"inputmode": "numeric"}),
    )
    locality = forms.CharField(label=_("Locality"), max_length=80, required=False)
    languages = forms.MultipleChoiceField(
        label=_("Languages the helper may speak"),
        choices=language_choices,
        widget=forms.CheckboxSelectMultiple,
    )
    for_someone_else = forms.BooleanField(
        label=_("I am booking for someone else (for example a parent)"), required=False
    )
    on_behalf_name = forms.CharField(
        label=_("Name of the person the helper will meet"), max_length=80, required=False
    )
    on_behalf_phone = forms.CharField(
        label=_("Their phone number"),
        max_length=20,
        required=False,
        widget=forms.TextInput({"inputmode": "tel"}),
    )

    def __init__(self, *args: object, customer: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Whose request it is: their home address, and how many of theirs are open.
        self.customer = customer
        # In the page's order (what, when, where, languages, who): so are its problems listed
        self.order_fields(
            [
                "category",
                "description",
                *(
                    f"{part}_{number}"
                    for number in range(1, MAX_WINDOWS + 1)
                    for part in ("day", "slot")
                ),
            ]
        )

    def address(self) -> AddressInput:
        """Where the helper should come: the customer's home, or the address typed."""
        data = self.cleaned_data
        if data.get("place") == "home":
            me = self.customer
            return AddressInput(
                street=me.home_street, postal_code=me.home_postal_code, locality=me.home_locality
            )
        return AddressInput(
            street=data.get("street", ""),
            postal_code=data.get("postal_code", ""),
            locality=data.get("locality", ""),
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        # Ticked, the request is for that person: never posted as if it were for the one who
        # booked because both their name and phone were left out (one of the two missing is
        # the service's to refuse)
        person = ("on_behalf_name", "on_behalf_phone")
        someone_else = cleaned.get("for_someone_else")
        if someone_else and not any(cleaned.get(f) for f in person):
            for field in person:
                if field not in self.errors:
                    self.add_error(
                        field,
                        _(
                            "When booking for someone else, give their name and phone so the "
                            "helper can call."
                        ),
                    )
        # The request's own rules on the fields that passed, said with the form's problems
        typed = () if cleaned.get("place") == "home" else ("street", "postal_code", "locality")
        rules = [
            (("description",), lambda: validate_description(cleaned["description"])),
            (("place", *typed), lambda: self.address().resolve()),
            (("languages",), lambda: validate_languages(cleaned["languages"])),
            ((), lambda: validate_open_request_limit(self.customer)),
        ]
        if someone_else:
            rules.append(
                (person, lambda: validate_on_behalf(*(cleaned[field] for field in person)))
            )
        add_service_rules(self, rules, fields=REQUEST_FIELDS)
        return cleaned


class WaiversForm(forms.Form):
    """The terms and waivers a customer has still to accept before confirming a visit, shown in
    `language`: a tick-box for each, the SHA-256 of the text shown with it, and for whom (a
    relative booking for someone)."""

    on_behalf_name = forms.CharField(
        label=_("Booking for someone else? Their name"),
        help_text=_("Leave it empty if the visit is for you."),
        required=False,
        max_length=80,
    )

    def __init__(
        self, versions: list[LegalDocumentVersion], language: str, *args: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.versions = versions
        self.language = language
        for version in versions:
            self.fields[f"accept_{version.pk}"] = forms.BooleanField(
                label=_("I have read and accept: %(title)s")
                % {"title": version.title_in(language)},
                error_messages={"required": _("Tick this box to accept it.")},
            )
            self.fields[f"shown_{version.pk}"] = forms.CharField(
                widget=forms.HiddenInput, initial=version.sha256_in(language), max_length=64
            )
        self.order_fields([*(f"accept_{version.pk}" for version in versions), "on_behalf_name"])

    def documents(self) -> list[tuple[str, str, forms.BoundField, forms.BoundField]]:
        """Each version's title and text in the form's language, its tick-box and the hidden
        SHA-256 of that text."""
        return [
            (
                version.title_in(self.language),
                version.text_in(self.language),
                self[f"accept_{version.pk}"],
                self[f"shown_{version.pk}"],
            )
            for version in self.versions
        ]

    def shown(self) -> dict[LegalDocumentVersion, str]:
        """Each version accepted, with the SHA-256 of the text the page showed."""
        return {version: self.cleaned_data[f"shown_{version.pk}"] for version in self.versions}


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Why?"), max_length=1000, widget=forms.Textarea({"rows": 3}))


class TipForm(forms.Form):
    """A tip in francs (the service takes Rappen and checks the bounds)."""

    amount = forms.DecimalField(
        label=_("Tip in CHF"),
        min_value=Decimal("0.01"),
        max_digits=7,
        decimal_places=2,
        widget=forms.NumberInput({"step": "0.01", "inputmode": "decimal"}),
    )

    # After the helper reconnected their payout account, the card Stripe.js made for the tip on
    # the new one (the visit's card cannot pay it); empty: the visit's card. Not kept with a
    # refused tip (`web.kept_forms`): the card is given again.
    not_kept = ("payment_method",)
    payment_method = forms.CharField(
        label=_("Card"), max_length=64, widget=forms.HiddenInput, required=False
    )

    def amount_minor(self) -> int:
        return int(self.cleaned_data["amount"] * 100)

    def payment_method_id(self) -> str:
        return str(self.cleaned_data.get("payment_method") or "").strip()


class CardForm(forms.Form):
    """The card Stripe.js made in the browser (a PaymentMethod id; the card's number never
    reaches Quartier). Not kept with a refused form (`web.kept_forms`): the card is given again."""

    not_kept = ("payment_method",)
    payment_method = forms.CharField(
        label=_("Card"), max_length=64, widget=forms.HiddenInput, required=False
    )

    def clean_payment_method(self) -> str:
        value = str(self.cleaned_data.get("payment_method") or "").strip()
        if not value:
            raise forms.ValidationError(_("Enter your card's details."), code="required")
        return value


class ConfirmTimeForm(forms.Form):
    proposal = forms.UUIDField(widget=forms.HiddenInput)


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How was the visit?"),
        coerce=int,
        choices=(
            (5, _("5 stars: excellent")),
            (4, _("4 stars: good")),
            (3, _("3 stars: all right")),
            (2, _("2 stars: poor")),
            (1, _("1 star: bad")),
        ),
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("A few words for others (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea({"rows": 3}),
    )


class SafetyReportForm(forms.Form):
    """A safety report on the other side of a visit, for the community manager's eyes only."""

    category = forms.ChoiceField(
        label=_("What happened?"),
        choices=(
            ("safety", _("I did not feel safe")),
            ("harassment", _("Harassment")),
            ("damage", _("Something was damaged")),
            ("no_show", _("Nobody came")),
            ("other", _("Something else")),
        ),
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Tell us more (only the community manager reads this)"),
        max_length=2000,
        widget=forms.Textarea({"rows": 4}),
    )
