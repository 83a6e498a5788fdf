"""The days each meeting of the series can take: spacing and order propagated over the days the
rules allow, forwards and backwards (arc consistency along the chain of the series).

For the series alone this is exact: a meeting keeps a day exactly when some schedule of the
whole series, under the spacing and the order, puts it there. So the solver starts from the
days that can really be used (a long window holds few of them for the fifth meeting of a
tight series), and a series that cannot fit (six meetings four weeks apart in ten weeks; a
summer holiday longer than the spacing allows) is proven so here, in Python, before any search:
the explanation of such a conflict needs no solver at all.

Days are numbers (days after a base day); a sequence step allows gaps from `low` to `high`.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

INFINITY = 10**9


def _reachable(days: Sequence[int], before: Sequence[int], low: int, high: int) -> list[int]:
    """The days of `days` that some day of `before` reaches with a gap from `low` to `high`."""
    out = []
    for day in days:
        i = bisect_left(before, day - high)
        if i < len(before) and before[i] <= day - low:
            out.append(day)
    return out


def _reaching(days: Sequence[int], after: Sequence[int], low: int, high: int) -> list[int]:
    """The days of `days` from which some day of `after` is reached with a gap from `low` to
    `high`."""
    out = []
    for day in days:
        i = bisect_left(after, day + low)
        if i < len(after) and after[i] <= day + high:
            out.append(day)
    return out


def propagate(domains: list[list[int]], low: int, high: int) -> list[list[int]] | None:
    """The days each meeting of a series can take, given the days each may take on its own
    (sorted) and the gap allowed between neighbours; None when the series cannot fit."""
    if not domains:
        return []
    if not all(domains):
        return None
    forward = [list(domains[0])]
    for days in domains[1:]:
        reached = _reachable(days, forward[-1], low, high)
        if not reached:
            return None
        forward.append(reached)
    out = [forward[-1]]
    for days in reversed(forward[:-1]):
        kept = _reaching(days, out[0], low, high)
        if not kept:
            return None
        out.insert(0, kept)
    return out
