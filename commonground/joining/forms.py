"""Forms for the way-in pages. Each keeps what was typed when a service refuses it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from commonground.groups.models import SupportGroup
from commonground.joining.models import GroupAttempt, NameCheckConflict
from commonground.meetings.models import Meeting
from commonground.people.models import Person
from commonground.web.forms import DateInput, Form

WHEN = {
    "widget": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    "input_formats": ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
}


def _people_field(label: str, people: Iterable[Person], *, many: bool = False) -> forms.Field:
    queryset = Person.objects.filter(pk__in=[p.pk for p in people]).order_by("full_name", "pk")
    if many:
        return forms.ModelMultipleChoiceField(
            label=label, queryset=queryset, widget=forms.CheckboxSelectMultiple
        )
    return forms.ModelChoiceField(label=label, queryset=queryset, empty_label="Choose someone")


class EnquiryForm(Form):
    person = forms.ModelChoiceField(
        label="Someone already known",
        queryset=Person.objects.none(),
        required=False,
        empty_label="Nobody chosen: a new person",
    )
    full_name = forms.CharField(label="Or a new person's full name", max_length=200, required=False)
    preferred_name = forms.CharField(
        label="What they like to be called", max_length=100, required=False
    )
    email = forms.EmailField(label="Email", required=False)
    phone = forms.CharField(label="Phone", max_length=40, required=False)
    enquired_on = forms.DateField(label="They enquired on", widget=DateInput())
    note = forms.CharField(
        label="Note about the enquiry",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="How they got in touch, anything they asked. Kept confidential.",
    )

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["person"]
        field.queryset = candidates


class WorkshopForm(Form):
    starts_at = forms.DateTimeField(label="Starts at", **WHEN)  # type: ignore[arg-type]
    facilitators = forms.ModelMultipleChoiceField(
        label="Facilitators (PSP-4: two, trained)",
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    place = forms.CharField(label="Place", max_length=500, required=False)

    def __init__(self, *args: Any, facilitators: Iterable[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facilitators"] = _people_field(
            "Facilitators (PSP-4: two, trained)", facilitators, many=True
        )


class WorkshopInviteForm(Form):
    workshop = forms.ModelChoiceField(
        label="Workshop", queryset=Meeting.objects.none(), empty_label="Choose a workshop"
    )

    def __init__(self, *args: Any, workshops: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["workshop"]
        field.queryset = workshops


class ConversationForm(Form):
    group = forms.ModelChoiceField(
        label="Group", queryset=SupportGroup.objects.none(), empty_label="Choose a group"
    )
    mode = forms.ChoiceField(
        label="How", choices=GroupAttempt.Mode.choices, widget=forms.RadioSelect
    )
    starts_at = forms.DateTimeField(label="Starts at", **WHEN)  # type: ignore[arg-type]
    duration_minutes = forms.IntegerField(label="How long, in minutes", min_value=5, max_value=240)
    facilitators = forms.ModelMultipleChoiceField(
        label="The group's facilitators taking part",
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    place = forms.CharField(
        label="Where, or the video link",
        max_length=500,
        required=False,
        help_text="Shown only to those taking part.",
    )

    def __init__(
        self, *args: Any, groups: Any, facilitators: Iterable[Person], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["group"]
        field.queryset = groups
        self.fields["facilitators"] = _people_field(
            "The group's facilitators taking part", facilitators, many=True
        )


class OutcomeForm(Form):
    outcome = forms.ChoiceField(
        label="What did they decide?",
        choices=GroupAttempt.Outcome.choices,
        widget=forms.RadioSelect,
        help_text="Not an interview and never a score: join, or not now.",
    )
    note = forms.CharField(
        label="Note (optional)",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept confidential, for the group's facilitators.",
    )


class DeclareForm(Form):
    names = forms.CharField(
        label="People you have, or had, a personal, social or business relationship with",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One name a line. Leave it empty if there is nobody. Kept confidential.",
    )


class NameCheckForm(Form):
    decision = forms.ChoiceField(
        label="What did the check find?",
        choices=[
            ("no_conflict", "No conflict with any current member"),
            ("conflict", "A relationship with a member (blocks joining until they agree)"),
        ],
        widget=forms.RadioSelect,
    )
    member = forms.ModelChoiceField(
        label="The member", queryset=Person.objects.none(), required=False
    )
    source = forms.ChoiceField(
        label="How you know", choices=NameCheckConflict.Source.choices, required=False
    )
    note = forms.CharField(
        label="Note (optional)",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, members: Iterable[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = _people_field("The member", members)
        field.required = False
        self.fields["member"] = field

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "conflict" and not data.get("member"):
            self.add_error("member", "Choose the member the relationship is with.")
        return data


class AgreeForm(Form):
    agreed_on = forms.DateField(label="The member agreed on", widget=DateInput())


class JoinForm(Form):
    group = forms.ModelChoiceField(
        label="Group", queryset=SupportGroup.objects.none(), empty_label="Choose a group"
    )

    def __init__(self, *args: Any, groups: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["group"]
        field.queryset = groups
