"""The catalogue's texts in the four languages (django-modeltranslation): each registered field
gets a column per language (`name_de`, `name_fr`, `name_it`, `name_en`), and reading the field
gives the active language's text, English where that one is empty."""

from modeltranslation.translator import TranslationOptions, register

from catalogue.models import ServiceCategory


@register(ServiceCategory)
class ServiceCategoryTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("en",)
