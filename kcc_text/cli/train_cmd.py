"""`kcc-text train`: train the theme classifier on coded answers and save it with its model card."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import console, guard, notice
from .options import (CodebookOpt, HeaderRow, IdCol, IgnoreUnknownThemes, QuestionCol, QuestionKey, SheetOpt, SkipRows,
                      SpacyModel, TextCols, WaveCol, answer_options)


@guard
def train(
    corpus: Annotated[Path, typer.Argument(help="Answers: CSV, XLSX or SPSS .sav with id and text columns.")],
    labels: Annotated[Path, typer.Argument(help="Human codes (labels CSV: id, theme) for some or all answers.")],
    codebook: CodebookOpt,
    out: Annotated[Path, typer.Option("--out", "-o", help="Model file to write (skops format).")],
    spacy_model: SpacyModel = None,
    id_col: IdCol = "id", text_col: TextCols = None, wave_col: WaveCol = "wave",
    question_col: QuestionCol = "question", question: QuestionKey = None, sheet: SheetOpt = None,
    header_row: HeaderRow = 1, skip_rows: SkipRows = None,
    ignore_unknown_themes: IgnoreUnknownThemes = False,
) -> None:
    """Train a model on coded answers: per-theme thresholds and calibration tuned by cross-validation."""
    from ..render.evaluate import training_table
    from ..jobs import train_model_file

    options = answer_options(id_col, text_col, wave_col, question_col, question, sheet, header_row, skip_rows)
    summary = train_model_file(corpus, labels, codebook, out, spacy_model=spacy_model, columns=options,
                               on_notice=notice, ignore_unknown_themes=ignore_unknown_themes)
    card = summary.model.card
    console.print(training_table(summary.model))
    cv = card["cross_validation"]
    console.print(f"Trained on {summary.n_coded} coded answers of {summary.n_answers} "
                  f"({cv['folds']}-fold out-of-fold micro-F1 {cv['hybrid']['micro_f1']:.3f}, "
                  f"folds grouped by {cv['grouped_by']}) -> {summary.out}", highlight=False)
    if summary.n_labels_unmatched:
        console.print(f"note: {summary.n_labels_unmatched} coded ids in {labels} are not in the corpus "
                      "and were not used", highlight=False)
    if card["too_few_examples"]:
        console.print(f"warning: too few examples to learn (fewer than {card['min_positives']} answers with "
                      f"and without the theme): {', '.join(card['too_few_examples'])}; the model never "
                      "assigns these, only codebook patterns can", style="yellow", highlight=False)
