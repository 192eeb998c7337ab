"""A booking's acceptances, for a dispute or an insurer: the terms and waivers its customer
(or the relative booking for them) and its helper had accepted when the visit was first
confirmed (or, before that, by now), with the SHA-256 of exactly the text each one was shown.

`booking_acceptances` builds the export once; `acceptances_json` and `acceptances_pdf` render
the same rows.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from backend import clock
from backend.models import User
from bookings.models import ActorRole, Booking, BookingStatus
from catalogue.models import CUSTOMER_KINDS, HELPER_KINDS, LegalAcceptance, LegalDocumentKind

ROLE_WORDS = {
    ActorRole.CUSTOMER: gettext_lazy("customer"),
    ActorRole.HELPER: gettext_lazy("helper"),
}


@dataclass(frozen=True)
class AcceptanceRecord:
    user_id: str
    user_name: str
    user_email: str
    role: str
    on_behalf_name: str
    document: str
    document_kind: str
    title: str
    version: int
    language: str
    text_sha256: str
    accepted_at: datetime
    ip_address: str | None
    user_agent: str


@dataclass(frozen=True)
class AcceptancesExport:
    booking_id: str
    category: str
    status: str
    in_force_at: datetime
    confirmed: bool
    acceptances: list[AcceptanceRecord]


def _in_force_at(booking: Booking) -> tuple[datetime, bool]:
    """When the acceptances were fixed: the visit's first confirmation, or now."""
    confirmed_at = (
        booking.events.filter(to_status=BookingStatus.CONFIRMED)
        .order_by("created_at", "pk")
        .values_list("created_at", flat=True)
        .first()
    )
    return (confirmed_at, True) if confirmed_at is not None else (clock.now(), False)


def booking_acceptances(user: User, booking: Booking) -> AcceptancesExport:
    """The export of `booking`'s acceptances, for managers only (anyone else gets none): per
    party and document, the newest acceptance made by then. Two queries."""
    in_force_at, confirmed = _in_force_at(booking)
    export = AcceptancesExport(
        booking_id=str(booking.public_id),
        category=booking.help_request.category.slug,
        status=booking.status,
        in_force_at=in_force_at,
        confirmed=confirmed,
        acceptances=[],
    )
    if not user.is_staff:
        return export
    customer_id = booking.help_request.customer_id
    helper_user_id = booking.helper.user_id
    customer_documents = Q(user_id=customer_id) & (
        Q(
            version__document__kind__in=[
                kind for kind in CUSTOMER_KINDS if kind != LegalDocumentKind.CATEGORY_WAIVER
            ]
        )
        | Q(
            version__document__kind=LegalDocumentKind.CATEGORY_WAIVER,
            version__document__category_id=booking.help_request.category_id,
        )
    )
    helper_documents = Q(user_id=helper_user_id, version__document__kind__in=HELPER_KINDS)
    rows = (
        LegalAcceptance.objects.filter(
            customer_documents | helper_documents, accepted_at__lte=in_force_at
        )
        .select_related("user", "version__document")
        .order_by("-accepted_at", "-pk")
    )
    newest: dict[tuple[int, int], LegalAcceptance] = {}
    for row in rows:
        newest.setdefault((row.user_id, row.version.document_id), row)
    for row in sorted(
        newest.values(),
        key=lambda row: (row.user_id != customer_id, row.version.document.kind, row.pk),
    ):
        role = ActorRole.CUSTOMER if row.user_id == customer_id else ActorRole.HELPER
        export.acceptances.append(
            AcceptanceRecord(
                user_id=str(row.user.public_id),
                user_name=row.user.display_name,
                user_email=row.user.email,
                role=role,
                on_behalf_name=row.on_behalf_name,
                document=row.version.document.slug,
                document_kind=row.version.document.kind,
                title=row.version.title_in(row.language),
                version=row.version.number,
                language=row.language,
                text_sha256=row.text_sha256,
                accepted_at=row.accepted_at,
                ip_address=row.ip_address,
                user_agent=row.user_agent,
            )
        )
    return export


def acceptances_json(export: AcceptancesExport) -> dict[str, Any]:
    """The export as JSON-ready data (times in ISO 8601 with their offset, UTC)."""
    return {
        "booking": export.booking_id,
        "category": export.category,
        "booking_status": export.status,
        "in_force_at": export.in_force_at.isoformat(),
        "confirmed": export.confirmed,
        "acceptances": [
            {
                "user": record.user_id,
                "user_name": record.user_name,
                "user_email": record.user_email,
                "role": record.role,
                "on_behalf_of": record.on_behalf_name,
                "document": record.document,
                "document_kind": record.document_kind,
                "title": record.title,
                "version": record.version,
                "language": record.language,
                "text_sha256": record.text_sha256,
                "accepted_at": record.accepted_at.isoformat(),
                "ip_address": record.ip_address,
                "user_agent": record.user_agent,
            }
            for record in export.acceptances
        ],
    }


def _pdf_text(text: str) -> str:
    return (text.replace("\u202f", "\u00a0").replace("&", "&amp;").replace("<", "&lt;")).replace(
        ">", "&gt;"
    )


def _table(rows: Sequence[Sequence[str]]) -> Table:
    styles = getSampleStyleSheet()
    cells = [[Paragraph(_pdf_text(cell), styles["BodyText"]) for cell in row] for row in rows]
    table = Table(cells, hAlign="LEFT", colWidths=(45 * mm, 125 * mm))
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
            ]
        )
    )
    return table


def _swiss(moment: datetime) -> str:
    # TIME_ZONE is Europe/Zurich: the local time is Swiss time.
    return timezone.localtime(moment).strftime("%d.%m.%Y %H:%M:%S %Z")


def acceptances_pdf(export: AcceptancesExport, language: str) -> bytes:
    """The export as a readable PDF in `language`, with every text's SHA-256 in full."""
    styles = getSampleStyleSheet()
    with translation.override(language):
        title = _("Acceptances for visit %(booking)s") % {"booking": export.booking_id}
        when = (
            _("Accepted by the visit's first confirmation, %(when)s (Swiss time).")
            if export.confirmed
            else _("The visit is not confirmed: accepted by %(when)s (Swiss time).")
        ) % {"when": _swiss(export.in_force_at)}
        story: list[Flowable] = [Paragraph(_pdf_text(when), styles["BodyText"])]
        if not export.acceptances:
            story.append(Paragraph(_pdf_text(_("Nothing was accepted.")), styles["BodyText"]))
        for record in export.acceptances:
            story += [
                Spacer(1, 5 * mm),
                Paragraph(
                    _pdf_text(f"{record.title} ({record.document}, v{record.version})"),
                    styles["Heading3"],
                ),
                _table(
                    [
                        (_("Accepted by"), f"{record.user_name} <{record.user_email}>"),
                        (_("Role"), str(ROLE_WORDS[ActorRole(record.role)])),
                        (_("On behalf of"), record.on_behalf_name or "–"),
                        (_("Language"), record.language),
                        (_("SHA-256 of the text"), record.text_sha256),
                        (_("Accepted on"), _swiss(record.accepted_at)),
                        (_("IP address"), record.ip_address or "–"),
                        (_("Browser"), record.user_agent or "–"),
                    ]
                ),
            ]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, title=title, author="Quartier", leftMargin=20 * mm, rightMargin=20 * mm
    )
    document.build([Paragraph(_pdf_text(title), styles["Title"]), *story])
    return buffer.getvalue()
