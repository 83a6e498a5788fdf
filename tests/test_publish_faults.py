"""`cohort publish` when the server fails, is busy, or says something no working CalDAV server
says; and the calendar named on the command line. Every failure is a clear message (never
"internal error"), a busy server is waited for as it asks, and nothing is lost."""

from __future__ import annotations

import pytest
from conftest import cohort
from publishing import (
    MOVED,
    UID,
    calendars,
    events_in,
    more_meetings,
    other_client,
    publish,
)
from servers import radicale, recording_proxy

from cohort.delivery.locate import path_for

HOME = "/facilitator/"
HTML = {"Content-Type": "text/html"}


@pytest.fixture
def server(tmp_path):
    """Radicale behind a recording proxy: the proxy's URL is what cohort is given."""
    with radicale(tmp_path / "radicale") as upstream, recording_proxy(upstream) as proxy:
        yield proxy


def answer_once(server, method, status, headers, body, times=1):
    """The proxy answers the next `times` requests of `method` itself."""
    left = [times]

    def respond(request):
        if request.method == method and left[0] > 0:
            left[0] -= 1
            return status, headers, body
        return None

    server.respond = respond


@pytest.mark.parametrize(
    ("method", "status", "headers", "body", "says"),
    [
        (
            "PROPFIND",
            500,
            HTML,
            b"<html><h1>Internal Server Error</h1>",
            "failed to answer PROPFIND /facilitator/small (500 Internal Server Error); the "
            "server is failing",
        ),
        (
            "PROPFIND",
            207,
            {"Content-Type": "application/xml"},
            b"<?xml version='1.0'?><multistatus xmlns='DAV:'><response>",
            "answered PROPFIND /facilitator/small with XML that is broken",
        ),
        (
            "PROPFIND",
            207,
            HTML,
            b"<html>not what you think",
            "answered PROPFIND /facilitator/small with a Multi-Status that is not XML",
        ),
        (
            "REPORT",
            500,
            HTML,
            b"<html>oops</html>",
            "failed to answer REPORT /facilitator/small (500 Internal Server Error)",
        ),
    ],
)
def test_a_failing_server_is_named_and_nothing_is_lost(
    write, server, method, status, headers, body, says
):
    folder = write(more_meetings(1))
    assert publish(folder, server.url, "--confirm").exit_code == 0
    (folder / "programme.yaml").write_text(more_meetings(2))  # one meeting more: a REPORT
    answer_once(server, method, status, headers, body)
    result = publish(folder, server.url, "--confirm", at="2029-12-05T09:00:00Z")
    assert result.exit_code == 1, result
    assert says in result.stderr
    assert "run the same command again to finish" in result.stderr
    assert "internal error" not in result.output and "Traceback" not in result.output
    assert "is --caldav the address of a CalDAV server" not in result.stderr
    assert "1 created" not in result.stdout

    server.respond = None
    again = publish(folder, server.url, "--confirm", at="2029-12-05T09:00:00Z")
    assert again.exit_code == 0, again
    assert "1 created" in again.stdout
    assert len(events_in(server.upstream)) == 4


@pytest.mark.parametrize("status", [503, 429])
def test_a_busy_server_is_waited_for_as_it_asks(write, server, status):
    folder = write(more_meetings(2))
    answer_once(server, "PUT", status, {"Retry-After": "1"}, b"", times=2)
    result = publish(folder, server.url, "--confirm")
    assert result.exit_code == 0, result
    assert "4 created" in result.stdout
    puts = [r for r in server.seen if r.method == "PUT"]
    assert [r.status for r in puts[:3]] == [status, status, 201]
    assert puts[1].at - puts[0].at >= 0.9 and puts[2].at - puts[1].at >= 0.9
    assert len(events_in(server.upstream)) == 4


def test_a_server_busy_for_too_long_stops_the_run_and_the_next_finishes(write, server):
    folder = write(more_meetings(2))
    answer_once(server, "PUT", 503, {"Retry-After": "1"}, b"", times=100)
    result = publish(folder, server.url, "--confirm")
    assert result.exit_code == 1, result
    assert "stopped: 127.0.0.1" in result.stderr
    assert "is busy (503 Service Unavailable, still after 3 s)" in result.stderr
    assert "4 change(s) not made yet" in result.stderr
    assert "run the same command again to finish" in result.stderr
    assert "is --caldav the address" not in result.stderr
    assert len([r for r in server.seen if r.method == "PUT"]) == 4  # the first, three times more

    answer_once(server, "PROPFIND", 429, {"Retry-After": "3600"}, b"")
    later = publish(folder, server.url, "--confirm")
    assert later.exit_code == 1, later
    assert "is busy (429 Too Many Requests) and asks to wait 60 minutes" in later.stderr

    server.respond = None
    again = publish(folder, server.url, "--confirm")
    assert again.exit_code == 0, again
    assert len(events_in(server.upstream)) == 4


