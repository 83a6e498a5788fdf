"""The decisions behind certificates, case by case: where someone stands on the attendance rule,
how many hours a meeting counts, and what a verification code binds."""

from __future__ import annotations

import datetime as dt

import pytest

from cohort.documents.certificates import hours
from cohort.i18n import Texts
from cohort.planning.certificates import (
    ATTENDANCE,
    PARTICIPATION,
    Attended,
    Certificate,
    code,
    minutes,
    normalise,
    plan,
)
from cohort.planning.rule import Standing, standing
from cohort.programme.model import AttendanceRule, Meeting, Participant, Programme
from cohort.records.attendance import Record

TODAY = dt.date(2024, 7, 1)


def meeting(mid: str, day: str, kind: str = "work-session", **more: object) -> Meeting:
    fields: dict[str, object] = {"title": mid, "kind": kind, "date": day}
    fields.update(more or {"start": "19:00", "end": "20:30"})
    return Meeting.model_validate({**fields, "id": mid})


M1 = meeting("m1", "2024-02-22")
M2 = meeting("m2", "2024-04-09")
M3 = meeting("m3", "2024-06-06")
WEBINAR = meeting("w1", "2024-03-01", kind="webinar")
LATER = meeting("m4", "2024-09-01")
CANCELLED = meeting("m5", "2024-05-01", status="cancelled", start="19:00", end="20:30")
ANNA = Participant(id="anna", name="Anna")
EXPERT = Participant(id="eva", name="Eva", role="expert")


@pytest.mark.parametrize(
    ("required", "kinds", "invited", "came", "recorded", "status", "reason"),
    [
        ("all", (), [M1, M2, M3], {"m1", "m2", "m3"}, {"m1", "m2", "m3"}, "met", None),
        (
            "all",
            (),
            [M1, M2, M3],
            {"m1", "m2"},
            {"m1", "m2", "m3"},
            "not-met",
            "attended 2 of 3; rule: all",
        ),
        # the third was held but nobody recorded it yet: open, so it can still be met
        (
            "all",
            (),
            [M1, M2, M3],
            {"m1", "m2"},
            {"m1", "m2"},
            "can",
            "attended 2 of 3 (1 not recorded); rule: all",
        ),
        (
            "all",
            (),
            [M1, M2, M3, LATER],
            {"m1", "m2", "m3"},
            {"m1", "m2", "m3"},
            "can",
            "attended 3 of 4 (1 to come); rule: all",
        ),
        # a cancelled meeting does not count
        ("all", (), [M1, CANCELLED, M2], {"m1", "m2"}, {"m1", "m2"}, "met", None),
        (2, (), [M1, M2, M3], {"m1", "m3"}, {"m1", "m2", "m3"}, "met", None),
        (
            2,
            (),
            [M1, M2, M3],
            {"m1"},
            {"m1", "m2", "m3"},
            "not-met",
            "attended 1 of 3; rule: at least 2",
        ),
        (2, (), [M1, M2, M3, LATER], {"m1"}, {"m1", "m2", "m3"}, "can", None),
        # only work sessions count: the webinar they missed does not matter
        (
            "all",
            ("work-session",),
            [M1, WEBINAR, M2],
            {"m1", "m2"},
            {"m1", "w1", "m2"},
            "met",
            None,
        ),
    ],
)
def test_where_someone_stands_on_the_rule(required, kinds, invited, came, recorded, status, reason):
    rule = AttendanceRule(required=required, kinds=kinds)
    attended = {mid: frozenset({"anna"} if mid in came else set()) for mid in recorded}
    result = standing(rule, ANNA, invited, attended, TODAY)
    assert result.status == status
    if reason is not None:
        assert result.reason == reason


def test_the_rule_binds_only_the_roles_it_names_and_never_staff():
    attended = {"m1": frozenset({"eva"})}
    assert standing(AttendanceRule(), EXPERT, [M1], attended, TODAY) == Standing("")
    assert standing(None, ANNA, [M1], attended, TODAY).status == ""
    # facilitators, organisers and experts run the programme: even a rule naming them
    assert standing(AttendanceRule(roles=("expert",)), EXPERT, [M1], attended, TODAY) == Standing(
        ""
    )
    host = Participant(id="eva", name="Eva", role="host")
    assert standing(AttendanceRule(roles=("host",)), host, [M1], attended, TODAY).status == "met"


def programme(*meetings: Meeting, zone: str = "Europe/Brussels", **more: object) -> Programme:
    return Programme.model_validate(
        {
            "id": "p",
            "title": "P",
            "timezone": zone,
            "organiser": {"name": "O"},
            "attendance": {"required": "all"},
            "participants": {"anna": {"name": "Anna"}, "bert": {"name": "Bert"}},
            "meetings": {m.id: m.model_dump(exclude={"id"}, by_alias=True) for m in meetings},
            **more,
        }
    )


