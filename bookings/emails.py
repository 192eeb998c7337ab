"""The e-mails about safety reports, each in its recipient's preferred language: the
community managers hear of a new report, the reporter of the decision, a warned person of
their warning and its reason. The report's text stays in the console, and so does the manager's
note unless it is the warned person's reason; an e-mail says only what the recipient may know."""

from __future__ import annotations

from django.utils import formats, translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from backend.emails import send_notice
from backend.models import User
from bookings.models import SafetyCategory, SafetyOutcome, SafetyReport
from bookings.selectors import reported_visit_day

CATEGORY_WORDS: dict[str, Promise] = {
    SafetyCategory.SAFETY: _("Safety"),
    SafetyCategory.HARASSMENT: _("Harassment"),
    SafetyCategory.DAMAGE: _("Damage"),
    SafetyCategory.NO_SHOW: _("No-show"),
    SafetyCategory.OTHER: _("Other"),
}
OUTCOME_WORDS: dict[str, Promise] = {
    SafetyOutcome.WARNING: _(
        "The community manager has looked into it and taken measures. Thank you for telling us."
    ),
    SafetyOutcome.SUSPENSION: _(
        "The community manager has looked into it and taken measures. Thank you for telling us."
    ),
    SafetyOutcome.NO_ACTION: _(
        "The community manager has looked into it and decided that no measures are needed. "
        "If something happens again, report it again."
    ),
}


def _report(report_id: int) -> SafetyReport | None:
    return (
        SafetyReport.objects.select_related("booking__help_request", "reporter", "reported")
        .filter(pk=report_id)
        .first()
    )


def _visit_day(report: SafetyReport) -> str:
    return formats.date_format(reported_visit_day(report), "DATE_FORMAT")


def send_report_filed(report_id: int) -> None:
    """Every active community manager with an address hears that a report waits."""
    report = _report(report_id)
    if report is None:
        return
    managers = User.objects.filter(is_staff=True, is_active=True).exclude(email="").order_by("pk")
    for manager in managers:
        with translation.override(manager.preferred_language):
            subject = gettext("New safety report: %(category)s") % {
                "category": CATEGORY_WORDS[report.category]
            }
            body = "\n\n".join(
                [
                    gettext("Hello %(name)s,") % {"name": manager.display_name},
                    gettext(
                        "%(reporter)s reported %(reported)s after the visit of %(day)s "
                        "(category: %(category)s). Read the report and decide it in the "
                        "console's triage queue."
                    )
                    % {
                        "reporter": report.reporter.display_name,
                        "reported": report.reported.display_name,
                        "day": _visit_day(report),
                        "category": CATEGORY_WORDS[report.category],
                    },
                    gettext("Quartier"),
                ]
            )
        send_notice(manager, subject, body)


def send_report_decided(report_id: int) -> None:
    """The reporter hears that their report was decided, in general words."""
    report = _report(report_id)
    if report is None or not report.outcome or not report.reporter.email:
        return
    reporter = report.reporter
    with translation.override(reporter.preferred_language):
        subject = gettext("Your report has been decided")
        body = "\n\n".join(
            [
                gettext("Hello %(name)s,") % {"name": reporter.display_name},
                gettext("You reported the visit of %(day)s to the community manager.")
                % {"day": _visit_day(report)},
                str(OUTCOME_WORDS[report.outcome]),
                gettext("Quartier"),
            ]
        )
    send_notice(reporter, subject, body)


def send_warning(report_id: int) -> None:
    """The person the community manager warned hears of it and why (the manager's note, which
    the console asks never to name who reported them); never the report itself."""
    report = _report(report_id)
    if report is None or report.outcome != SafetyOutcome.WARNING or not report.reported.email:
        return
    warned = report.reported
    with translation.override(warned.preferred_language):
        subject = gettext("A warning from Quartier's community manager")
        body = "\n\n".join(
            [
                gettext("Hello %(name)s,") % {"name": warned.display_name},
                gettext(
                    "After the visit of %(day)s, the community manager looked into what "
                    "happened and gives you a warning. The reason:"
                )
                % {"day": _visit_day(report)},
                report.triage_note,
                gettext(
                    "The warning stays on your record. Please keep it in mind at your next visits."
                ),
                gettext("Quartier"),
            ]
        )
    send_notice(warned, subject, body)
