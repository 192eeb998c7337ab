from backend.exceptions import Conflict, ValidationFailed


class LegalVersionNotCurrent(Conflict):
    code = "waiver_version_not_current"


class TextHashMismatch(ValidationFailed):
    code = "text_hash_mismatch"


class WaiversNotAccepted(Conflict):
    code = "waivers_not_accepted"
