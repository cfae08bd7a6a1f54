"""The organisation's audit log, for its admin."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router

from commonground.api.pagination import paginate
from commonground.api.routers.common import ERRORS, Slug, actor, organisation
from commonground.api.schemas import AuditPageOut, AuditQuery
from commonground.audit.models import AuditEntry
from commonground.people.models import Organisation

router = Router()


def audit_entries(
    *, actor: Any, organisation: Organisation, object_type: str = "", object_id: str = ""
) -> QuerySet[AuditEntry]:
    """The organisation's audit entries, newest first, for those allowed to see them.

    The audit app has no selector for this yet; it belongs in commonground/audit/selectors.py.
    """
    if not actor.has_perm("audit.view_auditentry", organisation):
        raise PermissionDenied("The audit log is for the organisation's admin.")
    entries = AuditEntry.objects.filter(organisation=organisation)
    if object_type:
        entries = entries.filter(object_type=object_type)
    if object_id:
        entries = entries.filter(object_id=object_id)
    return entries.order_by("-seq")


@router.get(
    "/organisations/{slug}/audit",
    response={200: AuditPageOut, **ERRORS},
    summary="The audit log (admin)",
    description="Every change, and every read of a confidential record, newest first.",
)
def audit_list(request: HttpRequest, slug: Slug, filters: Query[AuditQuery]) -> dict[str, Any]:
    entries = audit_entries(
        actor=actor(request),
        organisation=organisation(request, slug),
        object_type=filters.object_type,
        object_id=filters.object_id,
    )
    return paginate(entries, filters)
