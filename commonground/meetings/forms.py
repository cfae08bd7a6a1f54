"""Forms for the meeting pages. They check shape (dates, lengths, choices); services check rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet

from commonground.meetings.kinds import MeetingKind, Section
from commonground.meetings.models import Participant
from commonground.meetings.services import REASON_MAX, TEXT_MAX, TITLE_MAX
from commonground.people.models import PARTICIPATING_STATUSES, Organisation, Person
from commonground.policies.values import LONDON
from commonground.web.forms import DateInput, Form


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class PeopleChoice(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


def organisation_people(organisation: Organisation) -> QuerySet[Person]:
    return Person.objects.filter(
        organisation=organisation, membership_status__in=PARTICIPATING_STATUSES
    ).order_by("full_name", "pk")


class MeetingForm(Form):
    """Scheduling a meeting, or changing one (then without kind and attendees)."""

    kind = forms.ChoiceField(label="Kind of meeting", choices=MeetingKind.choices)
    title = forms.CharField(
        label="Title",
        required=False,
        max_length=TITLE_MAX,
        help_text="If left empty, the kind of meeting is its title.",
    )
    date = forms.DateField(label="Date", widget=DateInput())
    time = forms.TimeField(
        label="Start time", widget=TimeInput(), help_text="UK time, such as 18:30."
    )
    duration_minutes = forms.IntegerField(
        label="Length in minutes", min_value=5, max_value=720, initial=60
    )
    place = forms.CharField(
        label="Place",
        required=False,
        max_length=REASON_MAX,
        help_text="An address, a room, or a video call link.",
    )
    place_confidential = forms.BooleanField(
        label="The place is confidential: show it only to those taking part", required=False
    )
    facilitators = PeopleChoice(
        label="Facilitators",
        queryset=Person.objects.none(),
        help_text="Staffing rules are checked against each person's qualifications on the day.",
    )
    lead = PersonChoice(
        label="Lead facilitator",
        queryset=Person.objects.none(),
        required=False,
        empty_label="The first facilitator chosen",
    )
    attendees = PeopleChoice(label="Attendees", queryset=Person.objects.none(), required=False)

    def __init__(
        self,
        *args: Any,
        organisation: Organisation,
        editing: bool = False,
        show_place: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        people = organisation_people(organisation)
        for name in ("facilitators", "lead", "attendees"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = people
        if editing:
            del self.fields["kind"]
            del self.fields["attendees"]
        if not show_place:
            del self.fields["place"]
            del self.fields["place_confidential"]

    def starts_at(self) -> dt.datetime:
        data = self.cleaned_data
        return dt.datetime.combine(data["date"], data["time"], tzinfo=LONDON)

    def duration(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.cleaned_data["duration_minutes"])


class InviteForm(Form):
    people = PeopleChoice(label="Who to invite", queryset=Person.objects.none())

    def __init__(self, *args: Any, organisation: Organisation, exclude: set[int], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["people"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisation_people(organisation).exclude(pk__in=exclude)


class OwnApologiesForm(Form):
    reason = forms.CharField(
        label="Anything you would like to say",
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only the facilitators see this.",
    )


class ApologiesOnBehalfForm(Form):
    """PSP-10: apologies received by text message or phone, recorded by a facilitator."""

    person = PersonChoice(label="Who cannot come", queryset=Person.objects.none())
    received_by = forms.CharField(
        label="How they let you know",
        max_length=100,
        help_text="For example: text message, phone call, in person.",
    )
    reason = forms.CharField(
        label="What they said",
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, participants: list[Participant], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Person.objects.filter(pk__in=[p.person_id for p in participants])


class CancelForm(Form):
    reason = forms.CharField(
        label="Why it is cancelled",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Those taking part are told.",
    )


ATTENDANCE_CHOICES = [
    (Participant.Status.ATTENDED.value, "Attended"),
    (Participant.Status.APOLOGIES.value, "Sent apologies"),
    (Participant.Status.ABSENT.value, "Absent"),
]


class AttendanceForm(Form):
    """One question per person: did they come?"""

    def __init__(self, *args: Any, participants: list[Participant], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.participants = participants
        for p in participants:
            initial = p.status if p.status in dict(ATTENDANCE_CHOICES) else None
            self.fields[f"p{p.person_id}"] = forms.ChoiceField(
                label=f"{p.person.display_name} ({p.get_role_display().lower()})",
                choices=ATTENDANCE_CHOICES,
                widget=forms.RadioSelect,
                initial=initial,
            )

    def attendance(self) -> dict[int, str]:
        return {p.person_id: self.cleaned_data[f"p{p.person_id}"] for p in self.participants}


class NotesForm(Form):
    """The kind's template: one text box per section."""

    def __init__(self, *args: Any, sections: tuple[Section, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sections = sections
        for section in sections:
            self.fields[section.key] = forms.CharField(
                label=section.label,
                help_text=section.hint,
                required=False,
                max_length=TEXT_MAX,
                widget=forms.Textarea(attrs={"rows": 4}),
            )

    def values(self) -> dict[str, str]:
        return {s.key: self.cleaned_data.get(s.key, "") for s in self.sections}
