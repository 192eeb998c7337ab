from backend.exceptions import Conflict, ValidationFailed
from helpers.errors import HelperError


class HelperProfileExists(Conflict):
    code = HelperError.HELPER_PROFILE_EXISTS


class InvalidAvailability(ValidationFailed):
    code = HelperError.INVALID_AVAILABILITY
