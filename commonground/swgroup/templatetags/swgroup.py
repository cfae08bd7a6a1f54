from __future__ import annotations

from django import template

from commonground.swgroup.money import pounds as _pounds

register = template.Library()


@register.filter
def pounds(pence: int | None) -> str:
    return _pounds(pence)


@register.filter
def category(name: str) -> str:
    from commonground.swgroup.services import category_label

    return category_label(name)
