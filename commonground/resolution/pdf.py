"""The Notice to Quit letter as a PDF (reportlab), laid out plainly for printing (ASH-14)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from commonground.resolution.models import NoticeToQuit


def notice_to_quit_pdf(notice: NoticeToQuit, letter: str) -> bytes:
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=25 * mm,
        bottomMargin=25 * mm,
        title="Notice to Quit",
        author=notice.organisation.name,
    )
    story: list[object] = [
        Paragraph(escape(notice.organisation.name), styles["Italic"]),
        Paragraph(escape(notice.person.postal_address).replace("\n", "<br/>"), styles["BodyText"]),
        Spacer(1, 6 * mm),
        Paragraph("Notice to Quit", styles["Title"]),
    ]
    for paragraph in letter.split("\n\n"):
        story.append(Paragraph(escape(paragraph).replace("\n", "<br/>"), styles["BodyText"]))
        story.append(Spacer(1, 3 * mm))
    document.build(story)
    return buffer.getvalue()
