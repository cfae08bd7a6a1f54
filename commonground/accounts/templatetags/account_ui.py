"""Make allauth's forms speak like ours: plain labels, plain hints, errors tied to their fields."""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.auth.password_validation import password_validators_help_texts

register = template.Library()

# allauth's labels, in the sentence case and words the rest of the product uses.
LABELS = {
    "login": "Email address",
    "email": "Email address",
    "password": "Password",
    "oldpassword": "Current password",
    "password1": "New password",
    "password2": "New password again",
    "code": "Code from your authenticator app",
    "passwordless": "Use it as a passkey, to sign in without a password",
}


def new_password_hint() -> str:
    """The password rules as one plain sentence (allauth gives an HTML list, not a hint)."""
    return " ".join(str(text) for text in password_validators_help_texts())


@register.simple_tag
def accessible_form(form: Any) -> Any:
    """Prepare an allauth form for includes/form_fields.html and includes/error_summary.html.

    Labels are always shown, so placeholders (which vanish as you type) are dropped; the
    "Forgot your password?" help link is replaced by a link the page places itself; invalid
    fields get aria-invalid and point at their error text.
    """
    if not hasattr(form, "fields") or getattr(form, "_cg_prepared", False):
        return form
    for name, field in form.fields.items():
        field.widget.attrs.pop("placeholder", None)
        if name in LABELS:
            field.label = LABELS[name]
        if name == "password1":
            field.help_text = new_password_hint()
        elif name in {"password", "oldpassword"}:
            field.help_text = ""
    # Bound fields made during validation copied the old labels; make them afresh.
    form._bound_fields_cache.clear()
    if form.is_bound:
        for name in form.errors:
            if name not in form.fields:
                continue
            bound: Any = form[name]
            described = [f"{bound.auto_id}_error"]
            if form.fields[name].help_text:
                described.insert(0, f"{bound.auto_id}_helptext")
            form.fields[name].widget.attrs["aria-invalid"] = "true"
            form.fields[name].widget.attrs["aria-describedby"] = " ".join(described)
    form._cg_prepared = True
    return form


@register.simple_tag
def second_factor_required(user: Any) -> bool:
    """Whether the user's roles mean they must sign in with a second factor."""
    from commonground.accounts.selectors import second_factor_required as required

    return required(user)
