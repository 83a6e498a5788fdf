"""The report: how the programme went, for funders and partners, as HTML, Markdown, PDF and JSON.

The figures come from `summary.summarise`; this module only lays them out. Templates get them as
plain frozen data (`ReportView`), never the model.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..i18n import Texts
from ..output import OutputFolder, Written
from ..programme.model import Programme
from . import markdown, typeset
from .summary import Summary, summarise
from .templating import Renderer
from .view import MeetingView, PersonView, Rotation, Views, texts_for

__all__ = ["FORMATS", "Summary", "render", "summarise", "write_report"]

#: The formats of the report, in the order they are written.
FORMATS = ("html", "md", "pdf", "json")


# -- formats ----------------------------------------------------------------------------------


def as_json(summary: Summary) -> str:
    """The report for machines: meetings by id with counts and ids, people, organisations."""
    p = summary.programme
    data = {
        "programme": {"id": p.id, "title": p.title},
        "as_of": summary.as_of.isoformat(),
        "meetings": [
            {
                "id": r.meeting.id,
                "title": r.meeting.title,
                "date": r.meeting.date.isoformat(),
                "status": r.meeting.status.value,
                "held": r.held,
                "recorded": r.recorded,
                "invited": len(r.invited),
                "attended": r.attended,
                "excused": r.excused,
                "absent": r.absent,
                "visitors": r.visitors,
                "rate": None if r.rate is None else round(r.rate, 4),
                "attended_ids": r.ids("attended"),
                "excused_ids": r.ids("excused"),
                "absent_ids": r.ids("absent"),
                "visitor_names": [v.name for v in r.record.visitors] if r.record else [],
                "regrets_ids": [p.id for p in r.regrets],
            }
            for r in summary.meetings
        ],
        "participants": [
            {
                "id": x.participant.id,
                "organisation": x.participant.organisation,
                "invited": x.invited,
                "attended": x.attended,
                "excused": x.excused,
                "missed": None if x.staff else x.missed,
                "rule": x.rule or None,
                "staff": x.staff,
            }
            for x in summary.people
        ],
        "organisations": [
            {
                "id": o.organisation.id,
                "people": o.people,
                "attended": o.attended,
                "present_at": o.present_at,
                "meetings": o.meetings,
            }
            for o in summary.organisations
        ],
        "rule": summary.rule or None,
        "themes": [{"title": t.title, "held": h, "to_come": c} for t, h, c in summary.themes],
        "to_come": [r.meeting.id for r in summary.to_come],
        "average_rate": None if summary.average_rate is None else round(summary.average_rate, 4),
        "pairs": None
        if summary.pairs is None
        else {
            "rounds": summary.pairs.rounds,
            "met": [
                {"a": a, "b": b, "times": n}
                for i, a in enumerate(summary.pairs.ids)
                for j, b in enumerate(summary.pairs.ids)
                if i < j and (n := summary.pairs.counts[i][j])
            ],
        },
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


# -- what templates get: plain frozen data, never the model ------------------------------------


@dataclass(frozen=True)
class MeetingLine:
    """A meeting in the report: its view, held or not, recorded or not, and the counts."""

    meeting: MeetingView
    held: bool
    recorded: bool
    invited: tuple[PersonView, ...]
    attended: int
    excused: int
    absent: int
    visitors: int
    rate: float | None
    regrets: tuple[PersonView, ...] = ()  # who declined it


@dataclass(frozen=True)
class PersonLine:
    """A participant in the report (see PersonRow)."""

    participant: PersonView
    organisation: str
    invited: int
    attended: int
    excused: int
    missed: int
    rule: str
    staff: bool  # facilitator, organiser or expert: not held to the rule, nothing 'missed'


@dataclass(frozen=True)
class OrganisationView:
    """An organisation as the report names it."""

    id: str
    name: str


@dataclass(frozen=True)
class OrganisationLine:
    """An organisation in the report (see OrganisationRow)."""

    organisation: OrganisationView
    people: int
    attended: int
    present_at: int
    meetings: int


@dataclass(frozen=True)
class RuleView:
    """The attendance rule: 'all' or a number of meetings, of which kinds, for which roles."""

    required: str | int
    kinds: tuple[str, ...]
    roles: tuple[str, ...]


@dataclass(frozen=True)
class PairsView:
    """Who met whom in groups (see summary.Pairs); `matrix`: whether the table is shown (up
    to `largest` people)."""

    ids: tuple[str, ...]
    names: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    repeated: tuple[tuple[str, str, int], ...]
    rounds: int
    matrix: bool
    largest: int


@dataclass(frozen=True)
class ReportView:
    """The report as its templates get it (`summary`): the Summary's figures as plain data."""

    as_of: dt.date
    meetings: tuple[MeetingLine, ...]
    held: tuple[MeetingLine, ...]
    to_come: tuple[MeetingLine, ...]
    average_rate: float | None
    people: tuple[PersonLine, ...]
    organisations: tuple[OrganisationLine, ...]
    themes: tuple[tuple[str, int, int], ...]
    venues: tuple[Rotation, ...]
    rule: Mapping[str, int]
    pairs: PairsView | None
    unrecorded: bool  # meetings held, none to come, and no attendance recorded at all
    regrets: tuple[MeetingLine, ...] = ()  # the meetings someone declined


