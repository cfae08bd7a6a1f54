"""The policy files: loaded and checked once, at start-up.

A malformed file stops the application with an error naming the file, the rule and what is
wrong. After loading, every rule is available by id (`rule("ASH-8")`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ImproperlyConfigured

from commonground.policies.values import VALUE_KINDS, PolicyValue, PolicyValueError

POLICY_DIR = Path(__file__).parent / "policy_files"
RULE_KINDS = ("deadline", "gate", "threshold", "record", "access", "cycle")
RULE_ID = re.compile(r"^(?P<policy>[A-Z]+)-(?P<number>\d+)$")
TOP_KEYS = {"policy", "title", "organisation", "source", "module", "rules"}
OPTIONAL_TOP_KEYS = {"review_rule"}
RULE_KEYS = {"kind", "summary", "clause", "params"}


class PolicyFileError(ImproperlyConfigured):
    def __init__(self, path: Path, rule: str | None, problem: str) -> None:
        where = f"{path.name}" + (f", rule {rule}" if rule else "")
        super().__init__(f"Policy file {where}: {problem}")
        self.path, self.rule, self.problem = path, rule, problem


@dataclass(frozen=True)
class Param:
    name: str
    default: PolicyValue
    note: str = ""

    @property
    def kind(self) -> str:
        return self.default.kind

    def parse(self, raw: Any) -> PolicyValue:
        """A new value of this parameter's kind (raises PolicyValueError naming what is expected)."""
        value: PolicyValue = VALUE_KINDS[self.kind].parse(raw)
        return value


@dataclass(frozen=True)
class Rule:
    id: str
    policy: str
    kind: str
    summary: str
    clause: str
    params: dict[str, Param] = field(default_factory=dict)

    @property
    def number(self) -> int:
        match = RULE_ID.match(self.id)
        return int(match["number"]) if match else 0


@dataclass(frozen=True)
class Policy:
    code: str
    title: str
    organisation: str
    source: str
    module: str
    path: Path
    rules: dict[str, Rule]
    # The cycle rule by which the policy itself is reviewed (ASH-27, WCC-14), if it has one.
    review_rule: str = ""


def _parse_param(path: Path, rule_id: str, name: str, spec: Any) -> Param:
    if not isinstance(spec, dict):
        raise PolicyFileError(
            path, rule_id, f"parameter “{name}” must be a mapping such as {{duration: 3 days}}"
        )
    note = spec.get("note", "")
    kinds = [key for key in spec if key != "note"]
    if len(kinds) != 1 or kinds[0] not in VALUE_KINDS:
        raise PolicyFileError(
            path,
            rule_id,
            f"parameter “{name}” must have exactly one of {', '.join(VALUE_KINDS)} (and optionally a note)",
        )
    kind = kinds[0]
    try:
        default = VALUE_KINDS[kind].parse(spec[kind])
    except PolicyValueError as exc:
        raise PolicyFileError(path, rule_id, f"parameter “{name}”: {exc}") from exc
    return Param(name=name, default=default, note=str(note))


def load_policy_file(path: Path) -> Policy:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PolicyFileError(path, None, f"is not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise PolicyFileError(path, None, "must be a mapping with policy, title, source and rules")
    missing = TOP_KEYS - set(data)
    if missing:
        raise PolicyFileError(path, None, f"is missing {', '.join(sorted(missing))}")
    unknown = set(data) - TOP_KEYS - OPTIONAL_TOP_KEYS
    if unknown:
        raise PolicyFileError(path, None, f"has unknown keys {', '.join(sorted(unknown))}")
    code = data["policy"]
    if not isinstance(code, str) or not code.isupper():
        raise PolicyFileError(path, None, "“policy” must be an upper-case code such as ASH")
    if not isinstance(data["rules"], dict) or not data["rules"]:
        raise PolicyFileError(path, None, "“rules” must map rule ids to rules")
    rules: dict[str, Rule] = {}
    for rule_id, spec in data["rules"].items():
        rule_id = str(rule_id)
        match = RULE_ID.match(rule_id)
        if not match or match["policy"] != code:
            raise PolicyFileError(path, rule_id, f"the id must look like {code}-1")
        if not isinstance(spec, dict):
            raise PolicyFileError(path, rule_id, "must be a mapping with kind, summary and clause")
        missing = {"kind", "summary", "clause"} - set(spec)
        if missing:
            raise PolicyFileError(path, rule_id, f"is missing {', '.join(sorted(missing))}")
        unknown = set(spec) - RULE_KEYS
        if unknown:
            raise PolicyFileError(path, rule_id, f"has unknown keys {', '.join(sorted(unknown))}")
        if spec["kind"] not in RULE_KINDS:
            raise PolicyFileError(
                path, rule_id, f"kind “{spec['kind']}” is not one of {', '.join(RULE_KINDS)}"
            )
        for text_key in ("summary", "clause"):
            if not isinstance(spec[text_key], str) or not spec[text_key].strip():
                raise PolicyFileError(path, rule_id, f"“{text_key}” must be a sentence")
        params_spec = spec.get("params") or {}
        if not isinstance(params_spec, dict):
            raise PolicyFileError(path, rule_id, "“params” must map names to values")
        params = {name: _parse_param(path, rule_id, name, p) for name, p in params_spec.items()}
        rules[rule_id] = Rule(
            id=rule_id,
            policy=code,
            kind=spec["kind"],
            summary=spec["summary"].strip(),
            clause=spec["clause"].strip(),
            params=params,
        )
    review_rule = str(data.get("review_rule") or "")
    if review_rule and (
        review_rule not in rules
        or rules[review_rule].kind != "cycle"
        or "review_every" not in rules[review_rule].params
    ):
        raise PolicyFileError(
            path, review_rule, "review_rule must name a cycle rule with a review_every duration"
        )
    return Policy(
        code=code,
        title=str(data["title"]),
        organisation=str(data["organisation"]),
        source=str(data["source"]),
        module=str(data["module"]),
        path=path,
        rules=dict(sorted(rules.items(), key=lambda item: item[1].number)),
        review_rule=review_rule,
    )


def load_all(directory: Path = POLICY_DIR) -> dict[str, Policy]:
    policies: dict[str, Policy] = {}
    for path in sorted(directory.glob("*.yaml")):
        policy = load_policy_file(path)
        if policy.code in policies:
            raise PolicyFileError(path, None, f"declares policy {policy.code} a second time")
        policies[policy.code] = policy
    return policies


@lru_cache(maxsize=1)
def policies() -> dict[str, Policy]:
    return load_all()


def policy(code: str) -> Policy:
    try:
        return policies()[code]
    except KeyError:
        raise LookupError(f"There is no policy {code}.") from None


def rule(rule_id: str) -> Rule:
    match = RULE_ID.match(rule_id)
    if not match:
        raise LookupError(f"“{rule_id}” is not a rule id.")
    found = policy(match["policy"]).rules.get(rule_id)
    if found is None:
        raise LookupError(f"Policy {match['policy']} has no rule {rule_id}.")
    return found
