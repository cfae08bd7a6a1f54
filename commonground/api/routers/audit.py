"""The organisation's audit log, for its admin."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from commonground.api.pagination import paginate
from commonground.api.routers.common import ERRORS, Slug, actor, organisation
from commonground.api.schemas import AuditPageOut, AuditQuery
from commonground.web import selectors as web_selectors

router = Router()


@router.get(
    "/organisations/{slug}/audit",
    response={200: AuditPageOut, **ERRORS},
    summary="The audit log (admin)",
    description="Every change, and every read of a confidential record, newest first.",
)
def audit_list(request: HttpRequest, slug: Slug, filters: Query[AuditQuery]) -> dict[str, Any]:
    entries = web_selectors.audit_entries(
        actor=actor(request),
        organisation=organisation(request, slug),
        action=filters.action or "",
        object_type=filters.object_type,
        object_id=filters.object_id,
    )
    return paginate(entries, filters)
