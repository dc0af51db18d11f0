"""`kcc-text evaluate`: score rules, model and hybrid against gold codes, and the review trade-off."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import console, guard, notice
from .options import (AllowCodebookChange, CodebookOpt, IgnoreUnknownThemes, HeaderRow, IdCol, ModelOpt, QuestionCol, QuestionKey, SheetOpt, SkipRows,
                      SpacyModel, TextCols, WaveCol, answer_options)


@guard
def evaluate(
    corpus: Annotated[Path, typer.Argument(help="Answers: CSV, XLSX or SPSS .sav with id and text columns.")],
    labels: Annotated[Path, typer.Argument(help="Gold codes (labels CSV: id, theme).")],
    codebook: CodebookOpt,
    model: ModelOpt = None,
    allow_codebook_change: AllowCodebookChange = False,
    folds: Annotated[int, typer.Option(
        "--folds", min=2, help="Folds of the cross-validation when no --model is given.")] = 5,
    predictions: Annotated[Path | None, typer.Option(
        "--predictions", help="With --model: write the scored predictions here, in the coded-output "
                              "format (the rows `code` writes for these answers).")] = None,
    target_precision: Annotated[float | None, typer.Option(
        "--target-precision", help="With --predictions: the target precision that sets needs_review, "
                                   "as in `code` (default 0.9).")] = None,
    spacy_model: SpacyModel = None,
    id_col: IdCol = "id", text_col: TextCols = None, wave_col: WaveCol = "wave",
    question_col: QuestionCol = "question", question: QuestionKey = None, sheet: SheetOpt = None,
    header_row: HeaderRow = 1, skip_rows: SkipRows = None,
    ignore_unknown_themes: IgnoreUnknownThemes = False,
    features: Annotated[str, typer.Option(
        "--features", envvar="KCC_TEXT_FEATURES", help="Without --model: lexical, semantic (needs the `semantic` extra) or auto.")] = "auto",
) -> None:
    """Per-theme precision, recall, F1 and kappa of rules, model and hybrid; share coded automatically per target."""
    from ..render.evaluate import decided_by_line, evaluation_caption, scores_table, tradeoff_table
    from ..jobs import evaluate_files

    options = answer_options(id_col, text_col, wave_col, question_col, question, sheet, header_row, skip_rows)
    result = evaluate_files(corpus, labels, codebook, model_path=model, folds=folds, spacy_model=spacy_model,
                            predictions_path=predictions, target_precision=target_precision,
                            columns=options, on_notice=notice, allow_codebook_change=allow_codebook_change,
                            ignore_unknown_themes=ignore_unknown_themes, features=features)
    console.print(evaluation_caption(result), highlight=False)
    console.print(scores_table(result))
    console.print(tradeoff_table(result))
    if result.decided_by:
        console.print(decided_by_line(result.decided_by), highlight=False, soft_wrap=True)
    if predictions is not None:
        console.print(f"Scored predictions of {result.n_answers} answers -> {predictions}", highlight=False,
                      soft_wrap=True)
