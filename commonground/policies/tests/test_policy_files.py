from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from commonground.policies.registry import (
    POLICY_DIR,
    PolicyFileError,
    load_all,
    load_policy_file,
    policies,
    rule,
)

HERE = Path(__file__).resolve().parent.parent
RULES_MD = HERE / "RULES.md"
SHARED_RULES_MD = HERE.parents[2] / "shared" / "RULES.md"
SOURCES = HERE / "sources"
GATED_KINDS = {"deadline", "threshold", "cycle", "gate"}


def rules_md_table(text: str) -> dict[str, str]:
    """{rule id: kind} from RULES.md's tables."""
    return dict(re.findall(r"^\| ([A-Z]+-\d+) \| (\w+) \|", text, flags=re.M))


def test_the_vendored_rules_list_matches_the_shared_one_when_it_is_there() -> None:
    if not SHARED_RULES_MD.exists():
        pytest.skip("shared/RULES.md is not beside this checkout")
    assert RULES_MD.read_text() == SHARED_RULES_MD.read_text()


def test_every_deadline_threshold_cycle_and_gate_rule_is_in_a_policy_file() -> None:
    listed = rules_md_table(RULES_MD.read_text())
    assert len(listed) == 74
    missing = [
        rid for rid, kind in listed.items() if kind in GATED_KINDS and rid not in _all_rules()
    ]
    assert missing == []


def test_every_rule_of_rules_md_is_in_a_policy_file_with_the_same_kind() -> None:
    listed = rules_md_table(RULES_MD.read_text())
    declared = _all_rules()
    assert set(declared) == set(listed)
    assert {rid: declared[rid].kind for rid in listed} == listed


def test_each_of_the_five_policy_files_loads() -> None:
    assert set(policies()) == {"ASH", "PSP", "WCC", "IMHP", "BUD"}
    assert {p.source for p in policies().values()} == {f.name for f in SOURCES.glob("0*.txt")}


def _normalise(text: str) -> str:
    text = re.sub(r"(?<=[A-Za-z])\d", "", text)  # footnote marks: "Workshop3"
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = re.sub(r"<[^>]+>|\*+", "", text)
    return re.sub(r"[\s\-–]+", " ", text).strip().lower()


def test_every_rule_quotes_a_sentence_that_is_in_its_source_document() -> None:
    for policy in policies().values():
        source = _normalise((SOURCES / policy.source).read_text(encoding="utf-8"))
        for r in policy.rules.values():
            assert _normalise(r.clause) in source, f"{r.id}: clause not found in {policy.source}"


def test_numbers_are_typed_from_the_policy_text() -> None:
    assert str(rule("ASH-1").params["within"].default) == "3 days"
    assert str(rule("ASH-8").params["notice"].default) == "1 month"
    assert str(rule("ASH-14").params["notice_to_quit"].default) == "8 weeks"
    assert str(rule("ASH-13").params["action_plan_covers"].default) == "2 months"
    assert str(rule("ASH-18").params["women_share_at_least"].default) == "50%"
    assert rule("ASH-22").params["approvers_min"].default.value == 3  # type: ignore[union-attr]
    assert rule("IMHP-1").params["facilitators_min"].default.value == 2  # type: ignore[union-attr]
    assert str(rule("WCC-1").params["interval"].default) == "2 months"


def _all_rules() -> dict:
    return {rid: r for p in policies().values() for rid, r in p.rules.items()}


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(body)
    return path


GOOD_HEAD = "policy: TST\ntitle: T\norganisation: O\nsource: s.txt\nmodule: m\nrules:\n"


@pytest.mark.parametrize(
    ("rules_yaml", "rule_id", "problem"),
    [
        ("  TST-1:\n    kind: deadline\n    summary: S\n", "TST-1", "missing clause"),
        ("  TST-1:\n    kind: wish\n    summary: S\n    clause: C\n", "TST-1", "kind “wish”"),
        (
            "  TST-1:\n    kind: deadline\n    summary: S\n    clause: C\n    params:\n      within: {duration: soon}\n",
            "TST-1",
            "“soon” is not a duration",
        ),
        (
            "  TST-1:\n    kind: deadline\n    summary: S\n    clause: C\n    params:\n      within: {duration: 3 fortnights, count: 2}\n",
            "TST-1",
            "exactly one of",
        ),
        (
            "  ASH-1:\n    kind: deadline\n    summary: S\n    clause: C\n",
            "ASH-1",
            "must look like TST-1",
        ),
        (
            "  TST-2:\n    kind: gate\n    summary: S\n    clause: C\n    colour: red\n",
            "TST-2",
            "unknown keys colour",
        ),
        (
            "  TST-3:\n    kind: threshold\n    summary: S\n    clause: C\n    params:\n      share: {share: 150%}\n",
            "TST-3",
            "between 0% and 100%",
        ),
    ],
)
def test_a_malformed_rule_is_reported_with_its_file_and_rule(
    tmp_path: Path, rules_yaml: str, rule_id: str, problem: str
) -> None:
    with pytest.raises(PolicyFileError) as caught:
        load_policy_file(_write(tmp_path, GOOD_HEAD + rules_yaml))
    message = str(caught.value)
    assert "broken.yaml" in message and f"rule {rule_id}" in message and problem in message


def test_a_file_that_is_not_yaml_is_reported_with_its_name(tmp_path: Path) -> None:
    with pytest.raises(ImproperlyConfigured, match=r"broken\.yaml: is not valid YAML"):
        load_policy_file(_write(tmp_path, "policy: [unclosed"))


def test_a_file_missing_its_source_is_reported(tmp_path: Path) -> None:
    with pytest.raises(PolicyFileError, match=r"broken\.yaml: is missing source"):
        load_policy_file(
            _write(tmp_path, "policy: TST\ntitle: T\norganisation: O\nmodule: m\nrules: {}\n")
        )


def test_loading_a_folder_stops_at_the_first_malformed_file(tmp_path: Path) -> None:
    for good in POLICY_DIR.glob("*.yaml"):
        (tmp_path / good.name).write_text(good.read_text())
    (tmp_path / "zz.yaml").write_text(GOOD_HEAD + "  TST-1:\n    kind: gate\n")
    with pytest.raises(PolicyFileError, match=r"zz.yaml, rule TST-1"):
        load_all(tmp_path)
