from backend.exceptions import ApplicationError, Conflict, ValidationFailed


class HelperProfileExists(Conflict):
    code = "helper_profile_exists"


class InvalidAvailability(ValidationFailed):
    code = "invalid_availability"


class DocumentsLocked(Conflict):
    """Documents are handed in only while the application waits for them."""

    code = "documents_locked"


class DocumentDeleted(ApplicationError):
    status = 410
    code = "document_deleted"
