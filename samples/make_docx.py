"""Write samples/desperate-fm-notes.docx: a desperate family medicine program's interview notes as Word.

Run from the repository root:  .venv/bin/python samples/make_docx.py
The document's fixed core properties keep repeated runs comparable.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from docx import Document

OUT = Path(__file__).resolve().parent / "desperate-fm-notes.docx"

PARAGRAPHS = [
    (
        "Pine Hollow Regional Hospital - Family Medicine. In person, Mon Nov 30 2026. "
        "PD is Dr. Curtis Vaughn, interim since March (the last PD lasted 14 months). "
        'No APD right now, "the position is posted".'
    ),
    (
        "PD: We are a small program, very busy, and honestly the hospital depends on our residents. "
        "You will see a lot of pathology here."
    ),
    (
        "PD: We're like a family. Our residents are very independent - "
        "on nights it's you, the ED doc and the nurses."
    ),
    (
        "PD: What I look for is someone who is not afraid of hard work "
        "and who isn't going to quit on us in the middle of the year."
    ),
    "Me: Do you have protected didactics?",
    (
        "PD: Education is a priority. Residents come to the Thursday lecture "
        "whenever the inpatient team can spare them."
    ),
    "Resident (PGY-1): no protected time really, I think I've been to three lectures since July.",
    "PD: We used to have a monthly board review with the old faculty, but they both left last year.",
    "PD: We hope to start a rural research track once the new building opens.",
    (
        "Filled in SOAP three years running (2024, 2025, 2026), 6 of 6 spots IMG, all J-1. "
        'ABFM pass rate not on the website; PD said "we\'re working to bring it up". '
        "No alumni page at all, and the resident photos are from 2021."
    ),
    (
        "Resident (PGY-1): it is what it is. OB nights are q3 on top of the inpatient service, "
        "and clinic gets cancelled when the floor is short."
    ),
    (
        'PD, about visas: "Our residents are on J-1s, so they understand commitment. '
        'Contract renewal depends on attitude."'
    ),
]

QA = [
    (
        "How many hours did you work last week?",
        "Officially under 80. (looked at the coordinator, then laughed)",
    ),
    (
        "Who covers when someone calls in sick?",
        "We cover for each other, you just find someone and pay it back.",
    ),
    (
        "Where did last year's graduates go?",
        "Around here mostly. One went back home. Not sure about the others.",
    ),
    (
        "Has anyone left the program?",
        "Two people from my class. One was a transition, the other... we don't really talk about it.",
    ),
    (
        "Did your visa paperwork come on time?",
        "HR handles it. I started three weeks late, they took it out of my vacation.",
    ),
]


def build(out: Path = OUT) -> Path:
    doc = Document()
    props = doc.core_properties
    props.author = "applicant"
    props.title = "Pine Hollow Regional FM - interview notes"
    props.created = props.modified = dt.datetime(2026, 11, 30, 18, 0, 0)

    doc.add_heading("Pine Hollow Regional Hospital - Family Medicine - interview notes", level=1)
    for text in PARAGRAPHS:
        doc.add_paragraph(text)

    doc.add_heading("What the residents said at lunch", level=2)
    table = doc.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    header = table.rows[0].cells
    header[0].text, header[1].text = "Question", "Answer"
    for question, answer in QA:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = question, answer

    doc.add_paragraph("Gut feeling: a service hole with a residency attached. Bottom of the list.")
    doc.save(out)
    return out


if __name__ == "__main__":
    print(build())