@pytest.mark.parametrize(
    ("fields", "counted"),
    [
        ({"start": "19:00", "end": "20:30"}, 90),
        ({"start": "09:30", "duration": "2h15m"}, 135),
        # the night the clocks go forward: 01:00 to 04:00 on the wall lasts two hours
        ({"date": "2024-03-31", "start": "01:00", "end": "04:00"}, 120),
        # and the night they go back, four
        ({"date": "2024-10-27", "start": "01:00", "end": "04:00"}, 240),
        # two days, 10:00 to 16:00 each
        ({"end_date": "2024-05-03", "start": "10:00", "end": "16:00"}, 720),
        ({"end_date": "2024-05-03", "start": "10:00", "duration": "3h"}, 360),
        # from Friday evening to Sunday noon: each of the three days counts a day's hours
        ({"end_date": "2024-05-04", "start": "19:00", "end": "12:00"}, 3 * 420),
        ({"all_day": True}, 420),
        ({"all_day": True, "end_date": "2024-05-03"}, 840),
    ],
)
def test_the_hours_a_meeting_counts(fields, counted):
    m = meeting("m", str(fields.pop("date", "2024-05-02")), **fields)
    assert minutes(programme(m), m, 7.0) == counted


def test_what_a_day_counts_is_the_programmes_choice():
    m = meeting("m", "2024-05-02", all_day=True)
    p = programme(m, certificates={"hours_per_day": "7,5"})
    assert p.certificates.hours_per_day == 7.5
    assert minutes(p, m, p.certificates.hours_per_day) == 450


def certificate(*meetings: tuple[Meeting, int], kind: str = ATTENDANCE) -> Certificate:
    listed = tuple(Attended(m, n) for m, n in meetings)
    return Certificate(ANNA, kind, listed, Standing("met"))


def test_a_code_binds_what_the_certificate_says_and_needs_the_key():
    real = certificate((M1, 90), (M2, 90), (M3, 90))
    genuine = code("key", "p", real)
    assert len(genuine) == 14 and genuine.count("-") == 2
    assert code("key", "p", real) == genuine  # the same every time
    assert code("other key", "p", real) != genuine
    assert code("key", "other programme", real) != genuine
    assert code("key", "p", certificate((M1, 90), (M2, 90), (M3, 120))) != genuine  # hours
    assert code("key", "p", certificate((M1, 90), (M2, 90))) != genuine  # a meeting fewer
    assert code("key", "p", certificate((M1, 90), (M2, 90), (M3, 90), kind=PARTICIPATION)) != (
        genuine
    )


def test_a_code_as_people_type_it():
    assert normalise("k7qf 3mzd r2xa") == "K7QF-3MZD-R2XA"
    assert normalise(" K7QF-3MZD-R2XA\n") == "K7QF-3MZD-R2XA"
    assert normalise("K7QF-3MZD-R2X0") == "K7QF-3MZD-R2XO"  # a zero read as the letter O
    assert normalise("K7QF") == "K7QF"


def test_the_plan_lists_every_meeting_attended_and_dates_the_certificates_by_the_last():
    p = programme(M1, WEBINAR, M2, M3, LATER)
    records = {
        "m1": Record(meeting="m1", attended=("anna", "bert")),
        "w1": Record(meeting="w1", attended=("anna",)),
        "m2": Record(meeting="m2", attended=("anna", "bert")),
        "m3": Record(meeting="m3", attended=("anna",)),
    }
    p = p.model_copy(update={"attendance": AttendanceRule(required=3, kinds=("work-session",))})
    decided = plan(p, records, TODAY)
    (anna,) = decided.certificates
    assert [a.meeting.id for a in anna.meetings] == ["m1", "w1", "m2", "m3"]
    assert anna.minutes == 4 * 90
    assert [r.reason for r in decided.refused] == ["attended 2 of 4 (1 to come); rule: at least 3"]
    assert decided.issued_on == dt.date(2024, 6, 6)


@pytest.mark.parametrize(
    ("fields", "counted"),
    [
        # an evening into the night, written with end_date the next day: one session, as long
        # as it really lasts (the tester's 20:00 to 03:30 counted 14 hours, two days of 7)
        ({"date": "2024-05-02", "end_date": "2024-05-03", "start": "20:00", "end": "03:30"}, 450),
        # the night the clocks go forward (02:00 -> 03:00): an hour shorter
        ({"date": "2024-03-30", "end_date": "2024-03-31", "start": "20:00", "end": "03:30"}, 390),
        # the night they go back (03:00 -> 02:00): an hour longer
        ({"date": "2024-10-26", "end_date": "2024-10-27", "start": "22:00", "end": "03:30"}, 390),
        # ... but an end before the change is not touched by it
        ({"date": "2024-10-26", "end_date": "2024-10-27", "start": "22:00", "end": "01:00"}, 180),
        # an end at a wall time that happens twice that night is the first 02:30 (summer time)
        ({"date": "2024-10-26", "end_date": "2024-10-27", "start": "22:00", "end": "02:30"}, 270),
        # a whole day and night round the clock: 24 hours
        ({"date": "2024-05-02", "end_date": "2024-05-03", "start": "12:00", "end": "12:00"}, 1440),
        # two evenings (the end after the start each day) stay two sessions of two hours
        ({"date": "2024-11-05", "end_date": "2024-11-06", "start": "19:00", "end": "21:00"}, 240),
    ],
)
def test_a_meeting_past_midnight_counts_its_real_hours(fields, counted):
    m = meeting("m", str(fields.pop("date")), **fields)
    assert minutes(programme(m, zone="Europe/Amsterdam"), m, 7.0) == counted


