from backend.exceptions import ApplicationError, Conflict, ValidationFailed
from helpers.errors import HelperError


class HelperProfileExists(Conflict):
    code = HelperError.HELPER_PROFILE_EXISTS


class InvalidAvailability(ValidationFailed):
    code = HelperError.INVALID_AVAILABILITY


class DocumentsLocked(Conflict):
    """Documents are handed in only while the application waits for them."""

    code = HelperError.DOCUMENTS_LOCKED


class DocumentDeleted(ApplicationError):
    status = 410
    code = HelperError.DOCUMENT_DELETED
