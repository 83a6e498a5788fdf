"""A real browser (headless Chromium, Debian's package) opens the built site and the report:
they render, with no console error, no failed request and no broken local link, both from
disk and from a static web server on 127.0.0.1."""

from __future__ import annotations

import functools
import os
import shutil
import struct
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import cohort

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: .ci/run installs Debian's chromium package")
        pytest.skip("no Chromium here (apt-get install chromium)")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The Twente programme with two meetings' attendance recorded, built."""
    import shutil as sh

    from conftest import PROGRAMMES

    base = tmp_path_factory.mktemp("browser")
    folder = base / "twente"
    sh.copytree(PROGRAMMES / "twente-cop-2024", folder)
    for meeting, present in (
        ("bijeenkomst-1", "sanne-visser,joost-meijer,fatima-elamrani"),
        ("bijeenkomst-2", "sanne-visser,fatima-elamrani"),
    ):
        assert (
            cohort(
                "attendance", "record", folder, "--meeting", meeting, "--present", present
            ).exit_code
            == 0
        )
    out = base / "site"
    result = cohort("build", folder, "-o", out, "--today", "2024-05-01", "--link-report")
    assert result.exit_code == 0, result
    return out


@pytest.fixture(scope="module")
def server(site):
    handler = functools.partial(_Quiet, directory=str(site))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


def visit(browser, url: str, shot: Path) -> dict:
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    response = page.goto(url, wait_until="load")
    links = page.eval_on_selector_all(
        "a[href], link[href], img[src]",
        "els => els.map(e => e.getAttribute('href') || e.getAttribute('src'))",
    )
    resolved = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    page.screenshot(path=str(shot), full_page=True)
    title = page.title()
    text = page.inner_text("body")
    page.close()
    return {
        "response": response,
        "problems": problems,
        "links": links,
        "resolved": resolved,
        "title": title,
        "text": text,
    }


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("page", ["index.html", "report/report.html"])
def test_pages_render_from_disk_without_errors(browser, site, tmp_path, page):
    shot = tmp_path / "shot.png"
    seen = visit(browser, (site / page).as_uri(), shot)
    assert seen["problems"] == []
    width, height = png_size(shot)
    assert width == 1000 and height > 600
    assert "Creatieve Broedplaatsen Twente" in seen["title"]
    for href in seen["resolved"]:
        if href.startswith("file://"):
            target = Path(href.removeprefix("file://").split("#")[0])
            assert target.exists(), href


def test_the_site_served_over_http_has_no_broken_link(browser, server, tmp_path):
    import urllib.request

    seen = visit(browser, server + "index.html", tmp_path / "index.png")
    assert seen["response"].status == 200
    assert seen["problems"] == []
    assert "donderdag 22 februari 2024, 19:00–20:30" in seen["text"]
    local = [h for h in seen["resolved"] if h.startswith(server)]
    assert len(local) >= 3 * 3 + 2  # three agendas twice, three .ics, the feed, the report
    for href in local:
        with urllib.request.urlopen(href.split("#")[0]) as answer:
            assert answer.status == 200, href
    report = visit(browser, server + "report/report.html", tmp_path / "report.png")
    assert report["problems"] == []
    assert "Sanne Visser" in report["text"]
    assert "Aanwezigheidsregel" in report["text"]


def test_an_agenda_page_renders(browser, server, tmp_path):
    seen = visit(browser, server + "agendas/bijeenkomst-1.html", tmp_path / "agenda.png")
    assert seen["problems"] == []
    assert "Welkom en kennismaking" in seen["text"]


# -- private meetings and join links stay off the public site (OP/TIL: coaching, webinars) ------

JOIN_LINKS = ("meet.google.com", "optil.example.org/webinar")


@pytest.fixture(scope="module")
def optil(tmp_path_factory):
    """OP/TIL's three-year programme built on 1 March 2025: one-to-one coaching (private by
    kind) and webinars with a join link."""
    from conftest import PROGRAMMES

    base = tmp_path_factory.mktemp("optil")
    folder = base / "optil"
    shutil.copytree(PROGRAMMES / "optil-cultuurplekken-2025", folder)
    out = base / "site"
    result = cohort("build", folder, "-o", out, "--today", "2025-03-01")
    assert result.exit_code == 0, result
    return out


