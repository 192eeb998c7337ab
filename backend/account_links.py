"""How long the links of the account e-mails stay valid, and those lifetimes in words.

A link that finishes a sign-up lasts SIGN_UP_LINK_MAX_AGE, whichever e-mail brings it: the
confirmation of a new address (`backend.services.user_verify_email`), or the link to choose
the password that goes to an address whose sign-up still waits for confirmation when someone
signs up with it again (`backend.services.password_reset_confirm`). The "check your e-mail"
page after signing up reads the same for every address (it must not tell which ones have
accounts), so both links last as long as it says. A link to choose a new password for an
account lasts PASSWORD_RESET_MAX_AGE. The services check these ages, and the e-mails and pages
say them (`lifetime_words`), from here.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import ngettext

SIGN_UP_LINK_MAX_AGE = timedelta(days=3)
PASSWORD_RESET_MAX_AGE = timedelta(hours=2)

_DAY, _HOUR, _MINUTE = 86400, 3600, 60


def lifetime_words(age: timedelta) -> str:
    """How long a link lasts, as the e-mails and pages say it in the active language: in whole
    days ("3 days") when it is, else in whole hours ("2 hours"), else in minutes."""
    seconds = int(age.total_seconds())
    if seconds % _DAY == 0:
        days = seconds // _DAY
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    if seconds % _HOUR == 0:
        hours = seconds // _HOUR
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    minutes = -(-seconds // _MINUTE)
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
