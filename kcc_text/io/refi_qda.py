"""REFI-QDA exchange: coded answers to a `.qdpx` project and codebooks to a `.qdc`, and back.

Researchers finish their coding in QDA software (QualCoder, ATLAS.ti, MAXQDA, NVivo), which
all read and write the REFI-QDA standard (www.qdasoftware.org). The shape of an export:

- **One text document per answer**, named by the answer's id and holding exactly the answer.
  A coding anywhere in that document belongs to that answer, so codes made elsewhere come
  back to the right answer whatever part of the text a coder selected and however a program
  counts line endings (MAXQDA and ATLAS.ti differ from the standard there). Each document
  also carries the variables `id`, `wave` and `question` (document variables, which MAXQDA
  and QualCoder filter on), and the documents of one wave and question form a Set (document
  group), so a coder can still read all answers to one question together.
- **Codes** are the codebook's themes (name = label, a distinct colour each, the
  description plus the include/exclude rules as the code memo) and one extra code,
  "(geen thema)": a person coded the answer and no theme applies.
- **Codings**: per answer and user one selection over the whole answer holding one coding
  per theme. Machine codes belong to the user `kcc-text`, human codes (`source` = `human`)
  to the coder's name. A machine-coded answer without themes has no coding at all; a
  human-coded one gets "(geen thema)", so "coded, no theme" survives the round trip.
- **Cases** are respondents (`respondent_id`, else the `id`, which in a long file made from
  wide input names the respondent) with their metadata as case variables; metadata that
  differ between one respondent's answers go on the documents.

Import finds the answer of a coding by the document's `id` variable, else by the document
name, never by searching the text.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ..errors import InputFileError, UsageError
from .coded import split_themes
from .writing import atomic_writer
from .refi_xml import (
    CODEBOOK_NS,
    PROJECT_NS,
    check_schema,
    child_text,
    children,
    code_description,
    colour,
    kcc_version,
    local,
    normal_guid,
    parse_code_description,
    parse_xml,
    slugify,
    stable_guid,
    xml_text,
)

MACHINE_USER = "kcc-text"
HUMAN_WITHOUT_NAME = "human"  # the user of human codes in a file without a `coder` column
DEFAULT_CODER = "coder"  # listed first when nobody coded by hand (see _users)
NO_THEME_NAMES = {"nl": "(geen thema)", "en": "(no theme)"}
NO_THEME_DESCRIPTIONS = {
    "nl": "Een persoon heeft dit antwoord gecodeerd en geen thema is van toepassing "
          "(kcc-text leest dit terug als een rij zonder thema).",
    "en": "A person coded this answer and no theme applies (kcc-text reads this back as a "
          "labels row without a theme).",
}
LABEL_COLUMNS = ["id", "theme", "coder", "coded_at", "wave", "question"]

# Columns of a coded file that describe the coding, not the respondent.
_CODING_COLUMNS = {"id", "text", "wave", "question", "themes", "needs_review", "codebook", "pipeline",
                   "model", "evidence", "source", "coder", "coded_at", "confidence", "non_answer"}
_CODING_PREFIX = re.compile(r"^(th|src|p)_")
_INTEGER = re.compile(r"^-?(0|[1-9]\d*)$")
_DECIMAL_POINT = re.compile(r"^-?(0|[1-9]\d*)(\.\d+)?$")
_DECIMAL_COMMA = re.compile(r"^-?(0|[1-9]\d*)(,\d+)?$")
_DATETIME = re.compile(r"^-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$")
_MAX_MEMBER = 1 << 30  # refuse to unpack a project.qde over 1 GiB (a damaged or hostile zip)


# --- export ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ExportSummary:
    path: Path
    answers: int
    codes: int
    machine_codings: int
    human_codings: dict[str, int]
    cases: int
    variables: int


@dataclass
class _Answer:
    id: str
    name: str
    text: str
    wave: str
    question: str
    user: str
    themes: list[str]
    coded_at: str
    evidence: str
    case: str
    row: dict
    guid: str = ""


@dataclass
class _Variable:
    name: str
    type: str
    guid: str
    description: str = ""
    values: dict = field(default_factory=dict)  # case or answer name -> value


def export_project(coded, codebook, out_path: str | Path, *, project_name: str | None = None,
                   coder: str | None = None, case_col: str | None = None) -> ExportSummary:
    """Write a coded file as a REFI-QDA project (`.qdpx`), valid against Project.xsd.

    `coded`: a DataFrame of a coded file (`id`, `text`, `themes`; optional `wave`,
    `question`, `source`, `coder`, `coded_at`, `evidence`, `needs_review`, metadata) or the
    path of one. `coder`: the person who will code in the QDA program, listed first among
    the users (QualCoder makes the first user the current coder). `case_col`: the column
    naming the respondent (default `respondent_id` when present, else `id`).
    """
    from lxml import etree

    from .coded import read_coded

    path = None
    if isinstance(coded, (str, Path)):
        path = Path(coded)
        coded = read_coded(path, require=("id", "text", "themes"))
    out_path = Path(out_path)
    name = project_name or out_path.stem
    answers = _answers(coded, codebook, path, case_col)
    users = _users(answers, coder)
    code_guids = {t.id: stable_guid("code", codebook.name, t.id) for t in codebook.themes}
    no_theme_guid = stable_guid("code", codebook.name, "(no theme)")
    for answer in answers:
        answer.guid = stable_guid("source", name, answer.name)
    answer_vars, case_vars = _variables(coded, answers, case_col=_case_column(coded, case_col))

    root = etree.Element(_p("Project"), nsmap={None: PROJECT_NS}, attrib={
        "name": xml_text(name), "origin": f"kcc-text {kcc_version()}",
        "creatingUserGUID": users[MACHINE_USER],
        "creationDateTime": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")})
    users_el = _sub(root, "Users")
    for user, guid in users.items():
        _sub(users_el, "User", guid=guid, name=xml_text(user))
    _codes(_sub(_sub(root, "CodeBook"), "Codes"), PROJECT_NS, codebook, code_guids, no_theme_guid)
    variables = answer_vars + case_vars
    if variables:
        variables_el = _sub(root, "Variables")
        for variable in variables:
            var_el = _sub(variables_el, "Variable", guid=variable.guid, name=xml_text(variable.name),
                          typeOfVariable=variable.type)
            if variable.description:
                _sub(var_el, "Description").text = variable.description
    cases = _cases(answers)
    cases_el = _sub(root, "Cases")
    for case, members in cases.items():
        case_el = _sub(cases_el, "Case", guid=stable_guid("case", name, case), name=xml_text(case))
        for variable in case_vars:
            _variable_value(case_el, variable, variable.values.get(case, ""))
        for answer in members:
            _sub(case_el, "SourceRef", targetGUID=answer.guid)
    sources_el = _sub(root, "Sources")
    machine, human = 0, {}
    for answer in answers:
        source = _sub(sources_el, "TextSource", guid=answer.guid, name=xml_text(answer.name),
                      plainTextPath=f"internal://{answer.guid}.txt", creatingUser=users[MACHINE_USER])
        refs = [code_guids[t] for t in answer.themes] or ([no_theme_guid] if answer.user != MACHINE_USER else [])
        if refs:
            _selection(source, answer, users[answer.user], refs)
            if answer.user == MACHINE_USER:
                machine += len(answer.themes)
            else:
                human[answer.user] = human.get(answer.user, 0) + len(refs)
        for variable in answer_vars:
            _variable_value(source, variable, variable.values.get(answer.name, ""))
    _project_sets(_sub(root, "Sets"), name, codebook, answers, code_guids)
    _sub(root, "Description").text = xml_text(_project_description(codebook, answers, path))
    if not len(root.find(_p("Sets"))):
        root.remove(root.find(_p("Sets")))

    _own_output_check(root, "Project.xsd")
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    with atomic_writer(out_path, "wb") as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", xml)
        for answer in answers:
            archive.writestr(f"sources/{answer.guid}.txt", answer.text.encode("utf-8"))
    return ExportSummary(path=out_path, answers=len(answers), codes=len(codebook.themes) + 1,
                         machine_codings=machine, human_codings=human, cases=len(cases),
                         variables=len(variables))


def export_codebook(codebook, out_path: str | Path) -> Path:
    """Write a codebook as a REFI-QDA codebook (`.qdc`), valid against Codebook.xsd.

    Codes carry label, colour, description and the coding rules; each question becomes a
    Set of the codes that apply to it. Patterns have no place in REFI-QDA and stay behind.
    """
    from lxml import etree

    out_path = Path(out_path)
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS}, attrib={
        "origin": _origin(codebook)})
    code_guids = {t.id: stable_guid("code", codebook.name, t.id) for t in codebook.themes}
    codes = etree.SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
    _codes(codes, CODEBOOK_NS, codebook, code_guids, stable_guid("code", codebook.name, "(no theme)"))
    questions = _questions(codebook)
    if questions:
        sets = etree.SubElement(root, f"{{{CODEBOOK_NS}}}Sets")
        for key, wording in questions.items():
            set_el = etree.SubElement(sets, f"{{{CODEBOOK_NS}}}Set", guid=stable_guid("question", codebook.name, key),
                                      name=xml_text(key))
            if wording:
                etree.SubElement(set_el, f"{{{CODEBOOK_NS}}}Description").text = xml_text(wording)
            for theme in codebook.themes_for(key):
                etree.SubElement(set_el, f"{{{CODEBOOK_NS}}}MemberCode", guid=code_guids[theme.id])
    _own_output_check(root, "Codebook.xsd")
    with atomic_writer(out_path, "wb") as fh:
        fh.write(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
    return out_path


def _p(tag: str) -> str:
    return f"{{{PROJECT_NS}}}{tag}"


def _sub(parent, tag: str, **attrs):
    from lxml import etree

    return etree.SubElement(parent, _p(tag), {k: v for k, v in attrs.items() if v is not None})


def _own_output_check(root, schema_name: str):
    """What we write must follow the schema; if not, that is a bug here, not in the user's data."""
    from .refi_xml import schema

    checker = schema(schema_name)
    if not checker.validate(root):
        raise RuntimeError(f"kcc-text wrote XML that breaks {schema_name}: {checker.error_log[0]}")


