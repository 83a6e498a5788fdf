"""One meeting, one view: every output writes a meeting alike (its themes, its speakers and
panel, its kind and its times), a facilitator's own template gets the same names with the same
meaning everywhere, and whatever a calendar shows of a meeting moves its DTSTAMP when it
changes."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from pathlib import Path

from calendars import events
from conftest import cohort, edit
from icalendar import Calendar
from servers import Mailbox, smtp_server

TWENTE_THEMES = "Een eerlijk samenwerkingsmodel en Financiële middelen"
PANEL = "Isabelle Pauwels, Dirk Wuyts en Leen Michiels"
UID4 = "bijeenkomst-4.ons-buurtpunt-2019@buurtpunt.example.org"
BEFORE = dt.datetime(2019, 9, 1, 10, 0, tzinfo=dt.UTC)
AFTER = dt.datetime(2019, 9, 5, 10, 0, tzinfo=dt.UTC)


def ok(*args: str | Path, env: dict[str, str] | None = None):
    result = cohort(*args, env=env)
    assert result.exit_code == 0, result
    return result


def parts(path: Path) -> dict[str, str]:
    """An e-mail's text, HTML and calendar, the calendar's folded lines unfolded."""
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    found = {}
    for part in message.walk():
        kind = part.get_content_type()
        if kind in ("text/plain", "text/html", "text/calendar") and kind not in found:
            found[kind] = part.get_content().replace("\r\n ", "").replace("\\,", ",")
    return found


def description(path: Path, uid: str) -> str:
    return str(events(path)[uid]["DESCRIPTION"])


def test_an_email_says_the_themes_as_its_calendar_does(seed, tmp_path):
    outbox = tmp_path / "outbox"
    ok("invite", seed("twente-cop-2024"), "-o", outbox, "--today", "2024-01-01")
    mail = parts(next(outbox.glob("bijeenkomst-2.*.invitation.0.eml")))
    for kind in ("text/plain", "text/html", "text/calendar"):
        assert f"Thema's: {TWENTE_THEMES}" in mail[kind].replace("&#39;", "'"), kind


def test_a_panel_is_named_alike_in_the_email_and_its_calendar(seed, tmp_path):
    outbox = tmp_path / "outbox"
    ok("invite", seed("ons-buurtpunt-2019"), "-o", outbox, "--today", "2019-09-01")
    mail = parts(next(outbox.glob("bijeenkomst-4.*.invitation.0.eml")))
    for kind in ("text/plain", "text/html", "text/calendar"):
        assert f"({PANEL})" in mail[kind], kind


def test_every_document_joins_the_themes_as_the_language_does(seed, tmp_path):
    folder = seed("twente-cop-2024")
    schedule = ok("schedule", folder, "--format", "markdown").stdout
    ok("agenda", folder, "-o", tmp_path / "agendas", "--format", "html")
    ok("build", folder, "-o", tmp_path / "site", env={"COHORT_NOW": "2024-01-01T09:00:00Z"})
    site = (tmp_path / "site" / "index.html").read_text()
    agenda = next((tmp_path / "agendas").glob("*bijeenkomst-2*.html")).read_text()
    feed = tmp_path / "site" / "calendar" / "programme.ics"
    uid = next(u for u in events(feed) if u.startswith("bijeenkomst-2."))
    for text in (schedule, site, agenda, description(feed, uid)):
        assert TWENTE_THEMES in text
        assert "samenwerkingsmodel, Financiële" not in text


def test_a_french_feed_says_where_in_french(seed, tmp_path):
    out = tmp_path / "calendars"
    ok("calendar", seed("brussels-broedplekken-2023"), "-o", out, "--today", "2023-01-01")
    dutch, french = (out / "programme.ics").read_text(), (out / "programme.fr.ics").read_text()
    assert "Haachtsesteenweg 200" in dutch and "Haachtsesteenweg" not in french
    assert "Chaussée de Haecht 200" in french.replace("\r\n ", "")


def test_renaming_a_panel_member_moves_dtstamp_as_any_change_it_shows(seed, tmp_path):
    """The panel's names are in the event's description, so a new name moves DTSTAMP, as a
    retitled meeting does. Like a title it is no change of time, venue or status: SEQUENCE
    stays and no update goes out (RFC 5546 §2.1.4, and README on `invite`), but the next
    message an invitee gets (here a reminder) carries the new name."""
    folder = seed("ons-buurtpunt-2019")
    out, outbox = tmp_path / "calendars", tmp_path / "outbox"
    before = {"COHORT_NOW": BEFORE.isoformat(), "COHORT_SMTP_BACKOFF": "0"}
    after = {"COHORT_NOW": AFTER.isoformat(), "COHORT_SMTP_BACKOFF": "0"}
    ok("calendar", folder, "-o", out, "--today", "2019-09-01", env=before)
    ok("invite", folder, "-o", outbox, "--today", "2019-09-01", env=before)
    with smtp_server(Mailbox()) as url:
        ok("send", outbox, "--server", url, "--confirm", env=before)

    programme = folder / "programme.yaml"
    programme.write_text(edit(programme.read_text(), "Isabelle Pauwels", "Isabelle Peeters"))
    ok("calendar", folder, "-o", out, "--today", "2019-09-01", env=after)
    event = events(out / "meetings" / "bijeenkomst-4.ics")[UID4]
    assert "Isabelle Peeters, Dirk Wuyts en Leen Michiels" in str(event["DESCRIPTION"])
    assert event["DTSTAMP"].dt == AFTER
    assert event["SEQUENCE"] == 0
    others = events(out / "meetings" / "bijeenkomst-3.ics")
    assert [e["DTSTAMP"].dt for e in others.values()] == [BEFORE]

    assert "0 message(s) due" in ok("invite", folder, "-o", outbox, env=after).stdout
    reminded = ok(
        "invite", folder, "-o", outbox, "--reminder", "--days", "30", "--today", "2019-12-01",
        env=after,
    )  # fmt: skip
    assert "message(s) due" in reminded.stdout and "reminders)" in reminded.stdout
    mail = parts(next(outbox.glob("bijeenkomst-4.*.reminder.0.eml")))
    (sent,) = Calendar.from_ical(mail["text/calendar"].encode()).walk("VEVENT")
    assert (
        "Isabelle Peeters" in str(sent["DESCRIPTION"])
        and "Isabelle Peeters" in (mail["text/plain"])
    )
    assert sent["DTSTAMP"].dt == AFTER


# -- a facilitator's own templates --------------------------------------------------------------

SAME = "{{ kind }} | {{ themes_text }} | {{ themes|join(' / ') }} | {{ when }}\n"


def test_a_name_means_the_same_in_every_template(seed, tmp_path):
    """The agenda, the site and an e-mail give `kind`, `themes`, `themes_text` and `when`
    the same meaning; an e-mail's kind of message is `message_kind`; a site template written
    when `themes` were titles (`themes|join`) still reads them."""
    folder = seed("twente-cop-2024")
    templates = folder / "templates"
    (templates / "agenda").mkdir(parents=True)
    (templates / "agenda" / "agenda.html").write_text(SAME)
    (templates / "email").mkdir()
    (templates / "email" / "message.txt").write_text(
        "{{ message_kind }} | {{ meeting.kind_label }} | {{ themes_text }} | "
        "{{ themes|join(' / ') }} | {{ when }}\n"
    )
    (templates / "site").mkdir()
    (templates / "site" / "index.html").write_text(
        "{% for item in meetings %}" + SAME.replace("{{ ", "{{ item.") + "{% endfor %}"
    )
    ok("agenda", folder, "-o", tmp_path / "agendas", "--format", "html")
    ok("build", folder, "-o", tmp_path / "site", env={"COHORT_NOW": "2024-01-01T09:00:00Z"})
    ok("invite", folder, "-o", tmp_path / "outbox", "--today", "2024-01-01")
    line = (
        f"werksessie | {TWENTE_THEMES} | Een eerlijk samenwerkingsmodel / Financiële middelen"
        " | dinsdag 9 april 2024, 19:00–20:30"
    )
    agenda = next((tmp_path / "agendas").glob("*bijeenkomst-2*.html")).read_text()
    site = (tmp_path / "site" / "index.html").read_text()
    mail = parts(next((tmp_path / "outbox").glob("bijeenkomst-2.*.invitation.0.eml")))
    assert agenda == line + "\n"
    assert line in site.splitlines()
    assert mail["text/plain"].replace("\r\n", "\n") == f"invitation | {line}\n"


def test_an_email_template_that_reads_kind_is_told_its_new_name(seed, tmp_path):
    folder = seed("twente-cop-2024")
    template = folder / "templates" / "email" / "subject.txt"
    template.parent.mkdir(parents=True)
    template.write_text("Hallo\n{% if kind == 'invitation' %}Uitnodiging{% endif %}\n")
    result = cohort("invite", folder, "-o", tmp_path / "outbox", "--today", "2024-01-01")
    assert result.exit_code == 1
    assert f"{template}:2:1: error: in template:" in result.stderr
    assert "'message_kind' (it was 'kind')" in result.stderr
    assert "meeting.kind_label" in result.stderr
    assert list(tmp_path.glob("outbox/*.eml")) == []


def test_a_site_template_gets_no_join_link(write, tmp_path):
    """The site is public: a facilitator's own page cannot print a meeting's join link, nor
    its groups, whatever it reads."""
    text = """\
        id: online
        title: Online netwerk
        language: nl
        timezone: Europe/Brussels
        organiser: {name: Het Netwerk, email: netwerk@example.org}
        participants:
          an: {name: An, email: an@example.org}
        meetings:
          eerste:
            title: Eerste
            date: 2030-02-05
            start: "19:00"
            end: "20:00"
            join_url: https://meet.example.org/geheim
        """
    folder = write(
        text,
        **{
            "templates__site__index.html": "{% for item in meetings %}{{ item.join_url }}|"
            "{{ item.meeting.join_url }}|{{ item.meeting.location }}|{{ item.where }}|"
            "{{ item.meeting.link }}|{{ item.online }}{% endfor %}\n"
        },
    )
    ok("build", folder, "-o", tmp_path / "site", env={"COHORT_NOW": "2030-01-01T09:00:00Z"})
    assert (tmp_path / "site" / "index.html").read_text() == "None|None|||None|True"


def test_the_agendas_people_as_lists_and_as_one_text(seed, tmp_path):
    folder = seed("ons-buurtpunt-2019")
    template = folder / "templates" / "agenda" / "agenda.html"
    template.parent.mkdir(parents=True)
    template.write_text(
        "{{ meeting.speakers|join(' / ') }}|{{ meeting.speakers_text }}"
        "{% for item in agenda if item.panel %}|{{ item.panel|join(' / ') }}|{{ item.panel_text }}"
        "{% endfor %}"
    )
    out = tmp_path / "agendas"
    ok("agenda", folder, "-o", out, "--meeting", "bijeenkomst-4", "--format", "html")
    assert (out / "bijeenkomst-4.html").read_text() == (
        f"Isabelle Pauwels / Dirk Wuyts / Leen Michiels|{PANEL}"
        f"|Isabelle Pauwels / Dirk Wuyts / Leen Michiels|{PANEL}"
    )
