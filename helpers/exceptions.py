from backend.exceptions import Conflict, ValidationFailed


class HelperProfileExists(Conflict):
    code = "helper_profile_exists"


class InvalidAvailability(ValidationFailed):
    code = "invalid_availability"
