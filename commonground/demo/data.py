"""The demo organisations: one per source policy, with made-up people.

Dates are counted back from the day the demo is loaded, so a DBS check that has expired stays
expired and a role that ended stays ended whenever the demo is run. Phone numbers are from the
ranges Ofcom keeps for drama (01632 960xxx, 07700 900xxx); email addresses are on example.org or,
for demo logins, on <org>.demo.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from commonground.people.models import (
    ContactChannel,
    Gender,
    MembershipStatus,
    Organisation,
    QualificationKind,
)
from commonground.people.roles import Role

DEMO_PASSWORD = "commonground-demo"

EMAIL = ContactChannel.EMAIL
SMS = ContactChannel.SMS
PHONE = ContactChannel.PHONE
POST = ContactChannel.POST
WOMAN = Gender.WOMAN
MAN = Gender.MAN
NON_BINARY = Gender.NON_BINARY
Q = QualificationKind


@dataclass(frozen=True)
class RoleSpec:
    role: str
    # Days before the load date; `ended_days_ago` None means the role is held today.
    started_days_ago: int
    ended_days_ago: int | None = None
    note: str = ""


@dataclass(frozen=True)
class QualificationSpec:
    kind: str
    obtained_days_ago: int
    # Days after the load date the qualification expires; negative means it has expired.
    expires_in_days: int | None = None
    title: str = ""
    reference: str = ""
    note: str = ""


@dataclass(frozen=True)
class MembershipStep:
    status: str
    days_ago: int
    reason: str


@dataclass(frozen=True)
class PersonSpec:
    full_name: str
    preferred_name: str = ""
    pronouns: str = ""
    email: str = ""
    phone: str = ""
    postal_address: str = ""
    channels: tuple[str, ...] = (EMAIL,)
    gender: str = ""
    support_needs: str = ""
    member_since_days_ago: int = 730
    roles: tuple[RoleSpec, ...] = ()
    qualifications: tuple[QualificationSpec, ...] = ()
    # Later steps in their membership history, oldest first (recorded by the org's admin).
    history: tuple[MembershipStep, ...] = ()
    # A demo login for this person, described in the logins table as `login_role`.
    login: bool = False
    login_role: str = ""


@dataclass(frozen=True)
class OrganisationSpec:
    name: str
    slug: str
    kind: str
    contact_email: str
    phone: str
    description: str
    # The policy file it adopts (commonground/policies/policy_files/), by its code.
    policy: str
    people: tuple[PersonSpec, ...] = field(default_factory=tuple)


def _course(days_ago: int) -> QualificationSpec:
    # ASH-20: the course that lets an S&W member facilitate.
    return QualificationSpec(
        Q.CONFLICT_FACILITATION_INTRO,
        days_ago,
        title="Introductory course on conflict facilitation",
    )


def _psp_training(days_ago: int, expires_in: int) -> QualificationSpec:
    # PSP-4: sessions are co-facilitated by two appropriately trained facilitators.
    return QualificationSpec(
        Q.FACILITATOR_TRAINING,
        days_ago,
        expires_in,
        title="Peer Support Group Facilitator training",
    )


def _dbs(days_ago: int, expires_in: int, reference: str) -> QualificationSpec:
    # IMHP-2: individual support only by a trained, DBS-checked team member.
    return QualificationSpec(
        Q.DBS_CHECK, days_ago, expires_in, title="Enhanced DBS check", reference=reference
    )


def _team_training(days_ago: int) -> QualificationSpec:
    # IMHP-1: every session has at least one trained team member.
    return QualificationSpec(Q.TEAM_MEMBER_TRAINING, days_ago, title="IMHP team member training")


def _induction(days_ago: int) -> QualificationSpec:
    # BUD-9: buddies are supported through an induction and a buddy pack.
    return QualificationSpec(Q.BUDDY_INDUCTION, days_ago, title="Buddy induction and buddy pack")


ASH = OrganisationSpec(
    name="ASH Housing Co-op",
    slug="ash",
    policy="ASH",
    kind=Organisation.Kind.HOUSING_COOP,
    contact_email="office@ash.demo",
    phone="01632 960100",
    description=(
        "A fully mutual housing co-operative. Its Support & Wellbeing group helps members "
        "through interpersonal conflict under the Support and Wellbeing Policy."
    ),
    people=(
        PersonSpec(
            "Marguerite Okafor",
            preferred_name="Maggie",
            pronouns="she/her",
            email="admin@ash.demo",
            phone="01632 960101",
            channels=(EMAIL, PHONE),
            member_since_days_ago=2900,
            roles=(
                RoleSpec(Role.ORG_ADMIN, 1400, note="Co-op office coordinator"),
                RoleSpec(Role.STAFF_MEMBER, 1400, note="Office, three days a week"),
            ),
            login=True,
            login_role="Organisation admin (co-op office)",
        ),
        # The Support & Wellbeing group: ten members today, six of them women (ASH-18);
        # seven have attended the facilitation course and facilitate, three help with admin
        # until they have (ASH-20).
        PersonSpec(
            "Rosalind Achterberg",
            preferred_name="Ros",
            pronouns="she/her",
            email="sw@ash.demo",
            phone="07700 900111",
            channels=(EMAIL, SMS),
            gender=WOMAN,
            member_since_days_ago=2400,
            roles=(RoleSpec(Role.SW_MEMBER, 900), RoleSpec(Role.FACILITATOR, 860)),
            qualifications=(_course(870),),
            login=True,
            login_role="S&W member and facilitator (has the course)",
        ),
        PersonSpec(
            "Tomasz Wierzbicki",
            preferred_name="Tom",
            pronouns="he/him",
            email="swadmin@ash.demo",
            phone="07700 900112",
            channels=(EMAIL,),
            gender=MAN,
            member_since_days_ago=500,
            roles=(RoleSpec(Role.SW_MEMBER, 60, note="Helping with admin until the course"),),
            login=True,
            login_role="S&W member, admin only (no course yet)",
        ),
        PersonSpec(
            "Adaeze Nwosu",
            pronouns="she/her",
            email="adaeze.nwosu@example.org",
            phone="07700 900113",
            channels=(SMS, EMAIL),
            gender=WOMAN,
            member_since_days_ago=1800,
            roles=(RoleSpec(Role.SW_MEMBER, 900), RoleSpec(Role.FACILITATOR, 860)),
            qualifications=(_course(870),),
        ),
        PersonSpec(
            "Harriet Pembleton",
            preferred_name="Hattie",
            pronouns="she/her",
            phone="01632 960114",
            postal_address="Flat 3, 12 Orchard Row, Ashby Vale",
            channels=(PHONE, POST),
            gender=WOMAN,
            member_since_days_ago=3600,
            support_needs="Hard of hearing: face her when speaking; written summaries after meetings.",
            roles=(RoleSpec(Role.SW_MEMBER, 1300), RoleSpec(Role.FACILITATOR, 1250)),
            qualifications=(_course(1260),),
        ),
        PersonSpec(
            "Kwame Mensah-Boateng",
            preferred_name="Kwame",
            pronouns="he/him",
            email="kwame.mb@example.org",
            phone="07700 900115",
            channels=(EMAIL, SMS),
            gender=MAN,
            member_since_days_ago=1500,
            roles=(RoleSpec(Role.SW_MEMBER, 700), RoleSpec(Role.FACILITATOR, 640)),
            qualifications=(_course(650),),
        ),
        PersonSpec(
            "Siobhan Delaney",
            pronouns="she/her",
            email="siobhan.delaney@example.org",
            channels=(EMAIL,),
            gender=WOMAN,
            member_since_days_ago=1200,
            roles=(RoleSpec(Role.SW_MEMBER, 420), RoleSpec(Role.FACILITATOR, 380)),
            qualifications=(_course(390),),
        ),
        PersonSpec(
            "Jules Fairweather",
            pronouns="they/them",
            email="jules.f@example.org",
            phone="07700 900117",
            channels=(SMS,),
            gender=NON_BINARY,
            member_since_days_ago=900,
            roles=(RoleSpec(Role.SW_MEMBER, 300), RoleSpec(Role.FACILITATOR, 250)),
            qualifications=(_course(260),),
        ),
        PersonSpec(
            "Priya Raghunathan",
            pronouns="she/her",
            email="priya.r@example.org",
            channels=(EMAIL,),
            gender=WOMAN,
            member_since_days_ago=1100,
            roles=(RoleSpec(Role.SW_MEMBER, 200), RoleSpec(Role.FACILITATOR, 150)),
            qualifications=(_course(160),),
        ),
        PersonSpec(
            "Bernard Osei",
            preferred_name="Bernie",
            pronouns="he/him",
            phone="01632 960119",
            postal_address="14 Orchard Row, Ashby Vale",
            channels=(PHONE,),
            gender=MAN,
            member_since_days_ago=4000,
            roles=(RoleSpec(Role.SW_MEMBER, 90, note="Helping with admin; course booked"),),
        ),
        PersonSpec(
            "Leonie Hartmann",
            pronouns="she/her",
            email="leonie.h@example.org",
            channels=(EMAIL,),
            gender=WOMAN,
            member_since_days_ago=400,
            roles=(RoleSpec(Role.SW_MEMBER, 45, note="Helping with admin until the course"),),
        ),
        # A former S&W member who stepped back (ASH-21): the role has an end date.
        PersonSpec(
            "Declan Murtagh",
            pronouns="he/him",
            email="declan.m@example.org",
            channels=(EMAIL,),
            gender=MAN,
            member_since_days_ago=2000,
            roles=(RoleSpec(Role.SW_MEMBER, 1000, 70, note="Stepped back to focus on work"),),
            qualifications=(_course(980),),
        ),
        # Members of the co-op.
        PersonSpec(
            "Imogen Stroud",
            preferred_name="Immy",
            pronouns="she/her",
            email="member@ash.demo",
            phone="07700 900121",
            channels=(EMAIL, SMS),
            member_since_days_ago=600,
            login=True,
            login_role="Member of the co-op",
        ),
        PersonSpec(
            "Gareth Llewellyn",
            pronouns="he/him",
            email="gareth.ll@example.org",
            channels=(EMAIL,),
            member_since_days_ago=1700,
        ),
        PersonSpec(
            "Winifred Abara",
            preferred_name="Winnie",
            pronouns="she/her",
            postal_address="Flat 1, 12 Orchard Row, Ashby Vale",
            channels=(POST,),
            member_since_days_ago=5000,
            support_needs="Does not use a phone or email; letters in large print, please.",
        ),
        PersonSpec(
            "Callum Reid",
            pronouns="he/him",
            email="callum.reid@example.org",
            phone="07700 900124",
            channels=(SMS, EMAIL),
            member_since_days_ago=1300,
            # ASH-14, ASH-16: membership removed with an Action Plan, reinstated at a meeting.
            history=(
                MembershipStep(
                    MembershipStatus.REMOVED,
                    150,
                    "Community Resolution Meeting: Action Plan agreed, 8-week Notice to Quit issued.",
                ),
                MembershipStep(
                    MembershipStatus.REINSTATED,
                    100,
                    "Reinstated at the general meeting: the Action Plan was completed.",
                ),
            ),
        ),
        PersonSpec(
            "Nadia Haddad",
            pronouns="she/her",
            email="nadia.haddad@example.org",
            channels=(EMAIL,),
            member_since_days_ago=2200,
            history=(MembershipStep(MembershipStatus.LEFT, 40, "Moved to a job in Glasgow."),),
        ),
    ),
)


PSP = OrganisationSpec(
    name="Peer Support Plus",
    slug="peer-support-plus",
    policy="PSP",
    kind=Organisation.Kind.CHARITY,
    contact_email="hello@psp.demo",
    phone="01632 960200",
    description=(
        "A charitable incorporated organisation running weekly peer support groups for people "
        "learning to manage their mental health, under Safe, Kind and Supportive."
    ),
    people=(
        PersonSpec(
            "Gwendolyn Ashby-Price",
            preferred_name="Gwen",
            pronouns="she/her",
            email="admin@psp.demo",
            phone="01632 960201",
            channels=(EMAIL, PHONE),
            member_since_days_ago=2500,
            roles=(RoleSpec(Role.ORG_ADMIN, 2000, note="Trustee and volunteer coordinator"),),
            login=True,
            login_role="Organisation admin (trustee)",
        ),
        # Facilitators are peers too; each holds the facilitator training (PSP-4).
        PersonSpec(
            "Oluwaseun Adeyemi",
            preferred_name="Seun",
            pronouns="he/him",
            email="facilitator@psp.demo",
            phone="07700 900211",
            channels=(EMAIL, SMS),
            member_since_days_ago=1600,
            roles=(RoleSpec(Role.FACILITATOR, 1000, note="Tuesday evening group"),),
            qualifications=(_psp_training(1010, 85),),
            login=True,
            login_role="Facilitator (trained)",
        ),
        PersonSpec(
            "Beatrix Holloway",
            preferred_name="Bea",
            pronouns="she/her",
            email="safeguarding@psp.demo",
            channels=(EMAIL,),
            member_since_days_ago=1900,
            roles=(
                RoleSpec(Role.FACILITATOR, 1200, note="Tuesday evening group"),
                RoleSpec(Role.SAFEGUARDING_LEAD, 700),
            ),
            qualifications=(
                _psp_training(400, 695),
                QualificationSpec(Q.SAFEGUARDING_TRAINING, 650, 445, title="Safeguarding adults"),
            ),
            # PSP-9: the one person who reads a safeguarding concern recorded at a session.
            login=True,
            login_role="Facilitator and safeguarding lead",
        ),
        PersonSpec(
            "Rhys Pritchard",
            pronouns="he/him",
            phone="01632 960213",
            postal_address="27 Larch Crescent, Millbrook",
            channels=(PHONE, POST),
            member_since_days_ago=1400,
            roles=(RoleSpec(Role.FACILITATOR, 600, note="Thursday afternoon group"),),
            qualifications=(_psp_training(610, 485),),
        ),
        PersonSpec(
            "Mei Lin Zhao",
            preferred_name="Mei",
            pronouns="she/her",
            email="mei.zhao@example.org",
            phone="07700 900214",
            channels=(SMS, EMAIL),
            member_since_days_ago=1000,
            roles=(RoleSpec(Role.FACILITATOR, 300, note="Thursday afternoon group"),),
            qualifications=(_psp_training(310, 785),),
        ),
        # A facilitator whose training lapsed; the role ended with it.
        PersonSpec(
            "Ambrose Kettering",
            pronouns="he/him",
            email="ambrose.k@example.org",
            channels=(EMAIL,),
            member_since_days_ago=2600,
            roles=(RoleSpec(Role.FACILITATOR, 2000, 120, note="Stood down as a facilitator"),),
            qualifications=(_psp_training(1215, -120),),
        ),
        # Peers.
        PersonSpec(
            "Danielle Fortune",
            preferred_name="Dani",
            pronouns="she/her",
            email="peer@psp.demo",
            phone="07700 900221",
            channels=(EMAIL, SMS),
            member_since_days_ago=250,
            support_needs="Prefers a seat near the door.",
            login=True,
            login_role="Peer",
        ),
        PersonSpec(
            "Ezekiel Thornbury",
            preferred_name="Zeke",
            pronouns="he/him",
            email="zeke.t@example.org",
            channels=(EMAIL,),
            member_since_days_ago=700,
        ),
        PersonSpec(
            "Margaret Quayle",
            preferred_name="Peggy",
            pronouns="she/her",
            phone="01632 960223",
            postal_address="5 Mill Lane Cottages, Millbrook",
            channels=(PHONE,),
            member_since_days_ago=1500,
        ),
        PersonSpec(
            "Samir Belkacem",
            pronouns="he/him",
            email="samir.b@example.org",
            phone="07700 900224",
            channels=(SMS,),
            member_since_days_ago=90,
        ),
        PersonSpec(
            "Ottilie Varga",
            pronouns="she/her",
            email="ottilie.v@example.org",
            channels=(EMAIL,),
            member_since_days_ago=1100,
            # PSP-10, PSP-11: a peer who felt ready to self-manage and let the group know.
            history=(
                MembershipStep(
                    MembershipStatus.LEFT,
                    60,
                    "Felt ready to self-manage and move on; said goodbye at the Tuesday group.",
                ),
            ),
        ),
        PersonSpec(
            "Fergus Byrne",
            pronouns="he/him",
            email="fergus.byrne@example.org",
            channels=(EMAIL,),
            member_since_days_ago=400,
            history=(
                MembershipStep(
                    MembershipStatus.HIATUS, 30, "Taking a break for a few months after surgery."
                ),
            ),
        ),
    ),
)


WOUGHTON = OrganisationSpec(
    name="Woughton Community Council",
    slug="woughton",
    policy="WCC",
    kind=Organisation.Kind.COMMUNITY_COUNCIL,
    contact_email="office@woughton.demo",
    phone="01632 960300",
    description=(
        "A community council whose staff each have a written supervision contract and regular "
        "1:1s under its 1:1 Supervision and Support Policy."
    ),
    people=(
        PersonSpec(
            "Philippa Greenhalgh",
            preferred_name="Pippa",
            pronouns="she/her",
            email="admin@woughton.demo",
            phone="01632 960301",
            channels=(EMAIL, PHONE),
            member_since_days_ago=2200,
            roles=(
                RoleSpec(Role.ORG_ADMIN, 2000, note="Office manager"),
                RoleSpec(Role.HR_OFFICER, 2000),
                RoleSpec(Role.STAFF_MEMBER, 2200, note="Full time"),
            ),
            login=True,
            login_role="Organisation admin and HR officer",
        ),
        PersonSpec(
            "Desmond Achebe",
            preferred_name="Des",
            pronouns="he/him",
            email="manager@woughton.demo",
            phone="01632 960302",
            channels=(EMAIL,),
            member_since_days_ago=3000,
            roles=(
                RoleSpec(Role.COUNCIL_MANAGER, 1800),
                RoleSpec(Role.LINE_MANAGER, 2900),
                RoleSpec(Role.STAFF_MEMBER, 3000, note="Full time"),
            ),
            qualifications=(
                QualificationSpec(Q.SUPERVISION_TRAINING, 1500, title="Supervising staff well"),
            ),
            login=True,
            login_role="Council manager",
        ),
        PersonSpec(
            "Francesca Moretti",
            preferred_name="Fran",
            pronouns="she/her",
            email="linemanager@woughton.demo",
            phone="07700 900311",
            channels=(EMAIL, SMS),
            member_since_days_ago=1600,
            roles=(
                RoleSpec(Role.LINE_MANAGER, 800, note="Community development team"),
                RoleSpec(Role.STAFF_MEMBER, 1600, note="Full time"),
            ),
            qualifications=(
                QualificationSpec(Q.SUPERVISION_TRAINING, 780, title="Supervising staff well"),
            ),
            login=True,
            login_role="Line manager",
        ),
        PersonSpec(
            "Lewis Adebayo-Clarke",
            preferred_name="Lewis",
            pronouns="he/him",
            email="staff@woughton.demo",
            phone="07700 900312",
            channels=(EMAIL, SMS),
            member_since_days_ago=700,
            roles=(
                RoleSpec(
                    Role.STAFF_MEMBER,
                    700,
                    note="Community development worker, 22.5 hours a week (1:1s pro rata)",
                ),
            ),
            login=True,
            login_role="Member of staff (part time)",
        ),
        PersonSpec(
            "Shauna Kilbride",
            pronouns="she/her",
            email="shauna.k@example.org",
            phone="07700 900313",
            channels=(SMS, EMAIL),
            member_since_days_ago=50,
            roles=(RoleSpec(Role.STAFF_MEMBER, 50, note="Youth worker, full time; on probation"),),
        ),
        PersonSpec(
            "Arthur Penhaligon",
            pronouns="he/him",
            phone="01632 960314",
            postal_address="9 Coppice Way, Woughton",
            channels=(PHONE, POST),
            member_since_days_ago=1000,
            support_needs="Arthritis in both hands: prefers to initial notes with a stamp.",
            roles=(
                RoleSpec(
                    Role.STAFF_MEMBER,
                    1000,
                    note="Unpaid: community garden volunteer lead, about 6 hours a week",
                ),
            ),
        ),
        PersonSpec(
            "Yasmin Choudhury",
            pronouns="she/her",
            email="yasmin.c@example.org",
            channels=(EMAIL,),
            member_since_days_ago=1200,
            roles=(
                RoleSpec(Role.STAFF_MEMBER, 1200, 30, note="Finance assistant, 15 hours a week"),
            ),
            history=(
                MembershipStep(MembershipStatus.LEFT, 30, "Resigned to take up a post elsewhere."),
            ),
        ),
    ),
)


IMHP = OrganisationSpec(
    name="IMHP (Improving Mental Health Provision CIC)",
    slug="imhp",
    policy="IMHP",
    kind=Organisation.Kind.CIC,
    contact_email="team@imhp.demo",
    phone="01632 960400",
    description=(
        "A community interest company running co-produced drop-ins, groups and individual "
        "support under its Professional Guidelines for Current Delivery."
    ),
    people=(
        PersonSpec(
            "Cordelia Mbeki",
            preferred_name="Delia",
            pronouns="she/her",
            email="admin@imhp.demo",
            phone="01632 960401",
            channels=(EMAIL, PHONE),
            member_since_days_ago=1500,
            roles=(
                RoleSpec(Role.ORG_ADMIN, 1500, note="Director"),
                RoleSpec(Role.HR_OFFICER, 1400),
            ),
            login=True,
            login_role="Organisation admin and HR officer",
        ),
        PersonSpec(
            "Ravi Chandrasekar",
            pronouns="he/him",
            email="team@imhp.demo",
            phone="07700 900411",
            channels=(EMAIL, SMS),
            member_since_days_ago=1300,
            roles=(
                RoleSpec(Role.TRAINED_TEAM_MEMBER, 1200),
                RoleSpec(Role.FACILITATOR, 1200),
            ),
            qualifications=(_team_training(1210), _dbs(300, 795, "001922837465")),
            login=True,
            login_role="Trained team member (DBS checked)",
        ),
        PersonSpec(
            "Agnieszka Kowalczyk",
            preferred_name="Aga",
            pronouns="she/her",
            email="safeguarding@imhp.demo",
            phone="07700 900412",
            channels=(EMAIL, SMS),
            member_since_days_ago=1400,
            roles=(
                RoleSpec(Role.SAFEGUARDING_LEAD, 900),
                RoleSpec(Role.TRAINED_TEAM_MEMBER, 1300),
                RoleSpec(Role.FACILITATOR, 1300),
            ),
            qualifications=(
                _team_training(1310),
                _dbs(500, 595, "001755102938"),
                QualificationSpec(Q.SAFEGUARDING_TRAINING, 910, 185, title="Safeguarding lead"),
            ),
            login=True,
            login_role="Safeguarding lead (break-glass)",
        ),
        # A trained team member whose DBS check has expired: no individual support (IMHP-2)
        # until it is renewed.
        PersonSpec(
            "Tobias Wren",
            preferred_name="Toby",
            pronouns="he/him",
            email="toby.wren@example.org",
            channels=(EMAIL,),
            member_since_days_ago=1350,
            roles=(
                RoleSpec(Role.TRAINED_TEAM_MEMBER, 1200),
                RoleSpec(Role.FACILITATOR, 1200),
            ),
            qualifications=(
                _team_training(1220),
                _dbs(
                    1110,
                    -15,
                    "001384756201",
                ),
            ),
        ),
        # Facilitators without the team member training (co-production: a participant one
        # week, a facilitator the next).
        PersonSpec(
            "Hyacinth Barrow",
            pronouns="she/her",
            phone="07700 900414",
            channels=(SMS,),
            member_since_days_ago=800,
            roles=(RoleSpec(Role.FACILITATOR, 400),),
        ),
        PersonSpec(
            "Dominic Oyelaran",
            preferred_name="Dom",
            pronouns="he/him",
            email="dom.o@example.org",
            channels=(EMAIL,),
            member_since_days_ago=600,
            roles=(RoleSpec(Role.FACILITATOR, 200),),
        ),
        # Participants.
        PersonSpec(
            "Eleanor Fitzgerald",
            preferred_name="Nell",
            pronouns="she/her",
            email="member@imhp.demo",
            phone="07700 900421",
            channels=(EMAIL,),
            member_since_days_ago=300,
            login=True,
            login_role="Participant",
        ),
        # IMHP-12: does not use email or the internet; kept in the loop by text message.
        PersonSpec(
            "Reginald Ashworth",
            preferred_name="Reg",
            pronouns="he/him",
            phone="07700 900422",
            postal_address="2 Wharf Cottages, Canal Street, Stonebridge",
            channels=(SMS, POST),
            member_since_days_ago=900,
        ),
        PersonSpec(
            "Carys Blackwood",
            pronouns="she/her",
            email="carys.b@example.org",
            channels=(EMAIL,),
            member_since_days_ago=500,
            # IMHP-10: a hiatus from participation keeps membership and voice.
            history=(
                MembershipStep(
                    MembershipStatus.HIATUS,
                    21,
                    "Asked to take a hiatus from the Wednesday drop-in after a third breach of the "
                    "delivery guidelines; membership and voice in decisions are kept.",
                ),
            ),
        ),
        PersonSpec(
            "Mohammed Iqbal",
            pronouns="he/him",
            phone="01632 960424",
            channels=(PHONE,),
            member_since_days_ago=200,
        ),
    ),
)


BUDDY = OrganisationSpec(
    name="Pathfinder Buddy Scheme",
    slug="buddy-scheme",
    policy="BUD",
    kind=Organisation.Kind.BUDDY_SCHEME,
    contact_email="buddies@buddy.demo",
    phone="01632 960500",
    description=(
        "A buddy scheme pairing people from local agencies and the community, designed at the "
        "19/01/10 session: deliberate matching, written pair contracts and monthly support."
    ),
    people=(
        PersonSpec(
            "Josephine Ambrose",
            preferred_name="Jo",
            pronouns="she/her",
            email="admin@buddy.demo",
            phone="01632 960501",
            channels=(EMAIL, PHONE),
            member_since_days_ago=900,
            roles=(RoleSpec(Role.ORG_ADMIN, 900, note="Scheme manager"),),
            login=True,
            login_role="Organisation admin (scheme manager)",
        ),
        # BUD-6: the named support person for buddies, in monthly contact.
        PersonSpec(
            "Malachy O'Rourke",
            pronouns="he/him",
            email="coordinator@buddy.demo",
            phone="07700 900511",
            channels=(EMAIL, PHONE),
            gender=MAN,
            member_since_days_ago=850,
            roles=(RoleSpec(Role.BUDDY_COORDINATOR, 800),),
            qualifications=(
                _induction(820),
                QualificationSpec(Q.DBS_CHECK, 700, 395, title="Enhanced DBS check"),
            ),
            login=True,
            login_role="Buddy coordinator",
        ),
        PersonSpec(
            "Temperance Adjei",
            preferred_name="Tempe",
            pronouns="she/her",
            email="tempe.adjei@example.org",
            phone="07700 900512",
            channels=(EMAIL, SMS),
            gender=WOMAN,
            member_since_days_ago=600,
            roles=(RoleSpec(Role.BUDDY_COORDINATOR, 180),),
            qualifications=(_induction(590),),
        ),
        # Buddies and participants.
        PersonSpec(
            "Clementine Fairlie",
            preferred_name="Clem",
            pronouns="she/her",
            email="buddy@buddy.demo",
            phone="07700 900521",
            channels=(EMAIL,),
            gender=WOMAN,
            member_since_days_ago=400,
            qualifications=(
                _induction(380),
                QualificationSpec(Q.DBS_CHECK, 370, 725, title="Enhanced DBS check"),
            ),
            login=True,
            login_role="Buddy",
        ),
        PersonSpec(
            "Barnaby Okonkwo",
            pronouns="he/him",
            email="barnaby.o@example.org",
            channels=(EMAIL,),
            gender=MAN,
            member_since_days_ago=380,
            qualifications=(_induction(370),),
        ),
        PersonSpec(
            "Wilhelmina Castell",
            preferred_name="Mina",
            pronouns="she/her",
            phone="01632 960523",
            postal_address="31 Beacon Road, Stonebridge",
            channels=(PHONE, POST),
            gender=WOMAN,
            member_since_days_ago=300,
            qualifications=(_induction(290),),
        ),
        PersonSpec(
            "Ifeanyi Obi",
            pronouns="he/him",
            email="ifeanyi.obi@example.org",
            phone="07700 900524",
            channels=(SMS, EMAIL),
            gender=MAN,
            member_since_days_ago=120,
        ),
        PersonSpec(
            "Rowan Ellery",
            pronouns="they/them",
            email="rowan.e@example.org",
            channels=(EMAIL,),
            gender=NON_BINARY,
            member_since_days_ago=100,
            support_needs="Autistic: prefers plans in writing before any meeting.",
        ),
        PersonSpec(
            "Phoebe Marchetti",
            pronouns="she/her",
            email="phoebe.m@example.org",
            channels=(EMAIL,),
            gender=WOMAN,
            member_since_days_ago=420,
            qualifications=(_induction(410),),
            # BUD-8: the pair ended early by the emergency exit; she chose not to be re-matched.
            history=(
                MembershipStep(
                    MembershipStatus.LEFT,
                    75,
                    "Pair ended early (emergency exit); chose not to be re-matched.",
                ),
            ),
        ),
    ),
)


ORGANISATIONS: tuple[OrganisationSpec, ...] = (ASH, PSP, WOUGHTON, IMHP, BUDDY)
