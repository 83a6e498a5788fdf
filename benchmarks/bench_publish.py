"""`cohort publish` of the synthetic 200-meeting programme into a real Radicale, requests counted.

Issue 15: a first publish, a no-op re-publish (target: no request at all), a re-publish after
one meeting moved (one PUT) and a no-op with --check (one PROPFIND per calendar), each as the
whole command, with the requests the server received (through a recording proxy); `cohort
validate` of the same programme for scale. Side by side in the same run: re-uploading every
meeting file unconditionally, one PUT each, as a script around `cohort calendar` would
(tests/test_caldav.py does that), which is what the record of ETags and fingerprints saves.

With --people (once, it takes minutes): the same with a calendar per participant, about 9,000
events for 200 participants: the first publish, the no-op, one meeting moved (a PUT in the
calendar of each of its invitees), the no-op with --check, and the record's size. Run it from
another checkout to compare (its commands are `python -m cohort` of the current folder); an
option that checkout does not know is reported as n/a.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from make_programme import write
from timing import ROOT, cohort_command, compile_bytecode, env

sys.path.insert(0, str(ROOT / "tests"))

from servers import Proxy, radicale, recording_proxy  # noqa: E402

LOGIN = {"COHORT_CALDAV_USER": "facilitator", "COHORT_CALDAV_PASSWORD": "-"}
ORDER = (
    "first publish",
    "no-op re-publish",
    "one meeting moved",
    "no-op with --check",
    "cohort validate (for scale)",
    "re-upload every meeting file",
    "--people first publish",
    "--people no-op",
    "--people one meeting moved",
    "--people no-op with --check",
)
#: per contender: wall time, time the server took, requests by method (None: not run)
Results = dict[str, tuple[float, float, Counter[str]] | None]


def run(*args: str, now: str, check: bool = True) -> float | None:
    """Seconds the whole command took; None when it failed and `check` is off (an option this
    checkout does not know)."""
    start = time.perf_counter()
    done = subprocess.run(
        cohort_command(*args),
        env={**env(), **LOGIN, "COHORT_NOW": now},
        check=check,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    if done.returncode == 2:
        return None
    return time.perf_counter() - start


def upload_all(url: str, files: list[Path]) -> float:
    """Every meeting file PUT again, unconditionally, at its UID's name (one session)."""
    import caldav

    start = time.perf_counter()
    client = caldav.DAVClient(url=url, username="facilitator", password="-")
    calendar = client.principal().make_calendar(name="naive", cal_id="naive")
    for path in files:
        client.put(
            str(calendar.url) + path.name,
            path.read_text(encoding="utf-8"),
            {"Content-Type": "text/calendar; charset=utf-8"},
        )
    client.close()
    return time.perf_counter() - start


@contextlib.contextmanager
def fresh_server(folder: Path) -> Iterator[Proxy]:
    """A Radicale of its own behind a recording proxy, its slow first answer already given."""
    shutil.rmtree(folder, ignore_errors=True)
    with radicale(folder) as upstream, recording_proxy(upstream) as proxy:
        with contextlib.suppress(urllib.error.HTTPError):
            urllib.request.urlopen(proxy.url, timeout=30).close()
        proxy.seen.clear()
        yield proxy


def server_time(proxy: Proxy) -> float:
    return sum(r.seconds for r in proxy.seen)


def cohorts_way(source: Path, tmp: Path, out: Results, people: bool = False) -> None:
    folder = tmp / "programme"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(source, folder)
    with fresh_server(tmp / "radicale") as proxy:
        common = ("publish", str(folder), "--caldav", proxy.url, "--today", "2030-01-01")
        extra = ("--people",) if people else ()
        prefix = "--people " if people else ""

        def measure(name: str, seconds: float | None) -> None:
            requests = Counter(r.method for r in proxy.seen)
            out[prefix + name] = (
                None if seconds is None else (seconds, server_time(proxy), requests)
            )
            proxy.seen.clear()

        def publish(*args: str, now: str, check: bool = True) -> float | None:
            return run(*common, *extra, "--confirm", *args, now=now, check=check)

        measure("first publish", publish(now="2029-12-01T09:00:00Z"))
        measure("no-op re-publish" if not people else "no-op", publish(now="2029-12-02T09:00:00Z"))
        meetings = folder / "meetings.yaml"
        text = meetings.read_text(encoding="utf-8")
        meetings.write_text(text.replace('start: "13:30"', 'start: "14:00"', 1), encoding="utf-8")
        measure("one meeting moved", publish(now="2029-12-03T09:00:00Z"))
        measure("no-op with --check", publish("--check", now="2029-12-04T09:00:00Z", check=False))
        record = folder / "published-caldav.json"
        print(f"  ({prefix or 'programme only: '}record {record.stat().st_size / 1e6:.1f} MB)")
        if people:
            return
        # for scale: reading and checking the programme, which every command does first
        measure(
            "cohort validate (for scale)",
            run("validate", str(folder), "--today", "2030-01-01", now="2029-12-03"),
        )


def naive_way(source: Path, tmp: Path, out: Results) -> None:
    feeds = tmp / "feeds"
    shutil.rmtree(feeds, ignore_errors=True)
    run("calendar", str(source), "-o", str(feeds), "--today", "2030-01-01", now="2029-12-01")
    with fresh_server(tmp / "radicale-naive") as proxy:
        seconds = upload_all(proxy.url, sorted(feeds.glob("meetings/*.ics")))
        out["re-upload every meeting file"] = (
            seconds,
            server_time(proxy),
            Counter(r.method for r in proxy.seen),
        )


def one_round(source: Path, tmp: Path, naive_first: bool, people: bool) -> Results:
    """Each contender with a fresh server of its own, in turn (who goes first alternates);
    with `people`, cohort's way with --people after them."""
    out: Results = {}
    ways = [cohorts_way, naive_way]
    for way in reversed(ways) if naive_first else ways:
        way(source, tmp, out)
    if people:
        cohorts_way(source, tmp, out, people=True)
    return {name: out[name] for name in sorted(out, key=list(ORDER).index)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=200)
    parser.add_argument("--meetings", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--people", action="store_true", help="also with --people, in the last run (minutes)"
    )
    args = parser.parse_args()
    compile_bytecode()
    rounds = []
    with tempfile.TemporaryDirectory() as tmp:
        source = write(Path(tmp) / "synthetic", args.participants, args.meetings)
        for index in range(args.runs):
            last = index == args.runs - 1
            rounds.append(one_round(source, Path(tmp), index % 2 == 1, args.people and last))
    print(
        f"\npublish {args.meetings} meetings ({args.participants} participants) into Radicale "
        f"(median of {args.runs} runs, whole commands)"
    )
    print(
        f"  {'':<30} {'wall':>8}  {'server':>8}  {'client':>8}  requests "
        "(client = wall time less the time spent waiting for the server)"
    )
    for name in rounds[-1]:
        measured = [m for r in rounds if (m := r.get(name)) is not None]
        if not measured:
            print(f"  {name:<30} n/a (this checkout has no such option)")
            continue
        wall = statistics.median(m[0] for m in measured)
        server = statistics.median(m[1] for m in measured)
        client = statistics.median(m[0] - m[1] for m in measured)
        requests = measured[-1][2]
        listing = ", ".join(f"{n} {m}" for m, n in sorted(requests.items())) or "none"
        print(
            f"  {name:<30} {wall:7.2f}s  {server:7.2f}s  {client:7.2f}s  "
            f"{sum(requests.values()):4d} ({listing})"
        )


if __name__ == "__main__":
    main()
