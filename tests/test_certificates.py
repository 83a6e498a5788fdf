"""`cohort certificates`: after the last Twente evening, everyone who came to all three gets a
certificate in their own language, with the right hours and a code the organiser can confirm;
the others are told why not."""

from __future__ import annotations

import email
import email.policy
import json
import re
import time
from pathlib import Path

import pytest
from conftest import ROOT, SMALL, cohort, edit
from pypdf import PdfReader
from servers import Mailbox, smtp_server
from test_printing import HOSTILE, expected_modules, qr_modules

AFTER = "2024-07-01"  # the three Twente evenings are over
ALL_THREE = "sanne-visser,fatima-elamrani,joost-meijer,gerrit-ten-have"
CODE = re.compile(r"[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}")


def record(folder, meeting, *args):
    result = cohort("attendance", "record", folder, "--meeting", meeting, *args)
    assert result.exit_code == 0, result


def twente(seed, *, french: str = "fatima-elamrani", extra: str = "", files=None):
    """Twente after its three evenings: four came to all three, Lotte missed the last one.
    `extra` goes into programme.yaml, `files` (name -> bytes) into the folder."""
    folder = seed("twente-cop-2024")
    for name, data in (files or {}).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, Path):
            (folder / name).symlink_to(data)
        else:
            (folder / name).write_bytes(data)
    people = folder / "participants.yaml"
    people.write_text(
        edit(
            people.read_text(),
            f"  {french}:\n",
            f"  {french}:\n    language: fr\n",
        )
    )
    if extra:
        text = (folder / "programme.yaml").read_text()
        (folder / "programme.yaml").write_text(edit(text, "links:\n", extra + "links:\n"))
    record(folder, "bijeenkomst-1", "--present", ALL_THREE + ",lotte-brinkman")
    record(folder, "bijeenkomst-2", "--present", ALL_THREE + ",lotte-brinkman,bram-kuipers")
    record(folder, "bijeenkomst-3", "--present", ALL_THREE)
    return folder


def certificates(folder, out, *args, env=None):
    return cohort("certificates", folder, "-o", out, "--today", AFTER, *args, env=env)


def text_of(path) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(path).pages)
    return re.sub(r"\s+", " ", re.sub(r"\xad(?!\n)", "-", re.sub(r"\xad\n", "", text)))


def code_on(path) -> str:
    (code,) = set(CODE.findall(text_of(path)))
    return code


def test_who_came_to_all_three_gets_a_certificate_and_the_others_are_told_why(seed, tmp_path):
    folder = twente(seed)
    out = tmp_path / "out"
    result = certificates(folder, out)
    assert result.exit_code == 0, result
    assert sorted(p.name for p in out.glob("*.pdf")) == [
        "fatima-elamrani.pdf",
        "gerrit-ten-have.pdf",
        "joost-meijer.pdf",
        "sanne-visser.pdf",
    ]
    assert "wrote 4 certificate(s)" in result.stdout
    assert (
        "no certificate for Lotte Brinkman ('lotte-brinkman'): attended 2 of 3; rule: all"
        in result.stdout
    )
    assert "no certificate for Bram Kuipers ('bram-kuipers'): attended 1 of 3; rule: all" in (
        result.stdout
    )
    assert "Adedapo Okafor ('adedapo-facilitator'): not bound by the attendance rule" in (
        result.stdout
    )
    sanne = text_of(out / "sanne-visser.pdf")
    for expected in (
        "Certificaat van aanwezigheid",
        "Sanne Visser",
        "Broedplaats Het Pakhuis",
        "Creatieve Broedplaatsen Twente — Community of Practice 2024",
        "georganiseerd door Tetem",
        "donderdag 22 februari 2024",
        "dinsdag 9 april 2024",
        "donderdag 6 juni 2024",
        "Bijeenkomst 2 — Samenwerken en financiering",
        "Een eerlijk samenwerkingsmodel en Financiële middelen",
        "1,5 uur",
        "Totaal 4,5 uur",  # three evenings of 19:00–20:30
        "Opgemaakt te Hengelo op 6 juni 2024",  # the last evening, at Oyfo in Hengelo
        "Verificatiecode",
    ):
        assert expected in sanne, expected
    assert len(PdfReader(out / "sanne-visser.pdf").pages) == 1


