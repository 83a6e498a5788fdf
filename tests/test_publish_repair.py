"""`cohort publish` and what happened on the server: events and calendars deleted or changed
there (noticed with --check, one request per calendar; restored with --repair, overwritten with
--force), a record that was lost, and reports that say exactly what was done."""

from __future__ import annotations

import pytest
from conftest import SMALL, edit
from publishing import (
    FOREIGN,
    MOVED,
    REMOVED,
    UID,
    calendar_of,
    calendar_record,
    delete_on_server,
    edit_on_server,
    events_in,
    more_meetings,
    other_client,
    publish,
)
from servers import radicale, recording_proxy

BOTH = {UID.format("eerste"), UID.format("tweede")}


@pytest.fixture
def server(tmp_path):
    """Radicale behind a recording proxy: the proxy's URL is what cohort is given."""
    with radicale(tmp_path / "radicale") as upstream, recording_proxy(upstream) as proxy:
        yield proxy


def test_an_event_deleted_on_the_server_is_noticed_with_one_request_and_repaired(write, server):
    folder = write()
    assert publish(folder, server.url, "--confirm").exit_code == 0
    delete_on_server(server.upstream, UID.format("tweede"))

    # nothing changed in the YAML: no request at all, and the output says so
    server.seen.clear()
    quiet = publish(folder, server.url, "--confirm", at="2029-12-02T09:00:00Z")
    assert quiet.exit_code == 0, quiet
    assert server.seen == []
    assert "cohort did not ask the server; --check compares with what it holds" in quiet.stdout

    # --check: one listing of the calendar's ETags, and the deletion is reported
    checked = publish(folder, server.url, "--check", "--confirm", at="2029-12-02T10:00:00Z")
    assert checked.exit_code == 1, checked
    assert [(r.method, r.header("Depth")) for r in server.seen] == [("PROPFIND", "1")]
    assert (
        "changed on the server: 'tweede' (Tweede bijeenkomst) in 'Kleine leergroep' was deleted "
        "from the calendar on the server; not created again (--repair creates it)"
    ) in checked.stderr
    assert "1 unchanged, 1 changed on the server (left as they are)" in checked.stdout
    assert set(events_in(server.upstream)) == {UID.format("eerste")}

    # --repair: made again, with If-None-Match
    server.seen.clear()
    repaired = publish(folder, server.url, "--repair", "--confirm", at="2029-12-02T11:00:00Z")
    assert repaired.exit_code == 0, repaired
    assert "restored 'tweede' (Tweede bijeenkomst)" in repaired.stdout
    assert "0 deleted, 1 restored, 1 unchanged" in repaired.stdout
    assert [(r.method, r.header("If-None-Match")) for r in server.writes()] == [("PUT", "*")]
    assert set(events_in(server.upstream)) == BOTH

    # and a check of a calendar as cohort left it: one request, nothing to say
    server.seen.clear()
    looked = publish(folder, server.url, "--check", at="2029-12-02T12:00:00Z")  # a dry run
    assert looked.exit_code == 0, looked
    assert "nothing was changed (the server holds every event as cohort wrote it)" in (
        looked.stdout
    )
    assert len(server.seen) == 1
    server.seen.clear()
    clean = publish(folder, server.url, "--check", "--confirm", at="2029-12-02T12:00:00Z")
    assert clean.exit_code == 0, clean
    assert len(server.seen) == 1
    assert "the server holds every event as cohort wrote it" in clean.stdout


