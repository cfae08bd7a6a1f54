"""The rules in force, in plain language, and the admin's form to change a number."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from commonground.people.selectors import organisation_get
from commonground.policies.registry import rule as find_rule
from commonground.policies.selectors import organisation_policy, override_history
from commonground.policies.services import policy_value_change
from commonground.web.forms import Form


@login_required
def policy_rules(request: HttpRequest, org: str) -> HttpResponse:
    organisation = organisation_get(actor=request.user, slug=org)
    if not request.user.has_perm("policies.view_policy", organisation):
        raise Http404
    return render(
        request,
        "policies/rules.html",
        {
            "current_organisation": organisation,
            "organisation": organisation,
            "policies": organisation_policy(organisation).in_force(),
            "can_change": request.user.has_perm("policies.change_policy", organisation),
        },
    )


class ChangeValueForm(Form):
    value = forms.CharField(
        max_length=200,
        required=False,
        label="New value",
        help_text="Leave empty to go back to the policy's own number.",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        label="Why it changes",
        help_text="Members see this beside the rule.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def policy_rule(request: HttpRequest, org: str, rule_id: str) -> HttpResponse:
    organisation = organisation_get(actor=request.user, slug=org)
    in_force = organisation_policy(organisation)
    try:
        found = find_rule(rule_id)
    except LookupError:
        raise Http404 from None
    if not request.user.has_perm("policies.view_policy", organisation) or not in_force.adopts(
        rule_id
    ):
        raise Http404
    param_name = request.GET.get("param") or request.POST.get("param") or ""
    can_change = request.user.has_perm("policies.change_policy", organisation)
    form = None
    if param_name:
        if param_name not in found.params:
            raise Http404
        if not can_change:
            raise PermissionDenied("Only an organisation admin can change the policy's numbers.")
        form = ChangeValueForm(
            request.POST or None, initial={"value": str(in_force.value(rule_id, param_name))}
        )
        if request.method == "POST" and form.is_valid():
            try:
                policy_value_change(
                    actor=request.user,
                    organisation=organisation,
                    rule_id=rule_id,
                    param=param_name,
                    value=form.cleaned_data["value"] or None,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(
                    request, f"{rule_id} changed. Open deadlines that depend on it have moved."
                )
                return redirect("policies:policy_rule", org=organisation.slug, rule_id=rule_id)
    elif request.method == "POST":
        raise Http404
    return render(
        request,
        "policies/rule.html",
        {
            "current_organisation": organisation,
            "organisation": organisation,
            "rule": found,
            "params": in_force.rule_in_force(rule_id).params,
            "param_name": param_name,
            "form": form,
            "can_change": can_change,
            "history": override_history(organisation=organisation, rule_id=rule_id),
        },
    )
