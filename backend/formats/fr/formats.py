"""French as written in Switzerland: a moment with its "à" (6 décembre 2026 à 14:30), the
dotted short date (06.12.2026)."""

# Django's French leaves the time after the year with nothing between ("le 6 décembre 2026
# 14:30"); within a sentence French says "à".
DATETIME_FORMAT = r"j F Y \à H:i"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