STUDY_DAYS = meeting(
    "s", "2024-06-10", kind="study-day", end_date="2024-06-12", start="09:00", end="17:00"
)


@pytest.mark.parametrize(
    ("today", "certified"),
    [
        ("2024-06-10", False),  # day one of three: under way, not held
        ("2024-06-11", False),
        ("2024-06-12", True),  # its last day: over by the end of it
    ],
)
def test_only_a_meeting_that_is_over_counts_and_the_day_of_issue_is_never_after_today(
    today, certified
):
    p = programme(M1, STUDY_DAYS)
    records = {
        "m1": Record(meeting="m1", attended=("anna", "bert")),
        "s": Record(meeting="s", attended=("anna",)),
    }
    day = dt.date.fromisoformat(today)
    decided = plan(p, records, day)
    assert decided.issued_on is not None and decided.issued_on <= day
    if certified:
        (anna,) = decided.certificates
        assert anna.minutes == 90 + 3 * 8 * 60
        assert decided.issued_on == dt.date(2024, 6, 12)
    else:
        assert decided.certificates == []  # the study days are still open for everyone
        assert decided.issued_on == dt.date(2024, 2, 22)
        assert "(1 to come)" in decided.refused[0].reason


def test_participation_is_for_those_the_rule_binds_not_for_staff():
    p = Programme.model_validate(
        {
            "id": "p",
            "title": "P",
            "timezone": "Europe/Brussels",
            "organiser": {"name": "O"},
            "attendance": {"required": "all"},
            "certificates": {"partial": True},
            "participants": {
                "anna": {"name": "Anna"},
                "fien": {"name": "Fien", "role": "facilitator"},
                "eva": {"name": "Eva", "role": "expert"},
                "gust": {"name": "Gust", "role": "guest"},
                "hans": {"name": "Hans", "role": "host"},
            },
            "meetings": {m.id: m.model_dump(exclude={"id"}, by_alias=True) for m in (M1, M2)},
        }
    )
    everyone = ("anna", "fien", "eva", "gust", "hans")
    records = {"m1": Record(meeting="m1", attended=everyone), "m2": Record(meeting="m2")}
    decided = plan(p, records, TODAY, partial=True)
    assert [(c.person.id, c.kind) for c in decided.certificates] == [("anna", PARTICIPATION)]
    reasons = {r.person.id: r.reason for r in decided.refused}
    assert reasons == {
        "fien": "not bound by the attendance rule (role: facilitator)",
        "eva": "not bound by the attendance rule (role: expert)",
        "gust": "not bound by the attendance rule (role: guest)",
        "hans": "not bound by the attendance rule (role: host)",
    }
    # without a rule, certificates of participation are for participants only
    free = p.model_copy(update={"attendance": None})
    decided = plan(free, records, TODAY, partial=True)
    assert [c.person.id for c in decided.certificates] == ["anna"]
    assert {r.person.id: r.reason for r in decided.refused}["fien"] == (
        "certificates of participation are for participants (role: facilitator)"
    )


def test_a_code_covers_the_name_the_organisation_and_the_titles():
    real = certificate((M1, 90), (M2, 90))
    genuine = code("key", "p", real)
    renamed_anna = ANNA.model_copy(update={"name": "Anna Peeters"})
    renamed = Certificate(renamed_anna, ATTENDANCE, real.meetings, real.standing)
    assert code("key", "p", renamed) != genuine
    moved = Certificate(ANNA, ATTENDANCE, real.meetings, real.standing, organisation="Tetem")
    assert code("key", "p", moved) != genuine
    retitled = certificate((M1.model_copy(update={"title": "Kick-off"}), 90), (M2, 90))
    assert code("key", "p", retitled) != genuine


@pytest.mark.parametrize(
    ("language", "country", "minutes_", "words"),
    [
        ("en", "NL", 90, "1.5 hours"),  # English numbers whatever the country
        ("en", "BE", 60, "1 hour"),
        ("en", None, 45, "0.75 hours"),
        ("nl", "NL", 90, "1,5 uur"),
        ("fr", "BE", 45, "0,75 heure"),  # French is singular below 2
        ("fr", "BE", 90, "1,5 heure"),
        ("fr", None, 120, "2 heures"),
        ("fr", None, 270, "4,5 heures"),
    ],
)
def test_hours_in_words(language, country, minutes_, words):
    assert hours(Texts(language, country), minutes_) == words
