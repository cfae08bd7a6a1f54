"""The case pages in the access matrix: a case in which world.p.party is a party and
world.p.supporter (an S&W member with the course) is one of the pair."""

from __future__ import annotations

from typing import Any

from commonground.casework.models import CaseSupporter
from commonground.casework.services import case_request, offer_make, supporter_assign
from commonground.people.models import QualificationKind
from commonground.people.roles import Role
from commonground.testing.factories import (
    PersonFactory,
    QualificationFactory,
    RoleAssignmentFactory,
)
from commonground.web.tests.access_rows_base import SIGN_IN, row

RUN = row(SIGN_IN, 403, 200, 200, 404, 404)

ROWS = {
    # Every member may ask for help; the list shows each person their own cases.
    "casework:case_list": row(SIGN_IN, 200, 200, 200, 200, 404),
    "casework:case_request": row(SIGN_IN, 200, 200, 200, 200, 404),
    # The party sees their case; the pair and the admin run it; anyone else: no such case.
    "casework:case_detail": row(SIGN_IN, 200, 200, 200, 404, 404),
    "casework:case_screening": RUN,
    "casework:supporter_assign": RUN,
    # Whoever may manage the pair ends someone's support early, with a reason.
    "casework:supporter_end": RUN,
    "casework:initial_conversation": RUN,
    "casework:path_choose": RUN,
    "casework:individual_conversation": RUN,
    "casework:group_meeting": RUN,
    "casework:group_meeting_held": RUN,
    "casework:shared_agreement": RUN,
    "casework:review": RUN,
    "casework:offer_add": RUN,
    "casework:offer_change": RUN,
    # Only S&W members declare a close relationship (the admin is not one here).
    "casework:relationship_declare": row(SIGN_IN, 403, 200, 403, 404, 404),
    # ASH-12: the confidential notes are for the case's current supporters only.
    "casework:case_notes": row(SIGN_IN, 404, 200, 404, 404, 404),
}


def extend_world(world: Any) -> None:
    p = world.p
    RoleAssignmentFactory(person=p.supporter, role=Role.SW_MEMBER)
    QualificationFactory(person=p.supporter, kind=QualificationKind.CONFLICT_FACILITATION_INTRO)
    neighbour = PersonFactory(organisation=p.org, full_name="Nico Neighbour")
    case = case_request(
        actor=p.party.user,
        organisation=p.org,
        title="Noise between flats",
        summary="Music late at night.",
        parties=[neighbour],
    )
    supporter_assign(
        actor=p.admin.user, case=case, person=p.supporter, role=CaseSupporter.Role.FACILITATOR
    )
    world.extra["case"] = case
    world.extra["offer"] = offer_make(actor=p.admin.user, case=case, kind="signposting")


def kwargs(world: Any, name: str) -> dict[str, Any] | None:
    if not name.startswith("casework:") or name in ("casework:case_list", "casework:case_request"):
        return {} if name.startswith("casework:") else None
    case = world.extra["case"]
    if name == "casework:offer_change":
        return {"pk": case.pk, "offer_pk": world.extra["offer"].pk}
    if name == "casework:supporter_end":
        row = case.supporters.get(person=world.p.supporter)
        return {"pk": case.pk, "supporter_pk": row.pk}
    return {"pk": case.pk}
