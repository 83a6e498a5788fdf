"""`cohort invite` for a large programme: the messages are made on every core and written as
they are made, and the outbox is the same, byte for byte, as when one process makes them all."""

from __future__ import annotations

import pickle

import pytest
from conftest import cohort, edit
from test_invite import NOW, invite, network, waiting

from cohort.documents import invitations
from cohort.documents.invitations import Composer, render_invitations
from cohort.errors import CohortError
from cohort.planning.invitations import plan
from cohort.planning.publication import publication
from cohort.records.published import load_state, now
from cohort.records.workspace import load_checked

TODAY = "2030-01-10"


def varied() -> str:
    """The network with what makes messages differ: a reader of English and one of French,
    an online meeting, everyone listed as attendee in the calendar."""
    text = network(extra="  list_attendees: true")
    text = edit(
        text, "    email: p3@example.org\n", "    email: p3@example.org\n    language: en\n"
    )
    text = edit(
        text, "    email: p5@example.org\n", "    email: p5@example.org\n    language: fr\n"
    )
    text = edit(text, "date: 2030-03-05\n    start: '19:00'\n    end: '21:00'\n    venue: zaal", (
        "date: 2030-03-05\n    start: '19:00'\n    end: '21:00'\n    venue: online"
    ))  # fmt: skip
    return text


def outbox_of(folder, outbox, workers, monkeypatch):
    """Render the programme's invitations with `workers` processes; every file, by name."""
    import datetime as dt

    monkeypatch.setenv("COHORT_NOW", NOW["COHORT_NOW"])
    programme = load_checked(folder).programme
    render_invitations(
        folder, programme, outbox, today=dt.date.fromisoformat(TODAY), workers=workers
    )
    return {p.name: p.read_bytes() for p in sorted(outbox.iterdir()) if p.is_file()}


def test_many_processes_write_the_outbox_one_process_writes(write, tmp_path, monkeypatch):
    folder = write(varied())
    # pieces of five messages: the pieces of one meeting go to different processes too
    monkeypatch.setattr(invitations, "_PIECE", 5)
    alone = outbox_of(folder, tmp_path / "alone", 1, monkeypatch)
    together = outbox_of(folder, tmp_path / "together", 2, monkeypatch)
    assert len([name for name in alone if name.endswith(".eml")]) == 3 * 12
    assert together.keys() == alone.keys()  # the marker, the lock, every message
    for name, data in alone.items():
        assert together[name] == data, name
    # and as the command writes it (one process, for so few)
    invite(folder, tmp_path / "command")
    assert waiting(tmp_path / "command") == sorted(n for n in alone if n.endswith(".eml"))
    for name in waiting(tmp_path / "command"):
        assert (tmp_path / "command" / name).read_bytes() == alone[name], name


def test_what_a_worker_starts_from_survives_pickling(write, monkeypatch):
    """Where processes start afresh (spawn: macOS, Windows), a worker's composer is made from
    pickled copies of the programme, its meetings as published and the plan: it makes the
    same bytes."""
    import datetime as dt

    monkeypatch.setenv("COHORT_NOW", NOW["COHORT_NOW"])
    folder = write(varied())
    programme = load_checked(folder).programme
    entries = publication(programme, load_state(folder), now())
    planned = plan(programme, entries, [], today=dt.date.fromisoformat(TODAY)).messages
    copies = pickle.loads(pickle.dumps((folder, programme, entries, planned)))
    here, there = Composer(folder, programme, entries), Composer(*copies[:3])
    assert [there.message(p) for p in copies[3]] == [here.message(p) for p in planned]


def test_a_typo_in_a_template_named_from_a_worker(write, tmp_path, monkeypatch):
    folder = write(network())
    (folder / "templates" / "email").mkdir(parents=True)
    (folder / "templates" / "email" / "message.txt").write_text(
        "Beste {{ person.name }},\n\n{{ meeting.titel }}\n"
    )
    monkeypatch.setattr(invitations, "_PIECE", 5)
    with pytest.raises(CohortError) as raised:
        outbox_of(folder, tmp_path / "outbox", 2, monkeypatch)
    assert raised.value.location.file.name == "message.txt"
    assert raised.value.location.line == 3
    assert "titel" in raised.value.message


def test_a_message_someone_changed_stops_the_run_before_anything_is_written(write, tmp_path):
    folder, outbox = write(network()), tmp_path / "outbox"
    invite(folder, outbox)
    for path in outbox.glob("*.eml"):
        path.unlink()
    (outbox / "m3.p9.invitation.0.eml").write_text("edited by hand")
    refused = cohort("invite", folder, "-o", outbox, "--today", TODAY, env=NOW)
    assert refused.exit_code == 2
    assert "m3.p9.invitation.0.eml' is not as cohort wrote it" in refused.stderr
    assert waiting(outbox) == ["m3.p9.invitation.0.eml"]  # the others are not written either


def test_a_subject_that_names_the_invitee_is_made_for_each(write, tmp_path):
    """A subject line is made once per meeting only while it reads nothing about the person."""
    folder = write(network())
    (folder / "templates" / "email").mkdir(parents=True)
    (folder / "templates" / "email" / "subject.txt").write_text(
        "{{ title }} voor {{ person.name }}"
    )
    invite(folder, tmp_path / "outbox", "--meeting", "m1")
    subjects = {
        p.name: p.read_bytes().split(b"\r\nSubject: ")[1].split(b"\r\n")[0]
        for p in (tmp_path / "outbox").glob("*.eml")
    }
    assert subjects["m1.p0.invitation.0.eml"] == b"Bijeenkomst 1 voor Persoon 0 van Atelier Noord"
    assert subjects["m1.p4.invitation.0.eml"] == b"Bijeenkomst 1 voor Persoon 4 van De Wissel"
