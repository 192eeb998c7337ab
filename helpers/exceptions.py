from backend.exceptions import Conflict, ValidationFailed


class HelperProfileExists(Conflict):
    code = "helper_profile_exists"


class HelperNotApproved(Conflict):
    code = "helper_not_approved"


class InvalidAvailability(ValidationFailed):
    code = "invalid_availability"
