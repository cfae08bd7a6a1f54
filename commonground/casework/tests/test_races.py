"""Two people pressing the same button at once: a case moves once (row lock on the case)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from commonground.audit.models import AuditEntry
from commonground.casework import services
from commonground.casework.models import Case, CaseSupporter
from commonground.casework.tests.conftest import Setup, with_pair
from commonground.obligations.models import Obligation
from commonground.testing.races import needs_row_locks, race

pytestmark = [needs_row_locks, pytest.mark.django_db(transaction=True)]
F = CaseSupporter.Role.FACILITATOR


def test_ASH_19_two_admins_filling_the_last_place_in_the_pair_at_once_assign_one(
    setup: Setup,
) -> None:
    case = setup.case
    services.supporter_assign(actor=setup.p.admin.user, case=case, person=setup.sw1, role=F)
    results, errors = race(
        lambda: services.supporter_assign(
            actor=setup.p.admin.user, case=case, person=setup.sw2, role=F
        ),
        lambda: services.supporter_assign(
            actor=setup.p.admin.user, case=case, person=setup.other_sw, role=F
        ),
    )
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], ValidationError)
    assert errors[0].error_dict["person"][0].code == "ASH-19"
    assert CaseSupporter.objects.filter(case=case, role=F).count() == 2


def test_ASH_4_choosing_the_facilitated_path_twice_at_once_moves_the_case_once(
    setup: Setup,
) -> None:
    case = with_pair(setup)
    services.initial_conversation_record(actor=setup.sw1.user, case=case, held_at=case.received_at)
    chosen = AuditEntry.objects.filter(summary="Facilitated conversations chosen")
    results, errors = race(
        lambda: services.path_choose(actor=setup.sw1.user, case=case, path="facilitated"),
        lambda: services.path_choose(actor=setup.sw2.user, case=case, path="facilitated"),
    )
    assert len(results) == 1 and len(errors) == 1
    assert errors[0].error_dict["path"][0].code == "case_stage"  # type: ignore[attr-defined]
    case.refresh_from_db()
    assert case.stage == Case.Stage.INDIVIDUAL_CONVERSATIONS
    assert Obligation.objects.filter(subject_id=str(case.pk), rule_id="ASH-4").count() == 1
    assert chosen.count() == 1
