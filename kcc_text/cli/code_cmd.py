"""`kcc-text code`: code a corpus file with a codebook (and optionally a trained model)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import console, err_console, guard
from .options import CodebookOpt, IdCol, ModelOpt, QuestionCol, SpacyModel, TextCol, WaveCol, column_map


@guard
def code(
    corpus: Annotated[Path, typer.Argument(help="Answers: CSV, XLSX or SPSS .sav with id and text columns.")],
    codebook: CodebookOpt,
    out: Annotated[Path, typer.Option("--out", "-o", help="Coded CSV to write.")],
    model: ModelOpt = None,
    target_precision: Annotated[float | None, typer.Option(
        "--target-precision", help="Code automatically only answers whose theme set is right with at "
                                   "least this probability, as measured on held-out folds at training "
                                   "time (needs --model; default 0.9 with a model); the rest get "
                                   "needs_review=1.")] = None,
    spacy_model: SpacyModel = None,
    id_col: IdCol = "id", text_col: TextCol = "text", wave_col: WaveCol = "wave",
    question_col: QuestionCol = "question",
) -> None:
    """Code open answers into themes and write the coded CSV."""
    from ..errors import UsageError
    from ..jobs import code_corpus_file

    if target_precision is not None and model is None:
        raise UsageError("--target-precision needs --model: without a trained model there is no estimate "
                         "of how often a code is right")
    summary = code_corpus_file(
        corpus, codebook, out, model_path=model, target_precision=target_precision, spacy_model=spacy_model,
        columns=column_map(id_col, text_col, wave_col, question_col), progress=_progress_factory(),
    )
    console.print(f"Coded {summary.n_answers} answers with {summary.codebook_ref} "
                  f"({summary.n_with_theme} with a theme, {summary.n_review} to review) -> {out}",
                  highlight=False, soft_wrap=True)


def _progress_factory():
    """A Rich progress bar on stderr, or nothing when stderr is not a terminal."""
    if not err_console.is_terminal:
        return None
    import contextlib

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    @contextlib.contextmanager
    def bar():
        with Progress("coding", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err_console, transient=True) as progress:
            task = progress.add_task("coding", total=None)
            yield lambda n: progress.advance(task, n)

    return bar