def _origin(codebook) -> str:
    return f"kcc-text {kcc_version()}; codebook {codebook.ref}; language {codebook.language}"


def _questions(codebook) -> dict[str, str]:
    questions = dict(codebook.questions)
    for theme in codebook.themes:
        for key in sorted(theme.questions or ()):
            questions.setdefault(key, "")
    return questions


def _code_names(codebook) -> dict[str, str]:
    """Code names are labels; QDA programs need them unique, so a shared label gets its id added."""
    counts: dict[str, int] = {}
    for theme in codebook.themes:
        counts[theme.label.strip().casefold()] = counts.get(theme.label.strip().casefold(), 0) + 1
    return {t.id: t.label.strip() if counts[t.label.strip().casefold()] == 1 else f"{t.label.strip()} ({t.id})"
            for t in codebook.themes}


def _codes(codes_el, ns: str, codebook, code_guids: Mapping[str, str], no_theme_guid: str) -> None:
    from lxml import etree

    names = _code_names(codebook)
    for index, theme in enumerate(codebook.themes):
        code = etree.SubElement(codes_el, f"{{{ns}}}Code", guid=code_guids[theme.id], name=xml_text(names[theme.id]),
                                isCodable="true", color=colour(index))
        etree.SubElement(code, f"{{{ns}}}Description").text = xml_text(code_description(theme))
    language = codebook.language if codebook.language in NO_THEME_NAMES else "en"
    code = etree.SubElement(codes_el, f"{{{ns}}}Code", guid=no_theme_guid, name=NO_THEME_NAMES[language],
                            isCodable="true", color="#D9D9D9")
    etree.SubElement(code, f"{{{ns}}}Description").text = NO_THEME_DESCRIPTIONS[language]


