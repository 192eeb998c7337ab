"""The helper's own profile: the application form and the form that changes it later. They
check the shape of what was typed and, in `clean()`, run the helper service's own rules on the
fields that passed, so every problem is said in one round; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from backend.models import User
from backend.services import validate_profile_languages
from catalogue.models import ServiceCategory
from helpers.services import (
    validate_bio,
    validate_home_address,
    validate_hourly_rate,
    validate_radius,
    validate_skills,
)
from web.errors import add_service_rules
from web.forms import language_choices

# The helper services' field names, as the profile forms name them.
PROFILE_FIELDS = {"hourly_rate_minor": "hourly_rate", "home_address": "skills"}


class CategoriesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: ServiceCategory) -> str:
        return obj.name  # in the active language


class HelperProfileForm(forms.Form):
    skills = CategoriesField(
        label=_("What you can help with"),
        queryset=ServiceCategory.objects.filter(is_active=True),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
    )
    service_radius_km = forms.IntegerField(
        label=_("How far you travel from home, in km"),
        widget=forms.NumberInput({"inputmode": "numeric"}),
        help_text=_("From 1 to 50 km."),
    )
    hourly_rate = forms.DecimalField(
        label=_("Your hourly rate in CHF"),
        max_digits=6,
        decimal_places=2,
        widget=forms.NumberInput({"inputmode": "decimal", "step": "0.05"}),
        help_text=_("You keep all of it: Quartier takes nothing."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages you speak"),
        choices=language_choices,
        widget=forms.CheckboxSelectMultiple,
    )
    bio = forms.CharField(
        label=_("A few words about you"),
        max_length=1000,
        required=False,
        widget=forms.Textarea({"rows": 3}),
    )

    def rate_minor(self) -> int:
        return int(self.cleaned_data["hourly_rate"] * 100)

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        add_service_rules(
            self,
            [
                (("skills",), lambda: validate_skills(list(cleaned["skills"]))),
                (("service_radius_km",), lambda: validate_radius(cleaned["service_radius_km"])),
                (("hourly_rate",), lambda: validate_hourly_rate(self.rate_minor())),
                (("languages",), lambda: validate_profile_languages(cleaned["languages"])),
                (("bio",), lambda: validate_bio(cleaned["bio"])),
            ],
            fields=PROFILE_FIELDS,
        )
        return cleaned


class HelperApplicationForm(HelperProfileForm):
    """The application: also the rule that needs the applicant, a home address set first."""

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self) -> dict:
        cleaned = super().clean()
        add_service_rules(
            self, [((), lambda: validate_home_address(self.user))], fields=PROFILE_FIELDS
        )
        return cleaned


class HelperUpdateForm(HelperProfileForm):
    is_accepting_jobs = forms.BooleanField(label=_("Send me offers"), required=False)
