"""English as written in Switzerland: 6 December 2026, 6 December 2026 at 14:30, 06.12.2026."""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
# A moment stands within sentences ("Offers come to you again from …"), as in the other
# languages: with its "at".
DATETIME_FORMAT = r"j F Y \a\t H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
