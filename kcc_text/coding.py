"""Coding answers: rules (and, when given, a trained model) turn texts into theme sets.

The coded frame keeps the input's rows in order with all their columns, and adds the
contract's columns (`themes`, `needs_review`, `codebook`) plus the evidence a person
needs to check a code: the matched words, the source of each theme and the model score.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .codebook.definition import Codebook
from .errors import UsageError
from .nlp.pipeline import analyse, load_pipeline, pipeline_id
from .rules import RuleMatcher

OUTPUT_COLUMNS = ("themes", "needs_review", "codebook", "pipeline", "model", "confidence", "evidence")
SPSS_MAX_NAME = 64


def spss_name(prefix: str, theme_id: str) -> str:
    """A variable name SPSS accepts: starts with a letter, at most 64 bytes, no trailing period."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", f"{prefix}_{theme_id}")[:SPSS_MAX_NAME]
    return name.rstrip("._")


def theme_columns(codebook: Codebook, prefix: str) -> dict[str, str]:
    names: dict[str, str] = {}
    used: set[str] = set()
    for theme_id in codebook.theme_ids:
        name = spss_name(prefix, theme_id)
        candidate, n = name, 1
        while candidate.lower() in used:  # SPSS names are case-insensitive
            n += 1
            candidate = f"{name[:SPSS_MAX_NAME - len(str(n))]}{n}"
        used.add(candidate.lower())
        names[theme_id] = candidate
    return names


@dataclass(frozen=True)
class AnswerCode:
    """The coding of one answer."""

    themes: tuple[str, ...]
    evidence: dict[str, list[str]]
    sources: dict[str, str]
    scores: dict[str, float] | None
    needs_review: bool


class Coder:
    """Codes texts with a codebook's rules, and with a trained model when one is given."""

    def __init__(self, codebook: Codebook, *, model=None, spacy_model: str | None = None,
                 target_precision: float | None = None):
        if target_precision is not None:
            if model is None:
                raise UsageError("--target-precision needs --model: without a trained model there is "
                                 "no estimate of how often a code is right")
            if not 0.0 < target_precision < 1.0:
                raise UsageError(f"target precision must be between 0 and 1 (got {target_precision})")
        if model is None and not codebook.has_patterns:
            raise UsageError(f"codebook {codebook.ref} has no patterns, so its themes can only be found "
                             "by a trained model: give --model")
        if model is not None:
            model.check_codebook(codebook)
        self.codebook = codebook
        self.model = model
        self.target_precision = target_precision
        self.nlp = load_pipeline(spacy_model)
        if model is not None:
            trained_with = model.card.get("pipeline")
            # Lemmas from another pipeline give the model features it never saw in training.
            if trained_with and trained_with != pipeline_id(self.nlp):
                from .errors import ModelError

                raise ModelError(f"model was trained with the Dutch pipeline {trained_with}, but coding would "
                                 f"use {pipeline_id(self.nlp)}; use the same --spacy-model as in training "
                                 "or retrain", getattr(model, "path", None))
        self.rules = RuleMatcher(codebook, self.nlp)

    @property
    def pipeline(self) -> str:
        return pipeline_id(self.nlp)

    def code_texts(self, texts: list[str], questions: list[str | None],
                   batch_size: int = 512) -> list[AnswerCode]:
        docs = list(analyse(self.nlp, texts, batch_size=batch_size))
        evidence = [self.rules.match(doc, q) if doc.text.strip() else {} for doc, q in zip(docs, questions)]
        if self.model is not None:
            return self.model.code_docs(docs, evidence, questions, self.codebook, self.target_precision)
        return [_rules_only(e, doc) for e, doc in zip(evidence, docs)]


def _rules_only(evidence: dict[str, list[str]], doc) -> AnswerCode:
    themes = tuple(evidence)
    # Without a model nothing estimates how often a rule is right; an answer with words
    # but no matching pattern is the one a person must read.
    return AnswerCode(themes=themes, evidence=evidence, sources={t: "rules" for t in themes},
                      scores=None, needs_review=bool(doc.text.strip()) and not themes)


