"""The helpers' error codes: profiles, approval and availability."""

from __future__ import annotations

from backend.exceptions import ErrorCode


class HelperError(ErrorCode):
    NOT_A_HELPER = "not_a_helper", 404
    HELPER_PROFILE_EXISTS = "helper_profile_exists", 409
    MANAGER_ONLY = "manager_only", 403
    HOME_ADDRESS_REQUIRED = "home_address_required"
    SKILLS_REQUIRED = "skills_required"
    INVALID_RADIUS = "invalid_radius"
    INVALID_HOURLY_RATE = "invalid_hourly_rate"
    INVALID_AVAILABILITY = "invalid_availability"
    IN_THE_PAST = "in_the_past"
    OUTSIDE_BOOKABLE_HORIZON = "outside_bookable_horizon"
    # Vetting: the application's steps and the applicant's documents
    NOT_YOUR_APPLICATION = "not_your_application", 403
    DOCUMENTS_MISSING = "documents_missing", 409
    INTERVIEW_REQUIRED = "interview_required", 409
    DOCUMENTS_LOCKED = "documents_locked", 409
    DOCUMENT_DELETED = "document_deleted", 410
    ISSUED_IN_FUTURE = "issued_in_future"
    ISSUED_ON_REQUIRED = "issued_on_required"
    EXTRACT_TOO_OLD = "extract_too_old"
    INVALID_UPLOAD = "invalid_upload"
    EMPTY_FILE = "empty_file"
    FILE_TOO_LARGE = "file_too_large"
    UNSUPPORTED_FILE_TYPE = "unsupported_file_type"
    CONTENT_TYPE_MISMATCH = "content_type_mismatch"
    PDF_ACTIVE_CONTENT = "pdf_active_content"
    PDF_ENCRYPTED = "pdf_encrypted"
    PDF_TOO_COMPLEX = "pdf_too_complex"
    TOO_MANY_UPLOADS = "too_many_uploads", 429
    DOCUMENTS_TOO_LARGE_IN_TOTAL = "documents_too_large_in_total"
    # The online code-of-conduct test
    CONDUCT_TEST_UNAVAILABLE = "conduct_test_unavailable", 409
    CONDUCT_TEST_NOT_AT_THIS_STEP = "conduct_test_not_at_this_step", 409
    CONDUCT_TEST_ATTEMPTS_EXHAUSTED = "conduct_test_attempts_exhausted", 409
    CONDUCT_TEST_WAITING_PERIOD = "conduct_test_waiting_period", 409
    CONDUCT_TEST_ALREADY_SUBMITTED = "conduct_test_already_submitted", 409
    CONDUCT_TEST_QUESTION_NOT_DRAWN = "conduct_test_question_not_drawn"
    CONDUCT_TEST_ANSWERED_TWICE = "conduct_test_answered_twice"
    CONDUCT_TEST_ANSWER_MISSING = "conduct_test_answer_missing"
    CONDUCT_TEST_OPTION_NOT_OF_QUESTION = "conduct_test_option_not_of_question"
    CONDUCT_TEST_TEXT_REQUIRED = "conduct_test_text_required"
    CONDUCT_TEST_OPTIONS_INVALID = "conduct_test_options_invalid"
    CONDUCT_TEST_RULES_INVALID = "conduct_test_rules_invalid"
    # A suspended helper's appeal
    NOT_SUSPENDED = "not_suspended", 409
    APPEAL_ALREADY_OPEN = "appeal_already_open", 409
    APPEAL_ALREADY_DECIDED = "appeal_already_decided", 409
