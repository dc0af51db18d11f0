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
