from __future__ import annotations

from django import forms

from commonground.web.forms import DateInput, Form


class CallForm(Form):
    stuck_reason = forms.CharField(
        label="Why the conflict is stuck",
        help_text="The existing tools in the process have been exhausted (ASH-7).",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    harm_reason = forms.CharField(
        label="Why significant harm is happening",
        help_text="Serious distress or disruption to one or more members (ASH-7).",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    harm_by = forms.MultipleChoiceField(
        label="Members whose behaviour is causing that harm",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class NoticeForm(Form):
    meeting_on = forms.DateField(label="Date of the meeting", widget=DateInput())
    meeting_time = forms.TimeField(
        label="Time it starts", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    place = forms.CharField(label="Place", max_length=200, required=False)


class ContributionForm(Form):
    needs = forms.CharField(
        label="What this member needs", widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    requests = forms.CharField(
        label="What they ask for in a Shared Agreement",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )


class OutreachForm(Form):
    on = forms.DateField(label="Date of the outreach", widget=DateInput())
    note = forms.CharField(
        label="Note (confidential)", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class SummaryForm(Form):
    support_summary = forms.CharField(
        label="Summary of support so far",
        help_text="Shown on the anonymous agenda: do not name anyone (ASH-10, ASH-11).",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
    )
    suggested_action_plan = forms.CharField(
        label="Suggested Action Plan text",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )


class NotesForm(Form):
    notes = forms.CharField(
        label="Confidential notes",
        help_text="Only this case's supporters see these; they never reach the agenda (ASH-12).",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
    )


class DecisionForm(Form):
    action_plan_needed = forms.TypedChoiceField(
        label="Does the meeting give this member an Action Plan?",
        choices=[("no", "No"), ("yes", "Yes: membership is removed and a Notice to Quit issued")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="What the meeting decided and why",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    actions = forms.CharField(
        label="Action Plan: what the member will do, and by when",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )


class CheckInForm(Form):
    held_on = forms.DateField(label="Date of the check-in", widget=DateInput())
    note = forms.CharField(
        label="How the Action Plan is going",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    recommend_restore = forms.BooleanField(
        label="S&W recommend to a meeting that membership is restored", required=False
    )


class ReinstateForm(Form):
    meeting = forms.TypedChoiceField(label="The meeting that decided", coerce=int, choices=[])
    reason = forms.CharField(
        label="What the meeting decided", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )


class CourtForm(Form):
    note = forms.CharField(
        label="How the court application was begun",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
