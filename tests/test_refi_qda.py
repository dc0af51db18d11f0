"""REFI-QDA exchange (kcc_text/io/refi_qda.py): projects and codebooks out to QDA software and back."""

from __future__ import annotations

import filecmp
import re
import textwrap
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from lxml import etree

from kcc_text.codebook.definition import load_codebook, parse_codebook
from kcc_text.io.answers import read_corpus
from kcc_text.errors import InputFileError
from kcc_text.io.refi_qda import (
    export_codebook,
    export_project,
    import_codebook,
    import_codings,
)
from kcc_text.io.refi_xml import code_description, parse_code_description, stable_guid
from kcc_text.io.labels import read_labels
from refi_schemas import assert_valid_project_xml, assert_valid_qdc, assert_valid_qdpx, shared_schemas

ROOT = Path(__file__).resolve().parents[1]
NS = {"q": "urn:QDA-XML:project:1.0"}


@pytest.fixture(scope="module")
def kcc():
    return load_codebook(ROOT / "codebooks" / "kcc.yaml")


@pytest.fixture(scope="module")
def bundled_coded():
    """The bundled corpus with its gold codes as themes: every other answer human-coded (coders A
    and B, as after `merge`), the rest machine-coded."""
    corpus = read_corpus(ROOT / "corpus" / "kcc-2020.csv")
    labels = read_labels(ROOT / "corpus" / "kcc-2020.labels.csv")
    themes = labels.groupby("id")["theme"].apply(lambda s: ";".join(t for t in s if t))
    coded = corpus.copy()
    coded["themes"] = coded["id"].map(themes).fillna("")
    coded["source"] = ["human" if i % 2 else "machine" for i in range(len(coded))]
    coded["coder"] = ["A" if i % 4 == 1 else "B" if i % 4 == 3 else "" for i in range(len(coded))]
    return coded


def expected_labels(coded) -> list[tuple]:
    """(id, theme, coder, wave, question) the round trip must return: every theme of every answer;
    a human-coded answer without themes as one row without a theme; nothing for a machine-coded one."""
    rows = []
    for row in coded.fillna("").to_dict("records"):
        themes = [t for t in str(row["themes"]).split(";") if t]
        human = row.get("source") == "human"
        coder = (row.get("coder") or "human") if human else "kcc-text"
        for theme in themes or ([""] if human else []):
            rows.append((row["id"], theme, coder, row.get("wave", ""), row.get("question", "")))
    return sorted(rows)


def imported(labels) -> list[tuple]:
    return sorted(labels[["id", "theme", "coder", "wave", "question"]].itertuples(index=False, name=None))


def project_xml(path):
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read("project.qde"))


def source_texts(path) -> dict[str, str]:
    root = project_xml(path)
    with zipfile.ZipFile(path) as archive:
        return {s.get("name"): archive.read("sources/" + s.get("plainTextPath").removeprefix("internal://"))
                .decode("utf-8") for s in root.iterfind(".//q:TextSource", NS)}


# --- the bundled corpus ------------------------------------------------------------------------


def test_bundled_round_trip_returns_every_human_and_machine_code(kcc, bundled_coded, tmp_path):
    out = tmp_path / "kcc-2020.qdpx"
    summary = export_project(bundled_coded, kcc, out)
    assert_valid_qdpx(out)
    labels, unknown = import_codings(out, kcc)
    assert unknown == []
    assert list(labels.columns) == ["id", "theme", "coder", "coded_at", "wave", "question"]
    expected = expected_labels(bundled_coded)
    assert imported(labels) == expected
    assert {c for _, _, c, _, _ in expected} == {"A", "B", "kcc-text"}
    assert summary.answers == 675
    assert summary.machine_codings == sum(1 for row in expected if row[2] == "kcc-text")
    assert summary.human_codings == {"A": sum(1 for r in expected if r[2] == "A"),
                                     "B": sum(1 for r in expected if r[2] == "B")}


