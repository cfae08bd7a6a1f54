"""The caller: who they are and where they belong."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from commonground.access.policy import organisations_of, standing
from commonground.api.routers.common import ERRORS, actor
from commonground.api.schemas import MeOut
from commonground.people.roles import Role

router = Router()


@router.get("/me", response={200: MeOut, **ERRORS}, summary="Who you are")
def me(request: HttpRequest) -> dict[str, Any]:
    user = actor(request)
    labels = dict(Role.choices)
    organisations = []
    for organisation in organisations_of(user):
        roles = sorted(standing(user, organisation).roles)
        organisations.append(
            {
                "slug": organisation.slug,
                "name": organisation.name,
                "roles": [{"role": role, "label": labels.get(role, role)} for role in roles],
            }
        )
    return {"email": user.email, "organisations": organisations}
