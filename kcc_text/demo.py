"""The demo: the main job on the bundled corpus, as a researcher would run it.

1. train a model on the gold codes and code every answer with rules and model
   together; each answer is coded by a model that did not see it (k-fold
   cross-fitting grouped by respondent), so the figures are honest;
2. the theme shift spring -> autumn 2020 per question, on those machine codes,
   next to the same shift on the gold codes;
3. how reliable the gold standard is: agreement of the two independent codings.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .bundled import BundledData
from .codebook.definition import Codebook, load_codebook
from .io.answers import read_corpus
from .io.writing import check_output_path, write_csv_atomic, write_text_atomic


@dataclass
class DemoResult:
    codebook: Codebook
    n_answers: int
    coded: object  # DataFrame, the coded corpus
    shift: object  # ShiftResult on machine codes
    gold_shift: object  # ShiftResult on gold codes
    agreement: object  # AgreementResult, coder A vs coder B
    machine_vs_gold: object  # AgreementResult, machine vs coder A
    mode: str  # how the answers were coded
    written: list[Path]


def run_demo(data: BundledData, *, out_dir: Path | None = None, folds: int = 5) -> DemoResult:
    from .analysis.agreement import agreement_report, codes_from_frame, load_codes
    from .analysis.shift import shift_from_labels, theme_shift

    codebook = load_codebook(data.codebook)
    corpus = read_corpus(data.corpus)
    coder_a = load_codes(data.labels, known_themes=codebook.theme_ids)
    gold = coder_a.sets
    coded, mode, model = code_bundled(corpus, gold, codebook, folds=folds)

    shift = theme_shift(coded, codebook.themes, by="wave")
    gold_shift = shift_from_labels(corpus, gold, codebook.themes, by="wave")
    coder_b = load_codes(data.labels_coder2, known_themes=codebook.theme_ids)
    agreement = agreement_report(coder_a, coder_b, codebook=codebook)
    machine = agreement_report(coder_a, codes_from_frame(coded, name="machine"), codebook=codebook)
    written = []
    if out_dir is not None:
        written = _write_outputs(Path(out_dir), data, coded, shift, model)
    return DemoResult(codebook, len(corpus), coded, shift, gold_shift, agreement, machine, mode, written)


def code_bundled(corpus, gold, codebook: Codebook, *, folds: int = 5):
    """Code the corpus with rules and model, each fold by a model trained on the other folds."""
    import pandas as pd
    from sklearn.model_selection import GroupKFold

    from .model.training import train_model
    from .coding import Coder, code_frame

    groups = corpus["respondent_id"] if "respondent_id" in corpus.columns else corpus["id"]
    parts = []
    for train_idx, test_idx in GroupKFold(n_splits=folds).split(corpus, groups=groups):
        train = corpus.iloc[train_idx]
        model = train_model(train, {i: gold[i] for i in train["id"] if i in gold}, codebook)
        parts.append(code_frame(corpus.iloc[test_idx], Coder(codebook, model=model, target_precision=0.9)))
    coded = pd.concat(parts).set_index("id").loc[corpus["id"]].reset_index()
    final = train_model(corpus, gold, codebook)
    mode = (f"codebook rules + classifier; each answer coded by a model trained on the other "
            f"{folds - 1}/{folds} of the respondents (cross-fitting), needs_review at target precision 0.9")
    return coded, mode, final


def _write_outputs(out_dir: Path, data: BundledData, coded, shift, model) -> list[Path]:
    from .analysis.shift import to_csv

    out_dir.mkdir(parents=True, exist_ok=True)
    inputs = [data.corpus, data.labels, data.codebook]
    written = []
    coded_path = check_output_path(out_dir / "kcc-2020.coded.csv", inputs)
    write_csv_atomic(coded, coded_path)
    written.append(coded_path)
    shift_path = check_output_path(out_dir / "kcc-2020.shift.csv", inputs)
    write_text_atomic(shift_path, to_csv(shift))
    written.append(shift_path)
    if model is not None:
        from .model.persistence import save_model

        model_path = check_output_path(out_dir / "kcc-2020.model.skops", inputs)
        save_model(model, model_path)
        written.append(model_path)
    return written