def test_each_certificate_in_its_holders_language(seed, tmp_path):
    folder = twente(seed)  # Fatima reads French; Gerrit English (participants.yaml)
    out = tmp_path / "out"
    assert certificates(folder, out).exit_code == 0
    fatima = text_of(out / "fatima-elamrani.pdf")
    for expected in (
        "Attestation de présence",
        "Nous certifions que",
        "organisé par Tetem",
        "jeudi 22 février 2024",
        "4,5 heures",
        "Fait à Hengelo, le 6 juin 2024",
        "Code de vérification",
    ):
        assert expected in fatima, expected
    gerrit = text_of(out / "gerrit-ten-have.pdf")
    assert "Certificate of attendance" in gerrit and "Thursday 22 February 2024" in gerrit
    # English numbers follow English conventions, in the Netherlands too (not CLDR's en_NL)
    assert "4.5 hours" in gerrit and "4,5" not in gerrit
    assert "Certificaat" in text_of(out / "joost-meijer.pdf")


def test_the_code_is_printed_and_in_the_qr_code_and_verify_knows_it(seed, tmp_path):
    folder = twente(seed)
    out = tmp_path / "out"
    result = certificates(folder, out)
    assert "made certificate-secret.txt" in result.stdout
    assert (folder / "certificate-secret.txt").is_file()
    code = code_on(out / "sanne-visser.pdf")
    assert qr_modules(out / "sanne-visser.pdf") == expected_modules(code)
    verified = cohort("certificates", "verify", code, folder, "--today", AFTER)
    assert verified.exit_code == 0, verified
    assert verified.stdout.startswith("genuine: certificate of attendance of Sanne Visser")
    assert "3 meeting(s) (2024-02-22, 2024-04-09, 2024-06-06), 4.5 hours" in verified.stdout
    # as someone types it from paper: lower case, without dashes
    typed = code.lower().replace("-", " ")
    assert cohort("certificates", "verify", typed, folder, "--today", AFTER).exit_code == 0
    # one letter changed: refused
    altered = code[:-1] + ("A" if code[-1] != "A" else "B")
    refused = cohort("certificates", "verify", altered, folder, "--today", AFTER)
    assert refused.exit_code == 3  # not genuine; 1 is for "cannot be told"
    assert refused.stdout.startswith("not genuine:")
    # the codes of the others differ, and a second run keeps them (no new key)
    codes = {code_on(path) for path in out.glob("*.pdf")}
    assert len(codes) == 4
    again = certificates(folder, tmp_path / "again")
    assert "made certificate-secret.txt" not in again.stdout
    assert {code_on(p) for p in (tmp_path / "again").glob("*.pdf")} == codes


def test_a_code_made_with_another_key_or_for_other_meetings_does_not_verify(seed, tmp_path):
    folder = twente(seed)
    certificates(folder, tmp_path / "out")
    code = code_on(tmp_path / "out" / "sanne-visser.pdf")
    # the attendance changes afterwards: Sanne was not at the second evening after all
    record(folder, "bijeenkomst-2", "--absent", "sanne-visser", "--force")
    changed = cohort("certificates", "verify", code, folder, "--today", AFTER)
    assert changed.exit_code == 3 and "not genuine" in changed.stdout
    # without the key, nothing can be checked: cohort says what is missing, with another code
    (folder / "certificate-secret.txt").unlink()
    lost = cohort("certificates", "verify", code, folder, "--today", AFTER)
    assert lost.exit_code == 1
    assert "certificate-secret.txt is missing" in lost.stderr
    assert "genuine" not in lost.stdout


def test_a_certificate_issued_while_the_programme_was_under_way_still_verifies(seed, tmp_path):
    folder = twente(seed, extra="certificates:\n  partial: true\n")
    out = tmp_path / "spring"
    result = cohort(
        "certificates",
        folder,
        "-o",
        out,
        "--today",
        "2024-05-01",
        "--partial",
        "--participant",
        "sanne-visser",
    )
    assert result.exit_code == 0, result
    text = text_of(out / "sanne-visser.pdf")
    assert "Bewijs van deelname" in text and "Totaal 3 uur" in text
    assert "Opgemaakt te Vriezenveen op 9 april 2024" in text
    verified = cohort("certificates", "verify", code_on(out / "sanne-visser.pdf"), folder)
    assert verified.exit_code == 0, verified
    assert "certificate of participation of Sanne Visser" in verified.stdout