def test_a_calendar_deleted_on_the_server_is_reported_then_made_again(write, server):
    folder = write()
    assert publish(folder, server.url, "--confirm").exit_code == 0
    calendar_of(server.upstream).delete()

    server.seen.clear()
    checked = publish(folder, server.url, "--check", at="2029-12-02T09:00:00Z")  # a dry run
    assert checked.exit_code == 1, checked
    assert "the calendar 'Kleine leergroep' was deleted on the server" in checked.stderr
    assert "--repair makes it again" in checked.stderr
    # counted as what it is, not as events unchanged
    assert "'Kleine leergroep': deleted on the server; 2 event(s) not published" in checked.stdout
    assert "unchanged" not in checked.stdout
    assert server.writes() == []

    (folder / "programme.yaml").write_text(MOVED)
    moved = publish(folder, server.url, "--confirm", at="2029-12-02T10:00:00Z")
    assert moved.exit_code == 1, moved  # not made again behind the facilitator's back
    assert "was deleted on the server; nothing was published into it" in moved.stderr
    assert "updated" not in moved.stdout
    assert "deleted on the server; 2 event(s) not published" in moved.stdout

    repaired = publish(folder, server.url, "--repair", "--confirm", at="2029-12-02T11:00:00Z")
    assert repaired.exit_code == 0, repaired
    assert (
        "made the calendar 'Kleine leergroep' again: it was deleted on the server"
        in repaired.stdout
    )
    assert set(events_in(server.upstream)) == BOTH
    assert events_in(server.upstream)[UID.format("tweede")][1]["DTSTART"].dt.minute == 30


def test_an_event_changed_on_the_server_is_left_by_repair_and_overwritten_by_force(write, server):
    folder = write()
    assert publish(folder, server.url, "--confirm").exit_code == 0
    edit_on_server(server.upstream, UID.format("eerste"), "SUMMARY:Eerste", "SUMMARY:Anders")
    delete_on_server(server.upstream, UID.format("tweede"))

    repaired = publish(folder, server.url, "--repair", "--confirm", at="2029-12-02T09:00:00Z")
    assert repaired.exit_code == 1, repaired
    assert "'eerste' (Eerste bijeenkomst) in 'Kleine leergroep' was changed" in repaired.stderr
    assert "--force overwrites it" in repaired.stderr
    on_server = events_in(server.upstream)
    assert str(on_server[UID.format("eerste")][1]["SUMMARY"]) == "Anders bijeenkomst"
    assert UID.format("tweede") in on_server  # what was deleted is back

    forced = publish(folder, server.url, "--force", "--confirm", at="2029-12-02T10:00:00Z")
    assert forced.exit_code == 0, forced
    assert "updated 'eerste' (Eerste bijeenkomst)" in forced.stdout
    assert str(events_in(server.upstream)[UID.format("eerste")][1]["SUMMARY"]) == (
        "Eerste bijeenkomst"
    )


def test_after_the_record_is_lost_a_removed_meeting_is_still_deleted(write, server):
    folder = write()
    assert publish(folder, server.url, "--confirm").exit_code == 0
    (folder / "published-caldav.json").unlink()
    (folder / "programme.yaml").write_text(REMOVED)

    server.seen.clear()
    result = publish(folder, server.url, "--confirm", at="2029-12-05T09:00:00Z")
    assert result.exit_code == 0, result
    assert set(events_in(server.upstream)) == {UID.format("eerste")}
    assert "deleted 'tweede' (Tweede bijeenkomst)" in result.stdout
    assert "0 created, 0 updated, 0 cancelled, 1 deleted, 1 unchanged" in result.stdout
    assert [r.method for r in server.writes()] == ["DELETE"]
    assert set(calendar_record(folder)["events"]) == {UID.format("eerste")}


def test_after_the_record_is_lost_the_report_counts_what_was_written(write, server):
    folder = write(more_meetings(3))
    assert publish(folder, server.url, "--confirm").exit_code == 0
    (folder / "published-caldav.json").unlink()
    (folder / "programme.yaml").write_text(
        edit(
            more_meetings(3),
            'date: 2030-04-09\n    start: "19:00"',
            'date: 2030-04-09\n    start: "19:30"',
        )
    )
    server.seen.clear()
    result = publish(folder, server.url, "--confirm", at="2029-12-05T09:00:00Z")
    assert result.exit_code == 0, result
    assert "0 created, 1 updated, 0 cancelled, 0 deleted, 4 unchanged" in result.stdout
    assert "created" not in result.stdout.replace("0 created", "")
    assert [r.method for r in server.writes()] == ["PUT"]