def test_one_event_refused_by_the_server_is_named_and_the_others_go_on(write, server):
    folder = write()
    answer_once(server, "PUT", 500, HTML, b"<html>boom</html>")
    result = publish(folder, server.url, "--confirm")
    assert result.exit_code == 1, result
    assert "not published: 'eerste' (Eerste bijeenkomst) in 'Kleine leergroep': 500" in (
        result.stderr
    )
    assert "1 created, 0 updated, 0 cancelled, 0 deleted, 0 unchanged, 1 not published" in (
        result.stdout
    )
    assert set(events_in(server.upstream)) == {UID.format("tweede")}


def test_a_named_calendar_beside_the_programmes_own(write, server):
    folder = write()
    assert publish(folder, server.url, "--confirm").exit_code == 0
    result = publish(folder, server.url, "--calendar", "Team", "--confirm")
    assert result.exit_code == 0, result
    assert "'Team': 2 created" in result.stdout
    names = calendars(server.upstream)
    assert names[f"{HOME}{path_for('Team')}/"] == "Team"
    assert names[f"{HOME}small/"] == "Kleine leergroep"
    assert len(events_in(server.upstream, "Team")) == 2
    assert len(events_in(server.upstream)) == 2
    # another name, another calendar, however alike
    assert path_for("team") != path_for("Team")


def test_a_place_taken_by_a_calendar_cohort_did_not_make_is_said_so(write, server):
    other_client(server.upstream).principal().make_calendar(
        name="Iets anders", cal_id=path_for("Team")
    )
    result = publish(write(), server.url, "--calendar", "Team", "--confirm")
    assert result.exit_code == 1, result
    assert "cohort cannot make the calendar 'Team' at http://127.0.0.1:" in result.stderr
    assert f"{HOME}{path_for('Team')}/: 127.0.0.1" in result.stderr
    assert "has a calendar called 'Iets anders' there that cohort did not make" in result.stderr
    assert "To publish into it, give --calendar 'Iets anders'" in result.stderr
    assert "409" not in result.stderr and "is --caldav the address" not in result.stderr


def test_a_calendar_given_by_its_address_is_called_by_its_own_name(write, server):
    team = other_client(server.upstream).principal().make_calendar(name="Team", cal_id="team")
    url = server.url.rstrip("/") + team.url.path
    folder = write()
    result = publish(folder, url, "--confirm")
    assert result.exit_code == 0, result
    assert "'Team': 2 created" in result.stdout
    assert "Kleine leergroep" not in result.stdout
    (folder / "programme.yaml").write_text(MOVED)
    dry = publish(folder, url, at="2029-12-05T09:00:00Z")
    assert "'Team': 0 to create, 1 to update" in dry.stdout


def test_a_blank_calendar_name_is_a_usage_error(write, server):
    result = publish(write(), server.url, "--calendar", "  ", "--confirm")
    assert result.exit_code == 2, result
    assert "--calendar needs a name" in result.stderr
    assert server.seen == []


CALDAV = ["publish", ".", "--caldav", "https://dav.example.org/"]
SMTP = ["send", "outbox", "--server", "smtps://mail.example.org"]


@pytest.mark.parametrize(
    ("command", "given", "missing"),
    [
        (CALDAV, "COHORT_CALDAV_USER", "COHORT_CALDAV_PASSWORD"),
        (CALDAV, "COHORT_CALDAV_PASSWORD", "COHORT_CALDAV_USER"),
        (SMTP, "COHORT_SMTP_USER", "COHORT_SMTP_PASSWORD"),
        (SMTP, "COHORT_SMTP_PASSWORD", "COHORT_SMTP_USER"),
    ],
)
def test_a_login_half_given_names_what_is_missing(command, given, missing):
    result = cohort(*command, "--confirm", env={given: "me-or-secret", missing: ""})
    assert result.exit_code == 2, result
    assert f"{given} is set but {missing} is not; set both" in result.stderr


def test_a_host_that_does_not_exist_is_named_without_the_http_librarys_words(write):
    # .invalid never resolves (RFC 6761, section 6.4)
    result = publish(write(), "https://dav.nosuch.invalid/cal/", "--confirm")
    assert result.exit_code == 1, result
    assert "no host is known by the name 'dav.nosuch.invalid'" in result.stderr
    assert "object at 0x" not in result.output and "Pool" not in result.output
