from __future__ import annotations

from typing import Any

from django import forms

from commonground.people.models import Person
from commonground.web.forms import Form


class DigestPreferenceForm(Form):
    """One checkbox per organisation the person belongs to."""

    def __init__(self, *args: Any, choices: list[tuple[Person, bool]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {f"digest_{person.pk}": person for person, _ in choices}
        for person, chosen in choices:
            self.fields[f"digest_{person.pk}"] = forms.BooleanField(
                required=False,
                initial=chosen,
                label=f"{person.organisation.name}: one email a day",
                help_text="Instead of an email for each reminder, one email each morning "
                "listing them. Messages in the app still arrive as they happen.",
            )
