"""Quartier's own wording of Django's rule that a password must not look like the account's
e-mail address. Django builds its message from the field's name ("The password is too similar
to the e-mail"), which reads as "La password è troppo simile a e-mail" in Italian; the rule
here is Django's, said as a sentence to the person who chose the password."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import UserAttributeSimilarityValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class EmailSimilarityValidator(UserAttributeSimilarityValidator):
    """Refuses a password too similar to the account's e-mail address (or a part of it), as
    Django's rule does, with the message "…too similar to your e-mail address"."""

    def __init__(self, max_similarity: float = 0.7) -> None:
        super().__init__(user_attributes=("email",), max_similarity=max_similarity)

    def validate(self, password: str, user: Any = None) -> None:
        try:
            super().validate(password, user)
        except ValidationError as similar:
            # Django's own code ("password_too_similar"), said in Quartier's words.
            raise ValidationError(self.get_error_message(), code=similar.code) from similar

    def get_error_message(self) -> str:
        return _("The password is too similar to your e-mail address.")
