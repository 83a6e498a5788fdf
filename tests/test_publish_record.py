"""cohort's record of what it wrote into CalDAV calendars: a run appends one journal line per
confirmed write and rewrites the record once, at its end; a run killed halfway (a real SIGKILL
of a real process) loses nothing, and the next run finishes the job."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from publishing import LOGIN, TODAY, UID, calendar_record, events_in, more_meetings, publish
from servers import radicale, recording_proxy

from cohort.records.caldav import JOURNAL_FILE


@pytest.fixture
def server(tmp_path):
    """Radicale behind a recording proxy: the proxy's URL is what cohort is given."""
    with radicale(tmp_path / "radicale") as upstream, recording_proxy(upstream) as proxy:
        yield proxy


def journal(folder):
    path = folder / JOURNAL_FILE
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_a_run_killed_halfway_loses_nothing(write, server):
    folder = write()
    assert publish(folder, server.url, "--confirm").exit_code == 0
    record = (folder / "published-caldav.json").read_bytes()
    (folder / "programme.yaml").write_text(more_meetings(4))  # four meetings more
    server.seen.clear()
    seen_at_the_third = []

    def kill_at_the_third_put(request):
        if request.method == "PUT" and len([r for r in server.seen if r.method == "PUT"]) == 3:
            # the record was not rewritten for the two writes before: they are in the journal
            seen_at_the_third.append(
                ((folder / "published-caldav.json").read_bytes(), journal(folder))
            )
            run.kill()
            run.wait()
            # the third PUT still reaches the server: stored, its answer never read
            server.cut = lambda _request: True

    server.before = kill_at_the_third_put
    env = {**os.environ, **LOGIN, "COHORT_NOW": "2029-12-05T09:00:00Z"}
    command = [sys.executable, "-m", "cohort", "publish", str(folder), "--caldav", server.url]
    run = subprocess.Popen(
        [*command, "--today", TODAY, "--confirm"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    run.wait(timeout=120)
    assert run.returncode == -9

    [(record_then, lines)] = seen_at_the_third
    assert record_then == record
    assert [next(iter(line)) for line in lines] == ["sending", "store", "store"]
    assert (folder / "published-caldav.json").read_bytes() == record  # still: it was killed
    assert len(events_in(server.upstream)) == 5  # two before, two recorded, one not

    server.before, server.cut, server.down = None, None, False
    server.seen.clear()
    again = publish(folder, server.url, "--confirm", at="2029-12-05T09:00:00Z")
    assert again.exit_code == 0, again
    assert "1 created, 0 updated, 0 cancelled, 0 deleted, 5 unchanged" in again.stdout
    assert [r.method for r in server.writes()] == ["PUT"]  # the fourth only
    assert len(events_in(server.upstream)) == 6
    assert not (folder / JOURNAL_FILE).exists()
    events = calendar_record(folder)["events"]
    assert set(events) == set(events_in(server.upstream))
    assert all(e["etag"] and e["sending"] == [] for e in events.values())


def test_a_journal_cut_off_in_its_last_line_is_read_up_to_it(write, server):
    folder = write()
    assert publish(folder, server.url, "--confirm").exit_code == 0
    events = calendar_record(folder)["events"]
    path = folder / JOURNAL_FILE
    url = calendar_record(folder)["url"]
    forget = json.dumps({"forget": [url, UID.format("tweede")]})
    path.write_text(forget + "\n" + forget[:20])  # the run was killed as it wrote a line
    server.seen.clear()
    result = publish(folder, server.url, "--confirm", at="2029-12-05T09:00:00Z")
    assert result.exit_code == 0, result
    # the journal said cohort no longer knew where 'tweede' was: found by UID, not duplicated
    assert [r.method for r in server.seen if r.method != "PROPFIND"] == ["REPORT"]
    assert "2 unchanged" in result.stdout
    assert calendar_record(folder)["events"].keys() == events.keys()
    assert not path.exists()

    path.write_text("not json\n")
    damaged = publish(folder, server.url, "--confirm")
    assert damaged.exit_code == 1, damaged
    assert f"{JOURNAL_FILE} is damaged at line 1" in damaged.stderr
    assert "Traceback" not in damaged.output


@pytest.mark.parametrize("kind", ["link", "pipe"])
def test_a_journal_that_is_not_a_plain_file_is_refused_before_any_request(
    write, server, tmp_path, kind
):
    folder = write()
    assert publish(folder, server.url, "--confirm").exit_code == 0
    (folder / "programme.yaml").write_text(more_meetings(1))
    path = folder / JOURNAL_FILE
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("someone's file\n")
    if kind == "link":  # appended to, it would write outside the programme
        path.symlink_to(elsewhere)
    else:  # read, it would wait for ever
        os.mkfifo(path)

    server.seen.clear()
    result = publish(folder, server.url, "--confirm", at="2029-12-05T09:00:00Z")
    assert result.exit_code == 1, result
    assert JOURNAL_FILE in result.stderr
    assert "not a plain file" in result.stderr
    assert "Traceback" not in result.output
    assert server.seen == []
    assert elsewhere.read_text() == "someone's file\n"