def _row_error(message: str, path, position: int) -> InputFileError:
    if path is None:
        return InputFileError(f"row {position + 1}: {message}")
    return InputFileError(message, path, position + 2)


def _case_column(frame, case_col: str | None) -> str | None:
    if case_col is not None:
        if case_col not in frame.columns:
            raise UsageError(f"case column '{case_col}' is not in the coded file "
                             f"(columns: {', '.join(map(str, frame.columns[:12]))})")
        return case_col
    return "respondent_id" if "respondent_id" in frame.columns else None


def _answers(frame, codebook, path, case_col: str | None) -> list[_Answer]:
    for column in ("id", "text", "themes"):
        if column not in frame.columns:
            raise InputFileError(f"missing column '{column}' (a coded file comes from `kcc-text code`)", path)
    case_col = _case_column(frame, case_col)
    known = set(codebook.theme_ids)
    records = frame.astype(object).where(frame.notna(), "").to_dict("records")
    if not records:
        raise InputFileError("has no answers to export", path) if path else InputFileError("no answers to export")
    keys = _answer_names(records, path)
    answers = []
    for position, (row, name) in enumerate(zip(records, keys)):
        answer_id = str(row["id"]).strip()
        themes: list[str] = []
        for theme in split_themes(row["themes"]):
            if theme not in known:
                raise _row_error(f"theme '{theme}' is not in codebook {codebook.ref}", path, position)
            if theme not in themes:
                themes.append(theme)
        source = str(row.get("source", "")).strip().lower()
        if source not in ("", "machine", "human"):
            raise _row_error(f"source '{row['source']}' is neither human nor machine", path, position)
        if source == "human":
            user = str(row.get("coder", "")).strip() or HUMAN_WITHOUT_NAME
            if user == MACHINE_USER:
                raise _row_error(f"coder name '{MACHINE_USER}' is kept for machine codes", path, position)
        else:
            user = MACHINE_USER
        text = str(row["text"]).replace("\r\n", "\n").replace("\r", "\n")
        case = str(row.get(case_col, "")).strip() if case_col else ""
        answers.append(_Answer(
            id=answer_id, name=name, text=text, wave=str(row.get("wave", "")).strip(),
            question=str(row.get("question", "")).strip(), user=user, themes=themes,
            coded_at=_xsd_datetime(str(row.get("coded_at", "")).strip()),
            evidence=str(row.get("evidence", "")).strip(), case=case or answer_id, row=row))
    return answers


