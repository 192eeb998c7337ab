"""The back office for vetting and supporting helpers.

Approval is never edited in the form: the two list actions call `helper_approve` and
`helper_suspend`, the same services the manager's API uses (both ask for the note the move
needs first: a suspension, and lifting one). Profile and skill edits go through
`helper_profile_update`, so the admin cannot store what the app would refuse.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from backend.admin import (
    SpeaksFilter,
    ViewOnlyInline,
    admin_link,
    name_row_controls,
    position_text,
)
from backend.exceptions import ApplicationError
from backend.models import User
from catalogue.models import ServiceCategory
from helpers import services as helper_services
from helpers.models import (
    APPROVAL_NOTE_MAX_LENGTH,
    ApprovalStatus,
    AvailabilityException,
    HelperProfile,
    HelperSkill,
    WeeklyAvailability,
)
from helpers.transitions import reason_required

# Fields the manager may change on a profile; they are handed to `helper_profile_update`.
EDITABLE_PROFILE_FIELDS = ("bio", "service_radius_km", "hourly_rate_minor", "is_accepting_jobs")

# The page that asks for the reason before helpers are suspended, or their suspension lifted.
CONFIRMATION_TEMPLATE = "admin/helpers/helperprofile/action_confirmation.html"


class SuspensionForm(forms.Form):
    note = forms.CharField(
        max_length=APPROVAL_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        label=_("Note"),
        help_text=_("Why the helpers are suspended. Kept on each helper's profile."),
    )


class LiftingForm(forms.Form):
    note = forms.CharField(
        max_length=APPROVAL_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        label=_("Note"),
        help_text=_("Why the suspension is lifted. Each of these helpers reads it."),
    )


def _manager(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def _duration_text(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {seconds} s"
    return f"{seconds} s"


class HelperSpeaksFilter(SpeaksFilter):
    languages_path = "user__languages"


class HelperProfileAdminForm(forms.ModelForm):
    def clean_hourly_rate_minor(self) -> int:
        # What `helper_profile_update` would refuse is shown on the field instead.
        rate: int = self.cleaned_data["hourly_rate_minor"]
        try:
            helper_services.validate_hourly_rate(rate)
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from exc
        return rate


class HelperSkillFormSet(BaseInlineFormSet):
    """Checks what `helper_profile_update` would refuse, so it shows as a form error."""

    def add_fields(self, form: Any, index: int | None) -> None:
        super().add_fields(form, index)
        if form.instance.pk is not None:
            name_row_controls(form, form.instance.category.name)

    def kept_categories(self) -> list[ServiceCategory]:
        return [
            form.cleaned_data["category"]
            for form in self.forms
            if form.cleaned_data.get("category") and not form.cleaned_data.get("DELETE")
        ]

    def clean(self) -> None:
        super().clean()
        if any(self.errors) or not self.has_changed():
            return
        categories = self.kept_categories()
        if not categories:
            raise forms.ValidationError(_("A helper needs at least one skill."))
        inactive = sorted(category.name for category in categories if not category.is_active)
        if inactive:
            raise forms.ValidationError(
                _("These categories are not offered any more: %(categories)s.")
                % {"categories": ", ".join(inactive)}
            )


class HelperSkillInline(admin.TabularInline):
    model = HelperSkill
    formset = HelperSkillFormSet
    fields = ("category", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("category",)
    extra = 0
    verbose_name = _("skill")
    verbose_name_plural = _("skills (what the helper is vetted for)")

    def get_queryset(self, request: HttpRequest) -> QuerySet[HelperSkill]:
        return super().get_queryset(request).select_related("category")


class WeeklyAvailabilityInline(ViewOnlyInline):
    """Helpers set their own hours in the app, where overlaps are checked."""

    model = WeeklyAvailability
    fields = ("weekday", "start_time", "end_time")
    readonly_fields = fields


class AvailabilityExceptionInline(ViewOnlyInline):
    model = AvailabilityException
    fields = ("kind", "starts_at", "ends_at", "note", "created_at")
    readonly_fields = fields


@admin.register(HelperProfile)
class HelperProfileAdmin(admin.ModelAdmin):
    form = HelperProfileAdminForm
    list_display = (
        "display_name",
        "email",
        "phone",
        "locality",
        "approval_status",
        "is_accepting_jobs",
        "skill_list",
        "rating",
        "completed_visits",
        "average_response",
        "approval_changed_at",
        "created_at",
    )
    list_display_links = ("display_name", "email")
    list_select_related = ("user",)
    list_filter = (
        "approval_status",
        "is_accepting_jobs",
        "skills",
        HelperSpeaksFilter,
        "approval_changed_at",
        "created_at",
    )
    search_fields = (
        "user__email",
        "user__display_name",
        "user__phone",
        "user__home_postal_code",
        "user__home_locality",
        "public_id",
    )
    ordering = ("-created_at", "-id")
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = ("approve_helpers", "suspend_helpers")
    inlines = (HelperSkillInline, WeeklyAvailabilityInline, AvailabilityExceptionInline)

    readonly_fields = (
        "public_id",
        "user_link",
        "email",
        "phone",
        "languages",
        "home_address",
        "home_position",
        "currency",
        "approval_status",
        "approval_changed_at",
        "approval_note",
        "rating_count",
        "rating_sum",
        "rating_average",
        "completed_visits",
        "cancellations_caused",
        "late_cancellations_caused",
        "no_shows_caused",
        "offers_received",
        "offers_accepted",
        "offers_declined",
        "offers_expired",
        "response_seconds_total",
        "average_response",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (
            _("Person"),
            {
                "fields": (
                    "public_id",
                    "user_link",
                    "email",
                    "phone",
                    "languages",
                    "home_address",
                    "home_position",
                )
            },
        ),
        (
            _("Offering"),
            {
                "fields": (
                    "bio",
                    "service_radius_km",
                    "hourly_rate_minor",
                    "currency",
                    "is_accepting_jobs",
                )
            },
        ),
        (
            _("Approval (change it with the list's actions)"),
            {"fields": ("approval_status", "approval_changed_at", "approval_note")},
        ),
        (_("Rating"), {"fields": ("rating_count", "rating_sum", "rating_average")}),
        (
            _("Reliability (only what this helper caused counts)"),
            {
                "fields": (
                    "completed_visits",
                    "cancellations_caused",
                    "late_cancellations_caused",
                    "no_shows_caused",
                    "offers_received",
                    "offers_accepted",
                    "offers_declined",
                    "offers_expired",
                    "response_seconds_total",
                    "average_response",
                )
            },
        ),
        (_("Dates"), {"fields": ("created_at", "updated_at")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[HelperProfile]:
        return super().get_queryset(request).select_related("user").prefetch_related("skills")

    def has_add_permission(self, request: HttpRequest) -> bool:
        # People become helpers by applying in the app (`helper_apply`), with a home address.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A helper's offers and bookings keep pointing at the profile: suspend instead.
        return False

    # --- Columns and read-only fields -------------------------------------------------------

    @admin.display(description=_("name"), ordering="user__display_name")
    def display_name(self, helper: HelperProfile) -> str:
        return helper.user.display_name

    @admin.display(description=_("email"), ordering="user__email")
    def email(self, helper: HelperProfile) -> str:
        return helper.user.email

    @admin.display(description=_("phone"))
    def phone(self, helper: HelperProfile) -> str:
        return helper.user.phone or "—"

    @admin.display(description=_("locality"), ordering="user__home_locality")
    def locality(self, helper: HelperProfile) -> str:
        user = helper.user
        return f"{user.home_postal_code} {user.home_locality}".strip() or "—"

    @admin.display(description=_("languages"))
    def languages(self, helper: HelperProfile) -> str:
        return ", ".join(helper.user.languages) or "—"

    @admin.display(description=_("home address"))
    def home_address(self, helper: HelperProfile) -> str:
        user = helper.user
        parts = [user.home_street, f"{user.home_postal_code} {user.home_locality}".strip()]
        return ", ".join(part for part in parts if part) or "—"

    @admin.display(description=_("home position (lat, lon)"))
    def home_position(self, helper: HelperProfile) -> str:
        return position_text(helper.user.home_latitude, helper.user.home_longitude)

    @admin.display(description=_("account"))
    def user_link(self, helper: HelperProfile) -> str:
        return admin_link(helper.user)

    @admin.display(description=_("skills"))
    def skill_list(self, helper: HelperProfile) -> str:
        return ", ".join(category.name for category in helper.skills.all()) or "—"

    @admin.display(description=_("rating"), ordering="rating_count")
    def rating(self, helper: HelperProfile) -> str:
        average = helper.rating_average
        if average is None:
            return gettext("no reviews")
        return f"{average:.2f}★ ({helper.rating_count})"

    @admin.display(description=_("average rating"))
    def rating_average(self, helper: HelperProfile) -> str:
        average = helper.rating_average
        return "—" if average is None else f"{average:.2f}"

    @admin.display(description=_("average response time"))
    def average_response(self, helper: HelperProfile) -> str:
        return _duration_text(helper.average_response_seconds)

    # --- Saving through the services ----------------------------------------------------------

    def save_model(
        self, request: HttpRequest, obj: HelperProfile, form: forms.ModelForm, change: bool
    ) -> None:
        changed = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in EDITABLE_PROFILE_FIELDS
        }
        helper_services.helper_profile_update(helper=obj, **changed)

    def save_formset(
        self, request: HttpRequest, form: forms.ModelForm, formset: Any, change: bool
    ) -> None:
        if not isinstance(formset, HelperSkillFormSet):
            super().save_formset(request, form, formset, change)
            return
        # Unsaved: only so the admin's history records what changed. The service writes.
        formset.save(commit=False)
        if formset.has_changed():
            helper_services.helper_profile_update(
                helper=form.instance, skills=formset.kept_categories()
            )

    # --- Approval actions -----------------------------------------------------------------------

    @admin.action(description=_("Approve selected helpers"), permissions=("change",))
    def approve_helpers(
        self, request: HttpRequest, queryset: QuerySet[HelperProfile]
    ) -> HttpResponse | None:
        """Approves applicants, and lifts suspensions once the manager has said why (asked on
        a confirmation page when the selection holds a suspended helper)."""
        helpers = list(queryset.select_related("user").order_by("pk"))
        lifted = [h for h in helpers if reason_required(h.approval_status, ApprovalStatus.APPROVED)]
        note = ""
        if lifted:
            form = LiftingForm(request.POST if "confirm" in request.POST else None)
            if not form.is_valid():
                return self._lifting_confirmation(request, helpers, lifted, form)
            note = form.cleaned_data["note"]
        manager = _manager(request)
        approved = unchanged = 0
        for helper in helpers:
            if helper.approval_status == ApprovalStatus.APPROVED:
                unchanged += 1
                continue
            try:
                helper_services.helper_approve(
                    helper=helper, actor=manager, note=note if helper in lifted else ""
                )
            except ApplicationError as exc:
                self._report_failure(request, helper, exc, approving=True)
                continue
            if helper in lifted:
                self.log_change(request, helper, f"Suspension lifted from the back office: {note}")
            else:
                self.log_change(request, helper, "Approved from the back office.")
            approved += 1
        self._report(request, approved, unchanged, done="approved")
        return None

    @admin.action(description=_("Suspend selected helpers"), permissions=("change",))
    def suspend_helpers(
        self, request: HttpRequest, queryset: QuerySet[HelperProfile]
    ) -> HttpResponse | None:
        helpers = list(queryset.select_related("user").order_by("pk"))
        form = SuspensionForm(request.POST if "confirm" in request.POST else None)
        if not form.is_valid():
            return self._suspend_confirmation(request, helpers, form)
        manager = _manager(request)
        note = form.cleaned_data["note"]
        suspended = unchanged = 0
        for helper in helpers:
            if helper.approval_status == ApprovalStatus.SUSPENDED:
                unchanged += 1
                continue
            try:
                helper_services.helper_suspend(helper=helper, actor=manager, note=note)
            except ApplicationError as exc:
                self._report_failure(request, helper, exc, approving=False)
                continue
            self.log_change(request, helper, f"Suspended from the back office: {note}")
            suspended += 1
        self._report(request, suspended, unchanged, done="suspended")
        return None

    def _suspend_confirmation(
        self, request: HttpRequest, helpers: list[HelperProfile], form: SuspensionForm
    ) -> TemplateResponse:
        return self._confirmation(
            request,
            form,
            action="suspend_helpers",
            title=gettext("Suspend helpers"),
            intro=gettext(
                "Suspended helpers get no more offers, and their pending offers are withdrawn "
                "and offered to other helpers. Bookings they already have are not touched."
            ),
            submit=ngettext(
                "Suspend %(counter)s helper", "Suspend %(counter)s helpers", len(helpers)
            )
            % {"counter": len(helpers)},
            helpers=helpers,
            selected=helpers,
        )

    def _lifting_confirmation(
        self,
        request: HttpRequest,
        helpers: list[HelperProfile],
        lifted: list[HelperProfile],
        form: LiftingForm,
    ) -> TemplateResponse:
        return self._confirmation(
            request,
            form,
            action="approve_helpers",
            title=gettext("Lift suspensions"),
            intro=gettext(
                "These helpers are suspended. Once the suspension is lifted they receive offers "
                "again. Say why: each of them reads it. Other selected helpers are approved as "
                "usual."
            ),
            submit=ngettext(
                "Lift the suspension of %(counter)s helper",
                "Lift the suspension of %(counter)s helpers",
                len(lifted),
            )
            % {"counter": len(lifted)},
            helpers=lifted,
            selected=helpers,
        )

    def _confirmation(
        self, request: HttpRequest, form: forms.Form, **words: object
    ) -> TemplateResponse:
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            **words,
            "opts": opts,
            "form": form,
            "changelist_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
        }
        return TemplateResponse(request, CONFIRMATION_TEMPLATE, context)

    def _report_failure(
        self, request: HttpRequest, helper: HelperProfile, exc: ApplicationError, *, approving: bool
    ) -> None:
        """A whole sentence for each action, as in `_report`."""
        if approving:
            said = gettext("%(name)s <%(email)s> was not approved: %(reason)s")
        else:
            said = gettext("%(name)s <%(email)s> was not suspended: %(reason)s")
        words = {
            "name": helper.user.display_name,
            "email": helper.user.email,
            "reason": exc.message,
        }
        self.message_user(request, said % words, messages.ERROR)

    def _report(self, request: HttpRequest, changed: int, unchanged: int, *, done: str) -> None:
        """How many helpers the action changed, and how many already were so: a whole sentence
        for each action, so that each language words it (and makes it agree) its own way."""
        if done == "approved":
            said = ngettext("%(count)d helper approved.", "%(count)d helpers approved.", changed)
            already = ngettext(
                "%(count)d helper was already approved.",
                "%(count)d helpers were already approved.",
                unchanged,
            )
        else:
            said = ngettext("%(count)d helper suspended.", "%(count)d helpers suspended.", changed)
            already = ngettext(
                "%(count)d helper was already suspended.",
                "%(count)d helpers were already suspended.",
                unchanged,
            )
        self.message_user(
            request,
            said % {"count": changed},
            messages.SUCCESS if changed else messages.WARNING,
        )
        if unchanged:
            self.message_user(request, already % {"count": unchanged}, messages.INFO)
