"""`kcc-text export`, `import-codes`, `codebook export` and `codebook import` (REFI-QDA)."""

from __future__ import annotations

import csv
import zipfile

import pytest

from cli_helpers import assert_clean_error, invoke
from refi_schemas import assert_valid_qdc, assert_valid_qdpx

NS = {"q": "urn:QDA-XML:project:1.0"}


@pytest.fixture
def coded_csv(tiny_corpus, tiny_codebook, tmp_path):
    """The tiny corpus coded by `kcc-text code` (rules), then two answers corrected by hand (as `merge` does)."""
    out = tmp_path / "coded.csv"
    result = invoke("code", tiny_corpus, "--codebook", tiny_codebook, "--out", out)
    assert result.exit_code == 0, result.output
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        row["source"], row["coder"] = "machine", ""
    rows[2].update(themes="", source="human", coder="anna")  # "niet leuk": no theme applies
    rows[3].update(themes="", source="human", coder="anna")  # the empty answer, looked at
    with open(out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return out


def read_rows(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_export_then_import_codes_round_trips(coded_csv, tiny_codebook, tmp_path):
    project = tmp_path / "veldwerk.qdpx"
    result = invoke("export", coded_csv, "--codebook", tiny_codebook, "--out", project)
    assert result.exit_code == 0, result.output
    assert "Exported 5 answers as documents with 7 codes" in result.stdout
    assert "human codings (anna 2)" in result.stdout and f"-> {project}" in result.stdout
    root = assert_valid_qdpx(project)
    assert [u.get("name") for u in root.iterfind("q:Users/q:User", NS)] == ["anna", "kcc-text"]
    r1 = root.find("q:Sources/q:TextSource[@name='r1']/q:PlainTextSelection", NS)
    assert r1.findtext("q:Description", namespaces=NS).startswith("kcc-text evidence: salaris: ")
    # respondent_id is the case; "007" stays text, not the number 7.
    assert root.find("q:Cases/q:Case[@name='007']", NS) is not None

    labels = tmp_path / "labels.csv"
    result = invoke("import-codes", project, "--codebook", tiny_codebook, "--out", labels)
    assert result.exit_code == 0, result.output
    assert "answers coded by kcc-text are machine codes" in result.stdout
    coded = {row["id"]: row for row in read_rows(coded_csv)}
    expected = sorted(
        (i, t, "kcc-text" if row["source"] == "machine" else row["coder"])
        for i, row in coded.items()
        for t in ([t for t in row["themes"].split(";") if t] or ([""] if row["source"] == "human" else [])))
    assert sorted((r["id"], r["theme"], r["coder"]) for r in read_rows(labels)) == expected
    assert ("r3", "", "anna") in expected and ("r1", "salaris", "kcc-text") in expected
    assert list(read_rows(labels)[0]) == ["id", "theme", "coder", "coded_at", "wave", "question"]

    human = tmp_path / "human.csv"
    result = invoke("import-codes", project, "--codebook", tiny_codebook, "--out", human, "--only-human")
    assert result.exit_code == 0, result.output
    assert sorted((r["id"], r["theme"], r["coder"]) for r in read_rows(human)) == [("r3", "", "anna"),
                                                                                     ("r4", "", "anna")]


def test_unknown_codes_are_listed_and_added_on_request(coded_csv, tiny_codebook, tmp_path):
    project = tmp_path / "p.qdpx"
    assert invoke("export", coded_csv, "--codebook", tiny_codebook, "--out", project).exit_code == 0
    renamed = rename_code(project, "Werkdruk", "Hoge werkdruk", tmp_path / "elders.qdpx")
    assert_valid_qdpx(renamed)

    out = tmp_path / "labels.csv"
    result = invoke("import-codes", renamed, "--codebook", tiny_codebook, "--out", out)
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == ("warning: 1 codes are not in kcc-mini@1.0.0 and were left out: "
                                     "Hoge werkdruk (--add-unknown keeps them)")
    assert "werkdruk" not in {r["theme"] for r in read_rows(out)}

    result = invoke("import-codes", renamed, "--codebook", tiny_codebook, "--out", out, "--add-unknown")
    assert result.exit_code == 0, result.output
    assert "new theme ids hoge_werkdruk" in result.stderr
    assert ("r2", "hoge_werkdruk") in {(r["id"], r["theme"]) for r in read_rows(out)}


def rename_code(project, old: str, new: str, out):
    """The project as another program would write it after a coder renamed a code: new name, new GUID."""
    from lxml import etree

    with zipfile.ZipFile(project) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    root = etree.fromstring(files["project.qde"])
    code = root.find(f".//q:Code[@name='{old}']", NS)
    old_guid, new_guid = code.get("guid"), "00000000-0000-4000-8000-000000000001"
    code.set("name", new)
    code.set("guid", new_guid)
    for ref in root.iterfind(f".//q:CodeRef[@targetGUID='{old_guid}']", NS):
        ref.set("targetGUID", new_guid)
    files["project.qde"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out


def test_codebook_export_and_import(tiny_codebook, tmp_path):
    qdc = tmp_path / "kcc-mini.qdc"
    result = invoke("codebook", "export", tiny_codebook, "--out", qdc)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"Exported kcc-mini@1.0.0 as 6 codes (patterns stay in the YAML) -> {qdc}"
    assert_valid_qdc(qdc)
    back = tmp_path / "terug.yaml"
    result = invoke("codebook", "import", qdc, "--out", back)
    assert result.exit_code == 0, result.output
    assert "Imported 6 themes as kcc-mini@1.0.0" in result.stdout
    result = invoke("codebook", "validate", back)
    assert result.exit_code == 0, result.output
    assert "6 themes, 0 patterns" in result.stdout
    text = back.read_text(encoding="utf-8")
    assert "id: klanten_helpen" in text and "- toegevoegde_waarde" in text and "negation: exclude" in text


def test_bad_project_files_exit_2_with_one_line(tiny_codebook, tmp_path):
    not_zip = tmp_path / "antwoorden.qdpx"
    not_zip.write_text("id,text\nr1,hallo\n", encoding="utf-8")
    assert_clean_error(invoke("import-codes", not_zip, "--codebook", tiny_codebook, "--out", tmp_path / "l.csv"),
                       str(not_zip), "not a zip file")
    no_qde = tmp_path / "leeg.qdpx"
    with zipfile.ZipFile(no_qde, "w") as archive:
        archive.writestr("sources/a.txt", "hallo")
    assert_clean_error(invoke("import-codes", no_qde, "--codebook", tiny_codebook, "--out", tmp_path / "l.csv"),
                       str(no_qde), "no project.qde")
    invalid = tmp_path / "ongeldig.qdpx"
    with zipfile.ZipFile(invalid, "w") as archive:
        archive.writestr("project.qde", "<?xml version='1.0'?>\n<Project xmlns='urn:QDA-XML:project:1.0'>\n"
                                        "</Project>\n")
    result = invoke("import-codes", invalid, "--codebook", tiny_codebook, "--out", tmp_path / "l.csv")
    assert_clean_error(result, str(invalid), "Project.xsd", "line 2", "'name' is required")
    assert not (tmp_path / "l.csv").exists()
    bad_qdc = tmp_path / "kapot.qdc"
    bad_qdc.write_text("<CodeBook xmlns='urn:QDA-XML:codebook:1.0'><Codes/></CodeBook>", encoding="utf-8")
    assert_clean_error(invoke("codebook", "import", bad_qdc, "--out", tmp_path / "cb.yaml"),
                       str(bad_qdc), "Codebook.xsd", "line 1")


def test_export_refuses_bad_input_and_outputs(coded_csv, tiny_codebook, tmp_path):
    assert_clean_error(invoke("export", coded_csv, "--codebook", tiny_codebook, "--out", coded_csv),
                       "same file as the input")
    assert_clean_error(invoke("export", coded_csv, "--codebook", tiny_codebook, "--out", tmp_path / "p.zip"),
                       ".qdpx")
    assert_clean_error(invoke("codebook", "export", tiny_codebook, "--out", tiny_codebook),
                       "same file as the input")
    assert_clean_error(invoke("codebook", "export", tiny_codebook, "--out", tmp_path / "kcc.xml"), ".qdc")
    answers = tmp_path / "antwoorden.csv"  # a corpus, not a coded file
    assert_clean_error(invoke("export", answers, "--codebook", tiny_codebook, "--out", tmp_path / "p.qdpx"),
                       str(answers), "missing column 'themes'")
    assert_clean_error(invoke("export", coded_csv, "--codebook", tiny_codebook, "--out", tmp_path / "p.qdpx",
                              "--case-col", "respondent"), "case column 'respondent'")
    assert not (tmp_path / "p.qdpx").exists()
    labels = tmp_path / "l.csv"
    assert_clean_error(invoke("import-codes", tmp_path / "weg.qdpx", "--codebook", tiny_codebook, "--out", labels),
                       "weg.qdpx", "file not found")
