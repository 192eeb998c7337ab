"""French as written in Switzerland: the dotted short date (06.12.2026)."""

SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