def test_bundled_project_shape(kcc, bundled_coded, tmp_path):
    out = tmp_path / "kcc-2020.qdpx"
    export_project(bundled_coded, kcc, out, project_name="KCC 2020")
    root = assert_valid_qdpx(out)
    assert root.get("name") == "KCC 2020" and root.get("origin").startswith("kcc-text")
    # Users: the human coder first (QualCoder's current coder), the machine last.
    assert [u.get("name") for u in root.iterfind("q:Users/q:User", NS)] == ["A", "B", "kcc-text"]
    codes = root.findall("q:CodeBook/q:Codes/q:Code", NS)
    assert [c.get("name") for c in codes] == [t.label for t in kcc.themes] + ["(geen thema)"]
    assert len({c.get("color") for c in codes}) == len(codes) == 25
    salaris = next(c for c in codes if c.get("name") == "Salaris en beloning")
    description = salaris.findtext("q:Description", namespaces=NS)
    assert description.startswith(kcc.theme("salaris").description)
    assert "id: salaris" in description and "include:" in description
    # One document per answer, named by its id, holding exactly the answer.
    corpus = read_corpus(ROOT / "corpus" / "kcc-2020.csv")
    assert source_texts(out) == dict(zip(corpus["id"], corpus["text"]))
    # Respondents are cases; their metadata are typed case variables.
    cases = root.findall("q:Cases/q:Case", NS)
    assert len(cases) == corpus["respondent_id"].nunique()
    variables = {v.get("name"): v.get("typeOfVariable") for v in root.iterfind("q:Variables/q:Variable", NS)}
    assert variables["tevredenheid"] == "Integer" and variables["leeftijd"] == "Text"
    assert variables["id"] == variables["wave"] == variables["question"] == "Text"
    first = next(c for c in cases if c.get("name") == "vj20-r001")
    assert len(first.findall("q:SourceRef", NS)) == 2
    assert "25-34" in [v.text for v in first.iterfind("q:VariableValue/q:TextValue", NS)]
    # Each wave and question is a document group.
    groups = {s.get("name"): len(s.findall("q:MemberSource", NS)) for s in root.iterfind("q:Sets/q:Set", NS)}
    size = corpus.groupby(["wave", "question"]).size()
    assert groups["najaar-2020 / aanbevelen"] == size[("najaar-2020", "aanbevelen")]


def test_guids_are_stable_across_exports(kcc, bundled_coded, tmp_path):
    export_project(bundled_coded, kcc, tmp_path / "a.qdpx", project_name="kcc")
    export_project(bundled_coded, kcc, tmp_path / "b.qdpx", project_name="kcc")
    export_codebook(kcc, tmp_path / "kcc.qdc")
    a, b = project_xml(tmp_path / "a.qdpx"), project_xml(tmp_path / "b.qdpx")
    for root in (a, b):
        del root.attrib["creationDateTime"]
    assert etree.tostring(a) == etree.tostring(b)
    qdc = assert_valid_qdc(tmp_path / "kcc.qdc")
    project_codes = [c.get("guid") for c in a.iterfind("q:CodeBook/q:Codes/q:Code", NS)]
    qdc_codes = [c.get("guid") for c in qdc.iterfind("{urn:QDA-XML:codebook:1.0}Codes/{urn:QDA-XML:codebook:1.0}Code")]
    assert project_codes == qdc_codes
    assert stable_guid("code", "kcc", "salaris") in project_codes
    assert stable_guid("code", "ander-codeboek", "salaris") not in project_codes


# --- tiny hand-made frames ---------------------------------------------------------------------


def tiny_coded(**extra):
    frame = pd.DataFrame({
        "id": ["h1", "h2", "h3", "m1", "m2", "m3"],
        "text": ["Het salaris is te laag en veel stress", "", "Geen idee eigenlijk",
                 "Leuke collega's!", "", "gewoon werk"],
        "wave": ["voorjaar", "voorjaar", "najaar", "najaar", "najaar", "voorjaar"],
        "question": ["aanbevelen"] * 6,
        "themes": ["salaris;werkdruk", "", "", "collegas;leuk_werk", "", ""],
        "source": ["human", "human", "human", "machine", "machine", ""],
        "coder": ["anna", "anna", "bram", "", "", ""],
        "coded_at": ["2024-03-01T10:00:00+00:00", "2024-03-01T10:01:00+00:00", "", "", "", ""],
    })
    for column, values in extra.items():
        frame[column] = values
    return frame


