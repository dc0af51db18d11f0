"""`kcc-text evaluate`: score rules, model and hybrid against gold codes, and the review trade-off."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import console, guard
from .options import (CodebookOpt, IdCol, IgnoreUnknownThemes, ModelOpt, QuestionCol, SpacyModel, TextCol,
                      WaveCol, column_map)


@guard
def evaluate(
    corpus: Annotated[Path, typer.Argument(help="Answers: CSV, XLSX or SPSS .sav with id and text columns.")],
    labels: Annotated[Path, typer.Argument(help="Gold codes (labels CSV: id, theme).")],
    codebook: CodebookOpt,
    model: ModelOpt = None,
    folds: Annotated[int, typer.Option(
        "--folds", min=2, help="Folds of the cross-validation when no --model is given.")] = 5,
    spacy_model: SpacyModel = None,
    id_col: IdCol = "id", text_col: TextCol = "text", wave_col: WaveCol = "wave",
    question_col: QuestionCol = "question",
    ignore_unknown_themes: IgnoreUnknownThemes = False,
) -> None:
    """Per-theme precision, recall, F1 and kappa of rules, model and hybrid; share coded automatically per target."""
    from ..render.evaluate import evaluation_caption, scores_table, tradeoff_table
    from ..jobs import evaluate_files

    result = evaluate_files(corpus, labels, codebook, model_path=model, folds=folds, spacy_model=spacy_model,
                            columns=column_map(id_col, text_col, wave_col, question_col),
                            ignore_unknown_themes=ignore_unknown_themes)
    console.print(evaluation_caption(result), highlight=False)
    console.print(scores_table(result))
    console.print(tradeoff_table(result))
