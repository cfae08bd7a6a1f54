from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

from commonground.agreements.models import Agreement
from commonground.casework.models import Case
from commonground.obligations.models import Obligation

pytestmark = pytest.mark.django_db


def test_ash_has_a_case_at_every_stage_of_the_path() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("The demo loads only into SQLite.")
    call_command("load_demo", stdout=io.StringIO())
    stages = set(Case.objects.filter(organisation__slug="ash").values_list("stage", flat=True))
    assert stages >= {
        "requested",
        "initial_conversation",
        "self_managed",
        "individual_conversations",
        "group_meeting",
    }
    agreed = Agreement.objects.get(subject_type="casework.case", state="agreed")
    assert Obligation.objects.filter(
        subject_type="agreements.agreement",
        subject_id=str(agreed.pk),
        rule_id="ASH-6",
        state="open",
    ).exists()
