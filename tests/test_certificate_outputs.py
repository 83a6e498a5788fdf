"""What `cohort certificates` leaves behind: only its own certificates removed (and said why),
another programme's messages left alone in a shared outbox, a corrected name e-mailed again,
the key made once, written for its owner alone and kept out of git, and a logo or signature
checked for what it is and printed small."""

from __future__ import annotations

import email
import email.policy
import io
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from conftest import at, cohort, edit
from pypdf import PdfReader
from servers import Mailbox, smtp_server
from test_certificates import AFTER, LOGO, certificates, code_on, record, text_of, twente

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def another(folder: Path, tmp_path: Path) -> Path:
    """A second programme: a copy of `folder` under another id, with the same people."""
    other = tmp_path / "twente-2025"
    shutil.copytree(folder, other)
    text = (other / "programme.yaml").read_text()
    (other / "programme.yaml").write_text(edit(text, "id: twente-cop-2024", "id: twente-2025"))
    (other / "certificate-secret.txt").unlink(missing_ok=True)
    return other


def test_a_second_programme_leaves_the_first_programmes_messages_waiting(seed, tmp_path):
    first = twente(seed)
    second = another(first, tmp_path)
    outbox = tmp_path / "outbox"
    assert certificates(first, tmp_path / "a", "--email", "--outbox", outbox).exit_code == 0
    waiting = sorted(p.name for p in outbox.glob("*.eml"))
    assert len(waiting) == 4 and all(n.startswith("twente-cop-2024.") for n in waiting)
    # an outbox holds one programme's messages (what send delivers is recorded in that
    # programme's folder), so the second is sent to an outbox of its own
    result = certificates(second, tmp_path / "b", "--email", "--outbox", outbox)
    assert result.exit_code == 1
    assert "give each programme an outbox of its own" in result.stderr
    assert sorted(p.name for p in outbox.glob("*.eml")) == waiting
    own = certificates(second, tmp_path / "b", "--email", "--outbox", tmp_path / "outbox-2025")
    assert own.exit_code == 0, own
    assert sorted(p.name for p in outbox.glob("*.eml")) == waiting


def test_only_certificates_cohort_wrote_for_this_programme_are_removed(seed, tmp_path):
    folder = twente(seed)
    out = tmp_path / "agendas"  # -o pointed at the agendas' folder
    assert cohort("agenda", folder, "-o", out, "--format", "pdf").exit_code == 0
    agendas = sorted(p.name for p in out.glob("bijeenkomst-*.pdf"))
    assert len(agendas) == 3
    assert certificates(folder, out).exit_code == 0
    signed = out / "sanne-visser-getekend.pdf"  # the signed copy, scanned back in
    signed.write_bytes(b"%PDF-1.4 a scan\n")
    report = out / "report.pdf"
    report.write_bytes(b"%PDF-1.4 the report\n")
    # another programme's certificates in the same folder, under other names
    second = another(folder, tmp_path)
    for path in second.rglob("*.yaml"):  # Sanne under another id there
        path.write_text(path.read_text().replace("sanne-visser", "sanne-visser-2025"))
    assert certificates(second, out, "--participant", "sanne-visser-2025").exit_code == 0
    # the rule changes: Sanne and Gerrit missed the last evening after all
    record(folder, "bijeenkomst-3", "--absent", "sanne-visser,gerrit-ten-have", "--force")
    result = certificates(folder, out)
    assert result.exit_code == 0, result
    left = sorted(p.name for p in out.glob("*.pdf"))
    assert left == sorted(
        [*agendas, "fatima-elamrani.pdf", "joost-meijer.pdf", "report.pdf"]
        + ["sanne-visser-2025.pdf", "sanne-visser-getekend.pdf"]
    )
    # each removal named, with its reason
    assert (
        f"  removed {out / 'sanne-visser.pdf'}: Sanne Visser ('sanne-visser') no longer gets a "
        "certificate (attended 2 of 3; rule: all)" in result.stdout
    )
    assert f"removed {out / 'gerrit-ten-have.pdf'}: Gerrit" in result.stdout
    assert result.stdout.count("removed") == 2
    # a file of the same name as a certificate of the other programme is not taken over
    clash = certificates(second, out, "--participant", "fatima-elamrani")
    assert clash.exit_code == 2
    assert "is a certificate of 'twente-cop-2024'" in clash.stderr


def test_a_file_named_like_a_certificate_stops_the_run_before_anything_is_written(seed, tmp_path):
    folder = twente(seed)
    out = tmp_path / "out"
    assert cohort("agenda", folder, "-o", out, "--format", "pdf").exit_code == 0  # cohort's folder
    mine = out / "sanne-visser.pdf"
    mine.write_bytes(b"%PDF-1.4 Sanne's own\n")
    result = certificates(folder, out)
    assert result.exit_code == 2
    assert f"'{mine}' is in the way: cohort did not write it as a certificate" in result.stderr
    assert mine.read_bytes() == b"%PDF-1.4 Sanne's own\n"
    assert (
        not (out / "joost-meijer.pdf").exists() and not (folder / "certificate-secret.txt").exists()
    )
    assert certificates(folder, out, "--force").exit_code == 0
    assert code_on(mine)