def test_empty_answers_and_answers_without_theme_survive(tiny_codebook, tmp_path):
    cb = load_codebook(tiny_codebook)
    coded = tiny_coded()
    out = tmp_path / "tiny.qdpx"
    export_project(coded, cb, out)
    root = assert_valid_qdpx(out)
    texts = source_texts(out)
    assert texts["h2"] == "" and texts["m2"] == "" and len(texts) == 6  # empty answers are documents too
    labels, _ = import_codings(out, cb)
    assert imported(labels) == expected_labels(coded)
    rows = {(r.id, r.theme): r for r in labels.itertuples()}
    assert rows[("h2", "")].coder == "anna" and rows[("h3", "")].coder == "bram"  # coded, no theme
    assert rows[("h1", "salaris")].coded_at == "2024-03-01T10:00:00+00:00"
    assert not {"m2", "m3"} & set(labels["id"])  # machine found nothing: no coding, not "coded"
    m3 = root.find("q:Sources/q:TextSource[@name='m3']", NS)
    assert m3.find("q:PlainTextSelection", NS) is None
    h1 = root.find("q:Sources/q:TextSource[@name='h1']/q:PlainTextSelection", NS)
    assert (h1.get("startPosition"), h1.get("endPosition")) == ("0", str(len(texts["h1"])))


def test_machine_and_human_codes_are_kept_apart(tiny_codebook, tmp_path):
    cb = load_codebook(tiny_codebook)
    out = tmp_path / "tiny.qdpx"
    export_project(tiny_coded(), cb, out, coder="carla")
    root = project_xml(out)
    users = {u.get("guid"): u.get("name") for u in root.iterfind("q:Users/q:User", NS)}
    assert list(users.values()) == ["carla", "anna", "bram", "kcc-text"]
    for selection in root.iterfind(".//q:PlainTextSelection", NS):
        document = selection.getparent().get("name")
        want = {"h1": "anna", "h2": "anna", "h3": "bram", "m1": "kcc-text"}[document]
        assert users[selection.get("creatingUser")] == want
        assert {users[c.get("creatingUser")] for c in selection.iterfind("q:Coding", NS)} == {want}


def test_nobody_coded_by_hand_puts_a_coder_first(tiny_codebook, tmp_path):
    """QualCoder makes the first user the current coder: that must not be kcc-text."""
    cb = load_codebook(tiny_codebook)
    machine_only = tiny_coded().drop(columns=["source", "coder"])
    export_project(machine_only, cb, tmp_path / "m.qdpx")
    names = [u.get("name") for u in project_xml(tmp_path / "m.qdpx").iterfind("q:Users/q:User", NS)]
    assert names == ["coder", "kcc-text"]
    labels, _ = import_codings(tmp_path / "m.qdpx", cb)
    assert set(labels["coder"]) == {"kcc-text"} and len(labels) == 4  # the themes of h1 and m1


def test_defused_cells_come_back_as_written(tiny_codebook, tmp_path):
    from kcc_text.io.writing import write_csv_atomic

    coded = tiny_coded()
    coded.loc[0, "text"] = "=salaris te laag"
    coded.loc[3, "text"] = "-leuke collega's"
    coded.loc[5, "text"] = "'t is gewoon werk"
    path = tmp_path / "coded.csv"
    write_csv_atomic(coded, path)  # writes "'=salaris te laag"
    assert "'=salaris" in path.read_text(encoding="utf-8")
    export_project(path, load_codebook(tiny_codebook), tmp_path / "p.qdpx")
    texts = source_texts(tmp_path / "p.qdpx")
    assert texts["h1"] == "=salaris te laag" and texts["m1"] == "-leuke collega's"
    assert texts["m3"] == "'t is gewoon werk"
    assert "coded.csv" in project_xml(tmp_path / "p.qdpx").findtext("q:Description", namespaces=NS)