def test_an_event_the_server_already_holds_as_wanted_is_unchanged_not_updated(write, server):
    folder = write()
    assert publish(folder, server.url, "--confirm").exit_code == 0
    (folder / "programme.yaml").write_text(MOVED)

    def a_colleague_makes_the_same_change_first(request):
        if request.method == "PUT" and server.before is not None:
            server.before = None
            other_client(server.upstream).put(
                server.upstream.rstrip("/") + request.path,
                request.body.decode(),
                {"Content-Type": "text/calendar"},
            )

    server.seen.clear()
    server.before = a_colleague_makes_the_same_change_first
    result = publish(folder, server.url, "--confirm", at="2029-12-05T09:00:00Z")
    assert result.exit_code == 0, result
    assert [r.status for r in server.writes()] == [412]
    assert "0 created, 0 updated, 0 cancelled, 0 deleted, 2 unchanged" in result.stdout
    assert "updated" not in result.stdout.replace("0 updated", "")


def test_the_summary_counts_the_events_changed_on_the_server(write, server):
    folder = write()
    assert publish(folder, server.url, "--confirm").exit_code == 0
    edit_on_server(server.upstream, UID.format("tweede"), "SUMMARY:Tweede", "SUMMARY:Zaal 2")
    (folder / "programme.yaml").write_text(MOVED)
    result = publish(folder, server.url, "--confirm", at="2029-12-05T09:00:00Z")
    assert result.exit_code == 1, result
    assert "changed on the server: 'tweede'" in result.stderr
    assert (
        "'Kleine leergroep': 0 created, 0 updated, 0 cancelled, 0 deleted, 1 unchanged, "
        "1 changed on the server (left as they are)"
    ) in result.stdout


def test_someone_elses_event_under_cohorts_name_is_left_and_cohorts_goes_beside(write, server):
    team = other_client(server.upstream).principal().make_calendar(name="Team", cal_id="team")
    squatter = FOREIGN.format(uid="lunch-42@example.org", summary="Teamlunch")
    answer = other_client(server.upstream).put(
        str(team.url) + "eerste.small%40cohort.invalid.ics",
        squatter,
        {"Content-Type": "text/calendar"},
    )
    assert answer.status == 201
    folder = write()
    result = publish(folder, server.url, "--calendar", "Team", "--confirm", "--force")
    assert result.exit_code == 0, result
    assert (
        "'eerste' (Eerste bijeenkomst) in 'Team': another program's event is stored under its "
        "name (eerste.small%40cohort.invalid.ics); published beside it as "
        "eerste.small%40cohort.invalid-2.ics, theirs left alone"
    ) in result.stdout
    on_server = events_in(server.upstream, "Team")
    assert set(on_server) == BOTH | {"lunch-42@example.org"}
    assert on_server["lunch-42@example.org"][0].endswith("/eerste.small%40cohort.invalid.ics")
    assert on_server[UID.format("eerste")][0].endswith("/eerste.small%40cohort.invalid-2.ics")
    assert "2 created" in result.stdout

    server.seen.clear()
    (folder / "programme.yaml").write_text(
        edit(SMALL, 'date: 2030-02-05\n    start: "19:00"', 'date: 2030-02-05\n    start: "19:30"')
    )
    again = publish(
        folder, server.url, "--calendar", "Team", "--confirm", at="2029-12-05T09:00:00Z"
    )
    assert again.exit_code == 0, again
    assert [r.path.rsplit("/", 1)[1] for r in server.writes()] == [
        "eerste.small%40cohort.invalid-2.ics"
    ]


def test_after_the_record_is_lost_an_unchanged_programme_is_up_to_date_after_asking(write, server):
    folder = write()
    assert publish(folder, server.url, "--confirm").exit_code == 0
    (folder / "published-caldav.json").unlink()

    server.seen.clear()
    result = publish(folder, server.url, "--confirm", at="2029-12-05T09:00:00Z")
    assert result.exit_code == 0, result
    assert server.writes() == []
    assert [r.method for r in server.seen].count("REPORT") == 1  # one calendar-query
    assert "0 created, 0 updated, 0 cancelled, 0 deleted, 2 unchanged" in result.stdout
    assert f"up to date: nothing to publish to {server.url}\n" in result.stdout  # it did ask
    assert set(calendar_record(folder)["events"]) == BOTH
