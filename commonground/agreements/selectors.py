"""Reads of agreements, already filtered by who may see them.

`agreement_get` returns the agreement or raises Http404 for anyone without need to know, so
another organisation's agreements, and ones a member is not part of, look like missing ones.
Reading the terms is a read of a confidential record, and goes on the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Cast, Coalesce
from django.http import Http404

from commonground.access.policy import standing
from commonground.agreements.models import (
    Agreement,
    AgreementParty,
    AgreementVersion,
    Breach,
    Disagreement,
    Signature,
)
from commonground.agreements.supporters import supported_subjects
from commonground.audit.services import audit_read
from commonground.obligations.models import Obligation
from commonground.people.models import Organisation


def my_agreements(
    *, actor: Any, organisation: Organisation, everyone: bool = False
) -> QuerySet[Agreement]:
    """Agreements the actor is in or supports; with `everyone`, all of them (the admin only).

    Each carries `my_must_sign` and `i_signed` (for the current version), so the list runs the
    same queries however long it is."""
    st = standing(actor, organisation)
    if not st.belongs:
        raise Http404("No such organisation.")
    me = st.person
    assert me is not None
    agreements = Agreement.objects.filter(organisation=organisation)
    if not (everyone and st.is_admin):
        mine = Q(parties__person=me)
        for subject_type, ids in supported_subjects(organisation.pk, me.pk):
            mine |= Q(subject_type=subject_type, subject_id__in=ids)
        agreements = agreements.filter(
            pk__in=Agreement.objects.filter(organisation=organisation).filter(mine).values("pk")
        )
    return (
        agreements.select_related("current_version")
        .annotate(
            my_must_sign=Exists(
                AgreementParty.objects.filter(agreement=OuterRef("pk"), person=me, must_sign=True)
            ),
            i_signed=Exists(
                Signature.objects.filter(version=OuterRef("current_version"), party__person=me)
            ),
            review_due=Coalesce(
                Subquery(
                    Obligation.objects.filter(
                        subject_type="agreements.agreement",
                        subject_id=Cast(OuterRef("pk"), CharField()),
                        rule_id=OuterRef("review_rule_id"),
                        state=Obligation.State.OPEN,
                    )
                    .order_by("due_on")
                    .values("due_on")[:1]
                ),
                F("review_on"),
            ),
        )
        .order_by("-created_at", "-pk")
    )


def agreement_get(*, actor: Any, organisation: Organisation, pk: int) -> Agreement:
    agreement = (
        Agreement.objects.filter(organisation=organisation, pk=pk)
        .select_related("organisation", "current_version", "superseded_by")
        .prefetch_related(
            Prefetch("parties", queryset=AgreementParty.objects.select_related("person"))
        )
        .first()
    )
    if agreement is None or not actor.has_perm("agreements.view_agreement", agreement):
        raise Http404("No such agreement.")
    return agreement


def own_party(*, actor: Any, agreement: Agreement) -> AgreementParty | None:
    me = standing(actor, agreement.organisation).person
    if me is None:
        return None
    return next((p for p in agreement.parties.all() if p.person_id == me.pk), None)


def party_get(*, agreement: Agreement, pk: int) -> AgreementParty:
    party = next((p for p in agreement.parties.all() if p.pk == pk), None)
    if party is None:
        raise Http404("No such party.")
    return party


@dataclass
class VersionView:
    version: AgreementVersion
    sections: list[tuple[str, str]]
    signatures: list[Signature]
    disagreements: list[Disagreement]
    signed_party_ids: set[int]


@dataclass
class AgreementRecord:
    """An agreement as its page and its printed copy show it."""

    agreement: Agreement
    versions: list[VersionView]
    breaches: list[Breach]
    reviews: list[Any]
    review_obligation: Obligation | None

    @property
    def current(self) -> VersionView:
        return self.versions[0]

    @property
    def review_due(self) -> Any:
        if self.review_obligation is not None:
            return self.review_obligation.due_on
        return self.agreement.review_on

    def waiting_for(self) -> list[AgreementParty]:
        signed = self.current.signed_party_ids
        return [p for p in self.agreement.parties.all() if p.must_sign and p.pk not in signed]


def agreement_record(*, actor: Any, agreement: Agreement, purpose: str = "") -> AgreementRecord:
    """The terms of every version, signatures, disagreements, breaches and reviews. The terms
    are confidential: this read is written to the audit log."""
    if not actor.has_perm("agreements.view_agreement", agreement):
        raise Http404("No such agreement.")
    versions = list(
        agreement.versions.prefetch_related(
            Prefetch(
                "signatures",
                queryset=Signature.objects.select_related("party__person").order_by("signed_at"),
            ),
            Prefetch(
                "disagreements",
                queryset=Disagreement.objects.select_related("party__person").order_by("noted_at"),
            ),
        ).order_by("-number")
    )
    for version in versions:
        version.agreement = agreement
    views = [
        VersionView(
            version=v,
            sections=v.labelled_sections(),
            signatures=list(v.signatures.all()),
            disagreements=list(v.disagreements.all()),
            signed_party_ids={s.party_id for s in v.signatures.all()},
        )
        for v in versions
    ]
    breaches = list(agreement.breaches.select_related("by_party__person"))
    reviews = list(agreement.reviews.select_related("version"))
    review_obligation = None
    if agreement.review_rule_id:
        review_obligation = (
            Obligation.objects.filter(
                subject_type="agreements.agreement",
                subject_id=str(agreement.pk),
                rule_id=agreement.review_rule_id,
                state=Obligation.State.OPEN,
            )
            .select_related("organisation")
            .first()
        )
    audit_read(
        actor=actor,
        organisation=agreement.organisation,
        instance=agreement,
        fields=("terms", "disagreements", "breaches"),
        reason=purpose,
    )
    return AgreementRecord(agreement, views, breaches, reviews, review_obligation)


def other_agreements(*, actor: Any, agreement: Agreement) -> QuerySet[Agreement]:
    """Agreements in the same organisation that could replace this one (for the admin)."""
    return Agreement.objects.filter(organisation=agreement.organisation).exclude(pk=agreement.pk)