def test_metadata_become_typed_case_and_document_variables(tiny_codebook, tmp_path):
    coded = tiny_coded(respondent_id=["r1", "r1", "r2", "r2", "r3", "r3"],
                       leeftijd=["25-34", "25-34", "35-44", "35-44", "", ""],
                       postcode=["0123", "0123", "1234", "1234", "2345", "2345"],
                       uren=["7,5", "7,5", "32", "32", "", ""],
                       tevredenheid=["8", "8", "10", "10", "6", "6"],
                       kanaal=["telefoon", "chat", "telefoon", "telefoon", "mail", "mail"])
    out = tmp_path / "meta.qdpx"
    summary = export_project(coded, load_codebook(tiny_codebook), out)
    root = assert_valid_qdpx(out)
    variables = {v.get("name"): v for v in root.iterfind("q:Variables/q:Variable", NS)}
    types = {name: v.get("typeOfVariable") for name, v in variables.items()}
    assert types == {"id": "Text", "wave": "Text", "question": "Text", "leeftijd": "Text", "postcode": "Text",
                     "uren": "Float", "tevredenheid": "Integer", "kanaal": "Text"}
    assert "respondent_id" not in types and summary.cases == 3
    r1 = root.find("q:Cases/q:Case[@name='r1']", NS)
    values = {variables_by_guid(root)[v.find("q:VariableRef", NS).get("targetGUID")]: v[1].text
              for v in r1.iterfind("q:VariableValue", NS)}
    assert values == {"leeftijd": "25-34", "postcode": "0123", "uren": "7.5", "tevredenheid": "8"}
    r3 = root.find("q:Cases/q:Case[@name='r3']", NS)
    assert "leeftijd" not in {variables_by_guid(root)[v.find("q:VariableRef", NS).get("targetGUID")]
                              for v in r3.iterfind("q:VariableValue", NS)}  # missing stays missing
    # kanaal differs between r1's two answers: it describes the answer, so it goes on the document.
    h2 = root.find("q:Sources/q:TextSource[@name='h2']", NS)
    on_document = {variables_by_guid(root)[v.find("q:VariableRef", NS).get("targetGUID")]: v[1].text
                   for v in h2.iterfind("q:VariableValue", NS)}
    assert on_document == {"id": "h2", "wave": "voorjaar", "question": "aanbevelen", "kanaal": "chat"}


def test_characters_xml_cannot_hold_stay_out_of_the_xml_only(tiny_codebook, tmp_path):
    """SPSS and Excel exports carry control characters (vertical tab for a line break in a cell)."""
    coded = tiny_coded(afdeling=["sales\x0bnoord", "", "", "", "", "service\x01"])
    coded.loc[0, "text"] = "Het salaris\x0bis te laag"
    coded.loc[0, "coded_at"] = "2024-03-01 10:00:00"  # a space instead of T: still a date and time
    out = tmp_path / "control.qdpx"
    export_project(coded, load_codebook(tiny_codebook), out)
    root = assert_valid_qdpx(out)
    assert source_texts(out)["h1"] == "Het salaris\x0bis te laag"  # the answer itself is untouched
    assert "salesnoord" in [v.text for v in root.iterfind(".//q:TextValue", NS)]
    h1 = root.find("q:Sources/q:TextSource[@name='h1']/q:PlainTextSelection", NS)
    assert h1.get("creationDateTime") == "2024-03-01T10:00:00"


def variables_by_guid(root):
    return {v.get("guid"): v.get("name") for v in root.iterfind("q:Variables/q:Variable", NS)}


def test_long_file_from_wide_input_names_documents_by_id_and_question(tiny_codebook, tmp_path):
    cb = load_codebook(tiny_codebook)
    coded = pd.DataFrame({"id": ["p1", "p1", "p2"], "question": ["aanbevelen", "toegevoegde_waarde", "aanbevelen"],
                          "text": ["Slecht betaald", "Klanten helpen", "Leuk team"],
                          "themes": ["salaris", "klanten_helpen", "collegas"]})
    out = tmp_path / "wide.qdpx"
    summary = export_project(coded, cb, out)
    assert_valid_qdpx(out)
    assert sorted(source_texts(out)) == ["p1 | aanbevelen", "p1 | toegevoegde_waarde", "p2 | aanbevelen"]
    assert summary.cases == 2
    labels, _ = import_codings(out, cb)
    assert imported(labels) == [("p1", "klanten_helpen", "kcc-text", "", "toegevoegde_waarde"),
                                ("p1", "salaris", "kcc-text", "", "aanbevelen"),
                                ("p2", "collegas", "kcc-text", "", "aanbevelen")]


def test_shared_labels_get_unique_code_names_and_still_round_trip(tmp_path):
    cb = parse_codebook(textwrap.dedent("""\
        codebook: dubbel
        version: 1.0.0
        themes:
          - {id: overig_positief, label: Overig}
          - {id: overig_negatief, label: overig}
        """))
    coded = pd.DataFrame({"id": ["a", "b"], "text": ["prima", "slecht"],
                          "themes": ["overig_positief", "overig_negatief"]})
    export_project(coded, cb, tmp_path / "d.qdpx")
    names = [c.get("name") for c in assert_valid_qdpx(tmp_path / "d.qdpx").iterfind(".//q:Code", NS)]
    assert names[:2] == ["Overig (overig_positief)", "overig (overig_negatief)"]
    labels, _ = import_codings(tmp_path / "d.qdpx", cb)
    assert sorted(zip(labels["id"], labels["theme"])) == [("a", "overig_positief"), ("b", "overig_negatief")]


