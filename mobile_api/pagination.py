"""Every list of the API is paginated the same way: `{"count", "next", "previous", "results"}`,
20 items a page by default, `?page=` and `?page_size=` (at most 100: a larger value gives 100)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

MAX_PAGE_SIZE = 100


class Pagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    page_size_query_description = (
        f"Items per page, 20 unless given; at most {MAX_PAGE_SIZE} (a larger value gives "
        f"{MAX_PAGE_SIZE})."
    )
    max_page_size = MAX_PAGE_SIZE


class PaginatedListView:
    """Marks an APIView whose GET answers a page through `paginated` (as generic list views
    do): the schema gives it the page parameters and the 404 of a page beyond the last."""


PAGE_PARAMETERS = [
    OpenApiParameter("page", int, required=False, description="A page number within the list."),
    OpenApiParameter(
        "page_size", int, required=False, description=Pagination.page_size_query_description
    ),
]


def paginated(
    request: Request,
    view: APIView,
    rows: Sequence[Any],
    serializer: type[serializers.BaseSerializer[Any]],
    **serializer_args: Any,
) -> Response:
    """One page of `rows` in the API's envelope, for views that are not generic list views."""
    paginator = Pagination()
    page = paginator.paginate_queryset(rows, request, view=view)
    data = serializer(page, many=True, **serializer_args).data
    return paginator.get_paginated_response(data)


def one_page(rows: Sequence[Any], serializer: type[serializers.BaseSerializer[Any]]) -> Response:
    """A short list that a write answers with, whole, in the same envelope."""
    data = serializer(rows, many=True).data
    return Response({"count": len(rows), "next": None, "previous": None, "results": data})


@cache
def page_of(item: type[serializers.BaseSerializer[Any]]) -> type[serializers.Serializer[Any]]:
    """The schema of one page of `item`s, for `extend_schema(responses=...)`."""
    name = item.__name__.removesuffix("Serializer") + "Page"
    return type(
        name,
        (serializers.Serializer,),
        {
            "count": serializers.IntegerField(help_text="Items in the whole list."),
            "next": serializers.URLField(allow_null=True, help_text="The next page, if any."),
            "previous": serializers.URLField(allow_null=True, help_text="The page before, if any."),
            "results": item(many=True),
            "__module__": __name__,
        },
    )
