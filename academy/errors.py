"""The academy's error codes."""

from backend.exceptions import ErrorCode


class AcademyError(ErrorCode):
    MANAGER_ONLY = "manager_only", 403
    COURSE_TEXT_REQUIRED = "course_text_required"
    COURSE_NOT_DRAFT = "course_not_draft", 409
    COURSE_INCOMPLETE = "course_incomplete"
    COURSE_RULES_INVALID = "course_rules_invalid"
    COURSE_NOT_PUBLISHED = "course_not_published", 409
    QUIZ_OPTIONS_INVALID = "quiz_options_invalid"
    QUIZ_ALREADY_SUBMITTED = "quiz_already_submitted", 409
    QUIZ_QUESTION_NOT_DRAWN = "quiz_question_not_drawn"
    QUIZ_ANSWERED_TWICE = "quiz_answered_twice"
    QUIZ_ANSWER_MISSING = "quiz_answer_missing"
    QUIZ_OPTION_NOT_OF_QUESTION = "quiz_option_not_of_question"
    NOT_A_HELPER = "not_a_helper", 403
    CERTIFICATION_REVOKED = "certification_already_revoked", 409
    EVENT_TIMES_INVALID = "event_times_invalid"
    EVENT_PLACE_REQUIRED = "event_place_required"
    EVENT_CAPACITY_INVALID = "event_capacity_invalid"
    EVENT_COURSE_INVALID = "event_course_invalid"
    EVENT_CLOSED = "event_closed", 409
    EVENT_FULL = "event_full", 409
    ALREADY_REGISTERED = "already_registered", 409
    NOT_REGISTERED = "not_registered", 409
    ATTENDANCE_TOO_EARLY = "attendance_too_early", 409
    CALENDAR_FEED_CLOSED = "calendar_feed_closed", 403
