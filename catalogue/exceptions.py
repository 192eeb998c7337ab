from backend.exceptions import Conflict, ValidationFailed
from catalogue.errors import CatalogueError


class LegalVersionNotCurrent(Conflict):
    code = CatalogueError.WAIVER_VERSION_NOT_CURRENT


class TextHashMismatch(ValidationFailed):
    code = CatalogueError.TEXT_HASH_MISMATCH


class WaiversNotAccepted(Conflict):
    code = CatalogueError.WAIVERS_NOT_ACCEPTED
