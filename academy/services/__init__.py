"""Writes of the training academy: one function per state change.

One module per aggregate: `courses` (courses, their drafts and publishing), `quizzes` (quiz
attempts), `certifications` (earned, revoked, expired, reminded) and `training_events` (events,
registrations with a waiting list, attendance, the calendar feed); `common` holds the checks
they share. The status fields are written only by the move functions in `moves`, one per
model, which check the state machines in `academy/transitions.py`.

The public names are re-exported here, so callers import them from `academy.services`.
"""

from academy.models import MAX_OPTIONS, MIN_OPTIONS
from academy.services.certifications import (
    certification_earn,
    certification_reminders_send,
    certification_revoke,
    certifications_expire_due,
)
from academy.services.common import REASON_MAX_LENGTH
from academy.services.courses import (
    MAX_LESSONS,
    MAX_QUESTIONS,
    LessonInput,
    OptionInput,
    QuestionInput,
    course_create,
    course_draft_start,
    course_draft_write,
    course_requirements_set,
    course_version_publish,
)
from academy.services.moves import course_version_move, event_registrations_move
from academy.services.quizzes import QuizResult, quiz_attempt_start, quiz_attempt_submit
from academy.services.training_events import (
    calendar_feed_for,
    event_attendance_mark,
    event_register,
    event_registration_cancel,
    training_event_cancel,
    training_event_create,
)

__all__ = [
    "MAX_LESSONS",
    "MAX_OPTIONS",
    "MAX_QUESTIONS",
    "MIN_OPTIONS",
    "REASON_MAX_LENGTH",
    "LessonInput",
    "OptionInput",
    "QuestionInput",
    "QuizResult",
    "calendar_feed_for",
    "certification_earn",
    "certification_reminders_send",
    "certification_revoke",
    "certifications_expire_due",
    "course_create",
    "course_draft_start",
    "course_draft_write",
    "course_requirements_set",
    "course_version_move",
    "course_version_publish",
    "event_attendance_mark",
    "event_register",
    "event_registration_cancel",
    "event_registrations_move",
    "quiz_attempt_start",
    "quiz_attempt_submit",
    "training_event_cancel",
    "training_event_create",
]
