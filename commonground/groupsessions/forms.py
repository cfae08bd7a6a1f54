"""Forms for the session pages. Each keeps what was typed when a service refuses it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from commonground.groupsessions.models import HousekeepingAction, SafeguardingConcern
from commonground.people.models import Person
from commonground.web.forms import DateInput, Form


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


def _people(people: Iterable[Person]) -> Any:
    ids = [p.pk for p in people]
    return Person.objects.filter(pk__in=ids).order_by("preferred_name", "full_name")


class ActionForm(Form):
    kind = forms.ChoiceField(label="Kind of action", choices=HousekeepingAction.Kind.choices)
    owner = PersonChoice(label="Who owns it", queryset=Person.objects.none())
    about = PersonChoice(
        label="The peer it is about",
        queryset=Person.objects.none(),
        required=False,
        help_text="For a guarantee to Take Time, or news of an absent peer.",
    )
    title = forms.CharField(
        label="What is promised, in a few words",
        max_length=200,
        required=False,
        help_text="For example “grounding techniques handout”. Never what anyone shared.",
    )
    due_on = forms.DateField(
        label="Due by",
        widget=DateInput(),
        required=False,
        help_text="Left empty: by the next session.",
    )
    next_starts_at = forms.DateTimeField(
        label="Next meeting: date and time",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text="Only to schedule it; left empty the next scheduled session is confirmed. "
        "The venue is the group's.",
    )

    def __init__(self, *args: Any, people: Iterable[Person] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        queryset = _people(people)
        self.fields["owner"].queryset = queryset  # type: ignore[attr-defined]
        self.fields["about"].queryset = queryset  # type: ignore[attr-defined]


class ConcernForm(Form):
    about = PersonChoice(label="The peer it is about", queryset=Person.objects.none())
    concern = forms.CharField(
        label="The concern", max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    reason = forms.CharField(
        label="Why it is passed on",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Child safety, or an adult at risk (the Safeguarding Policy).",
    )
    third_party = forms.ChoiceField(
        label="Who was told", choices=SafeguardingConcern.ThirdParty.choices
    )
    third_party_detail = forms.CharField(
        label="Which other third party", max_length=5000, required=False
    )
    told_at = forms.DateTimeField(
        label="When they were told",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args: Any, people: Iterable[Person] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["about"].queryset = _people(people)  # type: ignore[attr-defined]
