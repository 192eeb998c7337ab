"""Dates and times as they are written in Switzerland, in each of the four languages, where
Django's formats of a language follow another country: English days before months with the
24-hour clock, and the dotted short date in every language (06.12.2026). Django reads them
before its own (`FORMAT_MODULE_PATH`); a name not set here keeps Django's format."""