def test_bad_coded_rows_name_the_line(tiny_codebook, tmp_path):
    from kcc_text.io.writing import write_csv_atomic

    cb = load_codebook(tiny_codebook)
    coded = tiny_coded()
    coded.loc[2, "themes"] = "salaris;reistijd"
    path = tmp_path / "coded.csv"
    write_csv_atomic(coded, path)
    with pytest.raises(InputFileError) as info:
        export_project(path, cb, tmp_path / "p.qdpx")
    assert str(info.value) == f"{path}:4: theme 'reistijd' is not in codebook kcc-mini@1.0.0"
    coded = tiny_coded()
    coded.loc[1, "source"] = "robot"
    with pytest.raises(InputFileError, match="row 2: source 'robot' is neither human nor machine"):
        export_project(coded, cb, tmp_path / "p.qdpx")
    coded = tiny_coded()
    coded.loc[4, "id"] = "h1"
    coded.loc[4, "wave"] = "voorjaar"
    with pytest.raises(InputFileError, match=re.escape("duplicate answer 'h1 | voorjaar | aanbevelen'")):
        export_project(coded, cb, tmp_path / "p.qdpx")
    assert not (tmp_path / "p.qdpx").exists()


# --- projects coded elsewhere ------------------------------------------------------------------

G = {name: stable_guid("test", name) for name in (
    "maria", "jan", "sal", "wd", "cat", "leuk", "reis", "geen", "var", "case", "s1", "s2", "s3",
    "x1", "x2", "x3", "k1", "k2", "k3", "k4", "k5")}

FOREIGN = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="veldwerk" origin="QualCoder 3.6">
  <Users><User guid="{maria}" name="maria"/><User guid="{jan}" name="jan"/></Users>
  <CodeBook><Codes>
    <Code guid="{sal}" name="salaris" isCodable="true" color="#AA0000"/>
    <Code guid="{wd}" name="WERKDRUK" isCodable="true"/>
    <Code guid="{cat}" name="Redenen" isCodable="false">
      <Code guid="{leuk}" name="leuk werk" isCodable="true"/>
      <Code guid="{reis}" name="Reistijd" isCodable="true"/>
    </Code>
    <Code guid="{geen}" name="(Geen thema)" isCodable="true"/>
  </Codes></CodeBook>
  <Variables><Variable guid="{var}" name="id" typeOfVariable="Text"/></Variables>
  <Cases><Case guid="{case}"><VariableValue><VariableRef targetGUID="{var}"/><TextValue>r3</TextValue>
    </VariableValue><SourceRef targetGUID="{s3}"/></Case></Cases>
  <Sources>
    <TextSource guid="{s1}" name="r1.txt" plainTextPath="internal://{s1}.txt">
      <PlainTextSelection guid="{x1}" name="salaris is veel te laag" startPosition="4" endPosition="27"
          creatingUser="{maria}">
        <Coding guid="{k1}" creatingUser="{maria}" creationDateTime="2024-05-02T09:30:00Z">
          <CodeRef targetGUID="{sal}"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="{x2}" name="te laag" startPosition="20" endPosition="27" creatingUser="{jan}">
        <Coding guid="{k2}"><CodeRef targetGUID="{wd}"/></Coding>
        <Coding guid="{k3}"><CodeRef targetGUID="{reis}"/></Coding>
      </PlainTextSelection>
    </TextSource>
    <TextSource guid="{s2}" name="r2" plainTextPath="internal://{s2}.txt">
      <PlainTextSelection guid="{x3}" startPosition="0" endPosition="3" creatingUser="{maria}">
        <Coding guid="{k4}"><CodeRef targetGUID="{geen}"/></Coding>
      </PlainTextSelection>
    </TextSource>
    <TextSource guid="{s3}" name="Document 3" plainTextPath="internal://{s3}.txt" creatingUser="{jan}">
      <Coding guid="{k5}"><CodeRef targetGUID="{leuk}"/></Coding>
    </TextSource>
  </Sources>
