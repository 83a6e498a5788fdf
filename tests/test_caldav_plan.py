"""What a CalDAV calendar needs, decided from cohort's record alone: a table of cases."""

from __future__ import annotations

import pytest

from cohort.planning.caldav import Change, Drift, Known, Seen, Wanted, plan


def wanted(uid="m1", fingerprint="new", cancelled=False, removed=False):
    return Wanted(uid, uid, f"Meeting {uid}", fingerprint, cancelled, removed)


@pytest.mark.parametrize(
    ("event", "before", "change"),
    [
        # never written there: created, cancelled or not
        (wanted(), None, Change.create),
        (wanted(cancelled=True), None, Change.create),
        # a write began and was never confirmed: created (the delivery finds what landed)
        (wanted(), Known(None), Change.create),
        # as it was: nothing, not even a request
        (wanted(fingerprint="same"), Known("same"), None),
        (wanted(fingerprint="same", cancelled=True), Known("same", cancelled=True), None),
        # changed
        (wanted(), Known("old"), Change.update),
        (wanted(cancelled=True), Known("old"), Change.cancel),
        # cancelled before, changed again since: an update of a cancelled event
        (wanted(cancelled=True), Known("old", cancelled=True), Change.update),
        # cancelled before, taking place again
        (wanted(), Known("old", cancelled=True), Change.update),
        # gone from the YAML: deleted, only if cohort wrote it there
        (wanted(removed=True, fingerprint=""), Known("old"), Change.delete),
        (wanted(removed=True, fingerprint=""), Known(None), Change.delete),
        (wanted(removed=True, fingerprint=""), None, None),
    ],
)
def test_one_event(event, before, change):
    result = plan([event], {} if before is None else {event.uid: before})
    assert [s.change for s in result.steps] == ([] if change is None else [change])
    assert result.unchanged == (1 if change is None and before is not None else 0)


def test_an_event_cohort_wrote_that_is_no_longer_wanted_is_deleted_last():
    """Someone no longer invited: their personal calendar loses the event; the rest keeps the
    programme's order, and deletions come after the writes."""
    result = plan(
        [wanted("b"), wanted("a", fingerprint="same")],
        {"z": Known("x"), "a": Known("same"), "c": Known("old")},
    )
    assert [(s.change, s.uid, s.meeting) for s in result.steps] == [
        (Change.create, "b", "b"),
        (Change.delete, "c", ""),
        (Change.delete, "z", ""),
    ]
    assert result.unchanged == 1
    assert result.count(Change.delete) == 2


def test_nothing_is_deleted_that_cohort_did_not_write():
    """The plan deletes only UIDs in cohort's record, never what else the calendar holds."""
    result = plan([wanted("m1", removed=True, fingerprint="")], {})
    assert result.steps == []


OURS = Known("mine", ours=frozenset({"mine", "older"}))


@pytest.mark.parametrize(
    ("event", "before", "there", "options", "expected"),
    [
        # what the server holds, when cohort looked (--check, or a calendar it did not know)
        (wanted(fingerprint="mine"), OURS, Seen("mine"), {}, "unchanged"),
        (wanted(fingerprint="mine"), OURS, None, {}, "conflict deleted"),
        (wanted(fingerprint="mine"), OURS, None, {"repair": True}, Change.restore),
        (wanted(fingerprint="mine"), OURS, None, {"force": True}, Change.restore),
        (wanted(fingerprint="mine"), OURS, Seen("theirs"), {}, "conflict changed"),
        (wanted(fingerprint="mine"), OURS, Seen("theirs"), {"repair": True}, "conflict changed"),
        (wanted(fingerprint="mine"), OURS, Seen("theirs"), {"force": True}, Change.update),
        # the YAML changed, and the server holds an earlier write of cohort's: an update
        (wanted(fingerprint="new"), OURS, Seen("older"), {}, Change.update),
        # the record is lost: the server holds it as wanted, or as cohort (or anyone) wrote it
        (wanted(fingerprint="new"), None, Seen("new"), {}, "unchanged"),
        (wanted(fingerprint="new"), None, Seen("anything"), {}, Change.update),
        (wanted(fingerprint="new", cancelled=True), None, Seen("old"), {}, Change.cancel),
        (wanted(fingerprint="new"), None, None, {}, Change.create),
        # a removed meeting: deleted wherever cohort's UID is, forgotten when gone already
        (wanted(removed=True, fingerprint=""), None, Seen("old"), {}, Change.delete),
        (wanted(removed=True, fingerprint=""), OURS, None, {}, "gone"),
        (wanted(removed=True, fingerprint=""), OURS, Seen("theirs"), {}, "conflict changed"),
        (
            wanted(removed=True, fingerprint=""),
            OURS,
            Seen("theirs"),
            {"force": True},
            Change.delete,
        ),
    ],
)
def test_one_event_as_the_server_holds_it(event, before, there, options, expected):
    known = {} if before is None else {event.uid: before}
    result = plan([event], known, {event.uid: there}, **options)
    if isinstance(expected, Change):
        assert [s.change for s in result.steps] == [expected]
        assert result.conflicts == []
    elif expected == "unchanged":
        assert (result.steps, result.unchanged, result.found) == ([], 1, [event.uid])
    elif expected == "gone":
        assert (result.steps, result.gone) == ([], [event.uid])
    else:
        [conflict] = result.conflicts
        assert (result.steps, conflict.drift) == ([], Drift(expected.split()[1]))


def test_cohorts_uid_found_where_it_is_no_longer_wanted_is_deleted():
    """A personal calendar whose record was lost: a meeting its participant is no longer
    invited to is still there, and goes; a UID not looked for stays unknown."""
    result = plan([wanted("a", fingerprint="f")], {}, {"a": Seen("f"), "b": Seen("x")})
    assert [(s.change, s.uid) for s in result.steps] == [(Change.delete, "b")]
    assert result.unchanged == 1
