"""The peers module's endpoints (peer support groups, PSP)."""

from __future__ import annotations

from ninja import Router

router = Router()
