"""A programme written for readers of several languages publishes in each: the bilingual
Brussels example (its participants read Dutch or French, its texts are given in both) gets its
site, feeds and agendas in Dutch and in French, each page linking to the other; a programme
says which languages with `languages:`; one written in one language stays in it."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from conftest import SMALL, cohort, edit
from icalendar import Calendar
from pypdf import PdfReader

TODAY = "2023-03-15"  # two sessions held, two to come, then the Trefdag


class Links(HTMLParser):
    """The links of a page, its language and its alternates (hreflang -> href)."""

    def __init__(self) -> None:
        super().__init__()
        self.lang = ""
        self.hrefs: list[str] = []
        self.alternates: dict[str, str] = {}
        self.switch: list[tuple[str, str]] = []  # the language switch: (hreflang, href)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self.lang = found.get("lang") or ""
        if tag == "link" and found.get("hreflang"):
            self.alternates[found["hreflang"] or ""] = found.get("href") or ""
        if tag == "a" and found.get("href"):
            self.hrefs.append(found["href"] or "")
            if found.get("hreflang"):
                self.switch.append((found["hreflang"] or "", found["href"] or ""))


def links(page: Path) -> Links:
    parser = Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def built(seed, tmp_path, name: str = "brussels-broedplekken-2023") -> Path:
    site = tmp_path / "site"
    result = cohort("build", seed(name), "-o", site, "--today", TODAY)
    assert result.exit_code == 0, result
    return site


def test_the_brussels_site_is_in_dutch_and_in_french(seed, tmp_path):
    site = built(seed, tmp_path)
    dutch, french = links(site / "index.html"), links(site / "fr" / "index.html")
    assert (dutch.lang, french.lang) == ("nl", "fr")
    # each page offers the other, by its own name, and names both as alternates
    assert dutch.switch == [("fr", "fr/index.html")]
    assert french.switch == [("nl", "../index.html")]
    assert dutch.alternates == {
        "nl": "index.html",
        "fr": "fr/index.html",
        "x-default": "index.html",
    }
    assert french.alternates == {
        "nl": "../index.html",
        "fr": "index.html",
        "x-default": "../index.html",
    }
    page = (site / "fr" / "index.html").read_text(encoding="utf-8")
    assert ">Français</span>" in page and ">Nederlands</a>" in page
    assert "<h1>Intervisions des Broedplekken 2023</h1>" in page
    assert "Chaussée de Haecht 200, 1030 Schaerbeek" in page and "Haachtsesteenweg" not in page
    # every link of either page that stays on the site leads to a file that is there
    for page_path, parsed in ((site / "index.html", dutch), (site / "fr" / "index.html", french)):
        for href in parsed.hrefs:
            if "://" not in href and not href.startswith(("mailto:", "#")):
                assert (page_path.parent / href).resolve().is_file(), (page_path, href)
    # the French page hands out the French agendas and feeds, the Dutch page the Dutch
    assert "../agendas/intervisie-3.fr.pdf" in french.hrefs
    assert "../calendar/meetings/intervisie-3.fr.ics" in french.hrefs
    assert "../calendar/programme.fr.ics" in french.hrefs
    assert "agendas/intervisie-3.pdf" in dutch.hrefs and "calendar/programme.ics" in dutch.hrefs
    agenda = " ".join(
        p.extract_text() for p in PdfReader(site / "agendas" / "trefdag.fr.pdf").pages
    )
    assert "Journée de rencontre des Broedplekken" in agenda and "Trefdag" not in agenda
    feed = Calendar.from_ical((site / "calendar" / "programme.fr.ics").read_bytes())
    summaries = {str(e["SUMMARY"]) for e in feed.walk("VEVENT")}
    assert "Intervision 3 — Atelier Noord" in summaries
    dutch_feed = Calendar.from_ical((site / "calendar" / "programme.ics").read_bytes())
    assert "Intervisie 3 — Atelier Noord" in {str(e["SUMMARY"]) for e in dutch_feed.walk("VEVENT")}
    # one meeting, one UID, whichever feed someone subscribes to
    assert {str(e["UID"]) for e in feed.walk("VEVENT")} == {
        str(e["UID"]) for e in dutch_feed.walk("VEVENT")
    }


def test_the_agendas_of_a_bilingual_programme_are_named_by_their_language(seed, tmp_path):
    out = tmp_path / "agendas"
    folder = seed("brussels-broedplekken-2023")
    result = cohort("agenda", folder, "-o", out, "--meeting", "intervisie-1", "--today", TODAY)
    assert result.exit_code == 0, result
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "intervisie-1.fr.html",
        "intervisie-1.fr.pdf",
        "intervisie-1.html",
        "intervisie-1.pdf",
    ]
    french = (out / "intervisie-1.fr.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in french and "Ordre du jour" in french
    assert links(out / "intervisie-1.fr.html").switch == [("nl", "intervisie-1.html")]
    assert links(out / "intervisie-1.html").switch == [("fr", "intervisie-1.fr.html")]
    text = " ".join(p.extract_text() for p in PdfReader(out / "intervisie-1.pdf").pages)
    assert "Intervisie in kleine groepen" in text and "Intervision en petits" not in text


def test_a_programme_in_one_language_stays_in_it(seed, tmp_path):
    """Twente is written in Dutch: one participant reads English and gets English e-mails,
    but its texts are Dutch only, so the site is not doubled into a half-English one."""
    site = built(seed, tmp_path, "twente-cop-2024")
    assert sorted(p.name for p in site.iterdir() if not p.name.startswith(".")) == [
        "agendas",
        "calendar",
        "index.html",
    ]
    assert not list((site / "agendas").glob("*.en.*"))
    assert "hreflang" not in (site / "index.html").read_text(encoding="utf-8")


def test_languages_names_the_languages_and_a_build_without_one_removes_its_pages(write, tmp_path):
    text = edit(SMALL, "language: nl\n", "language: nl\nlanguages: [en, fr]\n")
    folder = write(text)
    site = tmp_path / "site"
    assert cohort("build", folder, "-o", site, "--today", "2030-01-01").exit_code == 0
    assert (site / "en" / "index.html").is_file() and (site / "fr" / "index.html").is_file()
    english = (site / "en" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in english and "Next meeting" in english
    # the titles are Dutch only: an English reader reads them as written
    assert "Eerste bijeenkomst" in english
    assert [lang for lang, _ in links(site / "index.html").switch] == ["en", "fr"]
    (folder / "programme.yaml").write_text(edit(text, "languages: [en, fr]\n", "languages: en\n"))
    result = cohort("build", folder, "-o", site, "--today", "2030-01-01")
    assert result.exit_code == 0, result
    assert not (site / "fr" / "index.html").exists()
    assert not list((site / "agendas").glob("*.fr.*"))
    assert not list((site / "calendar").rglob("*.fr.ics"))
    assert re.search(r"\d+ removed", result.stdout) and "0 removed" not in result.stdout


def test_a_language_cohort_does_not_write_in_is_an_error_at_its_line(write):
    folder = write(edit(SMALL, "language: nl\n", "language: nl\nlanguages: [fr, de]\n"))
    result = cohort("validate", folder)
    assert result.exit_code == 1
    assert "programme.yaml:4:" in result.output and "'de'" in result.output


def test_the_language_switch_names_each_language_plainly(write, tmp_path):
    """Site pages and web agendas offer each language by its own plain name: 'English', never
    the region whose formats cohort uses ('English (United Kingdom)')."""
    folder = write(edit(SMALL, "language: nl\n", "language: nl\nlanguages: [en, fr]\n"))
    site = tmp_path / "site"
    assert cohort("build", folder, "-o", site, "--today", "2030-01-01").exit_code == 0
    for page in (site / "index.html", site / "en" / "index.html", site / "agendas" / "eerste.html"):
        nav = re.search(r'<nav class="languages"[^>]*>(.*?)</nav>', page.read_text("utf-8"))
        assert nav is not None, page
        assert re.sub(r"<[^>]+>", "", nav.group(1)) == "Nederlands · English · Français"
