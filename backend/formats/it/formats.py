"""Italian as written in Switzerland: 6 dicembre 2026 (no leading zero), a moment with its
"alle" (6 dicembre 2026 alle 14:30), the dotted short date (06.12.2026)."""

DATE_FORMAT = "j F Y"
# No weekday: Django's capitalised "Domenica" would stand inside sentences ("Caricato in data …").
DATETIME_FORMAT = r"j F Y \a\l\l\e H:i"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
