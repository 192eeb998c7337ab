"""Dates and times as they are written in Switzerland, in each of the four languages, where
Django's formats of a language follow another country: English days before months with the
24-hour clock, the dotted short date in every language (06.12.2026), and a moment joined by
its word, as it stands within a sentence ("am 6. Dezember 2026 um 14:30", "le 6 décembre 2026
à 14:30", "in data 6 dicembre 2026 alle 14:30", "on 6 December 2026 at 14:30"). Django reads them
before its own (`FORMAT_MODULE_PATH`); a name not set here keeps Django's format."""
