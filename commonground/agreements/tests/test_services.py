from __future__ import annotations

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from commonground.agreements import services
from commonground.agreements import supporters as supporters_registry
from commonground.agreements.kinds import Kind, PartyRole
from commonground.agreements.models import (
    Agreement,
    AgreementParty,
    AgreementVersion,
    Breach,
    Disagreement,
    Signature,
)
from commonground.agreements.supporters import register_subject, unregister_subject
from commonground.agreements.tests.conftest import SHARED_TERMS, World, days, sign_all
from commonground.audit.models import AuditEntry
from commonground.notifications.models import Notification
from commonground.obligations.models import Obligation
from commonground.people.roles import Role
from commonground.testing.factories import person_with_login
from commonground.testing.personas import Personas

pytestmark = pytest.mark.django_db

SUPERVISION_TERMS = {
    "purpose": "Support and line management.",
    "structure": "Agenda agreed at the start.",
    "style": "Open and honest.",
    "goals": "Grow in the role.",
    "boundaries": "Work matters only.",
    "frequency": "Every two months.",
    "duration": "One hour.",
    "place": "The council office.",
    "confidentiality": "Notes kept securely.",
    "recording": "Written on the council template.",
}
BUDDY_TERMS = {
    "aim": "Learn to cook together.",
    "boundaries": "Meet in public places.",
    "expectations": "Two hours a fortnight.",
    "get_out_clause": "Either of us may end it by telling the coordinator.",
    "consequences": "The pairing ends.",
    "evaluation": "Meet the scheme after six months.",
    "consent": "Nothing personal is shared beyond the coordinator.",
}


def _codes(exc: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code or "" for e in errors] for field, errors in exc.error_dict.items()}


def _party(agreement: Agreement, person_pk: int) -> AgreementParty:
    return agreement.parties.get(person_id=person_pk)


def test_ASH_5_a_shared_agreement_is_agreed_only_when_every_party_has_signed(world: World) -> None:
    agreement = world.agreement
    version = agreement.current_version
    assert agreement.state == Agreement.State.DRAFT and version is not None
    pat = _party(agreement, world.personas.party.pk)
    services.agreement_sign(actor=world.personas.party.user, party=pat, version=version)
    agreement.refresh_from_db()
    assert agreement.state == Agreement.State.DRAFT
    chris = _party(agreement, world.second.pk)
    services.agreement_sign(actor=world.second.user, party=chris, version=version)
    agreement.refresh_from_db()
    # The supporter does not sign, and is not waited for.
    assert agreement.state == Agreement.State.AGREED and agreement.agreed_at is not None


def test_editing_an_agreed_agreement_makes_a_new_version_everyone_signs_again(world: World) -> None:
    sign_all(world.agreement)
    first = world.agreement.current_version
    assert first is not None
    version = services.agreement_edit_terms(
        actor=world.admin,
        agreement=world.agreement,
        sections={"agreements": "Kitchen tidy by 9pm.", "needs": ""},
        change_note="Earlier finish agreed at the review",
    )
    world.agreement.refresh_from_db()
    assert version.number == 2 and world.agreement.current_version == version
    assert world.agreement.state == Agreement.State.UNDER_REVIEW
    # The old signatures stay with the old version.
    assert first.signatures.count() == 2 and version.signatures.count() == 0
    assert first.sections() == {k: v for k, v in SHARED_TERMS.items() if v}
    sign_all(world.agreement)
    assert world.agreement.state == Agreement.State.AGREED
    entry = AuditEntry.objects.filter(summary__startswith="Terms changed").get()
    assert entry.changes["version"] == [1, 2]
    assert entry.changes["terms"] == ["(confidential: changed)", "(confidential: changed)"]


def test_a_draft_nobody_has_signed_is_changed_in_place(world: World) -> None:
    version = services.agreement_edit_terms(
        actor=world.admin, agreement=world.agreement, sections={"agreements": "New words"}
    )
    assert version.number == 1 and AgreementVersion.objects.count() == 1
    assert version.sections() == {"agreements": "New words"}