def test_a_corrected_name_is_a_new_certificate_and_a_new_message(seed, tmp_path):
    folder = twente(seed)
    out, outbox = tmp_path / "out", tmp_path / "outbox"
    certificates(folder, out, "--email", "--outbox", outbox)
    before = code_on(out / "sanne-visser.pdf")
    mailbox = Mailbox()
    with smtp_server(mailbox) as url:
        sent = cohort(
            "send", outbox, "--server", url, "--confirm", env={"COHORT_SMTP_BACKOFF": "0"}
        )
        assert sent.exit_code == 0, sent
    people = folder / "participants.yaml"
    people.write_text(edit(people.read_text(), "name: Sanne Visser", "name: Sanne Visser-Bos"))
    result = certificates(folder, out, "--email", "--outbox", outbox)
    assert result.exit_code == 0, result
    assert "1 message(s) with a certificate waiting (1 new), 3 sent before" in result.stdout
    after = code_on(out / "sanne-visser.pdf")
    assert after != before and "Sanne Visser-Bos" in text_of(out / "sanne-visser.pdf")
    (waiting,) = outbox.glob("*.eml")
    assert waiting.name == f"twente-cop-2024.sanne-visser.certificate-attendance.{after}.eml"
    # the old code no longer verifies: the certificate it was printed on names someone else
    old = cohort("certificates", "verify", before, folder, "--today", AFTER)
    assert old.exit_code == 3
    # a change of organisation, while the message still waits, replaces it and says why
    sanne = "    email: sanne.visser@example.org\n    organisation: het-pakhuis\n"
    people.write_text(edit(people.read_text(), sanne, "    email: sanne.visser@example.org\n"))
    again = certificates(folder, out, "--email", "--outbox", outbox)
    assert (
        f"  removed {waiting}, not yet sent: the certificate of Sanne Visser-Bos "
        "('sanne-visser') changed; the new one replaces it" in again.stdout
    )


def test_a_clone_without_the_key_makes_no_new_one_where_certificates_were_issued(seed, tmp_path):
    folder = twente(seed)
    out = tmp_path / "out"
    certificates(folder, out)
    codes = {code_on(p) for p in out.glob("*.pdf")}
    key = (folder / "certificate-secret.txt").read_bytes()
    (folder / "certificate-secret.txt").unlink()  # a colleague's clone: the key stayed out of git
    refused = certificates(folder, out)
    assert refused.exit_code == 1
    assert "certificate-secret.txt is missing, and certificates of this programme were issued" in (
        refused.stderr
    )
    assert "Copy the file back into" in refused.stderr and "--new-key" in refused.stderr
    assert not (folder / "certificate-secret.txt").exists()
    assert {code_on(p) for p in out.glob("*.pdf")} == codes  # nothing rewritten
    # copied back: all is as it was
    (folder / "certificate-secret.txt").write_bytes(key)
    assert certificates(folder, out).exit_code == 0
    assert {code_on(p) for p in out.glob("*.pdf")} == codes
    # or starting over, explicitly: new codes for everyone
    (folder / "certificate-secret.txt").unlink()
    fresh = certificates(folder, out, "--new-key")
    assert fresh.exit_code == 0, fresh
    assert "made certificate-secret.txt" in fresh.stdout
    assert not {code_on(p) for p in out.glob("*.pdf")} & codes
    beside = certificates(folder, out, "--new-key")
    assert beside.exit_code == 2 and "move that file away first" in beside.stderr


def test_a_clone_without_the_key_sees_the_certificates_sent_from_the_outbox(seed, tmp_path):
    folder = twente(seed)
    outbox = tmp_path / "outbox"
    certificates(folder, tmp_path / "out", "--email", "--outbox", outbox)
    with smtp_server(Mailbox()) as url:
        sent = cohort(
            "send", outbox, "--server", url, "--confirm", env={"COHORT_SMTP_BACKOFF": "0"}
        )
        assert sent.exit_code == 0, sent
    (folder / "certificate-secret.txt").unlink()
    refused = certificates(folder, tmp_path / "elsewhere", "--outbox", outbox)
    assert refused.exit_code == 1
    assert "twente-cop-2024.fatima-elamrani.certificate-attendance." in refused.stderr
    assert not (tmp_path / "elsewhere").exists()


def git(folder: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(folder), *args], capture_output=True, text=True, check=True
    ).stdout


