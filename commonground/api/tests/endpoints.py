"""Every endpoint of the API, as (method, path template, takes a body)."""

from __future__ import annotations

ENDPOINTS: list[tuple[str, str, bool]] = [
    ("GET", "/me", False),
    ("GET", "/organisations", False),
    ("GET", "/organisations/{slug}", False),
    ("PATCH", "/organisations/{slug}", True),
    ("GET", "/organisations/{slug}/people", False),
    ("POST", "/organisations/{slug}/people", True),
    ("GET", "/organisations/{slug}/people/{person_id}", False),
    ("PATCH", "/organisations/{slug}/people/{person_id}", True),
    ("GET", "/organisations/{slug}/people/{person_id}/confidential", False),
    ("POST", "/organisations/{slug}/people/{person_id}/membership", True),
    ("GET", "/organisations/{slug}/people/{person_id}/roles", False),
    ("POST", "/organisations/{slug}/people/{person_id}/roles", True),
    ("POST", "/organisations/{slug}/people/{person_id}/roles/{role_id}/end", True),
    ("GET", "/organisations/{slug}/people/{person_id}/qualifications", False),
    ("POST", "/organisations/{slug}/people/{person_id}/qualifications", True),
    ("PATCH", "/organisations/{slug}/people/{person_id}/qualifications/{qid}", True),
    ("DELETE", "/organisations/{slug}/people/{person_id}/qualifications/{qid}", True),
    ("GET", "/organisations/{slug}/audit", False),
    ("GET", "/organisations/{slug}/policy", False),
    ("PUT", "/organisations/{slug}/policy/{rule_id}/{param}", True),
    ("GET", "/organisations/{slug}/obligations", False),
    ("GET", "/organisations/{slug}/obligations/{obligation_id}", False),
    ("POST", "/organisations/{slug}/obligations/{obligation_id}/waive", True),
    ("GET", "/organisations/{slug}/cases", False),
    ("POST", "/organisations/{slug}/cases", True),
    ("GET", "/organisations/{slug}/cases/{case_id}", False),
    ("POST", "/organisations/{slug}/cases/{case_id}/supporters", True),
    ("POST", "/organisations/{slug}/cases/{case_id}/path", True),
]

WRITES = [(method, path) for method, path, body in ENDPOINTS if body]