def test_partial_certificates_only_where_the_programme_allows_them(seed, tmp_path):
    refused = certificates(twente(seed), tmp_path / "out", "--partial")
    assert refused.exit_code == 2
    assert "add 'partial: true' under 'certificates:'" in refused.stderr


def test_certificates_of_participation(seed, tmp_path):
    folder = twente(seed, extra="certificates:\n  partial: true\n")
    result = certificates(folder, tmp_path / "out2", "--partial")
    assert result.exit_code == 0, result
    assert (
        "certificate of participation for Lotte Brinkman ('lotte-brinkman'): attended 2 of 3; "
        "rule: all" in result.stdout
    )
    lotte = text_of(tmp_path / "out2" / "lotte-brinkman.pdf")
    assert "Bewijs van deelname" in lotte and "Totaal 3 uur" in lotte
    assert "donderdag 6 juni 2024" not in lotte.split("Opgemaakt")[0]
    assert "heeft deelgenomen aan deze bijeenkomsten" in lotte
    # who came to none gets none, even with --partial
    assert not (tmp_path / "out2" / "anouk-lammers.pdf").exists()
    assert "no certificate for Anouk Lammers ('anouk-lammers'): attended 0 of 3" in result.stdout


def test_one_participant_and_an_unknown_one(seed, tmp_path):
    folder = twente(seed)
    out = tmp_path / "out"
    result = certificates(folder, out, "--participant", "sanne-visser")
    assert result.exit_code == 0, result
    assert [p.name for p in out.glob("*.pdf")] == ["sanne-visser.pdf"]
    assert "Lotte" not in result.stdout
    unknown = certificates(folder, out, "--participant", "sanne-vissser")
    assert unknown.exit_code == 2
    assert "did you mean 'sanne-visser'?" in unknown.stderr


def test_a_rerun_gives_the_same_bytes(seed, tmp_path):
    folder = twente(seed)
    certificates(folder, tmp_path / "a")
    time.sleep(1.05)  # a clock in the PDF would show
    certificates(folder, tmp_path / "b")
    for path in (tmp_path / "a").glob("*.pdf"):
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name


def test_someone_no_longer_eligible_loses_their_old_certificate(seed, tmp_path):
    folder = twente(seed)
    out = tmp_path / "out"
    certificates(folder, out)
    record(folder, "bijeenkomst-3", "--absent", "sanne-visser,gerrit-ten-have", "--force")
    result = certificates(folder, out)
    assert "no certificate for Sanne Visser ('sanne-visser'): attended 2 of 3" in result.stdout
    assert sorted(p.name for p in out.glob("*.pdf")) == [
        "fatima-elamrani.pdf",
        "joost-meijer.pdf",
    ]


def parsed(path):
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