def _answer_names(records: list[dict], path) -> list[str]:
    """Document names: the id, or `id | question` (`id | wave | question`) in long files from wide input."""
    for position, row in enumerate(records):
        if not str(row["id"]).strip():
            raise _row_error("empty id", path, position)
    available = set(records[0]) if records else set()
    for parts in (("id",), ("id", "question"), ("id", "wave", "question")):
        if not set(parts) <= available:
            continue
        names = [" | ".join(str(row.get(part, "")).strip() for part in parts) for row in records]
        if len(set(names)) == len(names):
            return names
    seen: set[str] = set()
    for position, row in enumerate(records):
        key = " | ".join(str(row.get(p, "")).strip() for p in ("id", "wave", "question"))
        if key in seen:
            raise _row_error(f"duplicate answer '{key}'", path, position)
        seen.add(key)
    return []


def _xsd_datetime(value: str) -> str:
    """`value` as an xsd:dateTime, or "" when it is none (then the attribute is left out)."""
    if not value:
        return ""
    if _DATETIME.match(value):
        return value
    try:
        return datetime.fromisoformat(value).isoformat()
    except ValueError:
        return ""


def _users(answers: list[_Answer], coder: str | None) -> dict[str, str]:
    """User name -> GUID. The person who will code comes first: QualCoder makes the first user
    the current coder, and codes made as `kcc-text` would be read back as machine codes."""
    humans = [a.user for a in answers if a.user != MACHINE_USER]
    first = coder or (humans[0] if humans else DEFAULT_CODER)
    if first == MACHINE_USER:
        raise UsageError(f"the coder cannot be called '{MACHINE_USER}': that user holds the machine codes")
    ordered = [first] + [h for h in dict.fromkeys(humans) if h != first] + [MACHINE_USER]
    return {user: stable_guid("user", user) for user in ordered}


def _variable_type(values) -> str:
    present = [v for v in values if v != ""]
    if not present:
        return "Text"
    if all(_INTEGER.match(v) for v in present):
        return "Integer"
    if all(_DECIMAL_POINT.match(v) for v in present) or all(_DECIMAL_COMMA.match(v) for v in present):
        return "Float"
    return "Text"


