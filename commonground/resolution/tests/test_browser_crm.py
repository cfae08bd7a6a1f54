"""One case in Chromium from a broken Shared Agreement through a Community Resolution Meeting, an
Action Plan and reinstatement, each person signed in through the real sign-in page for their part:
a supporter calls the meeting with the ASH-7 checklist and gives a month's notice (ASH-8), each
party writes their needs and requests (ASH-9), the supporter writes the summary (ASH-11) and the
agenda check refuses a party's name until it is taken out (ASH-10); after the notice the admin
records the decisions (ASH-13) with the Action Plan and Notice to Quit (ASH-14), the supporter
checks in (ASH-15) and the admin records a held meeting's decision to reinstate (ASH-16), which
cancels the court application (ASH-17). Every page on the way is scanned with axe-core.

Run with `make test-browser` (Debian's chromium; .ci/run installs it)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from commonground.agreements.models import Agreement
from commonground.agreements.services import agreement_sign
from commonground.casework import services as casework
from commonground.casework.models import Case, CaseSupporter
from commonground.meetings.services import meeting_record_attendance, meeting_schedule
from commonground.obligations.models import Obligation
from commonground.people.models import MembershipStatus, Person, QualificationKind
from commonground.people.roles import Role
from commonground.policies.services import policy_adopt
from commonground.resolution.models import (
    CheckIn,
    CommunityResolutionMeeting,
    NoticeToQuit,
    Reinstatement,
)
from commonground.testing.browser import AxeReport, current_totp
from commonground.testing.factories import PASSWORD, QualificationFactory, person_with_login
from commonground.testing.personas import make_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CRM = CommunityResolutionMeeting


@dataclass
class Walk:
    """Every page a person reaches, by following a link or sending a form, is scanned."""

    chromium: Any
    base: str
    report: AxeReport = field(default_factory=AxeReport)
    contexts: list[Any] = field(default_factory=list)

    def sign_in(self, person: Person) -> Any:
        """A page of its own (its own cookies) signed in through the real sign-in page, with the
        second factor for those who have one."""
        context = self.chromium.new_context(base_url=self.base, locale="en-GB")
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        who, user = person.full_name, person.user
        assert user is not None
        self.goto(page, reverse("account_login"), f"sign in ({who})")
        page.fill("input[name=login]", user.email)
        page.fill("input[name=password]", PASSWORD)
        self.submit(page, f"after the password ({who})", "Sign in")
        if page.locator("input[name=code]").count():
            page.fill("input[name=code]", current_totp(user))
            self.submit(page, f"after the second factor ({who})", "Continue")
        assert "/accounts/" not in page.url, f"{who} could not sign in: {page.url}"
        return page

    def goto(self, page: Any, url: str, label: str) -> None:
        response = page.goto(self.base + url)
        assert response is not None and response.status == 200, (label, url, response)
        self.report.scan(page, label)

    def follow(self, page: Any, name: str | re.Pattern[str], label: str) -> None:
        page.get_by_role("link", name=name, exact=True).first.click()
        page.wait_for_load_state()
        self.report.scan(page, label)

    def submit(self, page: Any, label: str, button: str | re.Pattern[str] | None = None) -> None:
        if button is not None:
            page.get_by_role("button", name=button, exact=True).click()
        else:
            page.locator("main form button[type=submit]").first.click()
        page.wait_for_load_state()
        self.report.scan(page, label)


@pytest.fixture
def walk(chromium: Any, live_server: Any) -> Iterator[Walk]:
    walk = Walk(chromium=chromium, base=live_server.url)
    yield walk
    for context in walk.contexts:
        context.close()


def success(page: Any) -> str:
    errors = page.locator(".error-summary")
    assert errors.count() == 0, errors.inner_text()
    return str(page.content())


def refused(page: Any) -> str:
    errors = page.locator(".error-summary")
    assert errors.is_visible(), page.url
    return str(errors.inner_text())


def facilitator(org: Any, name: str, email: str) -> Person:
    """A current S&W member who has attended the introductory course (ASH-20)."""
    person = person_with_login(org, Role.SW_MEMBER, full_name=name, email=email)
    QualificationFactory(person=person, kind=QualificationKind.CONFLICT_FACILITATION_INTRO)
    return person


def broken_agreement_case(
    org: Any, admin: Person, parties: list[Person], pair: list[Person]
) -> Case:
    """Through the casework services: a request, the pair, the conversations, the Group Meeting,
    a Shared Agreement signed by both parties, and a review that records it broken (ASH-1..6)."""
    now = timezone.now()
    jo, robin = parties
    case = casework.case_request(
        actor=jo.user,
        organisation=org,
        title="Noise between flats",
        summary="Loud music late at night.",
        parties=[robin],
        received_at=now - dt.timedelta(hours=3),
    )
    for person in pair:
        casework.supporter_assign(
            actor=admin.user, case=case, person=person, role=CaseSupporter.Role.FACILITATOR
        )
    ada = pair[0].user
    casework.initial_conversation_record(
        actor=ada, case=case, held_at=now - dt.timedelta(hours=2, minutes=30)
    )
    casework.path_choose(actor=ada, case=case, path="facilitated")
    for n, case_party in enumerate(case.parties.order_by("alias")):
        casework.individual_conversation_record(
            actor=ada,
            case=case,
            party=case_party,
            held_at=now - dt.timedelta(hours=2, minutes=n * 10),
        )
    casework.group_meeting_record(actor=ada, case=case, held_at=now - dt.timedelta(hours=1))
    agreement = casework.shared_agreement_draft(
        actor=ada, case=case, title="Quiet hours", agreements="No music after 11pm."
    )
    version = agreement.current_version
    assert version is not None
    for party in agreement.parties.select_related("person__user"):
        agreement_sign(actor=party.person.user, party=party, version=version)
    agreement.refresh_from_db()
    assert agreement.state == Agreement.State.AGREED
    casework.review_record(
        actor=ada,
        case=case,
        held_at=now - dt.timedelta(minutes=10),
        agreement=agreement,
        outcome="broken",
        note="Loud music again most nights.",
    )
    agreement.refresh_from_db()
    assert agreement.state == Agreement.State.BROKEN
    case.refresh_from_db()
    return case


def test_a_broken_agreement_through_a_crm_an_action_plan_and_reinstatement(walk: Walk) -> None:
    p = make_personas()
    org = p.org
    policy_adopt(actor=None, organisation=org, policy="ASH")
    jo = person_with_login(
        org, email="jo@example.test", full_name="Jo Marsh", preferred_name="Jojo"
    )
    robin = person_with_login(org, email="robin@example.test", full_name="Robin Kaye-Adeyemi")
    ada = facilitator(org, "Ada Pair", "ada@example.test")
    ben = facilitator(org, "Ben Pair", "ben@example.test")
    case = broken_agreement_case(org, p.admin, [jo, robin], [ada, ben])
    aliases = dict(case.parties.values_list("person_id", "alias"))
    assert aliases == {jo.pk: "Member A", robin.pk: "Member B"}

    def url(name: str, **kwargs: int) -> str:
        return reverse(f"resolution:{name}", kwargs={"org": org.slug, **kwargs})

    # ASH-7: a supporter calls the meeting from the page with its checklist.
    pair = walk.sign_in(ada)
    walk.goto(pair, url("crm_call", case_pk=case.pk), "call form with the ASH-7 checklist")
    assert "Yes: a Shared Agreement was broken" in success(pair)
    pair.get_by_label("Why the conflict is stuck").fill(
        "Individual conversations, a Group Meeting and a Shared Agreement have not worked."
    )
    walk.submit(pair, "call form refused without the harm reason")
    assert "significant harm is happening" in refused(pair)
    assert not CRM.objects.exists()
    pair.get_by_label("Why significant harm is happening").fill(
        "Music most nights after midnight is causing serious distress to a neighbour."
    )
    pair.get_by_label("Member A", exact=True).check()
    walk.submit(pair, "the CRM, called")
    assert "A Shared Agreement was broken" in success(pair)
    crm = CRM.objects.get(case=case)
    assert crm.agreement_broken and crm.state == CRM.State.CALLED
    assert list(crm.parties.values_list("case_party__alias", "significant_harm")) == [
        ("Member A", True),
        ("Member B", False),
    ]

    # ASH-8: at least a month's notice; a sooner date is refused.
    walk.follow(pair, "Give notice and set the date", "notice form")
    earliest = pair.get_by_label("Date of the meeting").input_value()
    soon = timezone.localdate() + dt.timedelta(days=7)
    pair.get_by_label("Date of the meeting").fill(soon.isoformat())
    pair.get_by_label("Place").fill("The common room")
    walk.submit(pair, "notice form refused for a date too soon")
    assert "ASH-8" in refused(pair)
    pair.get_by_label("Date of the meeting").fill(earliest)
    walk.submit(pair, "the CRM with notice given")
    success(pair)
    crm.refresh_from_db()
    assert crm.state == CRM.State.NOTICE_GIVEN and crm.meeting_at is not None
    assert crm.meeting_at.date() - timezone.localdate() >= dt.timedelta(days=28)

    # ASH-9: outreach to each party, recorded by the supporter.
    for alias in ("Member A", "Member B"):
        walk.follow(pair, f"Record outreach to {alias}", f"outreach form ({alias})")
        pair.get_by_label("Note (confidential)").fill("Spoke at the door.")
        walk.submit(pair, f"the CRM after outreach to {alias}")
        success(pair)

    # ASH-9: each party writes their own needs and requests, private until placed on the agenda.
    texts = {
        jo: ("Time to unwind after late shifts.", "Quiet hours from midnight."),
        robin: ("Sleep before early starts.", "Quiet hours from 11pm."),
    }
    for person, (needs, requests) in texts.items():
        who, alias = person.full_name, aliases[person.pk]
        member = walk.sign_in(person)
        walk.goto(member, url("crm_list"), f"CRM list ({who})")
        walk.follow(member, case.reference, f"the CRM as {who}")
        assert f"{alias} (you)" in success(member)
        walk.follow(member, f"Needs and requests of {alias}", f"own contribution form ({who})")
        member.get_by_label("What this member needs").fill(needs)
        member.get_by_label("What they ask for in a Shared Agreement").fill(requests)
        walk.submit(member, f"the CRM after contributing ({who})")
        assert needs in success(member)
    # Each sees only their own: Robin's page does not show Jo's needs.
    assert texts[jo][0] not in success(member)

    # The supporter places both on the agenda and writes the summary (ASH-11), naming a party
    # by mistake, and the confidential notes (ASH-12).
    walk.goto(pair, url("crm_detail", pk=crm.pk), "the CRM with both contributions")
    assert texts[jo][0] in success(pair) and texts[robin][0] in success(pair)
    for alias in ("Member A", "Member B"):
        # The alias is in a visually hidden span, read after the visible words.
        button = re.compile(rf"^Place on the agenda\s*: {alias}$")
        walk.submit(pair, f"the CRM after placing {alias} on the agenda", button)
        success(pair)
    walk.follow(pair, "Summary of support and suggested Action Plan text", "summary form")
    pair.get_by_label("Summary of support so far").fill(
        "Jojo and Member B each had an individual conversation and a Group Meeting; the Shared "
        "Agreement was broken."
    )
    pair.get_by_label("Suggested Action Plan text").fill(
        "Member A keeps music off after 11pm for two months."
    )
    walk.submit(pair, "the CRM with its summary")
    success(pair)
    walk.follow(pair, "Confidential notes", "confidential notes form")
    pair.get_by_label("Confidential notes").fill("Member B works early shifts at the hospital.")
    walk.submit(pair, "the CRM with its notes")
    assert "early shifts at the hospital" in success(pair)

    # ASH-10: the agenda check shows the name and where, and refuses to publish.
    walk.follow(pair, "Agenda draft and anonymity check", "agenda draft with a name found")
    page = success(pair)
    assert "These names must come out" in page
    assert "Jojo" in pair.get_by_role("table", name="Names found in the agenda").inner_text()
    assert "early shifts at the hospital" not in page  # ASH-12: notes are never on it
    walk.submit(pair, "agenda draft refused", "Publish the agenda to the whole community")
    assert "must not name anyone" in refused(pair)
    assert not crm.agendas.exists()
    walk.follow(pair, "Back", "the CRM after the refusal")
    walk.follow(
        pair, "Summary of support and suggested Action Plan text", "summary form, to correct"
    )
    pair.get_by_label("Summary of support so far").fill(
        "Member A and Member B each had an individual conversation and a Group Meeting; the "
        "Shared Agreement was broken."
    )
    walk.submit(pair, "the CRM with the corrected summary")
    success(pair)
    walk.follow(pair, "Agenda draft and anonymity check", "agenda draft with no names")
    success(pair)
    assert "No member's name" in pair.locator("main").inner_text()
    walk.submit(pair, "published agenda", "Publish the agenda to the whole community")
    success(pair)
    crm.refresh_from_db()
    assert crm.state == CRM.State.AGENDA_PUBLISHED and crm.agendas.count() == 1

    # Any member reads the anonymous agenda: no name of either party is in it.
    neighbour = walk.sign_in(p.unrelated)
    walk.goto(neighbour, url("crm_list"), "CRM list with a published agenda")
    walk.follow(
        neighbour, re.compile("^Agenda of the meeting"), "published agenda as another member"
    )
    agenda_text = neighbour.locator("main").inner_text()
    assert "Member A: what they need" in agenda_text
    assert not {"Jo", "Jojo", "Marsh", "Robin", "Kaye", "Adeyemi"} & set(
        re.findall(r"\w+", agenda_text)
    )

    # After the month's notice the meeting is held: the clock moves past its start (the live
    # server runs in this process and sees the same clock). Sessions from before have expired.
    assert crm.meeting_at is not None
    with time_machine.travel(crm.meeting_at + dt.timedelta(minutes=30), tick=True):
        # ASH-13, ASH-14: the admin records the decisions; Member A gets an Action Plan.
        office = walk.sign_in(p.admin)
        walk.goto(office, url("crm_detail", pk=crm.pk), "the CRM at the meeting (admin)")
        walk.follow(office, "Record the decision for Member A", "decision form (Member A)")
        assert "Significant harm is recorded for this member." in success(office)
        office.get_by_label("Yes: membership is removed and a Notice to Quit issued").check()
        office.get_by_label("What the meeting decided and why").fill(
            "The harm continues and the Shared Agreement was broken."
        )
        office.get_by_label("Action Plan: what the member will do, and by when").fill(
            "No music after 11pm; meet S&W every fortnight."
        )
        walk.submit(office, "the CRM after the decision for Member A")
        success(office)
        notice = NoticeToQuit.objects.get(crm=crm)
        assert notice.person == jo and notice.state == NoticeToQuit.State.RUNNING
        assert notice.decision.action_plan is not None
        jo.refresh_from_db()
        assert jo.membership_status == MembershipStatus.REMOVED
        walk.follow(office, "Record the decision for Member B", "decision form (Member B)")
        office.get_by_label("No", exact=True).check()
        office.get_by_label("What the meeting decided and why").fill("No harm by Member B.")
        walk.submit(office, "the CRM with every decision")
        success(office)
        crm.refresh_from_db()
        assert crm.state == CRM.State.DECIDED

        # The Notice to Quit and its letter; the PDF is a download, fetched but not scanned.
        walk.follow(office, re.compile("^Notice to Quit"), "Notice to Quit with its letter")
        page = success(office)
        assert "Dear Jo Marsh," in page and "Action Plan runs from" in page
        pdf = office.request.get(
            office.get_by_role("link", name="Download the letter (PDF)").get_attribute("href")
        )
        assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
        ntq_url = office.url.removeprefix(walk.base)

        # The member reads their own notice.
        removed = walk.sign_in(jo)
        walk.goto(removed, ntq_url, "Notice to Quit as its recipient")
        assert "Dear Jo Marsh," in success(removed)

        # ASH-15: a supporter checks in and recommends restoring membership.
        pair = walk.sign_in(ada)
        walk.goto(pair, ntq_url, "Notice to Quit (supporter)")
        walk.follow(pair, "Record a check-in", "check-in form")
        pair.get_by_label("How the Action Plan is going").fill("The Action Plan is kept.")
        pair.get_by_label("S&W recommend to a meeting that membership is restored").check()
        walk.submit(pair, "Notice to Quit after the check-in")
        assert "The Action Plan is kept." in success(pair)
        assert CheckIn.objects.get(notice=notice).recommend_restore

        # ASH-16: a meeting is held and decides to reinstate; the admin records its decision.
        meeting = meeting_schedule(
            actor=p.admin.user,
            organisation=org,
            kind="other",
            starts_at=timezone.now() - dt.timedelta(minutes=5),
            duration=dt.timedelta(minutes=30),
            facilitators=[p.admin],
            title="General meeting",
        )
        meeting_record_attendance(actor=p.admin.user, meeting=meeting, attendance={})
        walk.goto(office, ntq_url, "Notice to Quit (admin, before reinstatement)")
        walk.follow(office, "Record a meeting's decision to reinstate", "reinstatement form")
        office.get_by_label("The meeting that decided").select_option(str(meeting.pk))
        office.get_by_label("What the meeting decided").fill(
            "S&W recommended it and the meeting agreed."
        )
        walk.submit(office, "Notice to Quit after reinstatement")
        assert "Membership was reinstated by the decision of the meeting" in success(office)

    jo.refresh_from_db()
    notice.refresh_from_db()
    assert jo.membership_status == MembershipStatus.REINSTATED
    assert notice.state == NoticeToQuit.State.REINSTATED
    assert Reinstatement.objects.get(notice=notice).meeting == meeting
    # ASH-17: the court application is no longer needed, nor the check-ins still to come.
    court = Obligation.objects.get(
        subject_type="resolution.noticetoquit", subject_id=str(notice.pk), rule_id="ASH-17"
    )
    assert court.state == Obligation.State.CANCELLED
    assert not Obligation.objects.filter(
        subject_type="resolution.noticetoquit",
        subject_id=str(notice.pk),
        rule_id="ASH-15",
        state=Obligation.State.OPEN,
    ).exists()

    walk.report.assert_clean()
    assert len(walk.report.pages) >= 60
