"""The jobs the commands run, end to end: read, compute, write. Nothing here prints."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from .codebook import load_codebook
from .corpus import ColumnMap, iter_corpus
from .files import check_output_path, write_csv_chunks_atomic


@dataclass(frozen=True)
class CodeSummary:
    n_answers: int
    n_with_theme: int
    n_review: int
    codebook_ref: str
    pipeline: str


def code_corpus_file(corpus_path, codebook_path, out_path, *, model_path=None, target_precision=None,
                     spacy_model=None, columns: ColumnMap = ColumnMap(), progress=None,
                     chunk_size: int = 2000) -> CodeSummary:
    """Code a corpus file chunk by chunk and write the coded CSV atomically.

    Memory holds one chunk at a time, so it does not grow with the number of answers.
    """
    from .coding import Coder, coded_chunk, check_input_columns

    out = check_output_path(out_path, [corpus_path, codebook_path, model_path])
    codebook = load_codebook(codebook_path)
    model = None
    if model_path is not None:
        from .model_io import load_model

        model = load_model(model_path)
    coder = Coder(codebook, model=model, spacy_model=spacy_model, target_precision=target_precision)
    counts = {"themed": 0, "review": 0}

    def coded_chunks(advance):
        for chunk in iter_corpus(corpus_path, columns, chunk_size=chunk_size):
            check_input_columns(chunk, corpus_path)
            coded = coded_chunk(chunk, coder)
            counts["themed"] += int((coded["themes"] != "").sum())
            counts["review"] += int(coded["needs_review"].sum())
            if advance is not None:
                advance(len(coded))
            yield coded

    bar = progress() if progress is not None else contextlib.nullcontext(None)
    with bar as advance:
        n = write_csv_chunks_atomic(coded_chunks(advance), out)
    return CodeSummary(n_answers=n, n_with_theme=counts["themed"], n_review=counts["review"],
                       codebook_ref=codebook.ref, pipeline=coder.pipeline)
