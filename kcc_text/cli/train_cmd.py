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
    features: Annotated[str, typer.Option(
        "--features", envvar="KCC_TEXT_FEATURES", help="lexical (words, lemmas, character n-grams, patterns), semantic (plus sentence "
                           "embeddings; needs the `semantic` extra), or auto (semantic when installed).")] = "auto",
) -> None:
    """Train a model on coded answers: per-theme thresholds and calibration tuned by cross-validation."""
    from ..jobs import train_model_file
    from ..render.evaluate import promise_table, training_table

    options = answer_options(id_col, text_col, wave_col, question_col, question, sheet, header_row, skip_rows)
    summary = train_model_file(corpus, labels, codebook, out, spacy_model=spacy_model, columns=options,
                               on_notice=notice, ignore_unknown_themes=ignore_unknown_themes,
                               features=features)
    card = summary.model.card
    console.print(training_table(summary.model))
    console.print(promise_table(card))
    cv = card["cross_validation"]
    console.print(f"Trained on {summary.n_coded} coded answers of {summary.n_answers} "
                  f"({cv['folds']}-fold out-of-fold micro-F1 {cv['hybrid']['micro_f1']:.3f}, "
                  f"folds grouped by {cv['grouped_by']}) -> {summary.out}", highlight=False)
    if summary.n_labels_unmatched:
        console.print(f"note: {summary.n_labels_unmatched} coded ids in {labels} are not in the corpus "
                      "and were not used", highlight=False)
    for warning in card.get("warnings", []):
        console.print(f"warning: {warning}", style="yellow", highlight=False)
    if any(row["too_few"] for row in card.get("promise", [])):
        console.print("warning: too few coded answers to promise the higher targets (0.8 needs 14 out-of-fold "
                      "answers all right, 0.9 needs 29, 0.95 needs 59); code more answers", style="yellow",
                      highlight=False)
    if card["too_few_examples"]:
        console.print(f"warning: too few examples to learn (fewer than {card['min_positives']} answers with "
                      f"and without the theme): {', '.join(card['too_few_examples'])}; the model never "
                      "assigns these, only codebook patterns can", style="yellow", highlight=False)
