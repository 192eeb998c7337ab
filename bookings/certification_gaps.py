"""Who lacks what, for the community manager: per category, how many approved helpers skilled
in it hold every certification it requires, and the requests that went unmatched while
certified helpers were missing (a matching pass left out helpers in reach for lack of one)."""

from __future__ import annotations

from dataclasses import dataclass

from academy.selectors import certified_skills, course_titles, gating_requirements
from backend.models import User
from bookings.matching.explain import NOT_CERTIFIED
from bookings.models import HelpRequest, HelpRequestStatus, MatchingRun
from catalogue.models import ServiceCategory
from helpers.models import HelperSkill
from helpers.selectors import ready_for_offers

# How many of the newest unmatched requests are looked through.
UNMATCHED_LOOKED_AT = 200


@dataclass(frozen=True)
class CategoryCoverage:
    category: ServiceCategory
    required_courses: list[str]
    helpers_skilled: int
    helpers_certified: int

    @property
    def helpers_lacking(self) -> int:
        return self.helpers_skilled - self.helpers_certified


def coverage_by_category(user: User) -> list[CategoryCoverage]:
    """Every active category with its required courses, the approved helpers (ready for
    offers) skilled in it and how many of them are certified for it. A fixed number of
    queries."""
    if not user.is_staff:
        return []
    requirements = gating_requirements()
    ready_ids = list(ready_for_offers().values_list("pk", flat=True))
    skills: dict[int, list[int]] = {}
    for helper_id, category_id in HelperSkill.objects.filter(helper_id__in=ready_ids).values_list(
        "helper_id", "category_id"
    ):
        skills.setdefault(helper_id, []).append(category_id)
    certified = certified_skills(skills)
    skilled_count: dict[int, int] = {}
    certified_count: dict[int, int] = {}
    for helper_id, categories in skills.items():
        for category_id in categories:
            skilled_count[category_id] = skilled_count.get(category_id, 0) + 1
        for category_id in certified.get(helper_id, []):
            certified_count[category_id] = certified_count.get(category_id, 0) + 1
    all_required = set(requirements.for_all) | {
        course for courses in requirements.by_category.values() for course in courses
    }
    titles = course_titles(all_required)
    return [
        CategoryCoverage(
            category=category,
            required_courses=[
                titles.get(course_id, "")
                for course_id in sorted(requirements.for_category(category.pk))
            ],
            helpers_skilled=skilled_count.get(category.pk, 0),
            helpers_certified=certified_count.get(category.pk, 0),
        )
        for category in ServiceCategory.objects.filter(is_active=True)
    ]


@dataclass(frozen=True)
class UnmatchedForLackOfCertification:
    help_request: HelpRequest
    helpers_left_out: int
    missing: list[str]


def unmatched_for_lack_of_certification(user: User) -> list[UnmatchedForLackOfCertification]:
    """The newest unmatched requests whose matching left out helpers in reach only because
    they lacked a required certification, each with how many and which courses. Two queries."""
    if not user.is_staff:
        return []
    requests = list(
        HelpRequest.objects.filter(status=HelpRequestStatus.UNMATCHED)
        .select_related("category")
        .order_by("-created_at", "-pk")[:UNMATCHED_LOOKED_AT]
    )
    left_out: dict[int, set[str]] = {}
    missing: dict[int, set[str]] = {}
    for request_id, considered in MatchingRun.objects.filter(help_request__in=requests).values_list(
        "help_request_id", "considered"
    ):
        for row in considered or []:
            reason = str(row.get("reason", ""))
            if reason.startswith(NOT_CERTIFIED):
                left_out.setdefault(request_id, set()).add(str(row.get("helper_id")))
                missing.setdefault(request_id, set()).update(
                    reason.removeprefix(NOT_CERTIFIED).split("; ")
                )
    return [
        UnmatchedForLackOfCertification(
            help_request=request,
            helpers_left_out=len(left_out[request.pk]),
            missing=sorted(missing[request.pk]),
        )
        for request in requests
        if request.pk in left_out
    ]
