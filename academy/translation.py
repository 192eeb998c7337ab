"""The academy's texts in the four languages (django-modeltranslation): a column per language
for each field registered here; a published course has every one of them filled (the
services check it)."""

from modeltranslation.translator import TranslationOptions, register

from academy.models import CourseVersion, Lesson, QuizOption, QuizQuestion, TrainingEvent


@register(CourseVersion)
class CourseVersionTranslation(TranslationOptions):
    fields = ("title", "summary")


@register(Lesson)
class LessonTranslation(TranslationOptions):
    fields = ("title", "body")


@register(QuizQuestion)
class QuizQuestionTranslation(TranslationOptions):
    fields = ("text",)


@register(QuizOption)
class QuizOptionTranslation(TranslationOptions):
    fields = ("text",)


@register(TrainingEvent)
class TrainingEventTranslation(TranslationOptions):
    fields = ("title", "description")
