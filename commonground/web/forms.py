"""A form base that marks invalid fields for assistive technology and keeps what was typed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError


class AccessibleFormMixin:
    """Adds aria-invalid and links each field's hint and error text through aria-describedby."""

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        self._mark_invalid_fields()

    def add_service_error(self, error: ValidationError) -> None:
        """Show a service's ValidationError on the fields it names (or at the top)."""
        form: Any = self
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
        self._mark_invalid_fields()

    def _mark_invalid_fields(self) -> None:
        form: Any = self
        for name in form.errors:
            if name not in form.fields:
                continue
            bound = form[name]
            described = [f"{bound.auto_id}_error"]
            if form.fields[name].help_text:
                described.insert(0, f"{bound.auto_id}_helptext")
            attrs = form.fields[name].widget.attrs
            attrs["aria-invalid"] = "true"
            attrs["aria-describedby"] = " ".join(described)


class Form(AccessibleFormMixin, forms.Form):
    pass


class ModelForm(AccessibleFormMixin, forms.ModelForm):
    pass


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")