def test_private_meetings_and_join_links_stay_off_the_public_page(browser, optil, tmp_path):
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    page.goto((optil / "index.html").as_uri(), wait_until="load")
    text = page.inner_text("body")
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    ids = page.eval_on_selector_all("li.meeting", "els => els.map(e => e.id)")
    # the next meeting first, with a link to its place in the list
    first = page.eval_on_selector("section.next", "e => e.innerText")
    top = page.eval_on_selector("section.next", "e => e.getBoundingClientRect().top")
    lists = page.eval_on_selector("ol.meetings", "e => e.getBoundingClientRect().top")
    headings = page.eval_on_selector_all("h2.year", "els => els.map(e => e.innerText)")
    past = page.eval_on_selector_all("li.past", "els => els.map(e => e.id)")
    page.screenshot(path=str(tmp_path / "optil.png"), full_page=True)
    page.close()
    assert ids and not [i for i in ids if i.startswith("coaching-")]
    assert "coaching" not in text.casefold() and "Stad Geel" not in text
    assert not [h for h in hrefs if any(link in h for link in JOIN_LINKS)]
    assert "de link om deel te nemen krijg je met de uitnodiging" in text
    assert "VOLGENDE BIJEENKOMST" in first.upper() and "TERECHT" in first
    assert top < lists
    assert headings == ["2025", "2026", "2027"]
    assert past == ["bijeenkomst-2025-1"] and "Afgelopen" in text


def test_the_next_meeting_badge_is_a_label_not_a_button(browser, optil):
    """The frame of the next meeting's section is its own: the badge inside it (a span of
    class 'badge next') is a small label like the other badges, without that frame."""
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    page.goto((optil / "index.html").as_uri(), wait_until="load")
    style = (
        "e => { const s = getComputedStyle(e); return {border: s.borderTopWidth, "
        "padding: s.paddingTop, radius: s.borderTopLeftRadius, height: e.offsetHeight}; }"
    )
    badge = page.eval_on_selector("span.badge.next", style)
    past = page.eval_on_selector("span.badge.past", style)
    section = page.eval_on_selector("section.next", style)
    page.close()
    assert badge["border"] == past["border"] == "0px"
    assert badge["padding"] == past["padding"] and badge["radius"] == past["radius"]
    assert badge["height"] == past["height"]
    assert section["border"] == "2px"


def test_no_public_file_names_a_private_meeting_or_carries_a_join_link(optil):
    from calendars import events

    # personal feeds are their reader's; the report (names, attendance) is for the facilitator
    # and not linked from the page without --link-report
    public = [
        p
        for p in optil.rglob("*")
        if p.is_file() and not {"people", "report"} & set(p.relative_to(optil).parts)
    ]
    assert public
    for path in public:
        data = path.read_bytes()
        assert b"coaching-" not in data and b"Geel" not in data, path
        assert not any(link.encode() in data for link in JOIN_LINKS), path
    assert not list(optil.glob("agendas/coaching-*")) and list(optil.glob("agendas/webinar-*"))
    feed = events(optil / "calendar" / "programme.ics")
    assert feed and not [uid for uid in feed if uid.startswith("coaching-")]
    webinar = feed["webinar-2025-1.optil-cultuurplekken-2025@optil.example.org"]
    assert str(webinar["LOCATION"]) == "Webinar OP/TIL" and "CONFERENCE" not in webinar


def test_an_invitee_finds_their_private_meeting_and_its_link_in_their_own_feed(optil):
    from calendars import events

    mine = events(next((optil / "calendar" / "people").glob("geel-stijn-*.ics")))
    coaching = mine["coaching-2025-geel.optil-cultuurplekken-2025@optil.example.org"]
    assert str(coaching["CONFERENCE"]) == "https://meet.google.com/abc-defg-hij"
    other = events(next((optil / "calendar" / "people").glob("ieper-charlotte-*.ics")))
    assert not [uid for uid in other if uid.startswith("coaching-2025-")]


# -- the report: the site's sans-serif, chart dates as in the table, no label cut off ----------


def test_the_report_reads_like_the_site_and_its_chart_labels_fit(browser, site, tmp_path):
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    page.goto((site / "report" / "report.html").as_uri(), wait_until="load")
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    chart = page.eval_on_selector("figure svg", "e => e.getBoundingClientRect().toJSON()")
    labels = page.eval_on_selector_all(
        "figure svg text",
        "els => els.map(e => ({text: e.textContent, box: e.getBoundingClientRect().toJSON()}))",
    )
    dates = page.eval_on_selector_all(
        "tr[id^=meeting-] td:first-child", "els => els.map(e => e.innerText)"
    )
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    page.close()
    assert "sans-serif" in font and "Georgia" not in font
    assert labels
    for label in labels:
        box = label["box"]
        assert box["left"] >= chart["left"] - 0.5, label
        assert box["right"] <= chart["right"] + 0.5, label
    titled = [label["text"] for label in labels if " · " in label["text"]]
    assert [t.split(" · ")[0] for t in titled] == dates[: len(titled)]
