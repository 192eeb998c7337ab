"""German as written in Switzerland: a moment with its "um" (6. Dezember 2026 um 14:30)."""

# Django's German leaves the time after the year with nothing between ("am 6. Dezember 2026
# 14:30"); within a sentence German says "um".
DATETIME_FORMAT = r"j. F Y \u\m H:i"
