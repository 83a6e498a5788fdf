"""What a command says is decided below the CLI, by the command's own module: the functions
called directly, as a script or another tool would call them, say the same as the command on
the same streams, with the same exit code (the CLI only prints it)."""

from __future__ import annotations

from test_groups import TODAY

from cohort.said import Said

DAY = TODAY[1]


def test_what_is_said_keeps_its_order_and_its_bytes():
    said = Said().err("warning: one").text(b"\xef\xbb\xbfid\r\n").out(["", "two"]).err("three")
    assert [stream for stream, _ in said.pieces] == ["err", "out", "out", "out", "err"]
    assert said.stdout == "\ufeffid\r\n\ntwo\n"
    assert said.stderr == "warning: one\nthree\n"
    assert said.exit_code == 0