@needs_git
def test_the_keys_are_for_their_owner_and_stay_out_of_git(seed, tmp_path):
    folder = twente(seed)  # an example programme: no .gitignore
    git(folder, "init", "-q")
    result = certificates(folder, tmp_path / "out")
    key = folder / "certificate-secret.txt"
    assert key.stat().st_mode & 0o777 == 0o600
    assert f"added the line /certificate-secret.txt to {folder / '.gitignore'}" in result.stdout
    assert (folder / ".gitignore").read_text() == "/certificate-secret.txt\n"
    # the feed secret, made by the first calendar, the same way; the user's lines stay
    (folder / ".gitignore").write_text("/certificate-secret.txt\n*.bak")
    calendar = cohort("calendar", folder, "-o", tmp_path / "calendars")
    assert calendar.exit_code == 0, calendar
    assert (folder / "feed-secret.txt").stat().st_mode & 0o777 == 0o600
    assert "added the line /feed-secret.txt" in calendar.stdout
    assert (folder / ".gitignore").read_text() == (
        "/certificate-secret.txt\n*.bak\n/feed-secret.txt\n"
    )
    git(folder, "add", "-A")
    staged = git(folder, "diff", "--cached", "--name-only").split()
    assert "programme.yaml" in staged
    assert "certificate-secret.txt" not in staged and "feed-secret.txt" not in staged
    # a key found readable by others is made private again; one already in git is named
    key.chmod(0o644)
    git(folder, "add", "-f", "certificate-secret.txt")
    again = certificates(folder, tmp_path / "out")
    assert key.stat().st_mode & 0o777 == 0o600
    assert "certificate-secret.txt is in git, so everyone with the repository holds" in (
        again.stdout
    )


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims `width` x `height` pixels (of one bit): a header and an empty image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"not a png at all", "is not a PNG or JPEG image: its content is something else"),
        (png_header(60000, 60000), "is 60000 x 60000 pixels; an image of more than 40 million"),
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "is not a readable PNG image"),
    ],
)
def test_validate_checks_a_signature_image_by_what_it_holds(seed, data, problem):
    folder = twente(
        seed,
        extra="certificates:\n  signature: beeld/handtekening.png\n",
        files={"beeld/handtekening.png": photo(300, 100)},
    )
    (folder / "beeld" / "handtekening.png").write_bytes(data)  # replaced by something else
    result = cohort("validate", folder)
    assert result.exit_code == 1
    text = (folder / "programme.yaml").read_text()
    where = at(text, "beeld/handtekening.png")
    assert f"{where}: error: 'beeld/handtekening.png' {problem}" in result.stderr
    issued = certificates(folder, folder.parent / "out")
    assert issued.exit_code == 1 and "Typst" not in issued.stderr


@pytest.mark.parametrize(
    ("svg", "problem"),
    [
        (
            '<svg xmlns="http://www.w3.org/2000/svg"><image href="file:///etc/hostname"/></svg>',
            "refers to 'file:///etc/hostname' outside itself",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
            '<image xlink:href="../geheim.png"/></svg>',
            "refers to '../geheim.png' outside itself",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill: url(https://x.org/t)"/>'
            "</svg>",
            "refers to 'https://x.org/t' outside itself",
        ),
        (
            '<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/hostname">]>\n'
            '<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
            "declares a DOCTYPE or entities",
        ),
        ('<svg xmlns="http://www.w3.org/2000/svg"><text>unclosed', "is not a valid SVG image"),
        ("<html><body>logo</body></html>", "is not an SVG image (it holds no <svg> element)"),
    ],
)
def test_validate_refuses_an_svg_logo_that_reaches_out_or_does_not_parse(seed, svg, problem):
    folder = twente(
        seed,
        extra="certificates:\n  logo: beeld/logo.svg\n",
        files={"beeld/logo.svg": LOGO.encode()},
    )
    (folder / "beeld" / "logo.svg").write_text(svg)  # replaced by something else
    result = cohort("validate", folder)
    assert result.exit_code == 1
    where = at((folder / "programme.yaml").read_text(), "beeld/logo.svg")
    assert f"{where}: error: 'beeld/logo.svg' {problem}" in result.stderr


def photo(width: int, height: int) -> bytes:
    """A phone photo of a signature: a JPEG of `width` x `height` pixels, with the grain of a
    photo (some MB)."""
    from PIL import Image

    grain = Image.effect_noise((width, height), 25).convert("RGB")
    light = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    buffer = io.BytesIO()
    Image.blend(grain, light, 0.6).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def test_a_photo_of_a_signature_is_printed_small(seed, tmp_path):
    data = photo(4000, 3000)
    assert len(data) > 2 * 1024 * 1024
    folder = twente(
        seed, extra="certificates:\n  signature: beeld/foto.jpg\n", files={"beeld/foto.jpg": data}
    )
    out = tmp_path / "out"
    result = certificates(folder, out, "--email", "--outbox", tmp_path / "outbox")
    assert result.exit_code == 0, result
    for pdf in out.glob("*.pdf"):
        assert pdf.stat().st_size < 300 * 1024, (pdf.name, pdf.stat().st_size)
        (image,) = PdfReader(pdf).pages[0].images
        assert image.image.size == (800, 600)  # within 1600 x 600, its shape kept
    for message in (tmp_path / "outbox").glob("*.eml"):
        assert message.stat().st_size < 500 * 1024
        parsed = email.message_from_bytes(message.read_bytes(), policy=email.policy.default)
        assert len(list(parsed.iter_attachments())) == 1
