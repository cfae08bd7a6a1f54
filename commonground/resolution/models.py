"""Community Resolution Meetings under the ASH Support and Wellbeing Policy (ASH-7 to ASH-17).

A CRM is called on a case (ASH-7), given notice (ASH-8), prepared with each party's contribution
and the S&W summary (ASH-9, ASH-11), held with an anonymous agenda (ASH-10), and decides per
party whether an Action Plan is needed (ASH-13). A member given an Action Plan has membership
removed and a Notice to Quit (ASH-14), with check-ins (ASH-15), reinstatement only by a meeting's
decision (ASH-16) or, at the end, a court application (ASH-17).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db import models
from django.utils import timezone

from commonground.crypto import EncryptedTextField


class CommunityResolutionMeeting(models.Model):
    class State(models.TextChoices):
        CALLED = "called", "Called"
        NOTICE_GIVEN = "notice_given", "Notice given"
        AGENDA_PUBLISHED = "agenda_published", "Agenda published"
        DECIDED = "decided", "Decisions recorded"

    organisation = models.ForeignKey(
        "people.Organisation", on_delete=models.PROTECT, related_name="crms"
    )
    case = models.ForeignKey("casework.Case", on_delete=models.PROTECT, related_name="crms")
    state = models.CharField(max_length=20, choices=State.choices, default=State.CALLED)
    # ASH-7: the grounds found when it was called.
    no_agreement = models.BooleanField(default=False)
    agreement_broken = models.BooleanField(default=False)
    party_not_engaging = models.BooleanField(default=False)
    # ASH-7: both judgements, each with its reason (confidential).
    stuck_reason = EncryptedTextField()
    harm_reason = EncryptedTextField()
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    called_at = models.DateTimeField(default=timezone.now)
    # ASH-8: when notice was given to every party, and when the meeting is.
    notice_given_at = models.DateTimeField(null=True, blank=True)
    meeting_at = models.DateTimeField(null=True, blank=True)
    place = models.CharField(max_length=200, blank=True)
    # ASH-11: the S&W summary of support so far, and suggested Action Plan text.
    support_summary = EncryptedTextField(blank=True)
    suggested_action_plan = EncryptedTextField(blank=True)
    # ASH-12: S&W's confidential notes; never on the agenda, never outside the supporters.
    confidential_notes = EncryptedTextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-called_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "state"], name="crm_org_state")]

    def __str__(self) -> str:
        return f"Community Resolution Meeting on {self.case.reference}"

    @property
    def grounds(self) -> list[str]:
        found = []
        if self.no_agreement:
            found.append("No Shared Agreement was reached")
        if self.agreement_broken:
            found.append("A Shared Agreement was broken")
        if self.party_not_engaging:
            found.append("A party is not engaging")
        return found


class CrmParty(models.Model):
    """A member in the conflict, at this CRM: outreach (ASH-9) and whether they cause significant
    harm (ASH-7, which ASH-13 needs before an Action Plan)."""

    crm = models.ForeignKey(
        CommunityResolutionMeeting, on_delete=models.CASCADE, related_name="parties"
    )
    case_party = models.ForeignKey("casework.CaseParty", on_delete=models.PROTECT, related_name="+")
    significant_harm = models.BooleanField(default=False)
    outreach_on = models.DateField(null=True, blank=True)
    outreach_note = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["case_party__alias", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["crm", "case_party"], name="crm_party_once"),
        ]

    def __str__(self) -> str:
        return self.case_party.alias

    @property
    def alias(self) -> str:
        return self.case_party.alias


class Contribution(models.Model):
    """A party's needs and requests for a Shared Agreement (ASH-9). Private to its author and the
    supporters until a supporter places it on the agenda."""

    crm = models.ForeignKey(
        CommunityResolutionMeeting, on_delete=models.CASCADE, related_name="contributions"
    )
    party = models.OneToOneField(CrmParty, on_delete=models.CASCADE, related_name="contribution")
    author = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    needs = EncryptedTextField()
    requests = EncryptedTextField()
    on_agenda = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["party__case_party__alias", "pk"]

    def __str__(self) -> str:
        return f"Contribution of {self.party_id}"


class AgendaVersion(models.Model):
    """A published, anonymous agenda (ASH-10): frozen once written."""

    crm = models.ForeignKey(
        CommunityResolutionMeeting, on_delete=models.CASCADE, related_name="agendas"
    )
    number = models.PositiveIntegerField()
    # JSON list of [heading, text] pairs.
    content = EncryptedTextField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["crm", "number"], name="crm_agenda_version_once"),
        ]

    def __str__(self) -> str:
        return f"Agenda version {self.number}"

    def sections(self) -> list[tuple[str, str]]:
        return [(str(h), str(t)) for h, t in json.loads(self.content)]


class Decision(models.Model):
    """What the CRM decided for one party (ASH-13)."""

    crm = models.ForeignKey(
        CommunityResolutionMeeting, on_delete=models.CASCADE, related_name="decisions"
    )
    party = models.OneToOneField(CrmParty, on_delete=models.PROTECT, related_name="decision")
    action_plan_needed = models.BooleanField()
    reason = EncryptedTextField()
    action_plan = models.ForeignKey(
        "agreements.Agreement", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["party__case_party__alias", "pk"]

    def __str__(self) -> str:
        return f"Decision for {self.party_id}"


class NoticeToQuit(models.Model):
    """ASH-14: issued to a member given an Action Plan, whose membership is removed."""

    class State(models.TextChoices):
        RUNNING = "running", "Running"
        REINSTATED = "reinstated", "Membership reinstated"
        COURT = "court", "Court application begun"

    organisation = models.ForeignKey(
        "people.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    crm = models.ForeignKey(
        CommunityResolutionMeeting, on_delete=models.PROTECT, related_name="notices_to_quit"
    )
    # One notice per decision, whatever arrives at once (ASH-14).
    decision = models.OneToOneField(
        Decision, on_delete=models.PROTECT, related_name="notice_to_quit"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="notices_to_quit"
    )
    issued_on = models.DateField()
    ends_on = models.DateField()
    state = models.CharField(max_length=12, choices=State.choices, default=State.RUNNING)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    court_application_begun_on = models.DateField(null=True, blank=True)
    court_note = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["crm", "person"], name="ntq_once_per_crm_person"),
        ]

    def __str__(self) -> str:
        return f"Notice to Quit {self.pk}"


class CheckIn(models.Model):
    """ASH-15: S&W checking in during the Notice to Quit, perhaps recommending reinstatement."""

    notice = models.ForeignKey(NoticeToQuit, on_delete=models.CASCADE, related_name="check_ins")
    held_on = models.DateField()
    note = EncryptedTextField()
    recommend_restore = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["held_on", "pk"]

    def __str__(self) -> str:
        return f"Check-in on {self.held_on}"


class Reinstatement(models.Model):
    """ASH-16: membership reinstated by a decision recorded at a meeting that was held."""

    notice = models.OneToOneField(
        NoticeToQuit, on_delete=models.PROTECT, related_name="reinstatement"
    )
    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.PROTECT, related_name="+")
    reason = EncryptedTextField()
    decided_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Reinstatement of {self.notice_id}"
