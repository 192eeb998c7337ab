"""Receipts and earnings statements as files: PDF (ReportLab) in the reader's language, and
the statement as CSV. Amounts are formatted as the language writes Swiss francs."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from django.utils import formats, translation
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from backend.money import format_chf, major_units
from payments.receipts import ReceiptView
from payments.statements import Statement, StatementLine


def receipt_lines(receipt: ReceiptView, language: str) -> list[tuple[str, str]]:
    """The receipt's amounts as (label, amount) in `language`, in the order shown."""

    def money(amount: int) -> str:
        return format_chf(amount, language)

    with translation.override(language):
        if receipt.is_cancellation_fee:
            lines = [(_("Cancellation or no-show fee"), money(receipt.charged_minor))]
        else:
            lines = [
                (_("Price of the visit"), money(receipt.price_minor)),
            ]
            if receipt.extra_price_minor:
                label = _("Extra time (%(minutes)s min) and material (%(material)s), agreed") % {
                    "minutes": receipt.extra_minutes,
                    "material": money(receipt.extra_material_minor),
                }
                lines.append((label, money(receipt.extra_price_minor)))
            paid_with = (
                _("Paid with TWINT") if receipt.paid_with_twint else _("Charged to the card")
            )
            lines.append((paid_with, money(receipt.charged_minor)))
        lines.append((_("Stripe fee"), money(receipt.stripe_fee_minor)))
        lines.append((_("Quartier fee"), money(receipt.quartier_fee_minor)))
        if receipt.tip_minor:
            lines.append((_("Tip"), money(receipt.tip_minor)))
            lines.append((_("Stripe fee on the tip"), money(receipt.tip_stripe_fee_minor)))
        if receipt.refunded_minor:
            lines.append((_("Refunded"), money(-receipt.refunded_minor)))
        lines.append((_("The customer paid"), money(receipt.customer_paid_minor)))
        lines.append((_("The helper receives"), money(receipt.helper_receives_minor)))
    return lines


def receipt_details(receipt: ReceiptView, language: str) -> list[tuple[str, str]]:
    """The receipt's facts (number, merchant, visit) as (label, text) in `language`."""
    with translation.override(language):
        when = formats.date_format(receipt.visit_date, "DATE_FORMAT") if receipt.visit_date else ""
        # A relative who booked and paid for someone: both named, each as what they are
        helped = [(_("Person helped"), receipt.on_behalf_name)] if receipt.on_behalf_name else []
        return [
            (_("Receipt number"), receipt.number),
            (_("Date of issue"), formats.date_format(receipt.issued_at, "DATE_FORMAT")),
            (_("Helper (merchant)"), receipt.merchant),
            # Who paid, named without a gender ("Client" is a man in French).
            (_("Paid by"), receipt.customer),
            *helped,
            (_("Visit"), when),
            (_("Help with"), receipt.category),
            (_("Place"), receipt.locality),
            (_("Duration"), _("%(minutes)s minutes") % {"minutes": receipt.duration_minutes}),
        ]


def _pdf_text(text: str) -> str:
    # ReportLab's built-in fonts lack the narrow no-break space French groups thousands with.
    return (text.replace("\u202f", "\u00a0").replace("&", "&amp;").replace("<", "&lt;")).replace(
        ">", "&gt;"
    )


def _table(rows: Sequence[Sequence[str]], *, header: bool = False) -> Table:
    styles = getSampleStyleSheet()
    cells = [[Paragraph(_pdf_text(cell), styles["BodyText"]) for cell in row] for row in rows]
    table = Table(cells, hAlign="LEFT")
    commands: list[tuple[object, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke))
    table.setStyle(TableStyle(commands))
    return table


def _pdf(title: str, story: list[Flowable]) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, title=title, author="Quartier", leftMargin=20 * mm, rightMargin=20 * mm
    )
    styles = getSampleStyleSheet()
    document.build([Paragraph(_pdf_text(title), styles["Title"]), *story])
    return buffer.getvalue()


def receipt_pdf(receipt: ReceiptView, language: str) -> bytes:
    styles = getSampleStyleSheet()
    with translation.override(language):
        title = _("Receipt %(number)s") % {"number": receipt.number}
        summary_label = _("Work done")
        note = _("Quartier takes nothing: the helper keeps the whole price, less Stripe's fee.")
    story: list[Flowable] = [
        _table(receipt_details(receipt, language)),
        Spacer(1, 6 * mm),
        Paragraph(_pdf_text(summary_label), styles["Heading3"]),
        Paragraph(_pdf_text(receipt.work_summary or "–"), styles["BodyText"]),
        Spacer(1, 6 * mm),
        _table(receipt_lines(receipt, language)),
        Spacer(1, 6 * mm),
        Paragraph(_pdf_text(note), styles["BodyText"]),
    ]
    return _pdf(title, story)


def statement_headings(language: str) -> list[str]:
    with translation.override(language):
        return [
            _("Month"),
            _("Gross"),
            _("Stripe fees"),
            _("Refunds"),
            _("Tips"),
            _("Net"),
        ]


def _month_name(line: StatementLine) -> str:
    return str(MONTHS[line.month]) if line.month else _("Total")


def statement_rows(statement: Statement, language: str) -> list[list[str]]:
    """The statement's months and total, formatted in `language`."""
    with translation.override(language):
        return [
            [
                _month_name(line),
                format_chf(line.gross_minor, language),
                format_chf(line.stripe_fees_minor, language),
                format_chf(line.refunds_minor, language),
                format_chf(line.tips_minor, language),
                format_chf(line.net_minor, language),
            ]
            for line in [*statement.months, statement.total]
        ]


def statement_title(statement: Statement, language: str) -> str:
    with translation.override(language):
        return _("Earnings %(year)s: %(name)s") % {
            "year": statement.year,
            "name": statement.helper_name,
        }


def statement_pdf(statement: Statement, language: str) -> bytes:
    styles = getSampleStyleSheet()
    with translation.override(language):
        note = _(
            "From Quartier's ledger: what your customers paid through Stripe for your visits. "
            "Quartier's fee is 0."
        )
    story: list[Flowable] = [
        _table([statement_headings(language), *statement_rows(statement, language)], header=True),
        Spacer(1, 6 * mm),
        Paragraph(_pdf_text(note), styles["BodyText"]),
    ]
    return _pdf(statement_title(statement, language), story)


def statement_csv(statement: Statement, language: str) -> str:
    """The statement for a spreadsheet, in `language`: a row per month and the total, the
    amounts as plain numbers in the currency the heading names (45.00, not 4500 rappen).
    Semicolons and a byte-order mark: Excel set to Swiss German, French or Italian opens a
    comma-separated file in a single column, and reads UTF-8 without the mark as Latin-1."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";")
    month, *amounts = statement_headings(language)
    currency = statement.currency
    writer.writerow([month, *(f"{heading} ({currency})" for heading in amounts)])
    with translation.override(language):
        for line in [*statement.months, statement.total]:
            figures = (
                line.gross_minor,
                line.stripe_fees_minor,
                line.refunds_minor,
                line.tips_minor,
                line.net_minor,
            )
            writer.writerow(
                [_month_name(line), *(major_units(value, currency) for value in figures)]
            )
    return out.getvalue()
