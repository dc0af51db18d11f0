"""Coding by hand: a queue of answers with suggested themes, and a session that records each decision.

`AnnotationSession` is a plain state machine: the terminal (or a test) feeds it keys
and shows its state; it never reads or prints by itself. Every decision is appended to
the labels file at once (with coder, time and codebook version), so an interrupted run
loses nothing, and the next run skips what this coder has already decided.

The labels file is append-only. "Undo" shows the previous answer again; a new decision
for it is appended with a later time, and the latest decision per answer and coder is
the one that counts (`labels.label_sets`). Until then the earlier decision stands.

A blind session (an audit) shows nothing of the machine: no suggested or pre-ticked theme,
no score, no rules evidence, and the answers in file order (least-sure-first would tell the
coder which answers the machine found hard).
"""

from __future__ import annotations

import csv
import string
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ..errors import InputFileError, UsageError

ACCEPT_KEYS = ("\r", "\n")
NO_THEME_KEY = "0"
SKIP_KEY = "s"
UNDO_KEY = "u"
MORE_KEY = " "  # the next lines of an answer too long for the screen
QUIT_KEYS = ("q", "\x1b", "")  # "" is the end of scripted input
ACTION_KEYS = {SKIP_KEY, UNDO_KEY, "q"}
# Themes get 1-9, then the letters the actions do not use.
THEME_KEYS = "123456789" + "".join(c for c in string.ascii_lowercase if c not in ACTION_KEYS)
SESSION_COLUMNS = ["id", "theme", "coder", "coded_at", "wave", "question", "codebook"]
ORDERS = ("uncertain", "input")


@dataclass(frozen=True)
class AnnotationItem:
    id: str
    text: str
    wave: str
    question: str
    suggested: tuple[str, ...]
    scores: dict[str, float] | None
    needs_review: bool
    applicable: tuple[str, ...]  # the themes the codebook applies to this answer's question


def margin(scores: dict[str, float] | None, themes: Iterable[str]) -> float:
    """How sure the model is: the smallest distance of any theme's probability from 0.5."""
    if not scores:
        return 0.5
    values = [abs(scores[t] - 0.5) for t in themes if t in scores]
    return min(values) if values else 0.5


def build_queue(frame, codes: Sequence, codebook, *, order: str = "uncertain", only_review: bool = False,
                done: Iterable[str] = ()) -> list[AnnotationItem]:
    """The answers to code, least sure first (active learning) or in input order.

    Without model scores "least sure" means: answers no rule matched come first.
    Answers already decided (`done`) and empty answers, which get no theme anyway, are left out.
    """
    if order not in ORDERS:
        raise UsageError(f"order must be one of {', '.join(ORDERS)} (got '{order}')")
    done = set(done)
    items = []
    for row, code in zip(frame.to_dict("records"), codes):
        if row["id"] in done or not str(row["text"]).strip():
            continue
        if only_review and not code.needs_review:
            continue
        question = str(row.get("question", "") or "")
        applicable = tuple(t.id for t in codebook.themes_for(question or None))
        items.append(AnnotationItem(
            id=row["id"], text=str(row["text"]), wave=str(row.get("wave", "") or ""), question=question,
            suggested=tuple(t for t in code.themes if t in applicable), scores=code.scores,
            needs_review=bool(code.needs_review), applicable=applicable,
        ))
    if order == "uncertain":
        def sureness(pair):
            index, item = pair
            if item.scores:
                return (margin(item.scores, item.applicable), index)
            return (0.0 if not item.suggested else 0.5, index)

        items = [item for _, item in sorted(enumerate(items), key=sureness)]
    return items


def coded_by(labels_path: str | Path, coder: str, by_question: bool = False) -> set[str]:
    """Answers this coder has already decided in a labels file (empty when the file is new).

    Ids, or "id · question" keys (`io.keys`) when `by_question`.
    """
    from ..io.keys import answer_keys
    from ..io.labels import read_labels

    path = Path(labels_path)
    if not path.exists() or path.stat().st_size == 0:
        return set()
    labels = read_labels(path)
    mine = labels[labels["coder"] == coder]
    return set(answer_keys(mine, by_question, path)) if len(mine) else set()


