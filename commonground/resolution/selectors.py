"""Reads around Community Resolution Meetings, already filtered by what the actor may see.

Each `*_get` returns the record or raises Http404 for anyone without need to know."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from commonground.access.policy import standing
from commonground.audit.services import audit_read
from commonground.casework.models import Case, CaseSupporter
from commonground.obligations.models import Obligation
from commonground.obligations.selectors import obligations_for_subject
from commonground.people.models import Organisation
from commonground.resolution.models import (
    AgendaVersion,
    CommunityResolutionMeeting,
    Contribution,
    CrmParty,
    NoticeToQuit,
)

CRM = CommunityResolutionMeeting


def case_get(*, actor: Any, organisation: Organisation, pk: int) -> Case:
    case = Case.objects.filter(organisation=organisation, pk=pk).first()
    if case is None or not actor.has_perm("resolution.view_crm", case):
        raise Http404("No such case.")
    return case


def crm_get(*, actor: Any, organisation: Organisation, pk: int) -> CRM:
    crm = (
        CRM.objects.filter(organisation=organisation, pk=pk)
        .select_related("organisation", "case")
        .first()
    )
    if crm is None or not actor.has_perm("resolution.view_crm", crm):
        raise Http404("No such meeting.")
    return crm


def crm_party_get(*, actor: Any, crm: CRM, pk: int) -> CrmParty:
    party = (
        CrmParty.objects.filter(crm=crm, pk=pk).select_related("case_party__person", "crm").first()
    )
    if party is None:
        raise Http404("No such party.")
    return party


def agenda_get(*, actor: Any, organisation: Organisation, pk: int) -> tuple[CRM, AgendaVersion]:
    """The latest published agenda: every member of the organisation may read it (ASH-10)."""
    crm = CRM.objects.filter(organisation=organisation, pk=pk).select_related("case").first()
    if crm is None or not actor.has_perm("resolution.view_agenda", crm):
        raise Http404("No such agenda.")
    version = crm.agendas.order_by("-number").first()
    if version is None:
        raise Http404("No agenda has been published.")
    return crm, version


def crm_list(*, actor: Any, organisation: Organisation) -> dict[str, Any]:
    """The CRMs the actor takes part in, and every published agenda in the organisation."""
    own = standing(actor, organisation)
    mine: QuerySet[CRM] = CRM.objects.none()
    if own.person is not None:
        supported = CaseSupporter.objects.filter(person=own.person).values("case_id")
        q = Q(case__parties__person=own.person) | Q(case_id__in=supported)
        if own.is_admin or own.has("sw_member"):
            q = Q()
        mine = (
            CRM.objects.filter(organisation=organisation)
            .filter(q)
            .select_related("case")
            .distinct()
        )
    published = (
        CRM.objects.filter(organisation=organisation, agendas__isnull=False)
        .select_related("case")
        .distinct()
    )
    return {
        "mine": [c for c in mine if actor.has_perm("resolution.view_crm", c)],
        "published": published,
    }


def contributions_visible(*, actor: Any, crm: CRM) -> list[Contribution]:
    """ASH-9: each contribution to its author and the supporters; to others once on the agenda
    (and then only anonymously, through the agenda)."""
    rows = Contribution.objects.filter(crm=crm).select_related("party__case_party__person", "crm")
    seen = [c for c in rows if actor.has_perm("resolution.view_contribution", c)]
    for contribution in seen:
        audit_read(
            actor=actor,
            organisation=crm.organisation,
            instance=contribution,
            fields=["needs", "requests"],
        )
    return seen


def crm_notes(*, actor: Any, crm: CRM) -> str | None:
    """ASH-12: the S&W confidential notes, for the case's supporters only (every read audited)."""
    if not actor.has_perm("resolution.view_notes", crm):
        return None
    if crm.confidential_notes:
        audit_read(
            actor=actor,
            organisation=crm.organisation,
            instance=crm,
            fields=["confidential_notes"],
        )
    return crm.confidential_notes


def notice_get(*, actor: Any, organisation: Organisation, pk: int) -> NoticeToQuit:
    notice = (
        NoticeToQuit.objects.filter(organisation=organisation, pk=pk)
        .select_related(
            "person", "crm__case", "crm__organisation", "decision__action_plan", "organisation"
        )
        .first()
    )
    if notice is None or not actor.has_perm("resolution.view_notice_to_quit", notice):
        raise Http404("No such notice.")
    return notice


def notice_obligations(notice: NoticeToQuit) -> QuerySet[Obligation]:
    return obligations_for_subject(subject_type="resolution.noticetoquit", subject_id=notice.pk)


def crm_obligations(crm: CRM) -> QuerySet[Obligation]:
    return obligations_for_subject(
        subject_type="resolution.communityresolutionmeeting", subject_id=crm.pk
    )
