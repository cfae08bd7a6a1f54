"""Page-numbered lists: the same two queries (count, page) however many rows there are."""

from __future__ import annotations

import math
from typing import Any

from django.db.models import QuerySet

from commonground.api.schemas import PageQuery


def paginate(queryset: QuerySet[Any], paging: PageQuery) -> dict[str, Any]:
    """One page of `queryset`. A page past the last is empty rather than an error."""
    count = queryset.count()
    offset = (paging.page - 1) * paging.page_size
    items = list(queryset[offset : offset + paging.page_size]) if offset < count else []
    return {
        "items": items,
        "count": count,
        "page": paging.page,
        "pages": max(1, math.ceil(count / paging.page_size)),
    }