def prepare_labels_file(labels_path: str | Path) -> list[str]:
    """Make sure decisions can be appended with coder and time; return the file's columns.

    A new file gets a header with a `codebook` column. An existing file without coder and
    coded_at columns cannot record who decided when, and is never rewritten: refuse it.
    """
    from ..io.writing import write_text_atomic

    path = Path(labels_path)
    if not path.exists() or path.stat().st_size == 0:
        write_text_atomic(path, ",".join(SESSION_COLUMNS) + "\n")
        return list(SESSION_COLUMNS)
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh), [])
    except (UnicodeDecodeError, csv.Error):
        raise InputFileError("is not a UTF-8 labels CSV", path) from None
    header = [h.strip() for h in header]
    missing = [c for c in ("id", "theme", "coder", "coded_at") if c not in header]
    if missing:
        raise InputFileError(f"has no '{missing[0]}' column, so decisions cannot be recorded in it "
                             "(it is never rewritten): annotate into a new labels file", path)
    return header


class AnnotationSession:
    """One coder working through a queue: accept, toggle themes, no theme, skip, undo, quit."""

    def __init__(self, items: list[AnnotationItem], codebook, coder: str, labels_path: str | Path,
                 now: Callable[[], datetime] | None = None, *, blind: bool = False):
        if not coder.strip():
            raise UsageError("must name the person coding", setting="coder")
        if len(codebook.themes) > len(THEME_KEYS):
            raise UsageError(f"codebook {codebook.ref} has {len(codebook.themes)} themes; annotate gives keys "
                             f"to at most {len(THEME_KEYS)}")
        self.items = items
        self.codebook = codebook
        self.coder = coder.strip()
        self.labels_path = Path(labels_path)
        self._now = now or (lambda: datetime.now(timezone.utc))
        self._last_stamp: datetime | None = None
        self.keys = dict(zip(THEME_KEYS, codebook.theme_ids))
        self.key_of = {theme: key for key, theme in self.keys.items()}
        self.position = 0
        self.selected: set[str] = set()
        self.recorded: dict[int, frozenset[str]] = {}
        self.history: list[int] = []
        self.message = ""
        self.n_saved = 0
        self.n_skipped = 0
        self.stopped = False
        self.page = 0  # which screenful of a long answer is shown (the screen wraps it round)
        # Blind: nothing is ticked beforehand, so Enter on nothing is more likely a slip than a decision.
        self.blind = blind
        self._load_selection()

    @property
    def current(self) -> AnnotationItem | None:
        return self.items[self.position] if self.position < len(self.items) else None

    @property
    def done(self) -> bool:
        return self.stopped or self.current is None

    @property
    def remaining(self) -> int:
        """Answers in the queue without a decision in this session (skipped ones included)."""
        return sum(1 for i in range(len(self.items)) if i not in self.recorded)

    def _load_selection(self) -> None:
        self.page = 0
        item = self.current
        if item is None:
            self.selected = set()
        elif self.position in self.recorded:
            self.selected = set(self.recorded[self.position])
        else:
            self.selected = set(item.suggested)

    def _advance(self) -> None:
        self.position += 1
        self._load_selection()

    def _stamp(self) -> str:
        stamp = self._now().astimezone(timezone.utc)
        # Strictly increasing, so a redecision is always the latest even within one microsecond.
        if self._last_stamp is not None and stamp <= self._last_stamp:
            stamp = self._last_stamp + timedelta(microseconds=1)
        self._last_stamp = stamp
        return stamp.isoformat(timespec="microseconds")

    # --- actions -----------------------------------------------------------------------------

    def toggle(self, theme: str) -> None:
        item = self.current
        if item is None:
            return
        if theme not in item.applicable:
            self.message = f"theme {theme} does not apply to question {item.question}"
            return
        self.selected ^= {theme}
        self.message = ""

    def accept(self) -> None:
        if self.blind and not self.selected:
            self.message = f"nothing ticked: press {NO_THEME_KEY} if no theme applies"
            return
        self._decide(frozenset(self.selected))

    def no_theme(self) -> None:
        self._decide(frozenset())

    def skip(self) -> None:
        if self.current is None:
            return
        self.n_skipped += 1
        self.message = f"skipped {self.current.id}"
        self._advance()

    def undo(self) -> None:
        if not self.history:
            self.message = "nothing to undo"
            return
        self.position = self.history.pop()
        self._load_selection()
        self.message = (f"back to {self.current.id}: its saved decision stands until you decide again")

    def quit(self) -> None:
        self.stopped = True

    def _decide(self, themes: frozenset[str]) -> None:
        from ..io.labels import append_labels

        item = self.current
        if item is None:
            return
        if self.recorded.get(self.position) != themes:
            stamp = self._stamp()
            base = {"id": item.id, "coder": self.coder, "coded_at": stamp, "wave": item.wave,
                    "question": item.question, "codebook": self.codebook.ref}
            ordered = [t for t in self.codebook.theme_ids if t in themes]
            append_labels(self.labels_path, [{**base, "theme": t} for t in ordered or [""]])
            self.n_saved += 1
            self.message = f"saved {item.id}: {', '.join(ordered) or 'no theme'}"
        else:
            self.message = f"{item.id} unchanged"
        self.recorded[self.position] = themes
        self.history.append(self.position)
        self._advance()

    def handle(self, key: str) -> None:
        """Apply one key press."""
        self.message = ""
        if key in ACCEPT_KEYS:
            self.accept()
        elif key in QUIT_KEYS:
            self.quit()
        elif key == NO_THEME_KEY:
            self.no_theme()
        elif key == SKIP_KEY:
            self.skip()
        elif key == UNDO_KEY:
            self.undo()
        elif key == MORE_KEY:
            self.page += 1
        elif key.lower() in self.keys:
            self.toggle(self.keys[key.lower()])
        else:
            self.message = f"unknown key {key!r}"

    def run(self, read_key: Callable[[], str], show: Callable[[AnnotationSession], None]) -> None:
        """Show the state, read a key, apply it; until the queue is done or the coder quits."""
        while not self.done:
            show(self)
            self.handle(read_key())


