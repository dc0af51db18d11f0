"""Pseudonymising coded answers after coding: the texts, the input's own text column and the evidence words.

Coding runs on the original words, so a theme is found whatever the pseudonymiser replaces;
only what is written is pseudonymised. The `evidence` column quotes words of the answer (the
words a codebook pattern matched), and a pattern with a wildcard ("klant * helpen") can take
in a name, so every quoted phrase that overlaps replaced personal data is rewritten with the
same tags as the text. Tags are numbered per respondent across all chunks of a file.
"""

from __future__ import annotations

from collections.abc import Sequence

from .pseudonymise import KINDS, Entity, Pseudonymiser, TagRegister, with_tags


class CodedPseudonymiser:
    """Pseudonymises chunks of a coded file in place of their texts; counts what it replaced.

    `text_columns`: input columns that hold the same text as `text` (a long file read with
    `--text-col antwoord` keeps `antwoord` beside `text`); they get the pseudonymised text too.
    `respondent_col`: whose tags are numbered together (default `respondent_id` when a chunk
    has it, else `id`, which in a long file made from wide input names the respondent).
    """

    def __init__(self, pseudonymiser: Pseudonymiser, *, text_columns: Sequence[str] = (),
                 respondent_col: str | None = None):
        self.pseudonymiser = pseudonymiser
        self.text_columns = tuple(c for c in text_columns if c != "text")
        self.respondent_col = respondent_col
        self.registers: dict[object, TagRegister] = {}
        self.counts = dict.fromkeys(KINDS, 0)
        self.n_changed = 0

    def __call__(self, coded):
        """A copy of one coded chunk with `text`, the text columns and `evidence` pseudonymised."""
        if "text" not in coded.columns:
            return coded
        owner_col = self.respondent_col or ("respondent_id" if "respondent_id" in coded.columns else "id")
        owners = list(coded[owner_col]) if owner_col in coded.columns else [None] * len(coded)
        evidence = list(coded["evidence"]) if "evidence" in coded.columns else None
        texts, phrases = [], []
        for index, (text, owner) in enumerate(zip(coded["text"], owners)):
            if not isinstance(text, str) or not text:
                texts.append(text)
                phrases.append(evidence[index] if evidence is not None else None)
                continue
            register = TagRegister() if owner is None else self.registers.setdefault(owner, TagRegister())
            tagged = self.pseudonymiser.tagged(text, register)
            for entity, _tag in tagged:
                self.counts[entity.kind] = self.counts.get(entity.kind, 0) + 1
            self.n_changed += bool(tagged)
            texts.append(with_tags(text, tagged))
            if evidence is not None:
                phrases.append(pseudonymise_evidence(evidence[index], text, tagged) if tagged else evidence[index])
        out = coded.copy()
        out["text"] = texts
        for column in self.text_columns:
            if column in out.columns:
                out[column] = texts
        if evidence is not None:
            out["evidence"] = phrases
        return out


def pseudonymise_evidence(evidence, text: str, tagged: Sequence[tuple[Entity, str]]):
    """The `evidence` cell of a coded answer with every phrase that touches replaced data rewritten.

    A phrase is found in the answer (after the pipeline's same-length normalisation of quotes
    and spaces, which the phrases went through); where it overlaps a replaced span it becomes
    that stretch of the pseudonymised answer, widened to whole tags ("klant Pieter" ->
    "klant [PERSOON-1]"). A phrase that cannot be found is kept only when it shares no word
    with the replaced data.
    """
    from ..io.coded import format_evidence, parse_evidence
    from ..nlp.pipeline import normalise

    if not isinstance(evidence, str) or not evidence.strip() or not tagged:
        return evidence
    plain = normalise(text)
    replaced_words = {word.casefold() for entity, _ in tagged for word in entity.text.split()}
    rewritten: dict[str, list[str]] = {}
    for theme, phrases in parse_evidence(evidence).items():
        kept = []
        for phrase in phrases:
            shown = _phrase(normalise(phrase), plain, text, tagged)
            if shown is _UNTOUCHED:
                shown = phrase
            elif shown is None:
                shown = None if {w.casefold() for w in phrase.split()} & replaced_words else phrase
            if shown is not None and shown not in kept:
                kept.append(shown)
        if kept:
            rewritten[theme] = kept
    return format_evidence(rewritten)


_UNTOUCHED = object()


def _phrase(phrase: str, plain: str, text: str, tagged):
    """The pseudonymised form of `phrase` at its first occurrence that touches replaced data;
    `_UNTOUCHED` when no occurrence does, None when the phrase is not in the answer."""
    if not phrase:
        return _UNTOUCHED
    starts = []
    position = plain.find(phrase)
    while position >= 0:
        starts.append(position)
        position = plain.find(phrase, position + 1)
    if not starts:
        lowered = plain.casefold()
        if len(lowered) == len(plain):  # casefold can change lengths ("ß"); then offsets are lost
            position = lowered.find(phrase.casefold())
            while position >= 0:
                starts.append(position)
                position = lowered.find(phrase.casefold(), position + 1)
    if not starts:
        return None
    for start in starts:
        end = start + len(phrase)
        touching = [(entity, tag) for entity, tag in tagged if entity.start < end and start < entity.end]
        if touching:
            left = min(start, touching[0][0].start)
            right = max(end, touching[-1][0].end)
            shifted = [(Entity(e.start - left, e.end - left, e.kind, e.text), tag) for e, tag in touching]
            return with_tags(text[left:right], shifted)
    return _UNTOUCHED


def for_answers(codebook, answers=None) -> CodedPseudonymiser:
    """A CodedPseudonymiser for the coded chunks of an opened answers file (`io.corpus.Answers`).

    The codebook's pattern words are never replaced; a long file's own text column (when it is
    not called `text`) is pseudonymised with `text`.
    """
    layout = getattr(answers, "layout", None)
    columns = (layout.text_columns[0].column,) if layout is not None and not layout.wide else ()
    return CodedPseudonymiser(Pseudonymiser(codebook=codebook), text_columns=columns)


class LazyPseudonymise:
    """`(texts, respondent_ids) -> (texts, counts)`, loading deduce only when first called.

    For the report, which shows a few example answers and none with `--examples 0`: loading
    deduce takes a second or more, and nothing when there is nothing to show.
    """

    def __init__(self, codebook=None):
        self.codebook = codebook
        self._pseudonymiser: Pseudonymiser | None = None

    def __call__(self, texts, respondent_ids=None):
        if self._pseudonymiser is None:
            self._pseudonymiser = Pseudonymiser(codebook=self.codebook)
        return self._pseudonymiser.pseudonymise(list(texts), respondent_ids)
