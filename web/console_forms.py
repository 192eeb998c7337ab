"""The manager's console forms for the academy and the terms and waivers: they check the shape
of what was typed (texts in four languages, numbers, times); the services decide the rules."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from academy.models import ACADEMY_LANGUAGES, MAX_OPTIONS, Course, EventKind
from academy.selectors import course_titles
from academy.services import LessonInput, OptionInput, QuestionInput
from backend.languages import LANGUAGE_NAMES
from catalogue.models import ServiceCategory
from web.date_inputs import MomentField
from web.forms import ZURICH

# Answer slots shown per question: at least this many, more when a copied question has more.
OPTION_SLOTS = 4


def add_texts(
    form: forms.Form, name: str, label: Any, *, textarea: bool = False, required: bool = False
) -> None:
    """`name_de` … `name_en`: one field per language, labelled with the language."""
    for language in ACADEMY_LANGUAGES:
        form.fields[f"{name}_{language}"] = forms.CharField(
            label=f"{label} ({LANGUAGE_NAMES[language]})",
            required=required,
            strip=True,
            widget=forms.Textarea({"rows": 4}) if textarea else forms.TextInput,
        )


def texts_of(data: dict[str, Any], name: str) -> dict[str, str]:
    return {language: data.get(f"{name}_{language}") or "" for language in ACADEMY_LANGUAGES}


def text_initial(obj: object, name: str) -> dict[str, str]:
    return {
        f"{name}_{language}": getattr(obj, f"{name}_{language}") or ""
        for language in ACADEMY_LANGUAGES
    }


class CategoriesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class CourseRequirementsForm(forms.Form):
    required_for_all = forms.BooleanField(label=_("Required of every helper"), required=False)
    required_for = CategoriesField(
        label=_("Required for these categories"),
        queryset=ServiceCategory.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    validity_months = forms.IntegerField(
        label=_("Certification valid for (months)"), min_value=1, max_value=120, initial=24
    )


class CourseCreateForm(CourseRequirementsForm):
    slug = forms.SlugField(label=_("Short name (letters, digits, hyphens)"), max_length=60)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        add_texts(self, "title", _("Title"), required=True)
        self.order_fields(["slug"])


class CourseDraftForm(forms.Form):
    pass_mark = forms.IntegerField(label=_("Correct answers needed to pass"), min_value=1)
    questions_per_attempt = forms.IntegerField(label=_("Questions drawn per attempt"), min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        add_texts(self, "title", _("Title"), required=True)
        add_texts(self, "summary", _("Summary"), textarea=True)
        self.order_fields([f"title_{language}" for language in ACADEMY_LANGUAGES])


class LessonForm(forms.Form):
    image_url = forms.URLField(label=_("Image link (https)"), required=False, assume_scheme="https")
    video_url = forms.URLField(label=_("Video link (https)"), required=False, assume_scheme="https")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        add_texts(self, "title", _("Lesson title"))
        add_texts(self, "body", _("Lesson text"), textarea=True)
        self.order_fields([f"title_{language}" for language in ACADEMY_LANGUAGES])

    def lesson(self) -> LessonInput | None:
        """The lesson written here, or None when every field was left empty (dropped)."""
        data = self.cleaned_data
        if not any(data.values()):
            return None
        return LessonInput(
            titles=texts_of(data, "title"),
            bodies=texts_of(data, "body"),
            image_url=data.get("image_url") or "",
            video_url=data.get("video_url") or "",
        )


class QuestionForm(forms.Form):
    def __init__(self, *args: Any, options: int = OPTION_SLOTS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.option_count = min(max(options, OPTION_SLOTS), MAX_OPTIONS)
        add_texts(self, "text", _("Question"))
        for number in range(1, self.option_count + 1):
            add_texts(self, f"option{number}", _("Answer %(number)d") % {"number": number})
        self.fields["correct"] = forms.TypedChoiceField(
            label=_("The right answer"),
            choices=[("", "–")]
            + [(str(n), _("Answer %(number)d") % {"number": n}) for n in self.option_range()],
            coerce=int,
            required=False,
            empty_value=None,
        )

    def option_range(self) -> range:
        return range(1, self.option_count + 1)

    def option_fields(self) -> Iterable[list[forms.BoundField]]:
        for number in self.option_range():
            yield [self[f"option{number}_{language}"] for language in ACADEMY_LANGUAGES]

    def text_fields(self) -> list[forms.BoundField]:
        return [self[f"text_{language}"] for language in ACADEMY_LANGUAGES]

    def question(self) -> QuestionInput | None:
        """The question written here (answers left empty in every language are dropped), or
        None when every field was left empty."""
        data = self.cleaned_data
        if not any(value for name, value in data.items() if name != "correct"):
            return None
        options = [
            OptionInput(texts=texts_of(data, f"option{n}"), is_correct=data.get("correct") == n)
            for n in self.option_range()
            if any(texts_of(data, f"option{n}").values())
        ]
        return QuestionInput(texts=texts_of(data, "text"), options=options)


def question_initial(question: Any) -> dict[str, Any]:
    initial: dict[str, Any] = text_initial(question, "text")
    for option in question.options.all():
        initial.update(
            {
                f"option{option.position}_{language}": getattr(option, f"text_{language}")
                for language in ACADEMY_LANGUAGES
            }
        )
        if option.is_correct:
            initial["correct"] = option.position
    return initial


class EventForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=(
            (EventKind.TRAINING, _("Training session")),
            (EventKind.MEETUP, _("Community meet-up")),
        ),
    )
    starts_at = MomentField(label=_("Starts (Swiss time)"))
    ends_at = MomentField(label=_("Ends (Swiss time)"))
    place = forms.CharField(label=_("Place"), max_length=300, required=False)
    online_url = forms.URLField(
        label=_("Online link (https)"), required=False, assume_scheme="https"
    )
    capacity = forms.IntegerField(label=_("Places"), min_value=1)
    course = forms.ModelChoiceField(
        label=_("Attending grants the certification of"),
        queryset=Course.objects.all(),
        required=False,
        to_field_name="slug",
        empty_label=_("No certification"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        add_texts(self, "title", _("Title"), required=True)
        add_texts(self, "description", _("Description"), textarea=True)
        self.order_fields(["kind", *(f"title_{language}" for language in ACADEMY_LANGUAGES)])
        # Each course by its title in the manager's language (a course not yet published, which
        # has none, by its short name).
        titles = course_titles(None)
        self.fields["course"].label_from_instance = (  # type: ignore[attr-defined]
            lambda course: titles.get(course.pk, course.slug)
        )

    def _swiss(self, name: str) -> datetime | None:
        moment = self.cleaned_data.get(name)
        return moment.astimezone(ZURICH) if moment is not None else None

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "titles": texts_of(data, "title"),
            "descriptions": texts_of(data, "description"),
            "starts_at": self._swiss("starts_at"),
            "ends_at": self._swiss("ends_at"),
            "capacity": data["capacity"],
            "online_url": data.get("online_url") or "",
            "place": data.get("place") or "",
            "course": data.get("course"),
        }


class CancelEventForm(forms.Form):
    reason = forms.CharField(
        label=_("Why (everyone registered reads it)"),
        max_length=500,
        widget=forms.Textarea({"rows": 2}),
    )


class AttendanceForm(forms.Form):
    attended = forms.TypedMultipleChoiceField(
        label=_("Who came"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, helpers: Iterable[tuple[int, str]] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = list(helpers)  # type: ignore[attr-defined]


class LegalVersionForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        add_texts(self, "title", _("Title"), required=True)
        add_texts(self, "text", _("Text"), textarea=True, required=True)
