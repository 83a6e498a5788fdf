"""`cohort build`: one folder with everything, links that work from disk and from a server."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import SEEDS, cohort, edit


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.found.append(value)


def local_links(page: Path) -> list[str]:
    parser = Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return [link for link in parser.found if not urlsplit(link).scheme]


def broken_links(site: Path) -> list[str]:
    broken = []
    for page in site.rglob("*.html"):
        for link in local_links(page):
            if link.startswith("#"):  # a place on the page itself: an element with that id
                if f'id="{link[1:]}"' not in page.read_text(encoding="utf-8"):
                    broken.append(f"{page.relative_to(site)} -> {link}")
                continue
            target = (page.parent / unquote(urlsplit(link).path)).resolve()
            if not target.exists() or site.resolve() not in target.parents:
                broken.append(f"{page.relative_to(site)} -> {link}")
    return broken


def build(folder, out, *args, today="2024-05-01"):
    result = cohort("build", folder, "-o", out, "--today", today, *args)
    assert result.exit_code == 0, result
    return result


@pytest.mark.parametrize("name", SEEDS)
def test_every_example_builds_with_no_broken_local_link(seed, tmp_path, name):
    site = tmp_path / "site"
    build(seed(name), site, "--report")
    assert (site / "index.html").is_file() and (site / "calendar" / "programme.ics").is_file()
    assert (site / "report" / "report.html").is_file()
    assert broken_links(site) == []


def test_the_report_names_people_so_it_is_built_only_when_asked(seed, tmp_path):
    folder = seed("twente-cop-2024")
    site = tmp_path / "site"
    build(folder, site, "--report")
    assert (site / "report" / "report.html").is_file()
    # built again without it: the report is gone from the folder meant for a web server
    result = build(folder, site)
    assert not list(site.glob("report/*"))
    assert re.search(r"\d+ removed", result.stdout)
    public = [p for p in site.rglob("*") if p.is_file() and "people" not in p.parts]
    assert not [p for p in public if b"sanne.visser@example.org" in p.read_bytes()]


def test_the_public_page_links_every_meeting(seed, tmp_path):
    folder = seed("twente-cop-2024")
    site = tmp_path / "site"
    build(folder, site)
    page = (site / "index.html").read_text()
    links = local_links(site / "index.html")
    for n in (1, 2, 3):
        assert f"agendas/bijeenkomst-{n}.pdf" in links
        assert f"calendar/meetings/bijeenkomst-{n}.ics" in links
    assert "calendar/programme.ics" in links
    assert "donderdag 22 februari 2024, 19:00–20:30" in page
    assert "https://www.openstreetmap.org/?mlat=52.2232&amp;mlon=6.899" in page
    assert "openstreetmap.org/search?query=Smeltsschuur+Oosteinde+36A" in page
    assert "report/" not in page  # the report names people: not on the public page
    assert "webcal://" not in page
    assert not any(address in page for address in ("sanne.visser@example.org",))


def test_webcal_and_a_linked_report_when_asked(write, tmp_path):
    text = edit(
        _small(),
        "attendance:",
        "calendar:\n  base_url: https://leerhuis.example.org/netwerk/\nattendance:",
    )
    site = tmp_path / "site"
    build(write(text), site, "--link-report", today="2030-01-01")
    page = (site / "index.html").read_text()
    assert 'href="webcal://leerhuis.example.org/netwerk/calendar/programme.ics"' in page
    # said next to the subscription, not of the download (a file does not follow changes)
    assert re.search(
        r">Abonneren</a>\s*\(wijzigingen volgen dan vanzelf\) · <a [^>]*download", page
    )
    assert 'href="report/report.html"' in page


def test_a_download_promises_no_updates_and_a_cancelled_meeting_offers_nothing(write, tmp_path):
    text = edit(
        _small(),
        '    date: 2030-03-05\n    start: "19:00"',
        '    date: 2030-03-05\n    status: cancelled\n    start: "19:00"',
    )
    site = tmp_path / "site"
    build(write(text), site, today="2030-01-01")
    page = (site / "index.html").read_text()
    assert "Zet alle bijeenkomsten in je agenda:" in page  # a file does not follow changes
    assert "wijzigingen volgen vanzelf" not in page
    cancelled = page[page.index('id="tweede"') :]
    cancelled = cancelled[: cancelled.index("</li>")]
    assert "geannuleerd" in cancelled.lower()
    assert ".ics" not in cancelled and "agendas/" not in cancelled
    assert 'href="calendar/meetings/eerste.ics"' in page


def _small() -> str:
    from conftest import SMALL

    return SMALL


def test_building_again_rewrites_nothing_and_gives_the_same_bytes(seed, tmp_path):
    folder = seed("brussels-broedplekken-2023")
    site = tmp_path / "site"
    build(folder, site)
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in site.rglob("*") if p.is_file()}
    again = build(folder, site)
    assert re.search(r"\d+ files, 0 changed, 0 removed", again.stdout)
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in site.rglob("*") if p.is_file()}
    assert after == before


def test_only_what_changed_is_rewritten(seed, tmp_path):
    folder = seed("twente-cop-2024")
    site = tmp_path / "site"
    build(folder, site)
    feed = next((site / "calendar" / "people").glob("sanne-visser-*.ics"))
    people = folder / "participants.yaml"
    people.write_text(
        edit(
            people.read_text(),
            "    organisation: het-pakhuis\n  joost",
            "    organisation: het-pakhuis\n    language: fr\n  joost",
        )
    )
    result = build(folder, site)
    assert "1 changed, 0 removed" in result.stdout  # Sanne's feed, now in French
    assert "Organisation\u202f: Tetem" in feed.read_text()


def test_invitations_only_when_asked(seed, tmp_path):
    folder = seed("twente-cop-2024")
    site = tmp_path / "site"
    build(folder, site)
    assert not (site / "outbox").exists()
    result = build(folder, site, "--invitations")
    # on 1 May 2024 only the meeting of 6 June is still to come: 17 invitees
    assert "17 invitation(s) due" in result.stdout and "never publish" in result.stdout
    assert len(list((site / "outbox").glob("*.eml"))) == 17
    build(folder, site)  # a build without the flag leaves the outbox alone
    assert len(list((site / "outbox").glob("*.eml"))) == 17


def test_personal_feeds_are_not_listed(seed, tmp_path):
    site = tmp_path / "site"
    build(seed("twente-cop-2024"), site)
    assert (site / "calendar" / "people" / "index.html").is_file()
    assert "people/" not in (site / "index.html").read_text()


def test_a_stale_agenda_disappears(seed, tmp_path):
    folder = seed("twente-cop-2024")
    site = tmp_path / "site"
    build(folder, site)
    text = (folder / "programme.yaml").read_text()
    (folder / "programme.yaml").write_text(text[: text.index("  bijeenkomst-3:")])
    build(folder, site)
    assert not (site / "agendas" / "bijeenkomst-3.pdf").exists()
    # the removed meeting stays in the calendars, cancelled
    assert "STATUS:CANCELLED" in (site / "calendar" / "meetings" / "bijeenkomst-3.ics").read_text()


def test_registration_link_and_deadline_are_on_the_page(seed, tmp_path):
    folder = seed("twente-cop-2024")
    text = (folder / "programme.yaml").read_text()
    (folder / "programme.yaml").write_text(
        edit(
            text,
            "  website: https://tetem.nl/\n",
            "  website: https://tetem.nl/\n  registration: https://tetem.nl/aanmelden\n",
        )
    )
    site = tmp_path / "site"
    build(folder, site, today="2024-02-01")
    page = (site / "index.html").read_text()
    assert '<a class="register" href="https://tetem.nl/aanmelden">Inschrijven</a>' in page
    assert (
        "Schrijf je uiterlijk op donderdag 15 februari 2024 in via "
        '<a href="https://tetem.nl/aanmelden">het inschrijvingsformulier</a>.'
    ) in page
    build(folder, site, today="2024-02-16")  # the deadline passed: no invitation to register
    page = (site / "index.html").read_text()
    assert "Schrijf je uiterlijk" not in page
    # nor a button: the first meeting's deadline closes the series, whose other meetings
    # have none of their own
    assert 'class="register"' not in page and "Inschrijven" not in page


@pytest.mark.parametrize(
    ("today", "offered"), [("2030-01-01", True), ("2030-03-05", True), ("2030-03-06", False)]
)
def test_the_register_button_goes_once_the_programme_is_over(write, tmp_path, today, offered):
    """A form without deadlines takes registrations while a meeting is still to come."""
    form = "links:\n  registration: https://leerhuis.example.org/aanmelden\nattendance:"
    site = tmp_path / "site"
    build(write(edit(_small(), "attendance:", form)), site, today=today)
    page = (site / "index.html").read_text()
    assert ('<a class="register" href="https://leerhuis.example.org/aanmelden">' in page) is offered


def test_without_a_form_register_by_an_email_with_its_subject_written(seed, tmp_path):
    site = tmp_path / "site"
    build(seed("twente-cop-2024"), site, today="2024-02-01")
    page = (site / "index.html").read_text()
    mailto = (
        "mailto:cop@example.org?subject=Inschrijving%3A%20Bijeenkomst%201%20%E2%80%94%20"
        "Publieksbereik"
    )
    assert (
        "Schrijf je uiterlijk op donderdag 15 februari 2024 in met een e-mail aan "
        f'<a href="{mailto}">cop@example.org</a>.'
    ) in page


def test_a_build_reports_its_progress_step_by_step(seed, tmp_path):
    import datetime as dt

    from cohort.documents.build import build as build_site
    from cohort.documents.build import steps
    from cohort.records.workspace import load_checked

    checked = load_checked(seed("twente-cop-2024"))
    seen: list[tuple[str, int]] = []
    build_site(
        checked.folder,
        checked.programme,
        tmp_path / "site",
        dt.date(2024, 5, 1),
        progress=lambda what, n: seen.append((what, n)),
    )
    assert sum(n for _, n in seen) == steps(checked.programme)
    assert [what for what, _ in seen] == [
        "calendars",
        "agendas",
        "agendas",
        "agendas",
        "report",
        "index",
        "written",
    ]