def test_nobody_signs_for_someone_else(world: World) -> None:
    pat = _party(world.agreement, world.personas.party.pk)
    version = world.agreement.current_version
    assert version is not None
    for someone in (world.admin, world.personas.supporter.user, world.second.user):
        with pytest.raises(PermissionDenied):
            services.agreement_sign(actor=someone, party=pat, version=version)
    assert Signature.objects.count() == 0


def test_a_supporter_sees_but_does_not_sign(world: World) -> None:
    sam = _party(world.agreement, world.personas.supporter.pk)
    assert not sam.must_sign
    assert world.personas.supporter.user.has_perm("agreements.view_agreement", world.agreement)
    with pytest.raises(PermissionDenied):
        services.agreement_sign(
            actor=world.personas.supporter.user,
            party=sam,
            version=world.agreement.current_version,  # type: ignore[arg-type]
        )
    with pytest.raises(ValidationError) as caught:
        services.agreement_add_party(
            actor=world.admin,
            agreement=world.agreement,
            person=world.personas.unrelated,
            role=PartyRole.SUPPORTER,
            must_sign=True,
        )
    assert _codes(caught.value) == {"must_sign": ["agreement_supporter_does_not_sign"]}


def test_signing_twice_is_refused_and_writes_nothing(world: World) -> None:
    pat = _party(world.agreement, world.personas.party.pk)
    version = world.agreement.current_version
    assert version is not None
    services.agreement_sign(actor=world.personas.party.user, party=pat, version=version)
    entries = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.agreement_sign(actor=world.personas.party.user, party=pat, version=version)
    assert _codes(caught.value) == {"version": ["agreement_signed_once"]}
    assert Signature.objects.count() == 1 and AuditEntry.objects.count() == entries


def test_only_the_current_version_can_be_signed(world: World) -> None:
    pat = _party(world.agreement, world.personas.party.pk)
    services.agreement_sign(
        actor=world.personas.party.user,
        party=pat,
        version=world.agreement.current_version,  # type: ignore[arg-type]
    )
    old = world.agreement.current_version
    services.agreement_edit_terms(
        actor=world.admin, agreement=world.agreement, sections={"agreements": "Changed"}
    )
    chris = _party(world.agreement, world.second.pk)
    with pytest.raises(ValidationError) as caught:
        services.agreement_sign(actor=world.second.user, party=chris, version=old)  # type: ignore[arg-type]
    assert _codes(caught.value) == {"version": ["agreement_sign_current_version"]}


def test_the_terms_are_encrypted_at_rest(world: World) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT terms FROM agreements_agreementversion")
        stored = [row[0] for row in cursor.fetchall()]
    assert stored and all("kitchen" not in value.lower() for value in stored)
    assert world.agreement.current_version.sections()["agreements"].startswith("We keep")  # type: ignore[union-attr]


