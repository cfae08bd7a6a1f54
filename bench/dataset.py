"""A large, realistic dataset written with bulk_create (the services audit every row; too slow here).

Organisations adopt policies; people have logins, roles (current and ended) and qualifications;
obligations follow the adopted policies' duration rules, with assignees and an oversight role, and
are spread over the past year and the next six months. Their state and reminder stage are what
they would be had the sweep run every day up to yesterday: most past ones met, a few waived or
cancelled, recent ones often still open; future ones open, with the next reminder date set.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from commonground.accounts.models import User
from commonground.obligations.models import Obligation
from commonground.people.models import (
    MembershipStatus,
    Organisation,
    Person,
    Qualification,
    QualificationKind,
    RoleAssignment,
)
from commonground.people.roles import Role
from commonground.policies.models import PolicyAdoption, RuleOverride
from commonground.policies.registry import policies
from commonground.policies.values import LONDON, Duration

FULL_ORGANISATIONS = 50
FULL_PEOPLE = 100_000
FULL_OBLIGATIONS = 1_000_000

# Everyone signed in by the bench uses this password (hashed once, shared by every login).
PASSWORD = "bench-password-not-secret"  # noqa: S105
ADMIN_EMAIL = "bench-admin@example.test"
WORKER_EMAIL = "bench-worker@example.test"

# Due dates run from a year ago to six months ahead.
PAST_DAYS = 365
FUTURE_DAYS = 180
BATCH = 2_000

# (code, organisation kind, the role that oversees its obligations)
POLICY_SHAPE = {
    "ASH": (Organisation.Kind.HOUSING_COOP, Role.SW_MEMBER),
    "PSP": (Organisation.Kind.CHARITY, Role.FACILITATOR),
    "WCC": (Organisation.Kind.COMMUNITY_COUNCIL, Role.LINE_MANAGER),
    "IMHP": (Organisation.Kind.CIC, Role.SAFEGUARDING_LEAD),
    "BUD": (Organisation.Kind.BUDDY_SCHEME, Role.BUDDY_COORDINATOR),
}
POLICY_ORDER = ["ASH", "PSP", "WCC", "IMHP", "BUD"]
# Rules whose date is a "not before" (notice periods), not a "due by".
NOT_BEFORE_RULES = {"ASH-8", "ASH-14", "ASH-17"}
UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}

# Share of people holding each role (cumulative draw); the rest hold none.
ROLE_SHARES = [
    (Role.FACILITATOR, 0.08),
    (Role.SW_MEMBER, 0.05),
    (Role.LINE_MANAGER, 0.02),
    (Role.SAFEGUARDING_LEAD, 0.01),
    (Role.BUDDY_COORDINATOR, 0.01),
    (Role.HR_OFFICER, 0.005),
    (Role.STAFF_MEMBER, 0.10),
    (Role.TRAINED_TEAM_MEMBER, 0.05),
]
QUALIFICATION_FOR_ROLE = {
    Role.FACILITATOR: QualificationKind.FACILITATOR_TRAINING,
    Role.SW_MEMBER: QualificationKind.CONFLICT_FACILITATION_INTRO,
    Role.LINE_MANAGER: QualificationKind.SUPERVISION_TRAINING,
    Role.SAFEGUARDING_LEAD: QualificationKind.SAFEGUARDING_TRAINING,
    Role.BUDDY_COORDINATOR: QualificationKind.BUDDY_INDUCTION,
    Role.HR_OFFICER: QualificationKind.OTHER,
    Role.STAFF_MEMBER: QualificationKind.DBS_CHECK,
    Role.TRAINED_TEAM_MEMBER: QualificationKind.TEAM_MEMBER_TRAINING,
}
FIRST_NAMES = [
    "Aisha",
    "Ben",
    "Chloe",
    "Dev",
    "Efe",
    "Farah",
    "Gareth",
    "Hana",
    "Idris",
    "Jess",
    "Kofi",
    "Lena",
    "Marek",
    "Nia",
    "Owen",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tomasz",
    "Uma",
    "Vik",
    "Wren",
    "Yusuf",
    "Zara",
    "Alex",
    "Bea",
    "Carys",
    "Dan",
    "Elif",
]
SURNAMES = [
    "Adeyemi",
    "Brown",
    "Clarke",
    "Davies",
    "Evans",
    "Fraser",
    "Green",
    "Hughes",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Morgan",
    "Nowak",
    "Okafor",
    "Patel",
    "Quinn",
    "Roberts",
    "Singh",
    "Taylor",
    "Udeh",
    "Vaughan",
    "Walsh",
    "Young",
    "Zielinski",
]


@dataclass(frozen=True)
class Sizes:
    scale: float
    organisations: int
    people: int
    obligations: int

    @classmethod
    def for_scale(cls, scale: float) -> Sizes:
        return cls(
            scale=scale,
            organisations=max(2, round(FULL_ORGANISATIONS * scale)),
            people=max(40, round(FULL_PEOPLE * scale)),
            obligations=max(400, round(FULL_OBLIGATIONS * scale)),
        )


@dataclass
class BuildReport:
    sizes: Sizes
    seconds: dict[str, float] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    admin_org_slug: str = ""
    states: dict[str, int] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


@dataclass(frozen=True)
class DurationRule:
    rule_id: str
    param: str
    days: int
    title: str
    oversight_role: str


def _duration_rules(code: str) -> list[DurationRule]:
    found = []
    for rule in policies()[code].rules.values():
        for name, param in rule.params.items():
            value = param.default
            if not isinstance(value, Duration) or value.unit.rstrip("s") not in UNIT_DAYS:
                continue
            days = value.amount * UNIT_DAYS[value.unit.rstrip("s")]
            if days <= 0:
                continue
            title = rule.summary.split(";")[0].split(",")[0][:120].rstrip(".")
            found.append(DurationRule(rule.id, name, days, title, POLICY_SHAPE[code][1]))
    return found


def _adopted(index: int) -> list[str]:
    """Each organisation follows one policy of its own kind, and PSP (or ASH) beside it."""
    primary = POLICY_ORDER[index % len(POLICY_ORDER)]
    return [primary, "ASH" if primary == "PSP" else "PSP"]


def _chunks(total: int, size: int) -> Iterator[range]:
    for start in range(0, total, size):
        yield range(start, min(total, start + size))


def _timed(report: BuildReport, step: str, log: Callable[[str], None]) -> Any:
    class Timer:
        def __enter__(self) -> None:
            self.start = time.perf_counter()

        def __exit__(self, *exc: object) -> None:
            report.seconds[step] = time.perf_counter() - self.start
            log(f"  {step}: {report.seconds[step]:.1f}s")

    return Timer()


def build(
    scale: float,
    *,
    seed: int = 20251122,
    loader: str = "fast",
    log: Callable[[str], None] = print,
) -> BuildReport:
    """Fill an empty, migrated database. The first organisation holds the bench's two logins."""
    rng = random.Random(seed)  # noqa: S311  (test data, not secrets)
    sizes = Sizes.for_scale(scale)
    report = BuildReport(sizes=sizes)
    today = timezone.localdate()
    now = timezone.now()
    people_per_org = sizes.people // sizes.organisations
    obligations_per_org = sizes.obligations // sizes.organisations
    password = make_password(PASSWORD)
    rules_by_code = {code: _duration_rules(code) for code in POLICY_ORDER}

    with _timed(report, "organisations and policies", log), transaction.atomic():
        organisations = Organisation.objects.bulk_create(
            Organisation(
                name=f"Bench organisation {i + 1:03d}",
                slug=f"bench-{i + 1:03d}",
                kind=POLICY_SHAPE[POLICY_ORDER[i % len(POLICY_ORDER)]][0],
                contact_email=f"office{i + 1}@example.test",
                created_at=now - dt.timedelta(days=800),
            )
            for i in range(sizes.organisations)
        )
        PolicyAdoption.objects.bulk_create(
            PolicyAdoption(organisation=org, policy=code, adopted_on=today - dt.timedelta(days=700))
            for i, org in enumerate(organisations)
            for code in _adopted(i)
        )
        # Some organisations have changed a number for themselves (the "why" then says so).
        RuleOverride.objects.bulk_create(
            RuleOverride(
                organisation=org,
                rule_id="ASH-4",
                param="within",
                value="4 weeks",
                reason="Members asked for more time to arrange the Group Meeting.",
                changed_at=now - dt.timedelta(days=400),
            )
            for i, org in enumerate(organisations)
            if "ASH" in _adopted(i) and i % 3 == 0
        )
        report.admin_org_slug = organisations[0].slug

    with _timed(report, "people, logins and roles", log):
        role_rows = 0
        qualification_rows = 0
        user_rows = 0
        pool: dict[int, list[int]] = {}
        everyone_by_org: dict[int, list[int]] = {}
        for org_index, org in enumerate(organisations):
            with transaction.atomic():
                # Everyone with a role may sign in; a few others too.
                plans = []
                for i in range(people_per_org):
                    roles: list[str] = []
                    if org_index == 0 and i == 0:
                        roles = [Role.ORG_ADMIN]
                    elif org_index == 0 and i == 1:
                        roles = [Role.FACILITATOR]
                    elif i < 2:
                        roles = [Role.ORG_ADMIN]
                    else:
                        draw = rng.random()
                        for role, share in ROLE_SHARES:
                            if draw < share:
                                roles = [role]
                                break
                            draw -= share
                    has_login = bool(roles) or rng.random() < 0.03
                    plans.append((roles, has_login))
                emails = {
                    (0, 0): ADMIN_EMAIL,
                    (0, 1): WORKER_EMAIL,
                }
                users = User.objects.bulk_create(
                    [
                        User(
                            email=emails.get((org_index, i), f"p{org_index}-{i}@example.test"),
                            password=password,
                            date_joined=now - dt.timedelta(days=rng.randint(30, 700)),
                        )
                        for i, (_roles, has_login) in enumerate(plans)
                        if has_login
                    ],
                    batch_size=BATCH,
                )
                user_rows += len(users)
                user_iter = iter(users)
                people = []
                for i, (_roles, has_login) in enumerate(plans):
                    first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
                    status_draw = rng.random()
                    status = (
                        MembershipStatus.ACTIVE
                        if status_draw < 0.88 or i < 2
                        else MembershipStatus.LEFT
                        if status_draw < 0.95
                        else MembershipStatus.HIATUS
                    )
                    channels = rng.choice([["email"], ["email", "sms"], ["sms"], ["phone", "post"]])
                    people.append(
                        Person(
                            organisation=org,
                            user=next(user_iter) if has_login else None,
                            full_name=f"{first} {last} {org_index}-{i}",
                            preferred_name=first if rng.random() < 0.2 else "",
                            email=f"person{org_index}-{i}@example.test",
                            contact_channels=channels,
                            membership_status=status,
                            membership_since=today - dt.timedelta(days=rng.randint(10, 2000)),
                        )
                    )
                people = Person.objects.bulk_create(people, batch_size=BATCH)
                assignments = []
                qualifications = []
                pool[org.pk] = []
                for person, (roles, _login) in zip(people, plans, strict=True):
                    for role in roles:
                        starts = today - dt.timedelta(days=rng.randint(20, 900))
                        assignments.append(
                            RoleAssignment(
                                organisation=org, person=person, role=role, starts_on=starts
                            )
                        )
                        pool[org.pk].append(person.pk)
                        # A role held before and since ended.
                        if rng.random() < 0.2:
                            old_start = starts - dt.timedelta(days=rng.randint(200, 900))
                            assignments.append(
                                RoleAssignment(
                                    organisation=org,
                                    person=person,
                                    role=rng.choice(ROLE_SHARES)[0],
                                    starts_on=old_start,
                                    ends_on=starts - dt.timedelta(days=1),
                                )
                            )
                        if role in QUALIFICATION_FOR_ROLE and rng.random() < 0.7:
                            obtained = today - dt.timedelta(days=rng.randint(10, 1500))
                            expires = (
                                obtained + dt.timedelta(days=3 * 365)
                                if role == Role.STAFF_MEMBER or role == Role.SAFEGUARDING_LEAD
                                else None
                            )
                            qualifications.append(
                                Qualification(
                                    organisation=org,
                                    person=person,
                                    kind=QUALIFICATION_FOR_ROLE[role],
                                    obtained_on=obtained,
                                    expires_on=expires,
                                )
                            )
                RoleAssignment.objects.bulk_create(assignments, batch_size=BATCH)
                Qualification.objects.bulk_create(qualifications, batch_size=BATCH)
                role_rows += len(assignments)
                qualification_rows += len(qualifications)
                # Assignees hold a role; the subject of an obligation is anyone.
                pool[org.pk] = pool[org.pk] or [p.pk for p in people]
                everyone_by_org[org.pk] = [p.pk for p in people]
        report.rows.update(
            organisations=len(organisations),
            people=people_per_org * len(organisations),
            logins=user_rows,
            role_assignments=role_rows,
            qualifications=qualification_rows,
        )

    with _timed(report, "obligations and assignees", log):
        writer = RowWriter(Obligation, fast=loader == "fast")
        links_writer = RowWriter(Obligation.assignees.through, fast=loader == "fast")
        states: dict[str, int] = {}
        made = 0
        links = 0
        for org_index, org in enumerate(organisations):
            rules = [r for code in _adopted(org_index) for r in rules_by_code[code]]
            holders = pool[org.pk]
            everyone = everyone_by_org[org.pk]
            for chunk in _chunks(obligations_per_org, 10_000):
                with transaction.atomic():
                    rows = []
                    for n in chunk:
                        rule = rng.choice(rules)
                        offset = rng.randint(-PAST_DAYS, FUTURE_DAYS)
                        row, status = _obligation(rng, org.pk, org_index, n, rule, offset, today)
                        states[status] = states.get(status, 0) + 1
                        row["subject_id"] = str(rng.choice(everyone))
                        rows.append(row)
                    ids = writer.write(rows)
                    links_rows = []
                    for obligation_id in ids:
                        count = 1 if rng.random() < 0.7 else 2
                        for person_id in sorted(set(rng.sample(holders, min(count, len(holders))))):
                            links_rows.append(
                                {"obligation_id": obligation_id, "person_id": person_id}
                            )
                    links_writer.write(links_rows, want_ids=False)
                    made += len(rows)
                    links += len(links_rows)
        writer.finish()
        links_writer.finish()
        report.rows.update(obligations=made, obligation_assignees=links)
        report.states = dict(sorted(states.items()))
    return report


