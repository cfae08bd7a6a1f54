"""Forms for the groups pages. Each keeps what was typed when a service refuses it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from commonground.groups.models import Weekday
from commonground.groups.services import NAME_MAX, TEXT_MAX, VENUE_MAX, WEEKS_MAX
from commonground.people.models import Person
from commonground.web.forms import DateInput, Form


def _people(field: Any, people: Iterable[Person]) -> None:
    field.queryset = Person.objects.filter(pk__in=[p.pk for p in people]).order_by(
        "full_name", "pk"
    )
    field.label_from_instance = lambda p: p.display_name


class GroupForm(Form):
    name = forms.CharField(label="Name", max_length=NAME_MAX)
    weekday = forms.TypedChoiceField(
        label="Day of the week", choices=Weekday.choices, coerce=int, initial=Weekday.TUESDAY
    )
    start_time = forms.TimeField(
        label="Starts at",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        input_formats=["%H:%M", "%H:%M:%S"],
    )
    duration_minutes = forms.IntegerField(
        label="How long, in minutes",
        min_value=15,
        max_value=480,
        initial=120,
        help_text="Between 15 minutes and 8 hours.",
    )
    venue = forms.CharField(
        label="Venue",
        max_length=VENUE_MAX,
        required=False,
        help_text="Shown to the group's members and facilitators only.",
    )
    description = forms.CharField(
        label="Description",
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CloseForm(Form):
    closed_on = forms.DateField(label="Closes on", widget=DateInput())
    reason = forms.CharField(
        label="Why the group is closing",
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept on the group's history.",
    )


class FacilitatorAddForm(Form):
    person = forms.ModelChoiceField(
        label="Who joins the pool", queryset=Person.objects.none(), empty_label="Choose someone"
    )
    starts_on = forms.DateField(label="From", widget=DateInput())

    def __init__(self, *args: Any, candidates: Iterable[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _people(self.fields["person"], candidates)


class FacilitatorEndForm(Form):
    ends_on = forms.DateField(label="Stops facilitating on", widget=DateInput())
    reason = forms.CharField(label="Reason", max_length=300, required=False)


class ScheduleForm(Form):
    facilitators = forms.ModelMultipleChoiceField(
        label="Facilitators",
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose two from the group's pool (PSP-4).",
    )
    weeks = forms.IntegerField(
        label="How many weeks",
        min_value=1,
        max_value=WEEKS_MAX,
        initial=1,
        help_text=f"1 schedules the next session; up to {WEEKS_MAX} weekly sessions at a time.",
    )
    confirm = forms.BooleanField(
        label="I have read the warnings and want to go ahead", required=False
    )

    def __init__(self, *args: Any, pool: Iterable[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _people(self.fields["facilitators"], pool)


class MemberLeaveForm(Form):
    ends_on = forms.DateField(label="Left on", widget=DateInput())
    reason = forms.CharField(
        label="Reason (optional)",
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept confidential: only the group's facilitators and the admin can read it.",
    )
