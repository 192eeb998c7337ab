"""Multiple-choice answers checked and marked: the code-of-conduct test's attempts and the
academy's quizzes follow the same rules, each with its own error codes and words."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, Protocol, TypeVar

from django.utils.translation import gettext as _

from backend.exceptions import ErrorCode, ValidationFailed


class AnswerCodes(NamedTuple):
    """The error codes a refused answer sheet carries, and how "not part of your …" reads."""

    not_drawn: ErrorCode
    answered_twice: ErrorCode
    missing: ErrorCode
    not_of_question: ErrorCode
    not_drawn_message: str


class Option(Protocol):
    pk: Any
    question_id: Any
    is_correct: Any


OptionT = TypeVar("OptionT", bound=Option)


@dataclass(frozen=True)
class Marked(Generic[OptionT]):
    """An answer sheet checked and marked: the option chosen for each drawn question, the
    questions answered wrongly (in the order drawn) and the score."""

    chosen: dict[int, OptionT]
    wrong: list[int]
    score: int

    def stored(self) -> dict[str, int]:
        """The answers as an attempt keeps them: question id (as text) → option id."""
        return {str(question_id): option.pk for question_id, option in self.chosen.items()}


def _refused(code: ErrorCode, message: str, question_id: int | None) -> ValidationFailed:
    name = "answers" if question_id is None else f"answers.{question_id}"
    return ValidationFailed.for_field(name, message, code=code)


def answers_mark(
    drawn: Sequence[int],
    answers: Sequence[tuple[int, int]],
    *,
    options: Callable[[list[int]], Mapping[int, OptionT]],
    codes: AnswerCodes,
) -> Marked[OptionT]:
    """`answers` (question id, option id) checked against the `drawn` questions: each answer
    for a drawn question, once, with an option of that question (`options` loads them by id),
    and no question left out; then marked. A refusal names the first question at fault."""
    drawn_set = set(drawn)
    seen: set[int] = set()
    for question_id, _option_id in answers:
        if question_id not in drawn_set:
            raise _refused(codes.not_drawn, codes.not_drawn_message, question_id)
        if question_id in seen:
            raise _refused(
                codes.answered_twice, _("Give one answer to each question."), question_id
            )
        seen.add(question_id)
    missing = [question_id for question_id in drawn if question_id not in seen]
    if missing:
        raise _refused(codes.missing, _("Answer every question."), missing[0])
    loaded = options([option_id for _question_id, option_id in answers])
    chosen: dict[int, OptionT] = {}
    for question_id, option_id in answers:
        option = loaded.get(option_id)
        if option is None or option.question_id != question_id:
            raise _refused(
                codes.not_of_question,
                _("This answer does not belong to this question."),
                question_id,
            )
        chosen[question_id] = option
    wrong = [question_id for question_id in drawn if not chosen[question_id].is_correct]
    return Marked(chosen=chosen, wrong=wrong, score=len(drawn) - len(wrong))
