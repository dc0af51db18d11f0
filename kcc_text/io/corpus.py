"""A researcher's answers file, as the options describe it, turned into the canonical long answers frame.

The canonical frame has one row per answer: `id`, `text`, then `wave` and `question` when
known, then every column of the input under its own name, in input order. Nothing is
renamed: an id held in `respondent` stays in `respondent` and is copied to `id`.

A wide file (one row per respondent, one column per open question; `--text-col
COLUMN=QUESTION`, repeatable) becomes one row per respondent x question, respondent by
respondent; its answer columns become the rows' `text`, so they are not repeated as
columns. An answer is then identified by (`id`, `question`), and ids may repeat across
questions; within a question an id is unique.

Every question key, in the data or in the options, must be one the codebook knows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputFileError, UsageError
from .tables import SourceMeta, TableOptions, open_table

CANONICAL = ("id", "text", "wave", "question")
# Our coded output: reading it back as answers undoes the formula defusing of the CSV writer.
CODED_MARKERS = ("themes", "needs_review", "codebook")


@dataclass(frozen=True)
class AnswerOptions:
    """Which columns hold what (`--id-col`, `--text-col` ..., `--question`) and where the rows are."""

    id: str = "id"
    text: tuple[str, ...] = ("text",)  # each "COLUMN" or "COLUMN=QUESTION"
    wave: str = "wave"
    question: str = "question"  # the question column
    question_key: str | None = None  # --question: the question of every answer, for a file without the column
    table: TableOptions = field(default_factory=TableOptions)

    @classmethod
    def of(cls, columns=None) -> AnswerOptions:
        """Options from an `AnswerOptions`, an `answers.ColumnMap` or None (the defaults)."""
        if columns is None:
            return cls()
        if isinstance(columns, cls):
            return columns
        text = columns.text
        return cls(id=columns.id, text=(text,) if isinstance(text, str) else tuple(text), wave=columns.wave,
                   question=columns.question)


@dataclass(frozen=True)
class TextColumn:
    column: str
    question: str | None  # None: the question comes from the question column or --question


@dataclass(frozen=True)
class Layout:
    """How the answers sit in the file: one text column (long), or one per question (wide)."""

    text_columns: tuple[TextColumn, ...]
    wide: bool

    @property
    def questions(self) -> list[str]:
        return [t.question for t in self.text_columns if t.question]


def layout_of(options: AnswerOptions) -> Layout:
    """Read `--text-col` values: a bare COLUMN keeps its meaning; COLUMN=QUESTION (or several) is a wide file."""
    specs = [s for s in options.text if s is not None] or ["text"]
    parsed = []
    for spec in specs:
        column, sep, question = spec.rpartition("=") if "=" in spec else (spec, "", "")
        column, question = column.strip(), question.strip()
        if not column or (sep and not question):
            raise UsageError(f"'{spec}': give COLUMN or COLUMN=QUESTION", setting="text_col")
        parsed.append((column, question or None))
    wide = len(parsed) > 1 or parsed[0][1] is not None
    if wide:
        # Several bare columns: each is its own question, named like the column.
        parsed = [(c, q or c) for c, q in parsed]
    columns = [c for c, _ in parsed]
    for name in columns:
        if columns.count(name) > 1:
            raise UsageError(f"names column '{name}' twice", setting="text_col")
    questions = [q for _, q in parsed if q]
    for key in questions:
        if questions.count(key) > 1:
            raise UsageError(f"gives question '{key}' to two columns; each question needs its own column",
                             setting="text_col")
    if wide and options.question_key is not None:
        raise UsageError("does not go with answer columns that name their question", setting="question")
    if wide and options.question != "question":
        raise UsageError("does not go with answer columns that name their question", setting="question_col")
    return Layout(tuple(TextColumn(c, q) for c, q in parsed), wide)


# --- question keys ----------------------------------------------------------------------------


def known_questions(codebook) -> set[str] | None:
    """The question keys a codebook knows: its `questions`, and every key a theme names.

    None when it declares none: then every theme applies to every answer, whatever its question.
    """
    keys = set(codebook.questions)
    for theme in codebook.themes:
        keys |= set(theme.questions or ())
    return keys or None


def unknown_questions_message(unknown, codebook, where: str = "") -> str:
    known = sorted(known_questions(codebook) or ())
    listed = ", ".join(f"'{q}'" for q in sorted(set(unknown)))
    what = "question key" if len(set(unknown)) == 1 else "question keys"
    return (f"{what} {listed}{where} not in codebook {codebook.ref}, so no theme would apply "
            f"(its questions: {', '.join(known)})")


def check_option_questions(layout: Layout, options: AnswerOptions, codebook) -> None:
    """The question keys given on the command line, before any answer is read."""
    known = known_questions(codebook) if codebook is not None else None
    if known is None:
        return
    given = layout.questions + ([options.question_key] if options.question_key else [])
    unknown = [q for q in given if q not in known]
    if unknown:
        where = " (from --question)" if options.question_key in unknown else " (from --text-col)"
        raise UsageError(unknown_questions_message(unknown, codebook, where))


# --- reading ----------------------------------------------------------------------------------


@dataclass
class Answers:
    """An answers file opened for reading: how it is laid out, what its source says, and its canonical chunks."""

    path: Path
    options: AnswerOptions
    layout: Layout
    meta: SourceMeta
    chunks: Iterator

    @property
    def notices(self) -> list[str]:
        return self.meta.notices

    @property
    def input_columns(self) -> list[str]:
        return self.meta.columns


def open_answers(path: str | Path, columns=None, *, codebook=None, chunk_size: int | None = None) -> Answers:
    """Open an answers file: canonical long chunks, checked (ids, columns, question keys against `codebook`)."""
    path = Path(path)
    options = AnswerOptions.of(columns)
    layout = layout_of(options)
    check_option_questions(layout, options, codebook)
    table = open_table(path, options.table, chunk_size)
    checker = _Canonical(path, options, layout, table.meta, codebook)
    return Answers(path, options, layout, table.meta, (checker(chunk) for chunk in table.chunks))


def read_answers(path: str | Path, columns=None, *, codebook=None,
                 on_notice: Callable[[str], None] | None = None):
    """The whole canonical long answers frame of a file (see `open_answers`)."""
    import pandas as pd

    answers = open_answers(path, columns, codebook=codebook)
    frames = list(answers.chunks)
    if on_notice is not None:
        for notice in answers.notices:
            on_notice(notice)
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


class SeenKeys:
    """The (id, question) keys of the answers read so far, to find a repeated one.

    Kept as 64-bit hashes in a few sorted numpy arrays (merged as they grow, like a binary
    counter): 8 bytes an answer, where a set of string pairs takes some 170, so reading a
    million answers does not hold a million ids. Two different keys share a hash with a
    chance of about 1 in 30 million for a million answers; that would be reported as a
    duplicate id.
    """

    def __init__(self):
        self._runs: list = []  # sorted hash arrays, largest first

    def first_repeat(self, keys: list[tuple[str, str]]) -> int | None:
        """The first row whose key came before (earlier in `keys`, or in earlier calls); else None.

        The keys of a call without a repeat are remembered.
        """
        import numpy as np
        import pandas as pd

        if not keys:
            return None
        hashes = pd.util.hash_array(np.array(["\x1f".join(k) for k in keys], dtype=object))
        order = np.argsort(hashes, kind="stable")
        ordered = hashes[order]
        repeated = np.zeros(len(keys), dtype=bool)
        repeated[order[1:][ordered[1:] == ordered[:-1]]] = True  # a later row of a key seen in this call
        for run in self._runs:
            at = np.minimum(np.searchsorted(run, hashes), len(run) - 1)
            repeated |= run[at] == hashes
        if repeated.any():
            return int(np.argmax(repeated))
        self._runs.append(ordered)
        while len(self._runs) > 1 and len(self._runs[-2]) <= 2 * len(self._runs[-1]):
            last = self._runs.pop()
            self._runs[-1] = np.sort(np.concatenate([self._runs[-1], last]), kind="stable")
        return None


class _Canonical:
    """Turns chunks of a table into canonical long chunks, checking ids and question keys across chunks."""

    def __init__(self, path: Path, options: AnswerOptions, layout: Layout, meta: SourceMeta, codebook):
        self.path, self.options, self.layout, self.meta = path, options, layout, meta
        self.codebook = codebook
        self.known = known_questions(codebook) if codebook is not None else None
        self.seen = SeenKeys()
        self.rows = 0
        self.roles: dict[str, str] | None = None
        self.undefuse = False

    def __call__(self, raw):
        if self.roles is None:
            self.roles = self._roles(raw)
            if self.meta.kind == "csv":
                from .audit_sample import is_audit_sample

                # Our coded files and audit samples were defused on writing; a researcher's file never was.
                self.undefuse = all(c in raw.columns for c in CODED_MARKERS) or is_audit_sample(self.path)
        if self.undefuse:
            from .writing import undefuse

            raw = raw.map(undefuse)
            raw.columns = [undefuse(c) for c in raw.columns]
        frame = self._wide(raw) if self.layout.wide else self._long(raw)
        self.rows += len(raw)
        return frame

    def _line(self, row: int) -> int:
        return self.meta.first_line + self.rows + row

    def _roles(self, raw) -> dict[str, str]:
        """The input column behind each canonical column (those that are there)."""
        path, options = self.path, self.options
        found = list(raw.columns)
        if not found:
            raise InputFileError("file has no columns", path)
        shown = ", ".join(found[:12]) + (" ..." if len(found) > 12 else "")
        roles = {}
        if options.id not in found:
            raise InputFileError(f"missing id column '{options.id}' (columns found: {shown})", path)
        roles["id"] = options.id
        for text in self.layout.text_columns:
            if text.column not in found:
                raise InputFileError(f"missing text column '{text.column}' (columns found: {shown})", path)
        if not self.layout.wide:
            roles["text"] = self.layout.text_columns[0].column
        if options.wave in found:
            roles["wave"] = options.wave
        elif options.wave != "wave":
            raise InputFileError(f"missing wave column '{options.wave}' (columns found: {shown})", path)
        if not self.layout.wide:
            if options.question in found:
                if options.question_key is not None:
                    raise UsageError(f"is for a file without a question column, and {path.name} has "
                                     f"one ('{options.question}')", path, setting="question")
                roles["question"] = options.question
            elif options.question != "question":
                raise InputFileError(f"missing question column '{options.question}' (columns found: {shown})",
                                     path)
        consumed = {t.column for t in self.layout.text_columns} if self.layout.wide else set()
        for name in CANONICAL:
            if name in found and roles.get(name, name) != name and name not in consumed:
                raise InputFileError(f"column '{name}' exists besides the column mapped to it "
                                     f"('{roles[name]}')", path)
            if self.layout.wide and name in ("text", "question") and name in found and name not in consumed:
                raise InputFileError(f"column '{name}' would be overwritten by the {name} of the answer columns "
                                     "(--text-col COLUMN=QUESTION); rename it", path)
        return roles

    def _ids(self, raw):
        ids = raw[self.roles["id"]].astype(str).str.strip()
        empty = (ids == "").to_numpy()
        if empty.any():
            raise InputFileError("empty id", self.path, line=self._line(int(empty.argmax())))
        return ids

    def _base(self, raw, ids):
        """The canonical id and wave columns, then every input column under its own name."""
        import pandas as pd

        columns = {"id": ids}
        if "wave" in self.roles:
            columns["wave"] = self.meta.labelled(self.roles["wave"], raw[self.roles["wave"]])
        return pd.DataFrame(columns, index=raw.index)

    def _check_questions(self, questions, rows) -> None:
        if self.known is None:
            return
        unknown = sorted(set(questions) - self.known - {""})
        if unknown:
            first = next(i for i, q in enumerate(questions) if q in unknown)
            raise InputFileError(unknown_questions_message(unknown, self.codebook), self.path,
                                 line=self._line(rows[first]))

    def _long(self, raw):
        import pandas as pd

        ids = self._ids(raw)
        frame = self._base(raw, ids)
        frame.insert(1, "text", raw[self.roles["text"]])
        if "question" in self.roles:
            questions = self.meta.labelled(self.roles["question"], raw[self.roles["question"]]).astype(str).str.strip()
            frame["question"] = questions
        elif self.options.question_key is not None:
            frame["question"] = self.options.question_key
        keys = list(zip(ids.tolist(), frame["question"].tolist() if "question" in frame.columns else [""] * len(frame)))
        row = self.seen.first_repeat(keys)
        if row is not None:
            answer_id, question = keys[row]
            detail = f" for question '{question}'" if question else ""
            raise InputFileError(f"duplicate id '{answer_id}'{detail}", self.path, line=self._line(row))
        if "question" in self.roles:
            self._check_questions(frame["question"].tolist(), list(range(len(frame))))
        rest = raw[[c for c in raw.columns if c not in frame.columns]]
        return pd.concat([frame, rest], axis=1).reset_index(drop=True)

    def _wide(self, raw):
        import pandas as pd

        ids = self._ids(raw)
        row = self.seen.first_repeat([(answer_id, "") for answer_id in ids])
        if row is not None:
            raise InputFileError(f"duplicate id '{ids.iloc[row]}'", self.path, line=self._line(row))
        base = self._base(raw, ids)
        consumed = {t.column for t in self.layout.text_columns}
        rest = raw[[c for c in raw.columns if c not in consumed and c not in base.columns]]
        parts = []
        for text in self.layout.text_columns:
            part = base.copy()
            part.insert(1, "text", raw[text.column])
            part["question"] = text.question
            parts.append(pd.concat([part, rest], axis=1))
        # Respondent by respondent, each respondent's questions in the order of --text-col.
        return pd.concat(parts).sort_index(kind="stable").reset_index(drop=True)
