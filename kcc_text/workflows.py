"""The jobs the commands run, end to end: read, compute, write. Nothing here prints."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from .codebook import load_codebook
from .corpus import ColumnMap, read_corpus
from .files import check_output_path, write_csv_atomic


@dataclass(frozen=True)
class CodeSummary:
    n_answers: int
    n_with_theme: int
    n_review: int
    codebook_ref: str
    pipeline: str


def code_corpus_file(corpus_path, codebook_path, out_path, *, model_path=None, target_precision=None,
                     spacy_model=None, columns: ColumnMap = ColumnMap(), progress=None) -> CodeSummary:
    """Code a corpus file and write the coded CSV atomically; return counts for the summary line."""
    from .coding import Coder, code_frame

    out = check_output_path(out_path, [corpus_path, codebook_path, model_path])
    codebook = load_codebook(codebook_path)
    frame = read_corpus(corpus_path, columns)
    model = None
    if model_path is not None:
        from .model_io import load_model

        model = load_model(model_path)
    coder = Coder(codebook, model=model, spacy_model=spacy_model, target_precision=target_precision)
    bar = progress(len(frame)) if progress is not None else contextlib.nullcontext(None)
    with bar as advance:
        coded = code_frame(frame, coder, progress=advance)
    write_csv_atomic(coded, out)
    return CodeSummary(
        n_answers=len(coded), n_with_theme=int((coded["themes"] != "").sum()),
        n_review=int(coded["needs_review"].sum()), codebook_ref=codebook.ref, pipeline=coder.pipeline,
    )
