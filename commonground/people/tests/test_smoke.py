from commonground.testing.personas import Personas


def test_personas_have_the_standing_they_describe(personas: Personas) -> None:
    p = personas
    assert p.admin.user.has_perm("people.change_person", p.party)
    assert p.party.user.has_perm("people.view_confidential", p.party)
    assert not p.unrelated.user.has_perm("people.view_person", p.party)
    assert p.supporter.user.has_perm("people.view_person", p.party)
    assert not p.supporter.user.has_perm("people.view_confidential", p.party)
    assert not p.other_org.user.has_perm("people.view_person", p.party)