def code_frame(frame, coder: Coder, *, chunk_size: int = 2000,
               progress: Callable[[int], None] | None = None):
    """Code every answer of a corpus frame (from `read_corpus`); return the coded frame."""
    import pandas as pd

    check_input_columns(frame)
    parts = []
    for start in range(0, len(frame), chunk_size):
        chunk = frame.iloc[start:start + chunk_size]
        parts.append(coded_chunk(chunk, coder))
        if progress is not None:
            progress(len(chunk))
    if not parts:
        return coded_chunk(frame, coder)
    return pd.concat(parts, ignore_index=True)


def check_input_columns(frame, path=None) -> None:
    """An input column named like an output column would be silently overwritten: refuse it."""
    clash = [c for c in frame.columns if c in OUTPUT_COLUMNS or re.match(r"^(th|src|p)_", c)]
    if clash:
        raise UsageError(f"input column '{clash[0]}' has the name of an output column; rename it", path)


def coded_chunk(chunk, coder: Coder):
    """The coded rows of one chunk of a corpus frame."""
    texts = chunk["text"].tolist()
    questions = chunk["question"].tolist() if "question" in chunk.columns else [None] * len(chunk)
    questions = [q or None for q in questions]
    codes = coder.code_texts(texts, questions)
    return assemble(chunk, codes, coder)


def assemble(chunk, codes: Iterable[AnswerCode], coder: Coder):
    codes = list(codes)
    out = chunk.copy().reset_index(drop=True)
    cb = coder.codebook
    out["themes"] = [";".join(c.themes) for c in codes]
    out["needs_review"] = [int(c.needs_review) for c in codes]
    out["codebook"] = cb.ref
    out["pipeline"] = coder.pipeline
    if coder.model is not None:
        out["model"] = coder.model.model_id
    questions = out["question"].tolist() if "question" in out.columns else [None] * len(out)
    out["confidence"] = set_confidence(codes, questions, [not str(t).strip() for t in out["text"]], coder)
    out["evidence"] = [format_evidence(c.evidence) for c in codes]
    th, src = theme_columns(cb, "th"), theme_columns(cb, "src")
    p = theme_columns(cb, "p")
    columns = {}
    for theme_id in cb.theme_ids:
        columns[th[theme_id]] = [int(theme_id in c.themes) for c in codes]
    for theme_id in cb.theme_ids:
        columns[src[theme_id]] = [c.sources.get(theme_id, "") for c in codes]
    if coder.model is not None:
        for theme in cb.themes:
            # A theme that does not apply to the answer's question has no probability, not 0.
            columns[p[theme.id]] = [round(c.scores.get(theme.id, 0.0), 3)
                                    if c.scores and theme.applies_to(q or None) else ""
                                    for c, q in zip(codes, questions)]
    import pandas as pd

    return pd.concat([out, pd.DataFrame(columns, index=out.index)], axis=1)


def set_confidence(codes: list[AnswerCode], questions, empty, coder: Coder) -> list:
    """Per answer, the probability that its whole theme set is right; empty without a model."""
    if coder.model is None or not codes:
        return [""] * len(codes)
    from .model.set_confidence import theme_set_probability

    return [round(p, 3) for p in theme_set_probability(coder.model, codes, questions, coder.codebook, empty)]


def format_evidence(evidence: dict[str, list[str]]) -> str:
    return " | ".join(f"{theme}: {', '.join(words)}" for theme, words in evidence.items())


def parse_evidence(text: str) -> dict[str, list[str]]:
    """Read back the `evidence` column of a coded file."""
    result: dict[str, list[str]] = {}
    for part in (text or "").split(" | "):
        if ": " in part:
            theme, words = part.split(": ", 1)
            result[theme.strip()] = [w.strip() for w in words.split(", ") if w.strip()]
    return result
