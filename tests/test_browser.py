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