def test_disagreements_and_breaches_are_encrypted_at_rest(world: World) -> None:
    sign_all(world.agreement)
    pat = _party(world.agreement, world.personas.party.pk)
    services.agreement_note_disagreement(
        actor=world.personas.party.user,
        party=pat,
        version=world.agreement.current_version,  # type: ignore[arg-type]
        text="The curfew is too early",
        initials="PP",
    )
    services.agreement_record_breach(
        actor=world.admin,
        agreement=world.agreement,
        description="Loud party past midnight",
        occurred_on=timezone.localdate(),
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM agreements_disagreement")
        (text,) = cursor.fetchone()
        cursor.execute("SELECT description FROM agreements_breach")
        (description,) = cursor.fetchone()
    assert "curfew" not in text and "midnight" not in description


def test_ASH_6_the_review_is_due_one_month_after_it_is_agreed_and_met_when_held(
    world: World,
) -> None:
    sign_all(world.agreement)
    review = Obligation.objects.get(subject_type="agreements.agreement", rule_id="ASH-6")
    assert review.due_on == timezone.localdate() + relativedelta(months=1)
    assert list(review.assignees.all()) == [world.personas.supporter]
    services.agreement_review_record(
        actor=world.personas.supporter.user, agreement=world.agreement, outcome="kept"
    )
    review.refresh_from_db()
    world.agreement.refresh_from_db()
    assert review.state == Obligation.State.MET
    # ASH-6 is one review, not a cycle: nothing more is scheduled.
    assert Obligation.objects.filter(subject_type="agreements.agreement").count() == 1
    assert world.agreement.state == Agreement.State.AGREED


def test_ASH_6_an_agreement_may_be_upgraded_at_its_review(world: World) -> None:
    sign_all(world.agreement)
    services.agreement_start_review(actor=world.admin, agreement=world.agreement)
    with pytest.raises(ValidationError) as caught:
        services.agreement_review_record(
            actor=world.admin, agreement=world.agreement, outcome="upgraded"
        )
    assert _codes(caught.value) == {"outcome": ["agreement_upgrade_needs_new_version"]}
    services.agreement_edit_terms(
        actor=world.admin, agreement=world.agreement, sections={"agreements": "Better terms"}
    )
    services.agreement_review_record(
        actor=world.admin, agreement=world.agreement, outcome="upgraded"
    )
    world.agreement.refresh_from_db()
    assert world.agreement.state == Agreement.State.UNDER_REVIEW
    sign_all(world.agreement)
    assert world.agreement.state == Agreement.State.AGREED
    assert world.agreement.current_version.number == 2  # type: ignore[union-attr]


def test_WCC_5_a_supervision_contract_is_reviewed_every_year(adopted: Personas) -> None:
    manager = person_with_login(adopted.org, Role.LINE_MANAGER, full_name="Mo Manager")
    contract = services.agreement_create(
        actor=adopted.admin.user,
        organisation=adopted.org,
        kind=Kind.SUPERVISION_CONTRACT,
        title="Supervision contract: Pat",
        sections=SUPERVISION_TERMS,
        parties=[(adopted.party, PartyRole.STAFF_MEMBER), (manager, PartyRole.MANAGER)],
    )
    sign_all(contract)
    first = Obligation.objects.get(subject_id=str(contract.pk), rule_id="WCC-5")
    assert first.due_on == timezone.localdate() + relativedelta(years=1)
    assert list(first.assignees.all()) == [manager]
    services.agreement_review_record(actor=adopted.admin.user, agreement=contract, outcome="kept")
    first.refresh_from_db()
    assert first.state == Obligation.State.MET
    after = Obligation.objects.get(subject_id=str(contract.pk), rule_id="WCC-5", key="review:2")
    assert after.state == Obligation.State.OPEN and after.due_on == first.due_on


def test_PSP_5_a_group_guideline_is_agreed_by_the_group_and_reviewed_periodically(
    adopted: Personas, second: object
) -> None:
    guideline = services.agreement_create(
        actor=adopted.admin.user,
        organisation=adopted.org,
        kind=Kind.GROUP_GUIDELINE,
        title="Phones on silent",
        sections={"guideline": "Phones are on silent in sessions."},
        parties=[
            (adopted.party, PartyRole.GROUP_MEMBER),
            (adopted.supporter, PartyRole.FACILITATOR),
        ],
    )
    sign_all(guideline)
    review = Obligation.objects.get(subject_id=str(guideline.pk), rule_id="PSP-5")
    assert review.due_on == timezone.localdate() + relativedelta(months=6)
    assert review.param == "guideline_review_every"


def test_a_kind_without_a_review_rule_schedules_none(adopted: Personas, second: object) -> None:
    contract = services.agreement_create(
        actor=adopted.admin.user,
        organisation=adopted.org,
        kind=Kind.BUDDY_CONTRACT,
        title="Pat and Chris",
        sections=BUDDY_TERMS,
        starts_on=timezone.localdate(),
        ends_on=days(180),
        review_on=days(90),
        parties=[(adopted.party, PartyRole.BUDDY)],
    )
    sign_all(contract)
    assert contract.state == Agreement.State.AGREED and contract.review_on == days(90)
    assert not Obligation.objects.filter(subject_type="agreements.agreement").exists()


def test_WCC_7_a_disagreement_is_initialled_by_the_staff_member(adopted: Personas) -> None:
    manager = person_with_login(adopted.org, Role.LINE_MANAGER, full_name="Mo Manager")
    contract = services.agreement_create(
        actor=adopted.admin.user,
        organisation=adopted.org,
        kind=Kind.SUPERVISION_CONTRACT,
        title="Supervision contract: Pat",
        sections=SUPERVISION_TERMS,
        parties=[(adopted.party, PartyRole.STAFF_MEMBER), (manager, PartyRole.MANAGER)],
    )
    staff = _party(contract, adopted.party.pk)
    version = contract.current_version
    assert version is not None
    with pytest.raises(PermissionDenied):
        services.agreement_note_disagreement(
            actor=manager.user, party=staff, version=version, text="x", initials="MM"
        )
    with pytest.raises(ValidationError) as caught:
        services.agreement_note_disagreement(
            actor=adopted.party.user, party=staff, version=version, text="Too often", initials=""
        )
    assert _codes(caught.value) == {"initials": ["agreement_disagreement_initialled"]}
    assert Disagreement.objects.count() == 0
    noted = services.agreement_note_disagreement(
        actor=adopted.party.user,
        party=staff,
        version=version,
        text="Monthly is too often",
        initials="p.p.",
    )
    assert noted.initials == "PP" and noted.noted_by == adopted.party.user


def test_WCC_4_a_supervision_contract_lists_frequency_duration_place_confidentiality_and_recording(
    adopted: Personas,
) -> None:
    for missing in ("frequency", "duration", "place", "confidentiality", "recording", "purpose"):
        terms = {k: v for k, v in SUPERVISION_TERMS.items() if k != missing}
        with pytest.raises(ValidationError) as caught:
            services.agreement_create(
                actor=adopted.admin.user,
                organisation=adopted.org,
                kind=Kind.SUPERVISION_CONTRACT,
                title="Contract",
                sections=terms,
            )
        assert _codes(caught.value) == {missing: ["required"]}
    assert not Agreement.objects.exists()


def test_BUD_4_a_buddy_contract_has_an_end_date_and_a_get_out_clause(adopted: Personas) -> None:
    def create(**kwargs: object) -> Agreement:
        values: dict[str, object] = {
            "actor": adopted.admin.user,
            "organisation": adopted.org,
            "kind": Kind.BUDDY_CONTRACT,
            "title": "Pat and Chris",
            "sections": BUDDY_TERMS,
            "starts_on": timezone.localdate(),
            "ends_on": days(100),
        }
        return services.agreement_create(**(values | kwargs))  # type: ignore[arg-type]

    with pytest.raises(ValidationError) as caught:
        create(ends_on=None)
    assert _codes(caught.value) == {"ends_on": ["agreement_needs_dates"]}
    with pytest.raises(ValidationError) as caught:
        create(sections={k: v for k, v in BUDDY_TERMS.items() if k != "get_out_clause"})
    assert _codes(caught.value) == {"get_out_clause": ["required"]}
    # BUD-4: time limited, at most the scheme's longest term (12 months by default).
    with pytest.raises(ValidationError) as caught:
        create(ends_on=timezone.localdate() + relativedelta(months=12, days=1))
    assert _codes(caught.value) == {"ends_on": ["agreement_longest_term"]}
    assert not Agreement.objects.exists()
    contract = create()
    assert contract.ends_on == days(100)


def test_ASH_13_an_action_plan_covers_at_most_two_months(adopted: Personas) -> None:
    start = timezone.localdate()
    with pytest.raises(ValidationError) as caught:
        services.agreement_create(
            actor=adopted.admin.user,
            organisation=adopted.org,
            kind=Kind.ACTION_PLAN,
            title="Action Plan",
            sections={"actions": "No more noise after 11pm."},
            starts_on=start,
            ends_on=start + relativedelta(months=2, days=1),
        )
    assert _codes(caught.value) == {"ends_on": ["agreement_longest_term"]}
    plan = services.agreement_create(
        actor=adopted.admin.user,
        organisation=adopted.org,
        kind=Kind.ACTION_PLAN,
        title="Action Plan",
        sections={"actions": "No more noise after 11pm."},
        starts_on=start,
        ends_on=start + relativedelta(months=2),
    )
    assert plan.review_rule_id == ""


def test_a_breach_marks_the_agreement_broken_and_stops_its_review(world: World) -> None:
    sign_all(world.agreement)
    with pytest.raises(ValidationError) as caught:
        services.agreement_record_breach(
            actor=world.admin,
            agreement=world.agreement,
            description="Shouting",
            occurred_on=days(2),
        )
    assert _codes(caught.value) == {"occurred_on": ["agreement_breach_not_future"]}
    with pytest.raises(PermissionDenied):
        services.agreement_record_breach(
            actor=world.personas.unrelated.user,
            agreement=world.agreement,
            description="Shouting",
            occurred_on=days(0),
        )
    breach = services.agreement_record_breach(
        actor=world.personas.supporter.user,
        agreement=world.agreement,
        description="Shouting in the kitchen",
        occurred_on=days(-1),
        by_party=_party(world.agreement, world.second.pk),
    )
    world.agreement.refresh_from_db()
    assert world.agreement.state == Agreement.State.BROKEN
    assert breach.version == world.agreement.current_version
    review = Obligation.objects.get(subject_type="agreements.agreement")
    assert review.state == Obligation.State.CANCELLED
    with pytest.raises(ValidationError) as caught:
        services.agreement_edit_terms(
            actor=world.admin, agreement=world.agreement, sections={"agreements": "x"}
        )
    assert _codes(caught.value) == {"state": ["agreement_closed"]}


def test_a_review_can_find_the_agreement_broken(world: World) -> None:
    sign_all(world.agreement)
    services.agreement_review_record(
        actor=world.admin, agreement=world.agreement, outcome="broken", note="Not kept at all"
    )
    world.agreement.refresh_from_db()
    assert world.agreement.state == Agreement.State.BROKEN
    assert Breach.objects.count() == 1
    assert Obligation.objects.get(subject_type="agreements.agreement").state == "met"


def test_BUD_8_an_emergency_exit_ends_the_contract_with_a_reason(world: World) -> None:
    sign_all(world.agreement)
    with pytest.raises(ValidationError) as caught:
        services.agreement_end(actor=world.admin, agreement=world.agreement, reason=" ")
    assert _codes(caught.value) == {"reason": ["required"]}
    services.agreement_end(
        actor=world.admin, agreement=world.agreement, reason="The pair asked to stop"
    )
    world.agreement.refresh_from_db()
    assert world.agreement.state == Agreement.State.ENDED
    assert world.agreement.end_reason == "The pair asked to stop"
    assert Obligation.objects.get(subject_type="agreements.agreement").state == "cancelled"


def test_a_replaced_agreement_is_superseded(world: World) -> None:
    newer = services.agreement_create(
        actor=world.admin,
        organisation=world.personas.org,
        kind=Kind.SHARED_AGREEMENT,
        title="Kitchen agreement, second try",
        sections={"agreements": "Rota on the fridge."},
    )
    services.agreement_end(
        actor=world.admin, agreement=world.agreement, reason="Remade", superseded_by=newer
    )
    world.agreement.refresh_from_db()
    assert world.agreement.state == Agreement.State.SUPERSEDED
    assert world.agreement.superseded_by == newer


def test_parties_who_must_sign_are_asked_once_per_version(world: World) -> None:
    asks = Notification.objects.filter(kind="agreement.sign")
    recipients = set(asks.values_list("recipient_id", flat=True))
    assert recipients == {world.personas.party.pk, world.second.pk}
    assert set(asks.values_list("dedupe_key", flat=True)) == {
        f"agreement:{world.agreement.pk}:v1:sign"
    }
    sign_all(world.agreement)
    services.agreement_edit_terms(
        actor=world.admin, agreement=world.agreement, sections={"agreements": "Changed"}
    )
    keys = set(
        Notification.objects.filter(kind="agreement.sign").values_list("dedupe_key", flat=True)
    )
    assert f"agreement:{world.agreement.pk}:v2:sign" in keys
    assert Notification.objects.filter(kind="agreement.agreed").exists()


def test_parties_cannot_join_an_agreed_agreement_without_a_review(world: World) -> None:
    sign_all(world.agreement)
    with pytest.raises(ValidationError) as caught:
        services.agreement_add_party(
            actor=world.admin,
            agreement=world.agreement,
            person=world.personas.unrelated,
            role=PartyRole.PARTY,
        )
    assert _codes(caught.value) == {"person": ["agreement_parties_fixed_when_agreed"]}


def test_bad_input_writes_nothing(adopted: Personas) -> None:
    entries = AuditEntry.objects.count()
    for kwargs, field, code in (
        ({"title": " "}, "title", "required"),
        ({"kind": "treaty"}, "kind", "invalid_choice"),
        ({"sections": {}}, "agreements", "required"),
        ({"review": ("ASH-6", "nope")}, "review", "agreement_review_rule_known"),
        ({"review_on": days(3)}, "review_on", "agreement_review_date_from_rule"),
        ({"parties": [(adopted.other_org, "party")]}, "person", "agreement_party_here"),
    ):
        values: dict[str, object] = {
            "actor": adopted.admin.user,
            "organisation": adopted.org,
            "kind": Kind.SHARED_AGREEMENT,
            "title": "Title",
            "sections": SHARED_TERMS,
        }
        with pytest.raises(ValidationError) as caught:
            services.agreement_create(**(values | kwargs))  # type: ignore[arg-type]
        assert _codes(caught.value) == {field: [code]}
    assert not Agreement.objects.exists() and AuditEntry.objects.count() == entries


def test_only_the_admin_or_a_supporter_writes_agreements(adopted: Personas) -> None:
    for person in (adopted.party, adopted.unrelated, adopted.other_org, adopted.supporter):
        with pytest.raises(PermissionDenied):
            services.agreement_create(
                actor=person.user,
                organisation=adopted.org,
                kind=Kind.SHARED_AGREEMENT,
                title="Title",
                sections=SHARED_TERMS,
            )
    assert not Agreement.objects.exists()


def test_a_module_can_name_the_supporters_of_its_records(world: World) -> None:
    helper = world.personas.unrelated
    # Stand in for the casework module's own registration, and put it back afterwards.
    previous = supporters_registry._REGISTRY.get("casework.case")
    register_subject(
        "casework.case",
        supporters=lambda org_id, subject_id: [helper.pk] if subject_id == "7" else [],
        supported_subjects=lambda org_id, person_id: ["7"] if person_id == helper.pk else [],
    )
    try:
        user = helper.user
        user.__dict__.pop("_cg_standing", None)
        assert user.has_perm("agreements.view_agreement", world.agreement)
        assert user.has_perm("agreements.manage_agreement", world.agreement)
        services.agreement_create(
            actor=user,
            organisation=world.personas.org,
            kind=Kind.SHARED_AGREEMENT,
            title="Second agreement on the case",
            sections=SHARED_TERMS,
            subject=("casework.case", 7),
        )
        from commonground.agreements.selectors import my_agreements

        listed = my_agreements(actor=user, organisation=world.personas.org)
        assert listed.count() == 2
    finally:
        unregister_subject("casework.case")
        if previous is not None:
            supporters_registry._REGISTRY["casework.case"] = previous
    assert not helper.user.has_perm("agreements.view_agreement", world.agreement)


def test_the_review_date_moves_when_the_organisation_changes_its_number(world: World) -> None:
    from commonground.policies.services import policy_value_change

    sign_all(world.agreement)
    policy_value_change(
        actor=world.admin,
        organisation=world.personas.org,
        rule_id="ASH-6",
        param="after",
        value="6 weeks",
        reason="Members asked for more time",
    )
    review = Obligation.objects.get(subject_type="agreements.agreement")
    assert review.due_on == timezone.localdate() + dt.timedelta(weeks=6)
