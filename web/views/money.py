"""Money pages: a visit's receipt (web page and PDF) for its customer and its helper, and the
helper's yearly earnings statement (page, CSV, PDF). Reads only: the figures come from
`payments.receipts` and `payments.statements`, the files from `payments.documents`."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET

from backend.exceptions import ApplicationError
from backend.models import User
from helpers.models import HelperProfile
from helpers.selectors import OfferBlocker, payout_account_to_finish
from payments import documents, receipts, statements
from payments.selectors import payout_account_disconnected
from web.views.helper import helper_only


def _language() -> str:
    return (translation.get_language() or "en")[:2]


def _receipt(request: HttpRequest, public_id: UUID) -> receipts.ReceiptView:
    """The receipt for the visit's customer or helper; for anyone else, or before the payment
    is taken, there is no such page."""
    assert isinstance(request.user, User)  # noqa: S101 - login_required
    try:
        return receipts.receipt_for(request.user, public_id, language=_language())
    except ApplicationError as exc:
        raise Http404(exc.message) from exc


@login_required
@require_GET
def receipt(request: HttpRequest, public_id: UUID) -> HttpResponse:
    shown = _receipt(request, public_id)
    language = _language()
    helper_reads = shown.merchant_user_id == request.user.pk
    context = {
        "base_template": "web/helper/base.html" if helper_reads else "web/base.html",
        "receipt": shown,
        "booking_id": public_id,
        "details": documents.receipt_details(shown, language),
        "lines": documents.receipt_lines(shown, language),
    }
    return render(request, "web/receipts/receipt.html", context)


@login_required
@require_GET
def receipt_pdf(request: HttpRequest, public_id: UUID) -> HttpResponse:
    shown = _receipt(request, public_id)
    response = HttpResponse(
        documents.receipt_pdf(shown, _language()), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="quartier-{shown.number}.pdf"'
    return response


def _year(request: HttpRequest, year: int | None = None) -> int:
    try:
        return statements.statement_year(str(year) if year is not None else request.GET.get("year"))
    except ApplicationError as exc:
        raise Http404(exc.message) from exc


@helper_only
@require_GET
def earnings(request: HttpRequest, helper: HelperProfile) -> HttpResponse:
    year = _year(request)
    statement = statements.earnings_statement(helper.user, year)
    language = _language()
    headings = documents.statement_headings(language)
    rows = documents.statement_rows(statement, language)
    context = {
        "statement": statement,
        "headings": headings,
        # Each cell with its column's name: its label when the months stand as cards on a phone
        "rows": [
            {
                "cells": list(zip(headings, row, strict=True)),
                "total": not line.month,
                "empty": bool(line.month) and line.is_empty,
            }
            for line, row in zip([*statement.months, statement.total], rows, strict=True)
        ],
        "years": statements.statement_years(helper, year),
        # A helper who charges earns nothing until their payout account takes charges: said
        # here as on the start page (the other blockers are the start page's).
        "blockers": [OfferBlocker.PAYOUTS] if payout_account_to_finish(helper) else [],
        "payout_disconnected": payout_account_to_finish(helper)
        and payout_account_disconnected(helper.pk),
    }
    return render(request, "web/helper/earnings.html", context)


@helper_only
@require_GET
def earnings_csv(request: HttpRequest, helper: HelperProfile, year: int) -> HttpResponse:
    statement = statements.earnings_statement(helper.user, _year(request, year))
    response = HttpResponse(
        documents.statement_csv(statement, _language()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="quartier-earnings-{year}.csv"'
    return response


@helper_only
@require_GET
def earnings_pdf(request: HttpRequest, helper: HelperProfile, year: int) -> HttpResponse:
    statement = statements.earnings_statement(helper.user, _year(request, year))
    response = HttpResponse(
        documents.statement_pdf(statement, _language()), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="quartier-earnings-{year}.pdf"'
    return response
