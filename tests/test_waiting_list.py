"""The waiting list's decision, as a table of cases: who is confirmed, who waits, who is
offered a freed place, and which e-mail each change is due."""

from __future__ import annotations

import datetime as dt

import pytest

from cohort.planning.registrations import decide, waiting_list
from cohort.records.registrations import Entry

NOW = dt.datetime(2030, 1, 10, 9, 0, tzinfo=dt.UTC)
EARLIER = NOW - dt.timedelta(days=3)


def entry(n: int, status: str = "waiting", step: int = 1, **more: object) -> Entry:
    """Registration n, made n minutes after 9:00 on 6 January."""
    values: dict[str, object] = {
        "name": f"Persoon {n}",
        "email": f"p{n}@example.org",
        "key": f"K{n}",
        "registered": dt.datetime(2030, 1, 6, 9, n, tzinfo=dt.UTC),
        "status": status,
        "since": EARLIER,
        "step": step,
    }
    values.update(more)
    return Entry.model_validate(values)


def new(n: int, **more: object) -> Entry:
    return entry(n, "waiting", 0, **more)


def regs(*entries: Entry) -> dict[str, Entry]:
    return {f"p{e.key[1:]}": e for e in entries}


def fresh(registrations: dict[str, Entry]) -> set[str]:
    """The registrations no decision was made about yet (as an import gives them)."""
    return {pid for pid, e in registrations.items() if e.step == 0 and e.status == "waiting"}


def decide_new(registrations: dict[str, Entry], *args, **more):
    """`decide`, with the registrations no decision was made about as new."""
    return decide(registrations, *args, new=fresh(registrations), **more)


def states(decision) -> dict[str, str]:
    return {pid: e.status for pid, e in decision.registrations.items()}


def mails(decision) -> list[tuple[str, str | None]]:
    return [(t.person, t.mail) for t in decision.transitions]


def test_no_capacity_confirms_everyone():
    decision = decide_new(regs(new(1), new(2)), None, NOW, 48)
    assert states(decision) == {"p1": "confirmed", "p2": "confirmed"}
    assert mails(decision) == [("p1", "registration-confirmed"), ("p2", "registration-confirmed")]
    assert decision.free is None


def test_beyond_the_places_people_wait_in_the_order_they_registered():
    decision = decide_new(regs(new(1), new(2), new(3), new(4)), 2, NOW, 48)
    assert states(decision) == {
        "p1": "confirmed",
        "p2": "confirmed",
        "p3": "waiting",
        "p4": "waiting",
    }
    assert [decision.registrations[p].position for p in ("p3", "p4")] == [1, 2]
    assert all(e.step == 1 for e in decision.registrations.values())


def test_a_freed_place_is_offered_to_the_first_waiting_and_held_for_offer_hours():
    before = regs(
        entry(1, "confirmed"), entry(2, "waiting", position=1), entry(3, "waiting", position=2)
    )
    decision = decide(before, 1, NOW, 48, {"p1": "cancel"})
    assert states(decision) == {"p1": "cancelled", "p2": "offered", "p3": "waiting"}
    offered = decision.registrations["p2"]
    assert (offered.step, offered.since) == (2, NOW)
    assert mails(decision) == [("p1", "registration-cancelled"), ("p2", "registration-offered")]
    # the same moment again: nothing more happens
    again = decide(decision.registrations, 1, NOW, 48)
    assert again.transitions == [] and again.registrations == decision.registrations


def test_an_offers_clock_starts_when_its_e_mail_was_delivered():
    offered = decide(regs(entry(1, "confirmed"), entry(2)), 1, NOW, 48, {"p1": "cancel"})
    # nobody could know of the offer before its e-mail arrived: it holds, however long
    assert offered.registrations["p2"].expires is None
    week = NOW + dt.timedelta(days=7)
    assert decide(offered.registrations, 1, week, 48).transitions == []
    # delivered three days later: 48 hours from then
    delivered = NOW + dt.timedelta(days=3)
    told = decide(offered.registrations, 1, delivered, 48, told={"p2": delivered})
    assert told.registrations["p2"].expires == delivered + dt.timedelta(hours=48)
    assert told.transitions == []
    later = decide(told.registrations, 1, delivered + dt.timedelta(hours=48), 48)
    assert states(later) == {"p1": "cancelled", "p2": "expired"}


def test_an_offer_never_runs_past_the_start_of_the_meeting():
    offered = decide(regs(entry(1, "confirmed"), entry(2)), 1, NOW, 48, {"p1": "cancel"})
    starts = NOW + dt.timedelta(hours=10)
    told = decide(offered.registrations, 1, NOW, 48, told={"p2": NOW}, closes=starts)
    assert told.registrations["p2"].expires == starts


def test_once_the_meeting_has_started_the_list_stands_still():
    before = regs(
        entry(1, "offered", expires=NOW - dt.timedelta(hours=1)), entry(2), new(3), new(4)
    )
    decision = decide_new(before, 5, NOW, 48, closes=NOW - dt.timedelta(minutes=1))
    assert decision.closed
    assert decision.transitions == [] and decision.registrations == before


def test_an_expired_offer_moves_on():
    before = regs(entry(1, "offered", expires=NOW - dt.timedelta(minutes=1)), entry(2))
    decision = decide(before, 1, NOW, 24)
    assert states(decision) == {"p1": "expired", "p2": "offered"}
    assert decision.registrations["p1"].expires == NOW - dt.timedelta(minutes=1)
    assert decision.registrations["p1"].passed_on
    assert mails(decision) == [("p1", "registration-expired"), ("p2", "registration-offered")]