class RowWriter:
    """Writes rows (dicts of attribute names) to one model's table, returning their ids.

    bulk_create spends about 0.4 ms a row compiling SQL, which is most of the build at a
    million rows; the fast path sends the same values, adapted by the backend's own
    adapt_*_value, with executemany (SQLite) or COPY (PostgreSQL), ids assigned in order.
    Fields a row leaves out get their model default, as bulk_create would give them."""

    def __init__(self, model: type[Model], *, fast: bool) -> None:
        self.model = model
        self.fast = fast
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.pk = model._meta.pk
        self.next_id: int | None = None
        now = timezone.now()
        self.defaults: dict[str, Any] = {}
        for f in self.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.defaults[f.attname] = now
            else:
                # What bulk_create would write: the default, "" for text, else NULL.
                self.defaults[f.attname] = f.get_default()

    def write(self, rows: list[dict[str, Any]], *, want_ids: bool = True) -> list[int]:
        if not rows:
            return []
        if not self.fast:
            made = self.model._default_manager.bulk_create(
                [self.model(**row) for row in rows], batch_size=BATCH
            )
            return [obj.pk for obj in made] if want_ids else []
        if self.next_id is None:
            with connection.cursor() as cursor:
                table = connection.ops.quote_name(self.model._meta.db_table)
                column = connection.ops.quote_name(self.pk.column)
                cursor.execute(f"SELECT MAX({column}) FROM {table}")  # noqa: S608
                self.next_id = int(cursor.fetchone()[0] or 0) + 1
        ids = list(range(self.next_id, self.next_id + len(rows)))
        self.next_id += len(rows)
        adapters = [self._adapter(f) for f in self.fields]
        names = [f.attname for f in self.fields]
        defaults = self.defaults
        values = [
            (
                pk,
                *(
                    adapt(row.get(name, defaults[name]))
                    for name, adapt in zip(names, adapters, strict=True)
                ),
            )
            for pk, row in zip(ids, rows, strict=True)
        ]
        columns = [self.pk.column, *(f.column for f in self.fields)]
        table = connection.ops.quote_name(self.model._meta.db_table)
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                    for value in values:
                        copy.write_row(value)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", values)  # noqa: S608
        return ids

    def finish(self) -> None:
        """PostgreSQL's id sequence must know about the ids written by hand."""
        if self.fast and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), [self.model]):
                    cursor.execute(sql)

    @staticmethod
    def _adapter(f: Any) -> Callable[[Any], Any]:
        ops = connection.ops
        if connection.vendor == "postgresql":
            return _same
        if f.get_internal_type() == "DateTimeField":
            return lambda v: None if v is None else ops.adapt_datetimefield_value(v)
        if f.get_internal_type() == "DateField":
            return lambda v: None if v is None else ops.adapt_datefield_value(v)
        if f.get_internal_type() == "JSONField":
            return lambda v: None if v is None else json.dumps(v)
        return _same