@dataclass(frozen=True)
class SessionPlan:
    """Everything an annotation run needs, prepared before the first answer is shown."""

    session: AnnotationSession
    n_answers: int
    n_done_before: int
    records_codebook: bool  # False: the labels file has no codebook column to record the version in
    notes: list[str] = field(default_factory=list)


def plan_session(corpus_path, codebook_path, labels_path, coder: str, *, model_path=None,
                 order: str | None = None, only_review: bool = False, columns=None, spacy_model=None,
                 now: Callable[[], datetime] | None = None, blind: bool = False) -> SessionPlan:
    """Read everything, suggest themes for the answers not yet coded by `coder`, and open a session.

    `order`: "uncertain" (the default) or "input" (the only order of a `blind` session).
    """
    from ..codebook.definition import load_codebook
    from ..coding import AnswerCode
    from ..io.corpus import read_answers
    from ..io.keys import answer_keys, keyed_by_question
    from ..io.writing import check_output_path

    if not coder.strip():
        raise UsageError("must name the person coding", setting="coder")
    if blind:
        check_blind(model_path=model_path, order=order, only_review=only_review)
    order = order or ("input" if blind else "uncertain")
    check_output_path(labels_path, [corpus_path, codebook_path, model_path])
    codebook = load_codebook(codebook_path)
    notes = []
    frame = read_answers(corpus_path, columns, codebook=codebook, on_notice=notes.append)
    # A wide file's answers share their respondent's id: there (id, question) names an answer.
    by_question = keyed_by_question(frame)
    keys = answer_keys(frame, by_question, corpus_path)
    done = coded_by(labels_path, coder.strip(), by_question=by_question)
    header = prepare_labels_file(labels_path)
    todo = frame[~keys.isin(done).to_numpy()].reset_index(drop=True)
    codes = ([AnswerCode((), {}, {}, None, False)] * len(todo) if blind
             else suggest(todo, codebook, model_path=model_path, spacy_model=spacy_model))
    items = build_queue(todo, codes, codebook, order=order, only_review=only_review)
    session = AnnotationSession(items, codebook, coder, labels_path, now=now, blind=blind)
    if "codebook" not in header:
        notes.append(f"{Path(labels_path).name} has no codebook column: the codebook version is not recorded")
    return SessionPlan(session, len(frame), len(done & set(keys)), "codebook" in header, notes)


def check_blind(*, model_path=None, order: str | None = None, only_review: bool = False) -> None:
    """A blind session takes nothing from the machine: refuse the settings that would."""
    if model_path is not None:
        raise UsageError("is not used when coding blind: no suggestion may be shown", setting="model")
    if only_review:
        raise UsageError("picks answers by the machine's codes, which a blind coder must not know",
                         setting="only_review")
    if order not in (None, "input"):
        raise UsageError(f"{order} would put answers in the machine's order: blind coding goes in file order",
                         setting="order")


def suggest(frame, codebook, *, model_path=None, spacy_model=None) -> list:
    """Suggested codes per answer: the codebook's rules, plus the model when one is given."""
    from ..coding import AnswerCode, Coder

    model = None
    if model_path is not None:
        from ..model.persistence import load_model

        model = load_model(model_path)
    elif not codebook.has_patterns:
        # Nothing can suggest themes: every answer starts empty and is equally uncertain.
        return [AnswerCode((), {}, {}, None, True) for _ in range(len(frame))]
    coder = Coder(codebook, model=model, spacy_model=spacy_model)
    questions = frame["question"].tolist() if "question" in frame.columns else [None] * len(frame)
    return coder.code_texts(frame["text"].tolist(), [q or None for q in questions])