def _variables(frame, answers: list[_Answer], *, case_col: str | None) -> tuple[list[_Variable], list[_Variable]]:
    """(document variables, case variables). Metadata equal within every respondent describe the
    respondent; the rest describe the answer."""
    columns = [str(c) for c in frame.columns]
    answer_vars = [_Variable("id", "Text", stable_guid("variable", "id"),
                             "Answer id in the coded file; kcc-text reads codes back by it.",
                             {a.name: a.id for a in answers})]
    for column in ("wave", "question"):
        if column in columns:
            answer_vars.append(_Variable(column, "Text", stable_guid("variable", column), "",
                                         {a.name: getattr(a, column) for a in answers}))
    if "needs_review" in columns:
        values = {a.name: {"1": "true", "0": "false"}.get(str(a.row["needs_review"]).strip(), "") for a in answers}
        answer_vars.append(_Variable("needs_review", "Boolean", stable_guid("variable", "needs_review"),
                                     "kcc-text: a person should check the machine codes.", values))
    case_vars = []
    for column in columns:
        if column in _CODING_COLUMNS or _CODING_PREFIX.match(column) or column == case_col:
            continue
        by_case: dict[str, str] = {}
        constant = True
        for answer in answers:
            value = str(answer.row[column]).strip()
            if by_case.setdefault(answer.case, value) != value:
                constant = False
                break
        values = {a.name: str(a.row[column]).strip() for a in answers}
        variable = _Variable(column, _variable_type(values.values()), stable_guid("variable", column))
        if constant:
            variable.values = by_case
            case_vars.append(variable)
        else:
            variable.values = values
            answer_vars.append(variable)
    return answer_vars, case_vars


def _variable_value(parent, variable: _Variable, value: str) -> None:
    if value == "":
        return  # a missing value is left out: the schema has no empty number
    holder = _sub(parent, "VariableValue")
    _sub(holder, "VariableRef", targetGUID=variable.guid)
    if variable.type == "Float":
        value = value.replace(",", ".")
    element = {"Text": "TextValue", "Integer": "IntegerValue", "Float": "FloatValue",
               "Boolean": "BooleanValue"}[variable.type]
    _sub(holder, element).text = xml_text(value)


def _cases(answers: list[_Answer]) -> dict[str, list[_Answer]]:
    cases: dict[str, list[_Answer]] = {}
    for answer in answers:
        cases.setdefault(answer.case, []).append(answer)
    return cases


def _selection(source, answer: _Answer, user_guid: str, code_refs: list[str]) -> None:
    """One selection over the whole answer per user; QualCoder files every coding of a selection
    under the selection's user, so machine and human codes never share one."""
    selection_guid = stable_guid("selection", answer.guid, answer.user)
    selection = _sub(source, "PlainTextSelection", guid=selection_guid, name=xml_text(answer.id),
                     startPosition="0", endPosition=str(len(answer.text)), creatingUser=user_guid,
                     creationDateTime=answer.coded_at or None)
    if answer.user == MACHINE_USER and answer.evidence:
        _sub(selection, "Description").text = xml_text(f"kcc-text evidence: {answer.evidence}")
    for ref in code_refs:
        coding = _sub(selection, "Coding", guid=stable_guid("coding", selection_guid, ref), creatingUser=user_guid,
                      creationDateTime=answer.coded_at or None)
        _sub(coding, "CodeRef", targetGUID=ref)


def _project_sets(sets_el, name: str, codebook, answers: list[_Answer], code_guids) -> None:
    groups: dict[tuple[str, str], list[_Answer]] = {}
    for answer in answers:
        if answer.wave or answer.question:
            groups.setdefault((answer.wave, answer.question), []).append(answer)
    for (wave, question), members in groups.items():
        label = " / ".join(part for part in (wave, question) if part)
        set_el = _sub(sets_el, "Set", guid=stable_guid("set", name, wave, question), name=xml_text(label))
        wording = codebook.questions.get(question, "")
        if wording:
            _sub(set_el, "Description").text = xml_text(wording)
        for answer in members:
            _sub(set_el, "MemberSource", targetGUID=answer.guid)
    for key, wording in _questions(codebook).items():
        set_el = _sub(sets_el, "Set", guid=stable_guid("question", codebook.name, key), name=xml_text(f"codes: {key}"))
        if wording:
            _sub(set_el, "Description").text = xml_text(wording)
        for theme in codebook.themes_for(key):
            _sub(set_el, "MemberCode", targetGUID=code_guids[theme.id])


