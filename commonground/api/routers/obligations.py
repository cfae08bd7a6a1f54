"""Deadlines: mine, the ones I oversee, each with the sentence that explains its date."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Path, Query, Router

from commonground.api.pagination import paginate
from commonground.api.routers.common import ERRORS, Slug, actor, organisation
from commonground.api.schemas import (
    MAX_ID,
    ObligationOut,
    ObligationPageOut,
    ObligationQuery,
    ReasonIn,
)
from commonground.obligations import selectors
from commonground.obligations.models import Obligation
from commonground.obligations.services import obligation_waive

router = Router()

ObligationId = Annotated[int, Path(ge=1, le=MAX_ID, description="The obligation's id.")]


def obligation_out(obligation: Obligation) -> ObligationOut:
    return ObligationOut(
        id=obligation.pk,
        rule_id=obligation.rule_id,
        title=obligation.title,
        direction=obligation.direction,
        due_on=obligation.due_on,
        status=obligation.status(),
        trigger_event=obligation.trigger_event,
        trigger_at=obligation.trigger_at,
        why=selectors.explain(obligation)["sentence"],
        subject_type=obligation.subject_type,
        subject_id=obligation.subject_id,
    )


@router.get(
    "/organisations/{slug}/obligations",
    response={200: ObligationPageOut, **ERRORS},
    summary="Open deadlines: mine, or the ones I oversee",
)
def obligation_list(
    request: HttpRequest, slug: Slug, filters: Query[ObligationQuery]
) -> dict[str, Any]:
    org = organisation(request, slug)
    if filters.show == "overseen":
        queryset = selectors.overseen_obligations(actor=actor(request), organisation=org)
    else:
        queryset = selectors.my_obligations(actor=actor(request), organisation=org)
    page = paginate(queryset, filters)
    page["items"] = [obligation_out(o) for o in page["items"]]
    return page


@router.get(
    "/organisations/{slug}/obligations/{obligation_id}",
    response={200: ObligationOut, **ERRORS},
    summary="One deadline and why it falls when it does",
)
def obligation_detail(
    request: HttpRequest, slug: Slug, obligation_id: ObligationId
) -> ObligationOut:
    found = selectors.obligation_get(
        actor=actor(request), organisation=organisation(request, slug), pk=obligation_id
    )
    return obligation_out(found)


@router.post(
    "/organisations/{slug}/obligations/{obligation_id}/waive",
    response={200: ObligationOut, **ERRORS},
    summary="Waive a deadline, with a reason (admin or whoever oversees it)",
)
def obligation_waive_post(
    request: HttpRequest, slug: Slug, obligation_id: ObligationId, payload: ReasonIn
) -> ObligationOut:
    found = selectors.obligation_get(
        actor=actor(request), organisation=organisation(request, slug), pk=obligation_id
    )
    return obligation_out(
        obligation_waive(actor=actor(request), obligation=found, reason=payload.reason)
    )
