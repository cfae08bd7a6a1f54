"""Forms for the peers pages. Each keeps what was typed when a service refuses it."""

from __future__ import annotations

from typing import Any

from django import forms

from commonground.meetings.models import Meeting
from commonground.peers.models import GuidelineReview, NewsRecord, Topic
from commonground.peers.services import (
    GUIDELINES_MAX,
    NAME_MAX,
    NOTE_MAX,
    RECEIVED_BY,
    SHORT_MAX,
    TEXT_MAX,
)
from commonground.people.models import Person
from commonground.web.forms import DateInput, Form

YES_NO = (("yes", "Agreed"), ("no", "Not agreed"))
RECEIVED_CHOICES = [(r, r.capitalize()) for r in RECEIVED_BY]


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Meeting) -> str:
        from django.utils import timezone

        return f"{timezone.localtime(obj.starts_at):%a %-d %b %Y, %H:%M}"


class BehaviourForm(Form):
    text = forms.CharField(
        label="Guidelines for Behaviour",
        max_length=GUIDELINES_MAX,
        widget=forms.Textarea(attrs={"rows": 16}),
    )
    change_note = forms.CharField(
        label="What changed (optional)", max_length=SHORT_MAX, required=False
    )


class ProposeForm(Form):
    topic = forms.ChoiceField(label="What is it about?", choices=Topic.choices)
    text = forms.CharField(
        label="The guideline you propose",
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Write it for everyone in the room; please do not name anyone.",
    )


class DecideForm(Form):
    agreed = forms.ChoiceField(
        label="The group's decision", choices=YES_NO, widget=forms.RadioSelect
    )
    decided_on = forms.DateField(label="Date of the decision", widget=DateInput())
    how_decided = forms.CharField(
        label="How the group decided",
        max_length=SHORT_MAX,
        help_text="For example “by consensus in the housekeeping round”.",
    )
    session = SessionChoiceField(
        label="At which session (optional)", queryset=Meeting.objects.none(), required=False
    )

    def __init__(self, *args: Any, sessions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if sessions is not None:
            self.fields["session"].queryset = sessions  # type: ignore[attr-defined]


class ReviewForm(DecideForm):
    outcome = forms.ChoiceField(
        label="Outcome", choices=GuidelineReview.Outcome.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label="The guideline as changed (only if changed)",
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    field_order = ["outcome", "text", "decided_on", "how_decided", "session"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["agreed"]
        self.fields["decided_on"].label = "Date of the review"


class NewsForm(Form):
    outcome = forms.ChoiceField(
        label="What came of it", choices=NewsRecord.Outcome.choices, widget=forms.RadioSelect
    )


def _people_field(people: list[Person], label: str) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=[(str(p.pk), p.display_name) for p in people])


class ApologiesForm(Form):
    reason = forms.CharField(
        label="Anything the facilitators should know (optional)",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept confidential; you do not have to say why.",
    )

    def __init__(self, *args: Any, people: list[Person] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if people is not None:
            self.fields["person"] = _people_field(people, "Apologies from")
            self.fields["received_by"] = forms.ChoiceField(
                label="How they let you know", choices=RECEIVED_CHOICES
            )
            self.order_fields(["person", "received_by", "reason"])


class LeaveForm(ApologiesForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = "Anything you want to say about leaving (optional)"
        if "person" in self.fields:
            self.fields["person"].label = "Who is leaving"


class EligibilityForm(Form):
    eligible = forms.ChoiceField(
        label="Under the charity's objects, they are",
        choices=(("yes", "Eligible"), ("no", "No longer eligible")),
        widget=forms.RadioSelect,
    )
    checked_on = forms.DateField(label="Checked on", widget=DateInput())
    reason = forms.CharField(
        label="Why they are no longer eligible (only then)",
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept confidential. No longer eligible ends their group memberships.",
    )


class JoinForm(Form):
    supports_objects = forms.BooleanField(label="I support the charity's objects", required=False)


class DonationForm(Form):
    amount = forms.DecimalField(
        label="Amount in pounds", min_value=0, max_digits=12, decimal_places=2
    )
    received_on = forms.DateField(label="Received on", widget=DateInput())
    donor_name = forms.CharField(label="From whom", max_length=NAME_MAX, required=False)
    anonymous = forms.BooleanField(label="Anonymous", required=False)
    gift_aid = forms.BooleanField(label="Gift Aid declared", required=False)
    note = forms.CharField(label="Note (optional)", max_length=NOTE_MAX, required=False)