</Project>
"""


def write_qdpx(path, xml: str, sources: dict[str, str] | None = None):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", xml.encode("utf-8"))
        for name, text in (sources or {}).items():
            archive.writestr(f"sources/{name}", text.encode("utf-8"))
    return path


def foreign_project(tmp_path):
    xml = FOREIGN.format(**G)
    assert_valid_project_xml(etree.fromstring(xml.encode("utf-8")))
    return write_qdpx(tmp_path / "veldwerk.qdpx", xml, {
        f"{G['s1']}.txt": "Het salaris is veel te laag", f"{G['s2']}.txt": "n.v.t.", f"{G['s3']}.txt": "Leuk!"})


def test_project_coded_elsewhere_maps_codes_to_themes(tiny_codebook, tmp_path):
    cb = load_codebook(tiny_codebook)
    labels, unknown = import_codings(foreign_project(tmp_path), cb)
    assert unknown == ["Reistijd"]
    assert sorted(labels[["id", "theme", "coder", "coded_at"]].itertuples(index=False, name=None)) == [
        ("r1", "salaris", "maria", "2024-05-02T09:30:00Z"),  # code named by id, part of the answer selected
        ("r1", "werkdruk", "jan", ""),  # label in other case; the selection's user
        ("r2", "", "maria", ""),  # "(geen thema)": coded, no theme
        ("r3", "leuk_werk", "jan", ""),  # id from a MAXQDA-style case variable; coding on the whole document
    ]


def test_unknown_codes_can_be_added_as_new_themes(tiny_codebook, tmp_path):
    labels, unknown = import_codings(foreign_project(tmp_path), load_codebook(tiny_codebook), add_unknown=True)
    assert unknown == ["Reistijd"]
    assert ("r1", "reistijd", "jan") in set(labels[["id", "theme", "coder"]].itertuples(index=False, name=None))


def test_a_code_renamed_in_the_qda_program_is_found_by_its_guid(tiny_codebook, tmp_path):
    cb = load_codebook(tiny_codebook)
    export_project(tiny_coded(), cb, tmp_path / "p.qdpx")
    with zipfile.ZipFile(tmp_path / "p.qdpx") as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    files["project.qde"] = files["project.qde"].replace(b'name="Salaris en beloning"', b'name="Beloning"')
    with zipfile.ZipFile(tmp_path / "renamed.qdpx", "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    labels, unknown = import_codings(tmp_path / "renamed.qdpx", cb)
    assert unknown == [] and ("h1", "salaris") in set(zip(labels["id"], labels["theme"]))


@pytest.mark.parametrize("make, words", [
    (lambda p: p.write_text("id,text\n1,hallo\n", encoding="utf-8"), "not a zip file"),
    (lambda p: write_qdpx(p, "", {"x.txt": "hallo"}) and _drop(p, "project.qde"), "no project.qde"),
    (lambda p: write_qdpx(p, "<Project xmlns='urn:QDA-XML:project:1.0' name='x'><Users>"),
     "project.qde is not well-formed XML (line 1"),
    (lambda p: write_qdpx(p, "<?xml version='1.0'?>\n<Project xmlns='urn:QDA-XML:project:1.0' name='x'>\n"
                             "<CodeBook><Codes>\n<Code guid='" + G["sal"] + "' name='salaris'/>\n"
                             "</Codes></CodeBook></Project>"),
     "project.qde does not follow the REFI-QDA schema Project.xsd (line 4: Element 'Code': "
     "The attribute 'isCodable' is required but missing.)"),
])
def test_bad_project_files_are_named_with_their_problem(tiny_codebook, tmp_path, make, words):
    path = tmp_path / "kapot.qdpx"
    make(path)
    with pytest.raises(InputFileError) as info:
        import_codings(path, load_codebook(tiny_codebook))
    assert str(info.value).startswith(f"{path}: ") and words in str(info.value)
    assert "\n" not in str(info.value)


def _drop(path, member):
    with zipfile.ZipFile(path) as archive:
        kept = {n: archive.read(n) for n in archive.namelist() if n != member}
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in kept.items():
            archive.writestr(name, data)
    return path


def test_no_validate_reads_a_project_that_breaks_the_schema(tiny_codebook, tmp_path):
    xml = FOREIGN.format(**G).replace('<Code guid="{sal}" name="salaris" isCodable="true"'.format(**G),
                                      '<Code guid="{sal}" name="salaris"'.format(**G))
    path = write_qdpx(tmp_path / "los.qdpx", xml)
    with pytest.raises(InputFileError, match="isCodable"):
        import_codings(path, load_codebook(tiny_codebook))
    labels, _ = import_codings(path, load_codebook(tiny_codebook), validate=False)
    assert ("r1", "salaris") in set(zip(labels["id"], labels["theme"]))


# --- codebooks -----------------------------------------------------------------------------------


def test_codebook_round_trip_keeps_everything_but_patterns(kcc, tmp_path):
    out = tmp_path / "kcc.qdc"
    export_codebook(kcc, out)
    root = assert_valid_qdc(out)
    assert root.get("origin").endswith("codebook kcc@1.0.0; language nl")
    back = parse_codebook(import_codebook(out))
    assert (back.name, back.version, back.language, back.questions) == (kcc.name, kcc.version, kcc.language,
                                                                       kcc.questions)
    assert not back.has_patterns
    for old, new in zip(kcc.themes, back.themes, strict=True):
        assert (new.id, new.label, new.description, new.include, new.exclude, new.examples, new.questions,
                new.negation) == (old.id, old.label, old.description, old.include, old.exclude,
                                  tuple(" ".join(e.split()) for e in old.examples), old.questions, old.negation)


def test_codebook_from_other_software_gets_ids_from_names(tmp_path):
    path = tmp_path / "Werkbeleving.qdc"
    path.write_text(textwrap.dedent(f"""\
        <?xml version="1.0" encoding="utf-8"?>
        <CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="ATLAS.ti 24">
          <Codes>
            <Code guid="{G['cat']}" name="Redenen" isCodable="false">
              <Code guid="{G['sal']}" name="Salaris &amp; beloning" isCodable="true">
                <Description>Over het loon.</Description>
                <Code guid="{G['wd']}" name="Salaris - te laag" isCodable="true"/>
              </Code>
            </Code>
            <Code guid="{G['leuk']}" name="Collega's" isCodable="true" color="#00AA00"/>
            <Code guid="{G['reis']}" name="collega's" isCodable="true"/>
            <Code guid="{G['geen']}" name="2020: Corona" isCodable="true"/>
          </Codes>
        </CodeBook>
        """), encoding="utf-8")
    assert_valid_qdc(path)
    back = parse_codebook(import_codebook(path))
    assert back.name == "werkbeleving" and back.version == "0.1.0"
    assert [(t.id, t.label) for t in back.themes] == [
        ("salaris_beloning", "Salaris & beloning"), ("salaris_te_laag", "Salaris - te laag"),
        ("collega_s", "Collega's"), ("collega_s_2", "collega's"), ("code_2020_corona", "2020: Corona")]
    assert back.theme("salaris_beloning").description == "Over het loon."


def test_bad_codebook_file(tmp_path):
    path = tmp_path / "leeg.qdc"
    path.write_text("<CodeBook xmlns='urn:QDA-XML:codebook:1.0'><Codes/></CodeBook>", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"leeg.qdc: the codebook does not follow the REFI-QDA schema "
                                             r"Codebook.xsd \(line 1: "):
        import_codebook(path)
    path.write_text("geen xml", encoding="utf-8")
    with pytest.raises(InputFileError, match="is not well-formed XML"):
        import_codebook(path)


def test_code_description_reads_back_and_leaves_a_description_list_alone(kcc):
    theme = kcc.theme("salaris")
    fields = parse_code_description(code_description(theme))
    assert fields["description"] == theme.description and fields["id"] == "salaris"
    assert tuple(fields["include"]) == theme.include and tuple(fields["exclude"]) == theme.exclude
    own_list = "Let op:\n- loon\n- bonus\n\ninclude:\n- salaris\nid: salaris"
    assert parse_code_description(own_list) == {"description": "Let op:\n- loon\n- bonus",
                                                 "include": ["salaris"], "id": "salaris"}
    assert parse_code_description("Gewoon een memo.") == {"description": "Gewoon een memo."}


# sha256 of the REFI-QDA schemas in ../shared/refi-qda, for checkouts without that folder.
SHARED_SCHEMA_SHA256 = {
    "Project.xsd": "7841112e27897debf996f76209b9c5a5d074d66c1297a2f19f5ef250d29303bd",
    "Codebook.xsd": "9fe2f57fdaacf1cdfec76166d9b8dc87f4e19c60c328766ccd80b64e12eed043",
}


def test_package_carries_the_shared_schemas():
    import hashlib

    shared = shared_schemas()
    for name in ("Project.xsd", "Codebook.xsd"):
        packaged = ROOT / "kcc_text" / "data" / "refi_qda" / name
        assert hashlib.sha256(packaged.read_bytes()).hexdigest() == SHARED_SCHEMA_SHA256[name], name
        if shared is not None:
            assert filecmp.cmp(packaged, shared / name, shallow=False), name


def merged_coded():
    """A coded file as `merge` writes it: `code` with a model, then the audit's human codes winning on
    their rows (`source` = human, the person in `coder`); the machine's evidence and scores stay."""
    return pd.DataFrame({
        "id": ["a1", "a2", "a3", "a4", "a5"],
        "text": ["Het salaris is te laag.", "Veel stress, te veel werk", "Leuk werk met fijne collega's",
                 "Klanten goed helpen", "n.v.t."],
        "wave": ["voorjaar", "voorjaar", "najaar", "najaar", "najaar"],
        "question": ["aanbevelen", "aanbevelen", "aanbevelen", "toegevoegde_waarde", "aanbevelen"],
        "respondent_id": ["p1", "p2", "p3", "p3", "p4"],
        "leeftijd": ["25-34", "35-44", "45-54", "45-54", "18-24"],
        "themes": ["salaris", "werkdruk;gebrek_aan_waardering", "leuk_werk", "", ""],
        "needs_review": ["0", "0", "1", "0", "0"],
        "codebook": ["kcc-mini@1.0.0"] * 5,
        "pipeline": ["nl-blank"] * 5,
        "model": ["m-123"] * 5,
        "confidence": ["0.95", "0.71", "0.42", "0.88", "1.0"],
        "evidence": ["salaris: salaris", "werkdruk: stress", "leuk_werk: Leuk | collegas: collega", "", ""],
        "th_salaris": ["1", "0", "0", "0", "0"],
        "src_salaris": ["rules", "", "", "", ""],
        "p_salaris": ["0.97", "0.02", "0.01", "", "0.0"],
        "non_answer": ["0", "0", "0", "0", "1"],
        "source": ["machine", "human", "Human", "human", "machine"],
        "coder": ["", "anna", "bram", "", ""],
        "coded_at": ["", "2024-05-02T09:30:00", "2024-05-03T14:00:00+02:00", "", ""],
    })