def test_by_email_one_message_each_sent_once(seed, tmp_path):
    folder = twente(seed)
    out, outbox = tmp_path / "out", tmp_path / "outbox"
    result = certificates(folder, out, "--email", "--outbox", outbox)
    assert result.exit_code == 0, result
    assert "4 message(s) with a certificate waiting (4 new), 0 sent before" in result.stdout
    messages = sorted(outbox.glob("*.eml"))
    assert len(messages) == 4
    by_person = {m.name.split(".")[1]: parsed(m) for m in messages}
    sanne = by_person["sanne-visser"]
    assert sanne["To"].addresses[0].addr_spec == "sanne.visser@example.org"
    assert sanne["From"].addresses[0].addr_spec == "cop@example.org"
    assert str(sanne["Subject"]).startswith("Certificaat van aanwezigheid:")
    assert sanne["Content-Language"] == "nl"
    body = sanne.get_body(("plain",)).get_content()
    assert "Beste Sanne," in body and "4,5 uur in totaal" in body
    assert code_on(out / "sanne-visser.pdf") in body
    (attachment,) = list(sanne.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "Certificaat van aanwezigheid twente-cop-2024.pdf"
    assert attachment.get_content() == (out / "sanne-visser.pdf").read_bytes()
    fatima = by_person["fatima-elamrani"]
    assert str(fatima["Subject"]).startswith("Attestation de présence")
    assert "Bonjour Fatima," in fatima.get_body(("plain",)).get_content()
    # before sending, a re-run writes nothing new
    again = certificates(folder, out, "--email", "--outbox", outbox)
    assert "(0 new)" in again.stdout
    mailbox = Mailbox()
    env = {"COHORT_SMTP_BACKOFF": "0"}
    with smtp_server(mailbox) as url:
        sent = cohort("send", outbox, "--server", url, "--confirm", env=env)
        assert sent.exit_code == 0, sent
        assert len(mailbox.received) == 4
        after = certificates(folder, out, "--email", "--outbox", outbox)
        assert after.exit_code == 0, after
        assert "0 message(s) with a certificate waiting (0 new), 4 sent before" in after.stdout
        assert list(outbox.glob("*.eml")) == []
        cohort("send", outbox, "--server", url, "--confirm", env=env)
    assert len(mailbox.received) == 4


def test_a_changed_certificate_replaces_the_message_still_waiting(seed, tmp_path):
    folder = twente(seed)
    outbox = tmp_path / "outbox"
    certificates(folder, tmp_path / "out", "--email", "--outbox", outbox)
    record(folder, "bijeenkomst-3", "--absent", "sanne-visser", "--force")
    result = certificates(folder, tmp_path / "out", "--email", "--outbox", outbox)
    assert "3 message(s) with a certificate waiting (0 new), 0 sent before; 1 about an " in (
        result.stdout
    )
    assert not any("sanne-visser" in p.name for p in outbox.glob("*.eml"))


def test_hostile_names_print_as_written(write, tmp_path):
    text = edit(SMALL, "    name: Anna Peeters", f"    name: {json.dumps(HOSTILE)}")
    text = edit(text, "title: Kleine leergroep", 'title: "#pagebreak() *Kleine* leergroep"')
    text = edit(
        text, "  leerhuis:\n    name: Leerhuis\n", '  leerhuis:\n    name: "= #emph[Leerhuis]"\n'
    )
    text = edit(text, "title: Eerste bijeenkomst", 'title: "<b> @label $x$"')
    text = edit(text, "date: 2030-03-05", "date: 2030-02-12")
    folder = write(text)
    record(folder, "eerste", "--present", "anna,bert", "--today", "2030-03-01")
    record(folder, "tweede", "--present", "anna", "--today", "2030-03-01")
    out = tmp_path / "out"
    result = cohort("certificates", folder, "-o", out, "--today", "2030-03-01")
    assert result.exit_code == 0, result
    reader = PdfReader(out / "anna.pdf")
    assert len(reader.pages) == 1  # no page break was made
    assert round(float(reader.pages[0].mediabox[2])) == 595  # still A4
    anna = text_of(out / "anna.pdf")
    for expected in (
        HOSTILE,
        "#pagebreak() *Kleine* leergroep",
        "= #emph[Leerhuis]",
        "<b> @label $x$",
    ):
        assert expected in anna, expected


def test_a_programme_without_a_rule_says_so(write, tmp_path):
    folder = write(SMALL.replace("attendance:\n  required: all\n", ""))
    result = cohort("certificates", folder, "-o", tmp_path / "out", "--today", "2030-04-01")
    assert result.exit_code == 1
    assert "the programme has no attendance rule" in result.stderr


SIGNED = """\
certificates:
  signed_by: Marieke Jansen
  position: Programmaleider
  signature: {signature}
  logo: beeld/logo.svg
  place: Enschede
"""

LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60" viewBox="0 0 200 60">'
    '<rect width="200" height="60" fill="#e30613"/></svg>'
)


def png() -> bytes:
    import io

    import segno

    buffer = io.BytesIO()
    segno.make("handtekening").save(buffer, kind="png", scale=3)
    return buffer.getvalue()


