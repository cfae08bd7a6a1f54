from __future__ import annotations

PERSONAS = ("anon", "party", "supporter", "admin", "unrelated", "other_org")
SIGN_IN = 302


def row(
    anon: int, party: int, supporter: int, admin: int, unrelated: int, other_org: int
) -> dict[str, int]:
    """Expected statuses: signed out, party, supporter, admin, unrelated member, other organisation."""
    return dict(zip(PERSONAS, (anon, party, supporter, admin, unrelated, other_org), strict=True))
