"""The back office for people: accounts with an email login, no username.

Also the small pieces the other apps' admins share: showing a stored position as text, a link to
an object's page, a "speaks" filter over a JSON list of language codes, and the view-only admin
and inline for rows that only services write.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from backend.exceptions import ApplicationError, CoreError
from backend.languages import validate_languages
from backend.models import Language, LoginFailureCounter, User
from backend.services import user_save_from_back_office


def position_text(latitude: float | None, longitude: float | None) -> str:
    """A stored position as "lat, lon".

    Admin forms show positions as text rather than as djgeojson's GeoJSON field, whose form
    field wants django-leaflet; positions are written by the geocoding services, not by hand.
    """
    if latitude is None or longitude is None:
        return "—"
    return f"{latitude:.5f}, {longitude:.5f}"


def admin_link(obj: Any, text: object | None = None) -> str:
    """A link to `obj`'s page in the back office, or a dash when there is no object."""
    if obj is None:
        return "—"
    meta = obj._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=(obj.pk,))
    return format_html('<a href="{}">{}</a>', url, obj if text is None else text)


class ViewOnlyMixin:
    """Rows that only services write: the back office may look, never add, change or delete."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def name_row_controls(form: forms.BaseForm, row: object) -> None:
    """The controls the admin draws in a table's cells without a label (an editable column of a
    list, the delete box of an inline's row) named by their column and their row, as a screen
    reader needs them ("Position: Printers"), where the table's header alone names no one."""
    for field in form.fields.values():
        if not field.widget.is_hidden:
            field.widget.attrs.setdefault("aria-label", f"{field.label}: {row}")


class ViewOnlyInline(ViewOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False


class SpeaksFilter(admin.SimpleListFilter):
    """Rows whose JSON list of language codes (`languages_path`) contains the chosen code.

    A text match on the serialised list (`"de"` with its quotes) is cheap and works the same on
    SQLite and PostgreSQL, where a JSON containment lookup would not.
    """

    title = _("speaks")
    parameter_name = "speaks"
    languages_path = "languages"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return list(Language.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        code = self.value()
        if code not in Language.values:
            return queryset
        return queryset.filter(**{f"{self.languages_path}__icontains": f'"{code}"'})


class UserSpeaksFilter(SpeaksFilter):
    languages_path = "languages"


class IsHelperFilter(admin.SimpleListFilter):
    title = _("helper")
    parameter_name = "is_helper"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", gettext("Has a helper profile")), ("no", gettext("Customer only"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(helper_profile__isnull=False)
        if self.value() == "no":
            return queryset.filter(helper_profile__isnull=True)
        return queryset


class UserCreationAdminForm(BaseUserCreationForm):
    """Email, display name and a password twice: the rest is edited after creation."""

    class Meta:
        model = User
        fields = ("email", "display_name")

    def clean_email(self) -> str:
        # The manager stores addresses lower-cased; refuse a second account differing by case.
        email: str = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this email address already exists."))
        return email


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        # Not "__all__": djgeojson's form field for home_location needs django-leaflet, and the
        # home address is geocoded by the app, so it is shown read-only instead.
        fields = (
            "email",
            "password",
            "display_name",
            "phone",
            "languages",
            "preferred_language",
            "is_active",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
        )

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip().lower()
        others = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("An account with this email address already exists."))
        return email

    def clean_languages(self) -> list[str]:
        # What the service would refuse is shown on the field instead.
        try:
            return validate_languages(
                self.cleaned_data["languages"] or [], empty_code=CoreError.INVALID_LANGUAGE
            )
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from exc


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm

    list_display = (
        "email",
        "display_name",
        "phone",
        "home_postal_code",
        "home_locality",
        "preferred_language",
        "helper_status",
        "is_staff",
        "is_active",
        "date_joined",
    )
    list_display_links = ("email", "display_name")
    list_select_related = ("helper_profile",)
    list_filter = (
        "is_staff",
        "is_superuser",
        "is_active",
        IsHelperFilter,
        "preferred_language",
        UserSpeaksFilter,
        "date_joined",
    )
    search_fields = (
        "email",
        "display_name",
        "phone",
        "home_postal_code",
        "home_locality",
        "public_id",
    )
    ordering = ("email",)
    date_hierarchy = "date_joined"
    filter_horizontal = ("groups", "user_permissions")
    show_full_result_count = False

    readonly_fields = (
        "public_id",
        "home_street",
        "home_postal_code",
        "home_locality",
        "home_position",
        "helper_profile_link",
        "customer_rating_count",
        "customer_rating_sum",
        "customer_rating_average",
        "customer_cancellations_caused",
        "customer_late_cancellations_caused",
        "customer_no_shows_caused",
        "last_login",
        "date_joined",
    )
    fieldsets = (
        (None, {"fields": ("public_id", "email", "password")}),
        (
            _("Person"),
            {"fields": ("display_name", "phone", "languages", "preferred_language")},
        ),
        (
            _("Home address (geocoded by the app; change it there)"),
            {"fields": ("home_street", "home_postal_code", "home_locality", "home_position")},
        ),
        (_("Helper"), {"fields": ("helper_profile_link",)}),
        (
            _("As a customer: rating and reliability"),
            {
                "fields": (
                    "customer_rating_count",
                    "customer_rating_sum",
                    "customer_rating_average",
                    "customer_cancellations_caused",
                    "customer_late_cancellations_caused",
                    "customer_no_shows_caused",
                )
            },
        ),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "display_name", "password1", "password2"),
            },
        ),
    )

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        # Through the service, so that switching an account off reaches the match index.
        user_save_from_back_office(user=obj, changed=form.changed_data, created=not change)

    @admin.display(description=_("helper"), ordering="helper_profile__approval_status")
    def helper_status(self, user: User) -> str:
        helper = getattr(user, "helper_profile", None)
        return helper.get_approval_status_display() if helper is not None else "—"

    @admin.display(description=_("helper profile"))
    def helper_profile_link(self, user: User) -> str:
        helper = getattr(user, "helper_profile", None)
        if helper is None:
            return "—"
        return admin_link(helper, helper.get_approval_status_display())

    @admin.display(description=_("home position (lat, lon)"))
    def home_position(self, user: User) -> str:
        return position_text(user.home_latitude, user.home_longitude)

    @admin.display(description=_("average rating as a customer"))
    def customer_rating_average(self, user: User) -> str:
        if user.customer_rating_count == 0:
            return "—"
        return f"{user.customer_rating_sum / user.customer_rating_count:.2f}"


@admin.register(LoginFailureCounter)
class LoginFailureCounterAdmin(admin.ModelAdmin):
    """Failed log-ins and the locks they earned (backend.login_limits). Read-only: deleting a
    row lifts its lock at once, e.g. for a member locked out behind a shared address."""

    list_display = (
        "email",
        "client",
        "failures",
        "locked_until",
        "locks",
        "succeeded_at",
        "updated_at",
    )
    search_fields = ("email", "client")
    ordering = ("-updated_at",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
