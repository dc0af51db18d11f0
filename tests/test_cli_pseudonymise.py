"""`kcc-text pseudonymise`: a safe copy written beside an untouched input, a report per kind, clean errors."""

from __future__ import annotations

import csv

from cli_helpers import assert_clean_error, invoke

CORPUS = (
    "id,respondent_id,question,text,leeftijd\n"
    'a1,r1,aanbevelen,"Ja. Bel me op 06-12345678, groet Pieter Jansen",25-34\n'
    'a2,r1,toegevoegde_waarde,"Pieter Jansen helpt klanten, de collega\'s zijn top.",25-34\n'
    'a3,r2,aanbevelen,"Nee, de werkdruk is te hoog en het salaris te laag.",45-54\n'
    "a4,r2,toegevoegde_waarde,,45-54\n"
)


def write_corpus(tmp_path, text=CORPUS, name="antwoorden.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def read_rows(path):
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_writes_a_pseudonymised_copy_and_leaves_the_input_untouched(tmp_path):
    corpus = write_corpus(tmp_path)
    before = corpus.read_bytes()
    out = tmp_path / "veilig.csv"
    result = invoke("pseudonymise", corpus, "--out", out)
    assert result.exit_code == 0, result.output
    assert corpus.read_bytes() == before
    rows = read_rows(out)
    assert list(rows[0]) == ["id", "respondent_id", "question", "text", "leeftijd"]
    assert [r["text"] for r in rows] == [
        "Ja. Bel me op [TELEFOONNUMMER-1], groet [PERSOON-1]",
        "[PERSOON-1] helpt klanten, de collega's zijn top.",
        "Nee, de werkdruk is te hoog en het salaris te laag.",
        "",
    ]
    assert [r["leeftijd"] for r in rows] == ["25-34", "25-34", "45-54", "45-54"]
    report = result.stdout
    assert "4 answers of 2 respondents" in report
    for line in report.splitlines():
        if "[PERSOON-n]" in line:
            assert line.split()[-1] == "2"
        if "[TELEFOONNUMMER-n]" in line:
            assert line.split()[-1] == "1"
        if "[EMAIL-n]" in line:
            assert line.split()[-1] == "0"
    assert "Pieter" not in result.output and "06-12345678" not in result.output  # no answer text shown


def test_without_a_respondent_column_tags_are_numbered_per_answer(tmp_path):
    corpus = write_corpus(tmp_path, 'nr;antwoord\n1;Groet, Pieter Jansen\n2;"Pieter Jansen, Ingrid Smit"\n',
                          name="export.csv")
    out = tmp_path / "veilig.csv"
    result = invoke("pseudonymise", corpus, "--out", out, "--id-col", "nr", "--text-col", "antwoord")
    assert result.exit_code == 0, result.output
    rows = read_rows(out)
    assert list(rows[0]) == ["nr", "antwoord"]
    assert [r["antwoord"] for r in rows] == ["Groet, [PERSOON-1]", "[PERSOON-1], [PERSOON-2]"]
    assert "numbered per nr" in " ".join(result.stdout.split())


def test_missing_corpus(tmp_path):
    result = invoke("pseudonymise", tmp_path / "weg.csv", "--out", tmp_path / "veilig.csv")
    assert_clean_error(result, "weg.csv", "not found")
    assert not (tmp_path / "veilig.csv").exists()


def test_refuses_to_overwrite_the_input(tmp_path):
    corpus = write_corpus(tmp_path)
    before = corpus.read_bytes()
    result = invoke("pseudonymise", corpus, "--out", corpus)
    assert_clean_error(result, "same file as the input")
    assert corpus.read_bytes() == before


def test_missing_text_column(tmp_path):
    corpus = write_corpus(tmp_path, "id,tekst\n1,hallo\n")
    result = invoke("pseudonymise", corpus, "--out", tmp_path / "veilig.csv")
    assert_clean_error(result, "antwoorden.csv", "text column")


def test_missing_respondent_column_when_asked_for(tmp_path):
    corpus = write_corpus(tmp_path)
    result = invoke("pseudonymise", corpus, "--out", tmp_path / "veilig.csv", "--respondent-col", "persoon")
    assert_clean_error(result, "persoon")


def test_out_must_be_csv(tmp_path):
    corpus = write_corpus(tmp_path)
    result = invoke("pseudonymise", corpus, "--out", tmp_path / "veilig.xlsx")
    assert_clean_error(result, "veilig.xlsx", ".csv")
    assert not (tmp_path / "veilig.xlsx").exists()


# --- code --pseudonymise and report --pseudonymise ---------------------------------------------------

NAMED = (
    "id,respondent_id,wave,question,text\n"
    'a1,p1,voorjaar-2020,toegevoegde_waarde,"De klant Sanne helpen, dat is het. Bel 06-12345678."\n'
    'a2,p1,voorjaar-2020,aanbevelen,"Sanne de Vries zegt: het salaris is te laag."\n'
    'a3,p2,najaar-2020,aanbevelen,"Veel stress, groet Pieter Jansen"\n'
    'a4,p3,najaar-2020,toegevoegde_waarde,"Klanten goed helpen."\n'
)


def test_code_pseudonymises_what_it_writes_after_coding(tmp_path, tiny_codebook):
    corpus = write_corpus(tmp_path, NAMED)
    plain, safe = tmp_path / "gecodeerd.csv", tmp_path / "veilig.csv"
    assert invoke("code", corpus, "-c", tiny_codebook, "-o", plain).exit_code == 0
    result = invoke("code", corpus, "-c", tiny_codebook, "-o", safe, "--pseudonymise")
    assert result.exit_code == 0, result.output
    assert "Pseudonymised the texts written: replaced 3 PERSOON, 1 TELEFOONNUMMER." in result.stdout
    before, after = read_rows(plain), read_rows(safe)
    # Coded on the original words: the same themes, evidence and columns as without --pseudonymise.
    assert [r["themes"] for r in after] == [r["themes"] for r in before] == [
        "klanten_helpen", "salaris", "werkdruk", "klanten_helpen"]
    assert list(after[0]) == list(before[0])
    assert [r["text"] for r in after] == [
        "De klant [PERSOON-1] helpen, dat is het. Bel [TELEFOONNUMMER-1].",
        "[PERSOON-1] zegt: het salaris is te laag.",  # the same respondent's Sanne
        "Veel stress, groet [PERSOON-1]",
        "Klanten goed helpen."]
    # The wildcard pattern "klant * helpen" quoted the name: the evidence carries the tag instead.
    assert before[0]["evidence"] == "klanten_helpen: klant Sanne helpen"
    assert after[0]["evidence"] == "klanten_helpen: klant [PERSOON-1] helpen"
    written = safe.read_text(encoding="utf-8-sig")
    for name in ("Sanne", "Vries", "Pieter", "Jansen", "06-12345678"):
        assert name not in written and name not in result.output
    assert corpus.read_text(encoding="utf-8") == NAMED  # the input is untouched


def test_code_pseudonymises_a_mapped_text_column_too(tmp_path, tiny_codebook):
    corpus = write_corpus(tmp_path, 'nr;antwoord\n1;"Te veel werk, groet Pieter Jansen"\n', name="export.csv")
    out = tmp_path / "veilig.csv"
    result = invoke("code", corpus, "-c", tiny_codebook, "-o", out, "--id-col", "nr", "--text-col", "antwoord",
                    "--pseudonymise")
    assert result.exit_code == 0, result.output
    row = read_rows(out)[0]
    assert row["text"] == row["antwoord"] == "Te veel werk, groet [PERSOON-1]"
    assert row["themes"] == "werkdruk"


def test_code_wide_output_holds_pseudonymised_texts(tmp_path, tiny_codebook):
    corpus = write_corpus(tmp_path, "respondent,Q1,Q2\n"
                                    'p1,"Klanten goed helpen, vraag maar aan Sanne de Vries","Het salaris is laag"\n',
                          name="breed.csv")
    out = tmp_path / "breed-veilig.csv"
    result = invoke("code", corpus, "-c", tiny_codebook, "-o", out, "--id-col", "respondent",
                    "--text-col", "Q1=toegevoegde_waarde", "--text-col", "Q2=aanbevelen", "--wide", "--pseudonymise")
    assert result.exit_code == 0, result.output
    row = read_rows(out)[0]
    assert row["Q1"] == "Klanten goed helpen, vraag maar aan [PERSOON-1]" and row["Q2"] == "Het salaris is laag"
    assert row["toegevoegde_waarde__klanten_helpen"] == "1"


def test_report_pseudonymises_its_examples_unless_told_not_to(tmp_path, tiny_codebook):
    corpus = write_corpus(tmp_path, NAMED)
    coded = tmp_path / "gecodeerd.csv"
    assert invoke("code", corpus, "-c", tiny_codebook, "-o", coded).exit_code == 0
    safe, plain = tmp_path / "rapport.html", tmp_path / "rapport-namen.html"
    result = invoke("report", coded, "-c", tiny_codebook, "--out", safe)
    assert result.exit_code == 0, result.output
    page = safe.read_text(encoding="utf-8")
    for name in ("Sanne", "Pieter", "Jansen", "06-12345678"):
        assert name not in page
    assert "groet [PERSOON-1]" in page and "replaced in the examples of this report: 3 × PERSOON" in page
    assert invoke("report", coded, "-c", tiny_codebook, "--out", safe, "--pseudonymise").exit_code == 0
    assert safe.read_text(encoding="utf-8") == page
    result = invoke("report", coded, "-c", tiny_codebook, "--out", plain, "--no-pseudonymise")
    assert result.exit_code == 0, result.output
    named = plain.read_text(encoding="utf-8")
    assert "groet Pieter Jansen" in named and "not pseudonymised" in named
