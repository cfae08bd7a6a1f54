"""A party's copy of an agreement as a PDF (reportlab), laid out plainly for printing."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from commonground.agreements.selectors import AgreementRecord


def _text(value: str) -> str:
    return escape(value).replace("\n", "<br/>")


def _when(moment: object) -> str:
    if moment is None:
        return "not set"
    if hasattr(moment, "hour"):
        return f"{timezone.localtime(moment):%-d %B %Y, %H:%M}"  # type: ignore[arg-type]
    return f"{moment:%-d %B %Y}"


def agreement_pdf(record: AgreementRecord, *, copy_for: str) -> bytes:
    agreement = record.agreement
    current = record.current
    styles = getSampleStyleSheet()
    body, heading, small = styles["BodyText"], styles["Heading2"], styles["Italic"]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=agreement.title,
        author=agreement.organisation.name,
    )
    story: list[object] = [
        Paragraph(_text(agreement.organisation.name), small),
        Paragraph(_text(agreement.title), styles["Title"]),
        Paragraph(
            _text(
                f"{agreement.spec.label} ({agreement.spec.rule_id}) · "
                f"{agreement.get_state_display()} · version {current.version.number}"
            ),
            body,
        ),
    ]
    dates = []
    if agreement.starts_on:
        dates.append(f"Starts {_when(agreement.starts_on)}")
    if agreement.ends_on:
        dates.append(f"ends {_when(agreement.ends_on)}")
    if record.review_due:
        dates.append(f"review by {_when(record.review_due)}")
    if dates:
        story.append(Paragraph(_text(", ".join(dates) + "."), body))
    story.append(Spacer(1, 6 * mm))
    for label, text in current.sections:
        story += [Paragraph(_text(label), heading), Paragraph(_text(text), body)]
    story.append(Paragraph("Parties and signatures", heading))
    signed = {s.party_id: s for s in current.signatures}
    for party in agreement.parties.all():
        if not party.must_sign:
            line = f"{party.person.full_name}, {party.get_role_display().lower()} (does not sign)"
        elif party.pk in signed:
            line = f"{party.person.full_name}, {party.get_role_display().lower()}: signed {_when(signed[party.pk].signed_at)}"
        else:
            line = f"{party.person.full_name}, {party.get_role_display().lower()}: not signed yet"
        story.append(Paragraph(_text(line), body))
    if current.disagreements:
        story.append(Paragraph("Disagreements noted", heading))
        for d in current.disagreements:
            story.append(
                Paragraph(_text(f"{d.text}  (initialled {d.initials}, {_when(d.noted_at)})"), body)
            )
    if record.breaches:
        story.append(Paragraph("Breaches recorded", heading))
        for b in record.breaches:
            story.append(Paragraph(_text(f"{_when(b.occurred_on)}: {b.description}"), body))
    story += [
        Spacer(1, 8 * mm),
        Paragraph(
            _text(
                f"Copy for {copy_for}, made {_when(timezone.now())}. Keep it somewhere safe: it is confidential."
            ),
            small,
        ),
    ]
    document.build(story)
    return buffer.getvalue()
