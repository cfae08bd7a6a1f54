"""What each kind of agreement holds, in the words of the policy it comes from.

A kind names the rule that asks for it, the sections its terms are written in, whether it runs
between dates, which rule (if any) caps its length, and the rule that schedules its review.
Numbers stay in the policy files; only rule ids and parameter names are written here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Kind(models.TextChoices):
    SHARED_AGREEMENT = "shared_agreement", "Shared Agreement"
    ACTION_PLAN = "action_plan", "Action Plan"
    SUPERVISION_CONTRACT = "supervision_contract", "Supervision contract"
    BUDDY_CONTRACT = "buddy_contract", "Buddy contract"
    GROUP_GUIDELINE = "group_guideline", "Group guideline"


class PartyRole(models.TextChoices):
    PARTY = "party", "Party"
    STAFF_MEMBER = "staff_member", "Member of staff"
    MANAGER = "manager", "Manager"
    BUDDY = "buddy", "Buddy"
    GROUP_MEMBER = "group_member", "Group member"
    FACILITATOR = "facilitator", "Facilitator"
    # Sees the agreement and helps run it; never signs it.
    SUPPORTER = "supporter", "Supporter"


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    hint: str = ""
    required: bool = True


@dataclass(frozen=True)
class RuleParam:
    rule_id: str
    param: str


@dataclass(frozen=True)
class KindSpec:
    kind: str
    rule_id: str
    summary: str
    sections: tuple[Section, ...]
    # Time-limited kinds need both a start and an end date.
    needs_dates: bool = False
    # The rule whose duration is the longest the agreement may run.
    longest: RuleParam | None = None
    # The rule whose duration sets the review date once the agreement is agreed.
    review: RuleParam | None = None
    # Holders of this role see the review deadline on the organisation's overdue list.
    oversight_role: str = ""
    party_roles: tuple[str, ...] = (PartyRole.PARTY, PartyRole.SUPPORTER)

    @property
    def label(self) -> str:
        return str(Kind(self.kind).label)

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)


KINDS: dict[str, KindSpec] = {
    spec.kind: spec
    for spec in (
        KindSpec(
            kind=Kind.SHARED_AGREEMENT,
            rule_id="ASH-5",
            summary="Made at the Group Meeting, written together and agreed by every member in "
            "the conflict.",
            sections=(
                Section(
                    "agreements",
                    "What we agree",
                    "The Shared Agreements, in the words of the members who made them.",
                ),
                Section("needs", "What each of us needs", required=False),
                Section(
                    "support", "Support the Support & Wellbeing group will give", required=False
                ),
            ),
            # ASH-6: a review meeting one month after the Group Meeting.
            review=RuleParam("ASH-6", "after"),
            oversight_role="sw_member",
        ),
        KindSpec(
            kind=Kind.ACTION_PLAN,
            rule_id="ASH-13",
            summary="Decided at a Community Resolution Meeting where significant harm is being "
            "done; it covers a set period.",
            sections=(
                Section("actions", "Actions", "What the member will do, and by when."),
                Section("support", "Support offered", required=False),
                Section("success", "How we will know it has worked", required=False),
            ),
            needs_dates=True,
            # ASH-13: an Action Plan covers two months.
            longest=RuleParam("ASH-13", "action_plan_covers"),
            oversight_role="sw_member",
        ),
        KindSpec(
            kind=Kind.SUPERVISION_CONTRACT,
            rule_id="WCC-4",
            summary="Agreed in writing at the start of the 1:1 relationship, in the council's "
            "format.",
            sections=(
                Section("purpose", "Purpose"),
                Section("structure", "Structure"),
                Section("style", "Style"),
                Section("goals", "Goals"),
                Section("boundaries", "Nature and boundaries"),
                Section("support_needs", "Other support needs", required=False),
                Section("frequency", "Frequency", "How often 1:1s happen."),
                Section("duration", "Duration", "How long each 1:1 lasts."),
                Section("place", "Place"),
                Section("confidentiality", "Confidentiality"),
                Section("recording", "Recording", "How notes are made and kept."),
            ),
            # WCC-5: the contract is reviewed annually or as appropriate.
            review=RuleParam("WCC-5", "review_every"),
            oversight_role="council_manager",
            party_roles=(PartyRole.STAFF_MEMBER, PartyRole.MANAGER, PartyRole.SUPPORTER),
        ),
        KindSpec(
            kind=Kind.BUDDY_CONTRACT,
            rule_id="BUD-4",
            summary="A written, time-limited contract agreed by both buddies.",
            sections=(
                Section("aim", "Aim and objectives"),
                Section("boundaries", "Boundaries"),
                Section("expectations", "Expectations and time commitment"),
                Section(
                    "get_out_clause",
                    "Get-out clause",
                    "How either buddy can end the pairing early, and who to tell.",
                ),
                Section("consequences", "Consequences of breaking the contract"),
                Section("evaluation", "How progress is evaluated"),
                # BUD-5: consent says what may be shared, with whom, and what follows a breach.
                Section(
                    "consent",
                    "What may be shared, and with whom",
                    "In plain words: what may be shared, with whom, and what happens if "
                    "confidentiality is broken.",
                ),
            ),
            needs_dates=True,
            # BUD-4: contracts are time limited; the scheme sets the longest term.
            longest=RuleParam("BUD-4", "longest_contract"),
            oversight_role="buddy_coordinator",
            party_roles=(PartyRole.BUDDY, PartyRole.SUPPORTER),
        ),
        KindSpec(
            kind=Kind.GROUP_GUIDELINE,
            rule_id="PSP-5",
            summary="A guideline any group member may propose; the group agrees it and "
            "reviews it periodically.",
            sections=(
                Section("guideline", "The guideline"),
                Section("why", "Why the group wants it", required=False),
            ),
            # PSP-5: guidelines are periodically reviewed by the group.
            review=RuleParam("PSP-5", "guideline_review_every"),
            oversight_role="facilitator",
            party_roles=(PartyRole.GROUP_MEMBER, PartyRole.FACILITATOR, PartyRole.SUPPORTER),
        ),
    )
}


def kind_spec(kind: str) -> KindSpec:
    return KINDS[kind]
