"""One case in Chromium from the request to the review meeting, as each person does their part:
a member asks for help on the request page, the office assigns the pair, the pair records the
initial conversation, the path, the individual conversations and the Group Meeting and writes the
Shared Agreement, each party signs it for themselves, and the pair records the review. Every page
on the way is scanned with axe-core.

Run with `make test-browser` (Debian's chromium; .ci/run installs it)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse

from commonground.agreements.models import Agreement
from commonground.casework.models import Case, CaseSupporter
from commonground.casework.tests.conftest import facilitator
from commonground.obligations.models import Obligation
from commonground.people.models import Person
from commonground.policies.services import policy_adopt
from commonground.testing.browser import AxeReport, sign_in
from commonground.testing.factories import PASSWORD, person_with_login
from commonground.testing.personas import make_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people_pages(chromium: Any, live_server: Any) -> Iterator[Any]:
    """A signed-in page per person, each in its own browser context (its own cookies)."""
    contexts: list[Any] = []

    def page_for(person: Person) -> Any:
        context = chromium.new_context(base_url=live_server.url, locale="en-GB")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, live_server.url, person.user.email, PASSWORD, user=person.user)
        assert "/accounts/login" not in page.url, f"{person} could not sign in"
        return page

    yield page_for
    for context in contexts:
        context.close()


def submit(page: Any) -> None:
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


def follow(page: Any, name: str) -> None:
    page.get_by_role("link", name=name, exact=True).first.click()
    page.wait_for_load_state()


def success(page: Any) -> str:
    assert page.locator(".error-summary").count() == 0, page.locator(".error-summary").inner_text()
    return str(page.content())


def test_a_case_from_the_request_to_the_review_meeting(people_pages: Any, live_server: Any) -> None:
    p = make_personas()
    org = p.org
    policy_adopt(actor=None, organisation=org, policy="ASH")
    neighbour = person_with_login(org, email="nico@example.test", full_name="Nico Neighbour")
    ada = facilitator(org, "Ada Pair", email="ada@example.test")
    ben = facilitator(org, "Ben Pair", email="ben@example.test")
    base = live_server.url
    report = AxeReport()

    # A member asks for help through the request page.
    member = people_pages(p.party)
    member.goto(base + reverse("casework:case_list", kwargs={"org": org.slug}))
    report.scan(member, "my cases (none yet)")
    follow(member, "Ask for help with a conflict")
    report.scan(member, "request form")
    # Sending it empty: the errors are announced and nothing is written.
    submit(member)
    assert member.locator(".error-summary").is_visible()
    report.scan(member, "request form with errors")
    assert not Case.objects.exists()
    member.fill("input[name=title]", "Noise between flats")
    member.get_by_label("Nico Neighbour").check()
    member.fill("textarea[name=summary]", "Loud music most nights after midnight.")
    submit(member)
    page = success(member)
    assert "has reached the Support &amp; Wellbeing group" in page
    match = re.search(r"/cases/(\d+)/", member.url)
    assert match, member.url
    case = Case.objects.get(pk=int(match.group(1)))
    assert case.requested_by == p.party and case.stage == Case.Stage.REQUESTED
    report.scan(member, "the member's view of the new case")
    assert "Hold the initial conversation" in page and "ASH-1" in page

    def case_url(name: str = "case_detail") -> str:
        return base + reverse(f"casework:{name}", kwargs={"org": org.slug, "pk": case.pk})

    # The office assigns the pair: two S&W members with the course (ASH-19, ASH-20).
    office = people_pages(p.admin)
    office.goto(base + reverse("casework:case_list", kwargs={"org": org.slug}) + "?show=all")
    report.scan(office, "every case")
    office.goto(case_url())
    report.scan(office, "case before the pair")
    for person in (ada, ben):
        follow(office, "Assign the pair")
        report.scan(office, f"assign form ({person.full_name})")
        office.select_option("select[name=person]", label=person.display_name)
        office.check("input[name=role][value=facilitator]")
        submit(office)
        success(office)
    assert set(
        CaseSupporter.objects.filter(case=case, role="facilitator").values_list(
            "person_id", flat=True
        )
    ) == {ada.pk, ben.pk}
    report.scan(office, "case with its pair")

    # The pair records the initial conversation (ASH-1) and the path (ASH-3, ASH-4).
    pair = people_pages(ada)
    pair.goto(case_url())
    report.scan(pair, "the pair's view of the case")
    follow(pair, "Record the initial conversation")
    report.scan(pair, "initial conversation form")
    submit(pair)
    success(pair)
    assert Obligation.objects.get(subject_id=str(case.pk), rule_id="ASH-1").state == "met"
    follow(pair, "Choose the path")
    report.scan(pair, "path form")
    pair.check("input[name=path][value=facilitated]")
    submit(pair)
    page = success(pair)
    assert "Hold the Group Meeting" in page and "ASH-4" in page
    report.scan(pair, "case waiting for individual conversations")

    # Individual conversations with everyone involved, before the Group Meeting (ASH-3).
    for party in case.parties.select_related("person"):
        follow(pair, "Record an individual conversation")
        report.scan(pair, f"individual conversation form ({party.alias})")
        pair.select_option(
            "select[name=party]", label=f"{party.alias} ({party.person.display_name})"
        )
        submit(pair)
        success(pair)

    # The Group Meeting (ASH-4), then the Shared Agreement made at it (ASH-5).
    follow(pair, "Record the Group Meeting")
    report.scan(pair, "group meeting form")
    submit(pair)
    success(pair)
    case.refresh_from_db()
    assert case.stage == Case.Stage.GROUP_MEETING
    assert Obligation.objects.get(subject_id=str(case.pk), rule_id="ASH-4").state == "met"
    follow(pair, "Write a Shared Agreement")
    report.scan(pair, "shared agreement form")
    pair.fill("textarea[name=agreements]", "No music after 11pm on weeknights.")
    pair.fill("textarea[name=needs]", "Quiet to sleep before early shifts.")
    submit(pair)
    success(pair)
    agreement = Agreement.objects.get(subject_type="casework.case", subject_id=str(case.pk))
    report.scan(pair, "shared agreement for signing")
    agreement_url = base + reverse(
        "agreements:agreement_detail", kwargs={"org": org.slug, "pk": agreement.pk}
    )

    # Each party signs for themselves; the pair cannot sign for them.
    assert pair.get_by_role("button", name=re.compile("^Sign version")).count() == 0
    for person in (p.party, neighbour):
        signer = member if person == p.party else people_pages(neighbour)
        signer.goto(agreement_url)
        report.scan(signer, f"agreement before {person.full_name} signs")
        signer.check("input[name=confirm]")
        signer.get_by_role("button", name=re.compile("^Sign version")).click()
        signer.wait_for_load_state()
        assert "You have signed it" in success(signer)
        report.scan(signer, f"agreement signed by {person.full_name}")
    agreement.refresh_from_db()
    assert agreement.state == Agreement.State.AGREED
    # ASH-6: the review is due a month after the agreement is made.
    assert Obligation.objects.filter(
        subject_type="agreements.agreement", subject_id=str(agreement.pk), rule_id="ASH-6"
    ).exists()

    # The member sees where their case stands, with the why of each date.
    member.goto(case_url())
    page = success(member)
    assert "Group Meeting held" in page and agreement.title in page
    assert "Loud music most nights" not in page  # the summary is for the supporters
    report.scan(member, "the member's view after signing")

    # The review meeting (ASH-6): the agreement is kept.
    pair.goto(case_url())
    follow(pair, "Record the review meeting")
    report.scan(pair, "review form")
    pair.select_option("select[name=agreement]", label=agreement.title)
    pair.check("input[name=outcome][value=kept]")
    submit(pair)
    page = success(pair)
    case.refresh_from_db()
    assert case.stage == Case.Stage.REVIEW
    assert "Review held" in page and "Shared Agreement reviewed: kept" in page
    report.scan(pair, "case after the review")

    member.goto(case_url())
    assert "Review held" in success(member)
    report.scan(member, "the member's view after the review")

    report.assert_clean()
    assert len(report.pages) >= 25