def report_view(summary: Summary, views: Views) -> ReportView:
    """The Summary as plain frozen data in the language of `views`."""
    lines = {
        r.meeting.id: MeetingLine(
            views.meeting(r.meeting),
            r.held,
            r.recorded,
            tuple(views.person(p) for p in r.invited),
            r.attended,
            r.excused,
            r.absent,
            r.visitors,
            r.rate,
            tuple(views.person(p) for p in r.regrets),
        )
        for r in summary.meetings
    }
    return ReportView(
        as_of=summary.as_of,
        meetings=tuple(lines.values()),
        held=tuple(lines[r.meeting.id] for r in summary.held),
        to_come=tuple(lines[r.meeting.id] for r in summary.to_come),
        average_rate=summary.average_rate,
        people=tuple(
            PersonLine(
                views.person(x.participant),
                x.organisation,
                x.invited,
                x.attended,
                x.excused,
                x.missed,
                x.rule,
                x.staff,
            )
            for x in summary.people
        ),
        organisations=tuple(
            OrganisationLine(
                OrganisationView(o.organisation.id, o.organisation.name),
                o.people,
                o.attended,
                o.present_at,
                o.meetings,
            )
            for o in summary.organisations
        ),
        themes=tuple((views.theme(t).title, h, c) for t, h, c in summary.themes),
        venues=tuple(summary.venues),
        rule=dict(summary.rule),
        pairs=None
        if summary.pairs is None
        else PairsView(
            tuple(summary.pairs.ids),
            tuple(summary.pairs.names),
            tuple(tuple(row) for row in summary.pairs.counts),
            tuple(summary.pairs.repeated),
            summary.pairs.rounds,
            summary.pairs.matrix,
            summary.pairs.LARGEST,
        ),
        unrecorded=summary.unrecorded,
        regrets=tuple(line for line in lines.values() if line.regrets),
    )


def rule_view(programme: Programme) -> RuleView | None:
    """The programme's attendance rule as plain data (None when it has none)."""
    rule = programme.attendance
    if rule is None:
        return None
    return RuleView(
        rule.required, tuple(k.value for k in rule.kinds), tuple(r.value for r in rule.roles)
    )


def chart(summary: ReportView, texts: Texts) -> str:
    """A bar chart of attendance per meeting held, as SVG (no script: it prints and it
    opens anywhere)."""
    bars = [r for r in summary.held if r.recorded]
    width, row = 640, 38  # a row: the label's line, then the bar
    height = max(1, len(bars)) * row + 30
    most = max([len(r.invited) + r.visitors for r in bars] + [1])
    scale = (width - 60) / most
    renderer = Renderer(None, texts, autoescape=True)
    return renderer.render(
        "report/chart.svg",
        bars=bars,
        width=width,
        height=height,
        row=row,
        scale=scale,
        title=texts.gettext("Attendance per meeting"),
    )


def render(summary: Summary, folder: Path, format: str, warnings: list[str] | None = None) -> bytes:
    """The report in one format (html, md, pdf, json) as bytes; templates get plain data (see
    `report_view`)."""
    if format == "json":
        return as_json(summary).encode()
    p = summary.programme
    texts = texts_for(p)
    views = Views(p, texts)
    view = report_view(summary, views)
    context: dict[str, Any] = {
        "summary": view,
        "programme": views.programme_view,
        "language": texts.language,
        "rule": rule_view(p),
    }
    if format == "md":
        renderer = Renderer(folder, texts)
        renderer.env.filters["cell"] = markdown.text
        renderer.env.filters["percent"] = lambda v: "—" if v is None else texts.percent(v)
        return renderer.render("report/report.md", **context).encode()
    # a chart of no bar would be its legend alone: none until attendance is recorded
    svg = chart(view, texts) if any(r.recorded for r in view.held) else ""
    if format == "html":
        from markupsafe import Markup

        renderer = Renderer(folder, texts, autoescape=True)
        renderer.env.filters["percent"] = lambda v: "—" if v is None else texts.percent(v)
        return renderer.render("report/report.html", chart=Markup(svg), **context).encode()
    typst = typeset.renderer(folder, texts)
    typst.env.filters["percent"] = lambda v: "—" if v is None else texts.percent(v)
    source = typst.render(
        "report/report.typ",
        chart=typeset.Code(f'image(bytes({typeset.string(svg)}), format: "svg", width: 100%)')
        if svg
        else None,
        **context,
    )
    return typeset.pdf(source, "report", summary.as_of, warnings)


def write_report(
    folder: Path,
    programme: Programme,
    output: Path,
    today: dt.date,
    formats: tuple[str, ...] = FORMATS,
    *,
    force: bool = False,
) -> tuple[Summary, Written]:
    """Write the report as of `today` into the output folder `output`, in each of `formats`
    (html, md, pdf, json); returns the summary and what was written."""
    summary = summarise(folder, programme, today)
    target = OutputFolder(output, programme_folder=folder, force=force)
    warnings: list[str] = []
    files: dict[str, bytes | str] = {
        f"report.{format}": render(summary, folder, format, warnings) for format in formats
    }
    written = Written(output, files=len(files), names=list(files), warnings=warnings)
    written.changed = target.write_all(files, owned=())
    return summary, written