def test_an_expired_offer_with_nobody_waiting_is_not_said_to_have_passed_on():
    before = regs(entry(1, "offered", expires=NOW - dt.timedelta(minutes=1)))
    decision = decide(before, 1, NOW, 24)
    assert states(decision) == {"p1": "expired"}
    assert not decision.registrations["p1"].passed_on
    assert decision.free == 1


def test_someone_registering_again_after_a_cancellation_joins_the_end_of_the_queue():
    again = entry(1, "waiting", step=2, registered=dt.datetime(2030, 1, 9, 9, 0, tzinfo=dt.UTC))
    before = {"p2": entry(2, "confirmed"), "p3": entry(3, "waiting", position=1), "p1": again}
    decision = decide(before, 1, NOW, 48, new={"p1"})
    assert states(decision) == {"p2": "confirmed", "p3": "waiting", "p1": "waiting"}
    assert decision.registrations["p1"].position == 2
    assert mails(decision) == [("p1", "registration-waiting")]
    assert decision.registrations["p1"].step == 3
    # a place is free: the new registration is confirmed at once, as anyone's
    decision = decide({"p1": again}, 1, NOW, 48, new={"p1"})
    assert states(decision) == {"p1": "confirmed"}


def test_an_offer_still_running_holds_its_place():
    before = regs(entry(1, "offered", expires=NOW + dt.timedelta(hours=1)), entry(2))
    decision = decide(before, 1, NOW, 24)
    assert states(decision) == {"p1": "offered", "p2": "waiting"}
    assert decision.transitions == []


def test_an_order_that_does_not_fit_is_skipped_with_the_reason():
    pair = [entry(2, order="E1"), entry(3, order="E1")]
    before = regs(entry(1, "confirmed"), *pair, entry(4))
    decision = decide(before, 2, NOW, 48)
    assert states(decision) == {
        "p1": "confirmed",
        "p2": "waiting",
        "p3": "waiting",
        "p4": "offered",
    }
    assert decision.skipped == {
        "order E1": "an order of 2 places, 1 free: it waits until 2 are free"
    }
    # two free: the order is offered both, together
    decision = decide(before, 3, NOW, 48)
    assert states(decision)["p2"] == states(decision)["p3"] == "offered"
    assert states(decision)["p4"] == "waiting"


def test_a_row_for_two_places_counts_two():
    before = regs(new(1, places=2), new(2))
    decision = decide_new(before, 2, NOW, 48)
    assert states(decision) == {"p1": "confirmed", "p2": "waiting"}
    assert decision.free == 0


def test_accepting_confirms_the_whole_order_declining_passes_it_on():
    pair = [
        entry(1, "offered", order="O", expires=NOW + dt.timedelta(hours=5)),
        entry(2, "offered", order="O", expires=NOW + dt.timedelta(hours=5)),
    ]
    accepted = decide(regs(*pair, entry(3)), 2, NOW, 48, {"p1": "accept"})
    assert states(accepted) == {"p1": "confirmed", "p2": "confirmed", "p3": "waiting"}
    assert accepted.registrations["p1"].confirmed == NOW
    declined = decide(regs(*pair, entry(3)), 2, NOW, 48, {"p2": "decline"})
    assert states(declined) == {"p1": "declined", "p2": "declined", "p3": "offered"}


def test_a_confirmed_person_who_declines_frees_their_place():
    decision = decide(regs(entry(1, "confirmed"), entry(2)), 1, NOW, 48, {"p1": "decline"})
    assert states(decision) == {"p1": "declined", "p2": "offered"}
    assert mails(decision) == [("p1", "registration-declined"), ("p2", "registration-offered")]


def test_a_registration_cancelled_before_anything_was_said_gets_no_e_mail():
    decision = decide_new(regs(new(1)), 5, NOW, 48, {"p1": "cancel"})
    assert states(decision) == {"p1": "cancelled"}
    assert mails(decision) == [("p1", None)]
    assert decision.registrations["p1"].step == 0


def test_nobody_loses_a_confirmed_place_when_the_capacity_shrinks():
    before = regs(entry(1, "confirmed"), entry(2, "confirmed"), entry(3, "confirmed"), new(4))
    decision = decide_new(before, 1, NOW, 48)
    assert states(decision) == {
        "p1": "confirmed",
        "p2": "confirmed",
        "p3": "confirmed",
        "p4": "waiting",
    }
    assert decision.over == 2


def test_someone_new_waits_behind_those_already_waiting():
    before = regs(entry(1, "confirmed"), entry(2, "waiting", position=1), new(3))
    decision = decide_new(before, 1, NOW, 48)
    assert states(decision) == {"p1": "confirmed", "p2": "waiting", "p3": "waiting"}
    assert decision.registrations["p3"].position == 2
    assert [w.position for w in waiting_list(decision.registrations)] == [1, 2]


@pytest.mark.parametrize("status", ["declined", "expired", "cancelled"])
def test_actions_on_a_closed_registration_change_nothing(status):
    before = regs(entry(1, status))
    for action in ("cancel", "accept", "decline"):
        assert decide(before, 3, NOW, 48, {"p1": action}).transitions == []