def test_a_merged_file_exports_human_codes_under_their_coder(tiny_codebook, tmp_path):
    from kcc_text.io.writing import write_csv_atomic
    from kcc_text.cli import app
    from typer.testing import CliRunner

    cb = load_codebook(tiny_codebook)
    coded = tmp_path / "definitief.csv"
    write_csv_atomic(merged_coded(), coded, bom=True)
    out = tmp_path / "definitief.qdpx"
    result = CliRunner().invoke(app, ["export", str(coded), "-c", str(tiny_codebook), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "1 machine codings (user kcc-text) and 4 human codings (anna 2, bram 1, human 1)" in result.stdout
    root = assert_valid_qdpx(out)
    users = {u.get("guid"): u.get("name") for u in root.iterfind("q:Users/q:User", NS)}
    assert list(users.values()) == ["anna", "bram", "human", "kcc-text"]
    codes = {c.get("guid"): c.get("name") for c in root.iterfind("q:CodeBook/q:Codes/q:Code", NS)}
    codings = {}
    for source in root.iterfind("q:Sources/q:TextSource", NS):
        for selection in source.iterfind("q:PlainTextSelection", NS):
            user = users[selection.get("creatingUser")]
            refs = [codes[c.find("q:CodeRef", NS).get("targetGUID")] for c in selection.iterfind("q:Coding", NS)]
            codings[source.get("name")] = (user, sorted(refs), selection.findtext("q:Description", namespaces=NS))
    assert codings == {
        "a1": ("kcc-text", ["Salaris en beloning"], "kcc-text evidence: salaris: salaris"),
        # A person's codes carry no machine evidence, whatever the machine had found.
        "a2": ("anna", ["Gebrek aan waardering", "Werkdruk"], None),
        "a3": ("bram", ["Leuk werk"], None),
        "a4": ("human", ["(geen thema)"], None),  # coded by a person (no name), no theme applies
    }  # a5: the machine found nothing, so no coding
    # Coding columns are not respondent variables; metadata are.
    variables = {v.get("name") for v in root.iterfind("q:Variables/q:Variable", NS)}
    assert {"leeftijd", "id", "wave", "question", "needs_review"} <= variables
    assert not variables & {"confidence", "evidence", "th_salaris", "src_salaris", "p_salaris", "source",
                            "coder", "coded_at", "non_answer", "model", "pipeline"}
    labels, unknown = import_codings(out, cb)
    assert unknown == []
    assert imported(labels) == expected_labels(merged_coded().assign(source=lambda f: f["source"].str.lower()))
    times = {(r.id, r.theme): r.coded_at for r in labels.itertuples()}
    assert times[("a3", "leuk_werk")] == "2024-05-03T14:00:00+02:00"
