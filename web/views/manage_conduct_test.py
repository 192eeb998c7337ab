"""The manager's console: the code-of-conduct test's versions with how often each was passed.
A new version is published in the back office (a copy of the current one, changed)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from helpers.conduct_test_selectors import conduct_test_versions_for_manager
from web.views.helper import me_of
from web.views.manage import manager_only


@manager_only
@require_GET
def conduct_test_versions(request: HttpRequest) -> HttpResponse:
    versions = list(conduct_test_versions_for_manager(me_of(request)))
    for version in versions:
        submitted = version.submitted_count  # type: ignore[attr-defined]
        passed = version.passed_count  # type: ignore[attr-defined]
        version.pass_rate = round(100 * passed / submitted) if submitted else None  # type: ignore[attr-defined]
    return render(request, "web/manage/conduct_test.html", {"versions": versions})
