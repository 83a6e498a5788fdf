"""What the allow-list sandbox costs: every template renders in it (issue 11), cohort's own too.

Renders the invitation e-mail of one meeting (text and HTML, as `cohort invite` does for every
invitee) for every participant of the synthetic programme, in turn with the allow-list sandbox
cohort uses and with Jinja's plain environment, interleaved in one run; prints medians and the
ratio.

    python bench_sandbox.py [--participants 2000] [--runs 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

from make_programme import write
from timing import ROOT

sys.path.insert(0, str(ROOT))

import jinja2  # noqa: E402

from cohort.documents.templating import Renderer  # noqa: E402
from cohort.documents.view import Views, texts_for  # noqa: E402
from cohort.records.workspace import load_checked  # noqa: E402


def contexts(folder: Path) -> tuple[list[dict[str, object]], Renderer]:
    checked = load_checked(folder, dt.date(2020, 1, 1))
    programme = checked.programme
    texts = texts_for(programme)
    views = Views(programme, texts)
    meeting = views.meeting(programme.chronological()[0])
    out = []
    for person in programme.participants.values():
        out.append(
            {
                "programme": views.programme_view,
                "meeting": meeting,
                "title": meeting.title,
                "kind": "invitation",
                "meeting_cancelled": False,
                "person": views.person(person),
                "organisation": views.person(person).organisation,
                "venue": meeting.venue,
                "where": meeting.location,
                "join_url": meeting.join_url,
                "starts_at": meeting.starts_at,
                "ends_at": meeting.ends_at,
                "day": meeting.day,
                "all_day": meeting.all_day,
                "when": meeting.when_at,
                "themes": meeting.themes,
                "agenda": meeting.agenda,
                "organiser": views.programme_view.organiser,
            }
        )
    return out, Renderer(folder, texts)


def plain(renderer: Renderer) -> Renderer:
    """The same renderer on Jinja's unsandboxed environment (what cohort used for its own
    templates before)."""
    env = jinja2.Environment(
        loader=renderer.env.loader,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(renderer.texts.translations, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(renderer.env.filters)
    other = Renderer.__new__(Renderer)
    other.texts, other.env, other._cache = renderer.texts, env, {}
    return other


def once(renderer: Renderer, items: list[dict[str, object]]) -> float:
    start = time.perf_counter()
    for context in items:
        renderer.render("email/message.txt", **context)
        renderer.render("email/message.html", **context)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "programme"
        write(folder, participants=args.participants, meetings=4)
        items, sandboxed = contexts(folder)
        unsandboxed = plain(sandboxed)
        times: dict[str, list[float]] = {"allow-list sandbox": [], "plain Jinja": []}
        for round_ in range(args.runs + 1):
            for name, renderer in (("allow-list sandbox", sandboxed), ("plain Jinja", unsandboxed)):
                took = once(renderer, items)
                if round_:
                    times[name].append(took)
    medians = {name: statistics.median(values) for name, values in times.items()}
    base = medians["plain Jinja"]
    print(f"\n{len(items)} invitations (text + HTML), median of {args.runs} runs")
    for name, seconds in medians.items():
        print(f"  {name:<24} {seconds * 1000:8.1f} ms   {seconds / base:5.2f}x plain Jinja")


if __name__ == "__main__":
    main()