@pytest.mark.parametrize("signature", ["beeld/handtekening.png", "beeld/handtekening.jpg"])
def test_signed_with_an_image_and_a_logo_from_the_programme_folder(seed, tmp_path, signature):
    image = png() if signature.endswith(".png") else (ROOT / "tests/images/signature.jpg")
    folder = twente(
        seed,
        extra=SIGNED.format(signature=signature),
        files={
            "beeld/logo.svg": LOGO.encode(),
            signature: Path(image).read_bytes() if isinstance(image, Path) else image,
        },
    )
    out = tmp_path / "out"
    result = certificates(folder, out, "--participant", "sanne-visser")
    assert result.exit_code == 0, result
    text = text_of(out / "sanne-visser.pdf")
    assert "Marieke Jansen Programmaleider" in text
    assert "Opgemaakt te Enschede op 6 juni 2024" in text
    assert len(PdfReader(out / "sanne-visser.pdf").pages[0].images) == 1  # the signature


def test_images_outside_the_programme_folder_are_refused(seed, tmp_path):
    outside = tmp_path / "secret.png"
    outside.write_bytes(png())
    signed = SIGNED.format(signature="beeld/handtekening.png")
    folder = seed("twente-cop-2024")
    (folder / "beeld").mkdir()
    (folder / "beeld" / "handtekening.png").symlink_to(outside)
    text = edit(
        (folder / "programme.yaml").read_text(),
        "links:\n",
        signed.replace("beeld/logo.svg", "../secret.png") + "links:\n",
    )
    (folder / "programme.yaml").write_text(text)
    result = cohort("validate", folder)
    assert result.exit_code == 1
    line = text[: text.index("signature:")].count("\n") + 1
    assert (
        f"programme.yaml:{line}:14: error: 'beeld/handtekening.png' leads outside the programme "
        "folder (a symbolic link?)" in result.stderr
    )
    assert f"programme.yaml:{line + 1}:9: error: '../secret.png' lies outside" in result.stderr
    refused = cohort("certificates", folder, "-o", tmp_path / "out")
    assert refused.exit_code == 1 and not (tmp_path / "out").exists()


def test_a_programme_template_replaces_the_certificate(seed, tmp_path):
    folder = twente(seed)
    own = folder / "templates" / "certificates"
    own.mkdir(parents=True)
    (own / "certificate.typ").write_text(
        "Eigen sjabloon: {{ person.name }}, {{ certificate.minutes|hours }}, "
        "{{ certificate.code }}\n"
    )
    out = tmp_path / "out"
    assert certificates(folder, out, "--participant", "sanne-visser").exit_code == 0
    assert "Eigen sjabloon: Sanne Visser, 4,5 uur" in text_of(out / "sanne-visser.pdf")


def test_init_keeps_the_key_out_of_git(tmp_path):
    assert cohort("init", tmp_path / "nieuw").exit_code == 0
    assert "/certificate-secret.txt\n" in (tmp_path / "nieuw" / ".gitignore").read_text()


def test_the_report_and_the_certificates_agree_on_who_met_the_rule(seed, tmp_path):
    folder = twente(seed)
    cohort("report", folder, "-o", tmp_path / "report", "--format", "json", "--today", AFTER)
    people = json.loads((tmp_path / "report" / "report.json").read_text())["participants"]
    certificates(folder, tmp_path / "out")
    met = sorted(f"{p['id']}.pdf" for p in people if p["rule"] == "met")
    assert met == sorted(p.name for p in (tmp_path / "out").glob("*.pdf"))
    assert len(met) == 4


def test_someone_without_an_address_gets_the_certificate_on_paper_only(seed, tmp_path):
    folder = seed("twente-cop-2024")
    people = folder / "participants.yaml"
    people.write_text(edit(people.read_text(), "    email: joost.meijer@example.org\n", ""))
    for meeting in ("bijeenkomst-1", "bijeenkomst-2", "bijeenkomst-3"):
        record(folder, meeting, "--present", ALL_THREE)
    outbox = tmp_path / "outbox"
    result = certificates(folder, tmp_path / "out", "--email", "--outbox", outbox)
    assert result.exit_code == 0, result
    assert (tmp_path / "out" / "joost-meijer.pdf").is_file()
    assert "Joost Meijer ('joost-meijer') has no e-mail address" in result.stderr
    assert sorted(p.name.split(".")[1] for p in outbox.glob("*.eml")) == [
        "fatima-elamrani",
        "gerrit-ten-have",
        "sanne-visser",
    ]
