"""Each ASH rule the casework module enforces, named after its id."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from commonground.agreements.models import Agreement
from commonground.agreements.services import agreement_sign
from commonground.audit.models import AuditEntry
from commonground.casework import selectors, services
from commonground.casework.models import Case, CaseSupporter, SupportOffer
from commonground.casework.tests.conftest import Setup, facilitator, with_pair
from commonground.obligations.models import Obligation
from commonground.people.roles import Role
from commonground.testing.factories import person_with_login

pytestmark = pytest.mark.django_db
F = CaseSupporter.Role.FACILITATOR


def obligation(case: Case, rule_id: str) -> Obligation:
    return Obligation.objects.get(
        subject_type="casework.case", subject_id=str(case.pk), rule_id=rule_id
    )


def code_of(exc: pytest.ExceptionInfo[ValidationError], field: str) -> str:
    return str(exc.value.error_dict[field][0].code)


def ago(hours: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=hours)


def to_group_meeting(s: Setup) -> Case:
    case = with_pair(s)
    services.initial_conversation_record(actor=s.sw1.user, case=case, held_at=ago(0.5))
    services.path_choose(actor=s.sw1.user, case=case, path="facilitated")
    for party in case.parties.all():
        services.individual_conversation_record(
            actor=s.sw1.user, case=case, party=party, held_at=ago(0.2)
        )
    services.group_meeting_record(actor=s.sw1.user, case=case, held_at=ago(0.1))
    case.refresh_from_db()
    return case


def test_ASH_1_the_initial_conversation_is_due_three_days_after_the_request(setup: Setup) -> None:
    case = setup.case
    o = obligation(case, "ASH-1")
    assert o.due_on == (timezone.localtime(case.received_at) + dt.timedelta(days=3)).date()
    assert o.oversight_role == Role.SW_MEMBER
    assert case.reference == f"C-{timezone.localdate().year}-001"
    with_pair(setup)
    assert set(o.assignees.values_list("pk", flat=True)) == {setup.sw1.pk, setup.sw2.pk}
    services.initial_conversation_record(actor=setup.sw1.user, case=case, held_at=ago(0.5))
    o.refresh_from_db()
    assert o.state == Obligation.State.MET
    case.refresh_from_db()
    assert case.stage == Case.Stage.INITIAL_CONVERSATION


def test_ASH_1_the_office_records_a_request_on_someones_behalf(setup: Setup) -> None:
    case = services.case_request(
        actor=setup.p.admin.user,
        organisation=setup.p.org,
        title="Shared garden",
        parties=[setup.neighbour],
        requested_by=setup.p.unrelated,
    )
    assert case.received_via == Case.ReceivedVia.OFFICE
    assert case.reference.endswith("-002")
    assert set(case.parties.values_list("person_id", flat=True)) == {
        setup.p.unrelated.pk,
        setup.neighbour.pk,
    }


def test_ASH_1_a_member_cannot_ask_on_someone_elses_behalf(setup: Setup) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.case_request(
            actor=setup.p.party.user,
            organisation=setup.p.org,
            title="x",
            parties=[setup.neighbour],
            requested_by=setup.p.unrelated,
        )


def test_ASH_2_a_self_managed_case_stays_open_with_no_meetings_due(setup: Setup) -> None:
    case = with_pair(setup)
    services.initial_conversation_record(actor=setup.sw1.user, case=case, held_at=ago(0.5))
    services.path_choose(actor=setup.sw1.user, case=case, path="self_managed")
    case.refresh_from_db()
    assert case.stage == Case.Stage.SELF_MANAGED and case.is_open
    assert not Obligation.objects.filter(
        subject_id=str(case.pk), rule_id="ASH-4", state="open"
    ).exists()
    # The member may later ask for facilitated conversations after all.
    services.path_choose(actor=setup.sw1.user, case=case, path="facilitated")
    assert obligation(case, "ASH-4").state == Obligation.State.OPEN


def test_ASH_3_the_group_meeting_waits_for_every_individual_conversation(setup: Setup) -> None:
    case = with_pair(setup)
    services.initial_conversation_record(actor=setup.sw1.user, case=case, held_at=ago(0.5))
    services.path_choose(actor=setup.sw1.user, case=case, path="facilitated")
    first = case.parties.get(person=setup.p.party)
    services.individual_conversation_record(
        actor=setup.sw1.user, case=case, party=first, held_at=ago(0.2)
    )
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.group_meeting_schedule(
            actor=setup.sw1.user,
            case=case,
            starts_at=timezone.now() + dt.timedelta(days=3),
            duration=dt.timedelta(hours=2),
        )
    assert code_of(exc, "starts_at") == "ASH-3"
    assert "Nico Neighbour" in str(exc.value)
    assert AuditEntry.objects.count() == before
    second = case.parties.get(person=setup.neighbour)
    services.individual_conversation_record(
        actor=setup.sw1.user, case=case, party=second, held_at=ago(0.2)
    )
    meeting = services.group_meeting_schedule(
        actor=setup.sw1.user,
        case=case,
        starts_at=timezone.now() + dt.timedelta(days=3),
        duration=dt.timedelta(hours=2),
    )
    assert meeting.meets_rule_id == "ASH-4"


def test_ASH_4_the_group_meeting_is_due_three_weeks_after_the_initial_conversation(
    setup: Setup,
) -> None:
    case = with_pair(setup)
    held = ago(0.5)
    services.initial_conversation_record(actor=setup.sw1.user, case=case, held_at=held)
    services.path_choose(actor=setup.sw1.user, case=case, path="facilitated")
    o = obligation(case, "ASH-4")
    assert o.due_on == (timezone.localtime(held) + dt.timedelta(weeks=3)).date()
    to_group = case
    for party in to_group.parties.all():
        services.individual_conversation_record(
            actor=setup.sw1.user, case=case, party=party, held_at=ago(0.2)
        )
    services.group_meeting_record(actor=setup.sw1.user, case=case, held_at=ago(0.1))
    o.refresh_from_db()
    assert o.state == Obligation.State.MET


def test_ASH_4_an_external_facilitator_can_host(setup: Setup) -> None:
    external = person_with_login(setup.p.org, full_name="Eve External")
    supporter_row = services.supporter_assign(
        actor=setup.p.admin.user,
        case=setup.case,
        person=external,
        role=CaseSupporter.Role.EXTERNAL,
        ends_on=timezone.localdate() + dt.timedelta(days=60),
    )
    assert supporter_row.ends_on is not None
    assert external in services._facilitators(setup.case)


def test_ASH_5_every_party_signs_the_shared_agreement(setup: Setup) -> None:
    case = to_group_meeting(setup)
    agreement = services.shared_agreement_draft(
        actor=setup.sw1.user, case=case, title="Quiet hours", agreements="No music after 11pm."
    )
    assert {p.person_id for p in agreement.parties.all()} == {setup.p.party.pk, setup.neighbour.pk}
    # The pair runs it through the case (registered subject), without being a party.
    assert setup.sw1.user.has_perm("agreements.manage_agreement", agreement)
    for party in agreement.parties.all():
        agreement_sign(actor=party.person.user, party=party, version=agreement.current_version)
    agreement.refresh_from_db()
    assert agreement.state == Agreement.State.AGREED


def test_ASH_5_no_shared_agreement_before_the_group_meeting(setup: Setup) -> None:
    with pytest.raises(ValidationError) as exc:
        services.shared_agreement_draft(
            actor=setup.p.admin.user, case=setup.case, title="x", agreements="y"
        )
    assert code_of(exc, "agreements") == "ASH-5"


def test_ASH_6_the_review_is_due_a_month_later_and_records_the_outcome(setup: Setup) -> None:
    case = to_group_meeting(setup)
    agreement = services.shared_agreement_draft(
        actor=setup.sw1.user, case=case, title="Quiet", agreements="Quiet."
    )
    for party in agreement.parties.all():
        agreement_sign(actor=party.person.user, party=party, version=agreement.current_version)
    review = Obligation.objects.get(
        subject_type="agreements.agreement", subject_id=str(agreement.pk), rule_id="ASH-6"
    )
    view = selectors.case_view(actor=setup.sw1.user, case=case)
    assert review in view.obligations
    services.review_record(
        actor=setup.sw1.user, case=case, held_at=ago(0.01), agreement=agreement, outcome="kept"
    )
    review.refresh_from_db()
    case.refresh_from_db()
    assert review.state == Obligation.State.MET
    assert case.stage == Case.Stage.REVIEW


def test_ASH_12_only_the_current_supporters_read_the_confidential_notes(setup: Setup) -> None:
    from django.http import Http404

    case = with_pair(setup)
    services.note_write(
        actor=setup.sw1.user, case=case, text="Has asthma; meetings on the ground floor."
    )
    before = AuditEntry.objects.filter(action=AuditEntry.Action.READ).count()
    notes = selectors.case_notes(actor=setup.sw2.user, case=case)
    assert notes[0].text.startswith("Has asthma")
    assert AuditEntry.objects.filter(action=AuditEntry.Action.READ).count() == before + 1
    for outsider in (
        setup.p.party,
        setup.neighbour,
        setup.p.admin,
        setup.other_sw,
        setup.p.unrelated,
    ):
        with pytest.raises(Http404):
            selectors.case_notes(actor=outsider.user, case=case)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM casework_confidentialnote")
        assert "asthma" not in cursor.fetchone()[0]


def test_ASH_19_the_pair_size_comes_from_the_policy_and_a_short_pair_warns(setup: Setup) -> None:
    case = setup.case
    services.supporter_assign(actor=setup.p.admin.user, case=case, person=setup.sw1, role=F)
    view = selectors.case_view(actor=setup.sw1.user, case=case)
    assert view.pair_short and view.pair_needed == 2
    services.supporter_assign(actor=setup.p.admin.user, case=case, person=setup.sw2, role=F)
    assert not selectors.case_view(actor=setup.sw1.user, case=case).pair_short
    with pytest.raises(ValidationError) as exc:
        services.supporter_assign(
            actor=setup.p.admin.user, case=case, person=setup.other_sw, role=F
        )
    assert code_of(exc, "person") == "ASH-19"


def test_ASH_19_a_party_or_someone_close_to_one_is_never_assigned(setup: Setup) -> None:
    party_sw = facilitator(setup.p.org, "Pat Also S&W")
    case = services.case_request(
        actor=party_sw.user, organisation=setup.p.org, title="Bins", parties=[setup.neighbour]
    )
    with pytest.raises(ValidationError) as exc:
        services.supporter_assign(actor=setup.p.admin.user, case=case, person=party_sw, role=F)
    assert code_of(exc, "person") == "ASH-19"
    services.relationship_declare(actor=setup.sw1.user, case=case, note="Sister")
    with pytest.raises(ValidationError):
        services.supporter_assign(actor=setup.p.admin.user, case=case, person=setup.sw1, role=F)
    suggested = [s.person for s in selectors.pair_suggestions(case=case)]
    assert setup.sw1 not in suggested and party_sw not in suggested


def test_ASH_19_suggestions_spread_the_load(setup: Setup) -> None:
    with_pair(setup)
    second = services.case_request(
        actor=setup.p.unrelated.user,
        organisation=setup.p.org,
        title="Parking",
        parties=[setup.neighbour],
    )
    suggestions = selectors.pair_suggestions(case=second)
    assert suggestions[0].person == setup.other_sw
    assert "0 open cases" in suggestions[0].reason


def test_ASH_20_only_members_with_the_course_facilitate(setup: Setup) -> None:
    untrained = person_with_login(setup.p.org, Role.SW_MEMBER, full_name="Una Untrained")
    with pytest.raises(ValidationError) as exc:
        services.supporter_assign(
            actor=setup.p.admin.user, case=setup.case, person=untrained, role=F
        )
    assert code_of(exc, "person") == "ASH-20"
    admin_help = services.supporter_assign(
        actor=setup.p.admin.user, case=setup.case, person=untrained, role=CaseSupporter.Role.ADMIN
    )
    assert admin_help.role == CaseSupporter.Role.ADMIN
    assert untrained not in [s.person for s in selectors.pair_suggestions(case=setup.case)]


def test_ASH_24_offsite_accommodation_is_limited_unless_an_extension_is_approved(
    setup: Setup,
) -> None:
    case = with_pair(setup)
    start = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        services.offer_make(
            actor=setup.sw1.user,
            case=case,
            kind="temporary_accommodation",
            offsite=True,
            starts_on=start,
            ends_on=start + dt.timedelta(weeks=4),
        )
    assert code_of(exc, "ends_on") == "ASH-24"
    offer = services.offer_make(
        actor=setup.sw1.user,
        case=case,
        kind="temporary_accommodation",
        offsite=True,
        starts_on=start,
        ends_on=start + dt.timedelta(weeks=3),
    )
    with pytest.raises(ValidationError):
        services.offer_extend(
            actor=setup.sw1.user, offer=offer, ends_on=start + dt.timedelta(weeks=5), reason=" "
        )
    services.offer_extend(
        actor=setup.sw1.user,
        offer=offer,
        ends_on=start + dt.timedelta(weeks=5),
        reason="Repairs to the flat overran.",
    )
    offer.refresh_from_db()
    assert offer.extension_approved_by == setup.sw1.user
    assert AuditEntry.objects.filter(
        object_id=str(case.pk), reason="Repairs to the flat overran."
    ).exists()


def test_ASH_25_screening_shows_the_external_route_and_who_contacted_the_authorities(
    setup: Setup,
) -> None:
    case = with_pair(setup)
    with pytest.raises(ValidationError) as exc:
        services.case_screen(
            actor=setup.sw1.user,
            case=case,
            outside_internal_support=True,
            authorities_contacted=True,
        )
    assert code_of(exc, "authorities_contacted_by") == "ASH-25"
    services.case_screen(
        actor=setup.sw1.user,
        case=case,
        outside_internal_support=True,
        authorities_contacted=True,
        authorities_contacted_by="Ada, for the S&W group",
        external_investigation=True,
    )
    case.refresh_from_db()
    assert case.external_route == services.EXTERNAL_ROUTE
    assert case.external_investigation and case.is_open
    # Internal support continues alongside the investigation.
    services.initial_conversation_record(actor=setup.sw1.user, case=case, held_at=ago(0.5))


def test_ASH_26_offers_are_the_policys_tools(setup: Setup) -> None:
    case = with_pair(setup)
    assert "shuttle_mediation" in services.offer_kinds(setup.p.org)
    offer = services.offer_make(actor=setup.sw1.user, case=case, kind="shuttle_mediation")
    services.offer_set_status(
        actor=setup.sw1.user, offer=offer, status=SupportOffer.Status.ACCEPTED
    )
    offer.refresh_from_db()
    assert offer.status == "accepted"
    with pytest.raises(ValidationError) as exc:
        services.offer_make(actor=setup.sw1.user, case=case, kind="a_holiday")
    assert code_of(exc, "kind") == "ASH-26"