def _project_description(codebook, answers: list[_Answer], path) -> str:
    origin = f" from {path.name}" if path is not None else ""
    return (f"Exported by kcc-text {kcc_version()}{origin} with codebook {codebook.ref} (hash {codebook.hash}): "
            f"{len(answers)} answers, one text document per answer, named by its id. Codes by the user "
            f"'{MACHINE_USER}' are machine codes; codes by any other user are a person's. "
            f"'{NO_THEME_NAMES.get(codebook.language, NO_THEME_NAMES['en'])}' marks an answer a person "
            f"coded without a theme. kcc-text import-codes reads the codes back by each document's id variable "
            f"(or its name).")


# --- import ---------------------------------------------------------------------------------------

def read_project(qdpx_path: str | Path, *, validate: bool = True):
    """The root element of a `.qdpx` project's `project.qde`, checked against Project.xsd."""
    path = Path(qdpx_path)
    if not path.exists():
        raise InputFileError("file not found", path)
    if path.is_dir():
        raise InputFileError("is a directory, not a file", path)
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise InputFileError("is not a REFI-QDA project (.qdpx): not a zip file", path) from None
    except OSError as error:
        raise InputFileError(f"cannot be read ({error.strerror})", path) from None
    with archive:
        top = [info for info in archive.infolist() if "/" not in info.filename and info.filename.endswith(".qde")]
        chosen = next((i for i in top if i.filename == "project.qde"), top[0] if len(top) == 1 else None)
        if chosen is None:
            raise InputFileError("is not a REFI-QDA project (.qdpx): no project.qde in the zip", path)
        if chosen.file_size > _MAX_MEMBER:
            raise InputFileError(f"{chosen.filename} is larger than 1 GiB", path)
        try:
            data = archive.read(chosen)
        except (zipfile.BadZipFile, OSError, RuntimeError) as error:
            raise InputFileError(f"{chosen.filename} cannot be unpacked ({error})", path) from None
    root = parse_xml(data, chosen.filename, path)
    if local(root) != "Project":
        raise InputFileError(f"{chosen.filename} holds <{local(root)}>, not a REFI-QDA <Project>", path)
    if validate:
        check_schema(root, "Project.xsd", chosen.filename, path)
    return root


def import_codings(qdpx_path: str | Path, codebook, *, add_unknown: bool = False, validate: bool = True):
    """The codings of a REFI-QDA project as labels, and the names of codes not in the codebook.

    Returns (labels DataFrame with columns id, theme, coder, coded_at, wave, question; list of
    unknown code names). A code is a theme when its name equals the theme's id or label (case
    does not matter), or when its GUID is the one `export_project` gave the theme. Codings of
    unknown codes are left out, or with `add_unknown` get a new theme id made from the name.
    "(geen thema)" becomes a row with an empty theme. Machine codes come back under the coder
    `kcc-text`.
    """
    import pandas as pd

    path = Path(qdpx_path)
    root = read_project(path, validate=validate)
    users = {normal_guid(u.get("guid")): u.get("name") or "" for u in _all(root, "Users", "User")}
    variables = {normal_guid(v.get("guid")): v.get("name") or "" for v in _all(root, "Variables", "Variable")}
    resolve, unknown = _code_resolver(root, codebook, add_unknown)
    file_vars = _file_variables(root, variables)

    decisions: dict[tuple[str, str, str, str], dict] = {}
    for sources in children(root, "Sources"):
        for source in children(sources, "TextSource"):
            codings = list(_codings_of(source))
            if not codings:
                continue
            values = {**file_vars.get(normal_guid(source.get("guid")), {}),
                      **_variable_values(source, variables)}
            answer_id, wave, question = _answer_of(source, values)
            if not answer_id:
                raise InputFileError(f"project.qde: text source {source.get('guid')} has codes but neither "
                                     f"a name nor an id variable", path)
            for user_guid, stamp, code_guid in codings:
                theme = resolve(code_guid)
                if theme is None:
                    continue
                coder = users.get(normal_guid(user_guid), "")
                decision = decisions.setdefault((answer_id, wave, question, coder),
                                                {"themes": {}, "no_theme": None})
                if theme == "":
                    decision["no_theme"] = decision["no_theme"] or stamp
                else:
                    decision["themes"].setdefault(theme, stamp)
    rows = []
    for (answer_id, wave, question, coder), decision in decisions.items():
        base = {"id": answer_id, "coder": coder, "wave": wave, "question": question}
        if decision["themes"]:
            rows += [{**base, "theme": t, "coded_at": s} for t, s in decision["themes"].items()]
        else:
            rows.append({**base, "theme": "", "coded_at": decision["no_theme"]})
    return pd.DataFrame(rows, columns=LABEL_COLUMNS), unknown


