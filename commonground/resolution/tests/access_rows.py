"""The CRM pages in the access matrix (see commonground/web/tests/access_extensions.py).

The world's party is Member A of a case the world's supporter facilitates; Member B (no login)
was given an Action Plan and a Notice to Quit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from commonground.casework.models import Case, CaseParty, CaseSupporter
from commonground.resolution import services
from commonground.resolution.models import CommunityResolutionMeeting
from commonground.testing.factories import PersonFactory
from commonground.web.tests.access_rows_base import SIGN_IN, row

MANAGE = row(SIGN_IN, 403, 200, 403, 404, 404)
ADMIN_ONLY = row(SIGN_IN, 404, 403, 200, 404, 404)

ROWS = {
    "resolution:crm_list": row(SIGN_IN, 200, 200, 200, 200, 404),
    "resolution:crm_call": MANAGE,
    "resolution:crm_detail": row(SIGN_IN, 200, 200, 200, 404, 404),
    "resolution:crm_notice": MANAGE,
    "resolution:contribution_edit": row(SIGN_IN, 200, 200, 403, 404, 404),
    "resolution:contribution_place": row(SIGN_IN, 405, 405, 405, 405, 405),
    "resolution:outreach": MANAGE,
    "resolution:decide": row(SIGN_IN, 403, 403, 200, 404, 404),
    "resolution:crm_summary": MANAGE,
    "resolution:crm_notes": MANAGE,
    "resolution:agenda_draft": MANAGE,
    "resolution:agenda": row(SIGN_IN, 200, 200, 200, 200, 404),
    "resolution:ntq_detail": row(SIGN_IN, 404, 200, 200, 404, 404),
    "resolution:ntq_pdf": row(SIGN_IN, 404, 200, 200, 404, 404),
    "resolution:check_in": row(SIGN_IN, 404, 200, 403, 404, 404),
    "resolution:reinstate": ADMIN_ONLY,
    "resolution:court": ADMIN_ONLY,
}


def extend_world(world: Any) -> None:
    p = world.p
    case = Case.objects.create(organisation=p.org, reference="CRM-1", title="Noise")
    member_b = PersonFactory(organisation=p.org, full_name="Bea Other")
    party_a = CaseParty.objects.create(case=case, person=p.party, alias="Member A")
    party_b = CaseParty.objects.create(case=case, person=member_b, alias="Member B")
    CaseSupporter.objects.create(
        case=case,
        person=p.supporter,
        role=CaseSupporter.Role.FACILITATOR,
        starts_on=timezone.localdate() - dt.timedelta(days=30),
    )
    supporter = p.supporter.user
    crm = services.crm_call(
        actor=supporter, case=case, stuck_reason="Stuck.", harm_reason="Harm.", harm_by=[party_b]
    )
    services.crm_set_date(
        actor=supporter, crm=crm, meeting_at=timezone.now() + dt.timedelta(days=40)
    )
    crm_a, crm_b = crm.parties.get(case_party=party_a), crm.parties.get(case_party=party_b)
    for crm_party, actor, author in (
        (crm_a, p.party.user, p.party),
        (crm_b, supporter, p.supporter),
    ):
        services.crm_record_outreach(actor=supporter, party=crm_party, on=timezone.localdate())
        contribution = services.contribution_save(
            actor=actor, party=crm_party, author=author, needs="Quiet nights.", requests="A rota."
        )
        services.contribution_place(actor=supporter, contribution=contribution, on_agenda=True)
    services.crm_write_summary(actor=supporter, crm=crm, support_summary="Support so far.")
    services.agenda_publish(actor=supporter, crm=crm)
    # The meeting has started: its decisions can be recorded.
    CommunityResolutionMeeting.objects.filter(pk=crm.pk).update(
        meeting_at=timezone.now() - dt.timedelta(hours=1)
    )
    decision = services.crm_decide(
        actor=p.admin.user, party=crm_b, action_plan_needed=True, reason="Harm.", actions="Quiet."
    )
    world.extra["resolution"] = {
        "case": case,
        "crm": crm,
        "party_a": crm_a,
        "notice": decision.notice_to_quit,
    }


def kwargs(world: Any, name: str) -> dict[str, Any] | None:
    if not name.startswith("resolution:"):
        return None
    found = world.extra["resolution"]
    if name == "resolution:crm_list":
        return {}
    if name == "resolution:crm_call":
        return {"case_pk": found["case"].pk}
    if name in {
        "resolution:ntq_detail",
        "resolution:ntq_pdf",
        "resolution:check_in",
        "resolution:reinstate",
        "resolution:court",
    }:
        return {"pk": found["notice"].pk}
    if name in {
        "resolution:contribution_edit",
        "resolution:contribution_place",
        "resolution:outreach",
        "resolution:decide",
    }:
        return {"pk": found["crm"].pk, "party_pk": found["party_a"].pk}
    return {"pk": found["crm"].pk}
