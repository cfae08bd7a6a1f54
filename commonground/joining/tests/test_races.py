"""Two facilitators pressing "join" for the same peer at once make one membership."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from commonground.groups.models import GroupMember
from commonground.joining import services
from commonground.joining.tests.conftest import Way, whole_way
from commonground.testing.races import needs_row_locks, race

pytestmark = [needs_row_locks, pytest.mark.django_db(transaction=True)]


def test_PSP_3_joining_at_once_twice_makes_one_membership(way: Way) -> None:
    whole_way(way)

    def join() -> GroupMember:
        return services.peer_join(actor=way.p.supporter.user, journey=way.journey, group=way.group)

    results, errors = race(join, join)
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], ValidationError)
    assert errors[0].error_dict["group"][0].code == "group_member_once"
    assert GroupMember.objects.filter(group=way.group, person=way.ash).count() == 1