def _same(value: Any) -> Any:
    # Choices members are str and int subclasses; the drivers get their plain values.
    return value.value if isinstance(value, Enum) else value


def _obligation(
    rng: random.Random,
    org_id: int,
    org_index: int,
    n: int,
    rule: DurationRule,
    offset: int,
    today: dt.date,
) -> tuple[dict[str, Any], str]:
    """An obligation due `offset` days from `today`, and what it is today (for the report)."""
    due_soon_days = settings.OBLIGATION_DUE_SOON_DAYS
    due_on = today + dt.timedelta(days=offset)
    trigger_day = due_on - dt.timedelta(days=rule.days)
    trigger_at = dt.datetime.combine(trigger_day, dt.time(10, 0), tzinfo=LONDON)
    direction = (
        Obligation.Direction.NOT_BEFORE
        if rule.rule_id in NOT_BEFORE_RULES
        else Obligation.Direction.BY
    )
    obligation: dict[str, Any] = {
        "organisation_id": org_id,
        "rule_id": rule.rule_id,
        "param": rule.param,
        "subject_type": "people.person",
        "key": f"bench:{org_index}:{n}",
        "title": rule.title,
        "trigger_event": f"{rule.rule_id} trigger",
        "trigger_at": trigger_at,
        "direction": direction,
        "due_on": due_on,
        "oversight_role": rule.oversight_role,
        "created_at": trigger_at,
        "updated_at": trigger_at,
    }
    # Recent deadlines are often still open; old ones rarely.
    still_open = rng.random() < (0.4 if -14 <= offset < 0 else 0.04 if offset < 0 else 0.92)
    if not still_open:
        draw = rng.random()
        if draw < 0.92 or offset >= 0:
            obligation["state"] = Obligation.State.MET
            met_day = min(today, due_on - dt.timedelta(days=rng.randint(0, 10)))
            obligation["met_at"] = dt.datetime.combine(met_day, dt.time(15, 0), tzinfo=LONDON)
            obligation["met_by_event"] = "recorded"
            status = "met"
        elif draw < 0.97:
            obligation["state"] = Obligation.State.WAIVED
            obligation["waived_reason"] = "The person asked for more time; agreed at the meeting."
            obligation["waived_at"] = dt.datetime.combine(due_on, dt.time(9, 0), tzinfo=LONDON)
            status = "waived"
        else:
            obligation["state"] = Obligation.State.CANCELLED
            obligation["waived_reason"] = "The case closed."
            status = "cancelled"
        obligation["reminder_stage"] = (
            Obligation.Stage.DUE_SOON if offset < due_soon_days else Obligation.Stage.NONE
        )
        return obligation, status
    # Open: the stage the daily sweep would have reached by yesterday, and its next date.
    if direction == Obligation.Direction.NOT_BEFORE:
        return obligation, "open (not before)"
    if offset < -1:
        obligation["reminder_stage"] = Obligation.Stage.OVERDUE
        obligation["next_reminder_on"] = None
        status = "overdue"
    elif offset < due_soon_days:
        obligation["reminder_stage"] = Obligation.Stage.DUE_SOON
        obligation["next_reminder_on"] = due_on + dt.timedelta(days=1)
        status = "overdue" if offset < 0 else "due soon"
    else:
        obligation["reminder_stage"] = Obligation.Stage.NONE
        obligation["next_reminder_on"] = due_on - dt.timedelta(days=due_soon_days)
        status = "due soon" if offset == due_soon_days else "upcoming"
    return obligation, status
