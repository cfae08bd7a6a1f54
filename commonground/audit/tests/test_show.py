"""`commonground audit show` prints the most recent entries."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from commonground.audit.tests.helpers import write_entries
from commonground.testing.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def show(*args: str) -> list[str]:
    out = StringIO()
    call_command("audit", "show", *args, stdout=out)
    return out.getvalue().splitlines()


def test_it_prints_the_newest_entries_first() -> None:
    write_entries(3)

    lines = show()

    assert [line.split()[0] for line in lines] == ["#3", "#2", "#1"]
    assert "Thing 3 happened" in lines[0]


def test_it_limits_the_number_of_entries() -> None:
    write_entries(5)

    assert len(show("--limit", "2")) == 2


def test_it_shows_one_organisations_entries() -> None:
    ours, theirs = OrganisationFactory(slug="ours"), OrganisationFactory(slug="theirs")
    write_entries(2, organisation=ours)
    write_entries(3, organisation=theirs)

    lines = show("--org", "ours")

    assert len(lines) == 2
    assert all(" ours " in line for line in lines)


def test_it_says_when_there_is_nothing_to_show() -> None:
    assert show() == ["No audit entries."]


def test_it_refuses_an_unknown_organisation() -> None:
    with pytest.raises(CommandError, match="No organisation"):
        show("--org", "nowhere")