def _all(root, group: str, item: str):
    return [element for holder in children(root, group) for element in children(holder, item)]


def _code_resolver(root, codebook, add_unknown: bool):
    """A function code GUID -> theme id ("" for no theme, None to leave out), and the unknown names."""
    lookup: dict[str, str] = {}
    for theme in codebook.themes:
        lookup.setdefault(theme.id.casefold(), theme.id)
    for theme_id, name in _code_names(codebook).items():
        lookup.setdefault(name.casefold(), theme_id)
        lookup.setdefault(codebook.theme(theme_id).label.strip().casefold(), theme_id)
    no_theme = {name.casefold() for name in NO_THEME_NAMES.values()}
    by_guid = {normal_guid(stable_guid("code", codebook.name, t.id)): t.id for t in codebook.themes}
    by_guid[normal_guid(stable_guid("code", codebook.name, "(no theme)"))] = ""
    names = {}
    stack = [code for codes in _all(root, "CodeBook", "Codes") for code in children(codes, "Code")]
    while stack:
        code = stack.pop()
        names[normal_guid(code.get("guid"))] = (code.get("name") or "").strip()
        stack.extend(children(code, "Code"))
    unknown: list[str] = []
    added: dict[str, str] = {}
    taken = set(codebook.theme_ids)
    cache: dict[str, str | None] = {}

    def resolve(guid: str) -> str | None:
        key = normal_guid(guid)
        if key in cache:
            return cache[key]
        name = names.get(key, "")
        if name.casefold() in no_theme:
            result = ""
        elif name.casefold() in lookup:
            result = lookup[name.casefold()]
        elif key in by_guid:
            result = by_guid[key]  # renamed in the QDA program, which kept the GUID
        else:
            label = name or f"<code {guid}>"
            if label not in unknown:
                unknown.append(label)
            result = None
            if add_unknown and name:
                result = added.setdefault(name, slugify(name, taken))
        cache[key] = result
        return result

    return resolve, unknown


def _variable_values(element, variables: Mapping[str, str]) -> dict[str, str]:
    values = {}
    for holder in children(element, "VariableValue"):
        ref = children(holder, "VariableRef")
        name = variables.get(normal_guid(ref[0].get("targetGUID"))) if ref else None
        value = next((child.text or "" for child in holder if local(child) != "VariableRef"), "")
        if name:
            values[name] = value.strip()
    return values


def _file_variables(root, variables: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """Document variables stored the MAXQDA way: a Case without name holding one SourceRef."""
    found = {}
    for case in _all(root, "Cases", "Case"):
        refs = children(case, "SourceRef")
        if case.get("name") is None and len(refs) == 1:
            found[normal_guid(refs[0].get("targetGUID"))] = _variable_values(case, variables)
    return found


def _answer_of(source, values: Mapping[str, str]) -> tuple[str, str, str]:
    if values.get("id"):
        return values["id"], values.get("wave", ""), values.get("question", "")
    name = (source.get("name") or "").strip()
    if name.lower().endswith(".txt"):
        name = name[:-4]
    parts = [p.strip() for p in name.split(" | ")]
    if len(parts) == 3:
        return parts[0], values.get("wave", parts[1]), values.get("question", parts[2])
    if len(parts) == 2:
        return parts[0], values.get("wave", ""), values.get("question", parts[1])
    return name, values.get("wave", ""), values.get("question", "")


def _codings_of(source):
    """(user GUID, time, code GUID) of every coding in a text source: in its selections or on
    the whole document. The coding's own user counts first, then its selection's, then the source's."""
    source_user = source.get("creatingUser") or source.get("modifyingUser") or ""
    holders = [(selection, selection.get("creatingUser") or selection.get("modifyingUser") or source_user,
                selection.get("creationDateTime") or "")
               for selection in children(source, "PlainTextSelection")]
    holders.append((source, source_user, ""))
    for holder, user, stamp in holders:
        for coding in children(holder, "Coding"):
            ref = children(coding, "CodeRef")
            if ref:
                yield (coding.get("creatingUser") or user, coding.get("creationDateTime") or stamp,
                       ref[0].get("targetGUID") or "")


def import_codebook(qdc_path: str | Path, *, validate: bool = True) -> str:
    """The YAML text of a kcc-text codebook made from a REFI-QDA codebook (`.qdc`).

    Every codable code becomes a theme (nested codes too; categories that cannot be coded
    are left out). Ids, rules and questions written by `export_codebook` come back; other
    codes get an id made from their name. The result has no patterns: its themes are found
    by a trained model until patterns are added.
    """
    import yaml

    from ..codebook.definition import SEMVER, THEME_ID, parse_codebook

    path = Path(qdc_path)
    if not path.exists():
        raise InputFileError("file not found", path)
    if path.is_dir():
        raise InputFileError("is a directory, not a file", path)
    root = parse_xml(path.read_bytes(), "the codebook", path)
    if local(root) != "CodeBook":
        raise InputFileError(f"holds <{local(root)}>, not a REFI-QDA <CodeBook>", path)
    if validate:
        check_schema(root, "Codebook.xsd", "the codebook", path)
    origin = root.get("origin") or ""
    ours = origin.startswith("kcc-text")
    ref = re.search(r"codebook (\S+)@(\S+?);", origin + ";")
    language = re.search(r"language ([A-Za-z_-]+)", origin)
    name = ref.group(1) if ours and ref else slugify(path.stem, set()).replace("_", "-")
    version = ref.group(2) if ours and ref and SEMVER.match(ref.group(2)) else "0.1.0"
    no_theme = {n.casefold() for n in NO_THEME_NAMES.values()}

    themes, taken = [], set()
    stack = list(reversed([c for codes in children(root, "Codes") for c in children(codes, "Code")]))
    codes = []
    while stack:
        code = stack.pop()
        codes.append(code)
        stack.extend(reversed(children(code, "Code")))
    for code in codes:
        label = (code.get("name") or "").strip()
        if code.get("isCodable") == "false" or not label or label.casefold() in no_theme:
            continue
        fields = parse_code_description(child_text(code, "Description"))
        wanted = fields.get("id", "")
        theme_id = wanted if THEME_ID.match(wanted) and wanted not in taken else slugify(label, taken)
        taken.add(theme_id)
        theme: dict = {"id": theme_id, "label": label}
        if fields["description"]:
            theme["description"] = fields["description"]
        for key in ("include", "exclude", "examples", "questions"):
            if fields.get(key):
                theme[key] = fields[key]
        if fields.get("negation") in ("exclude", "require"):
            theme["negation"] = fields["negation"]
        themes.append(theme)
    if not themes:
        raise InputFileError("has no codable codes", path)
    questions: dict[str, str] = {}
    if ours:
        for sets in children(root, "Sets"):
            for set_el in children(sets, "Set"):
                questions[set_el.get("name")] = child_text(set_el, "Description").strip()
    for theme in themes:
        for key in theme.get("questions", []):
            questions.setdefault(key, "")
    data = {"codebook": name, "version": version, "language": language.group(1) if ours and language else "nl"}
    if questions:
        data["questions"] = questions
    data["themes"] = themes
    text = (f"# Imported from {path.name} ({origin or 'REFI-QDA codebook'}) by kcc-text {kcc_version()}.\n"
            "# REFI-QDA codebooks hold no patterns: add them, or train a model, before coding.\n"
            + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100))
    parse_codebook(text, path)  # the result must be a valid codebook; a CodebookError names the problem
    return text
