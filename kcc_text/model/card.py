"""The model card: what a model was trained on and how well it did, stored inside the model file."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from datetime import datetime, timezone

FORMAT = "kcc-text-model"
FORMAT_VERSION = 2  # 2: vocabularies stored as arrays (persistence._packed); 1 still loads


def library_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("kcc-text", "scikit-learn", "skops", "numpy", "scipy", "spacy", "simplemma"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "unknown"
    return out


def model_card(data, codebook, params, positives, too_few, oof, k, *, decided_by, single_label, review_curve,
               warnings) -> dict:
    from .metrics import score_matrix
    from .selective import promise

    gold = data.Y == 1
    cv = {}
    for name, pred in (("hybrid", oof.hybrid), ("model", oof.model), ("rules", oof.rules)):
        s = score_matrix(gold, pred, data.themes)
        cv[name] = {"micro_f1": s.micro.f1, "macro_f1": s.macro.f1, "exact_set_accuracy": s.exact_accuracy,
                    "per_theme": {t.theme: {"precision": t.precision, "recall": t.recall, "f1": t.f1,
                                            "support": t.support} for t in s.themes}}
    card = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "codebook": {"name": codebook.name, "version": codebook.version, "hash": codebook.hash,
                     "themes": codebook.theme_ids,
                     # the whole codebook, so a later version can be compared with it (see estimator)
                     "content": codebook.content},
        "training_data": {"hash": data.data_hash, "n_answers": len(data.ids),
                          "n_respondent_groups": len(set(data.groups)),
                          # the ids let `review` say which answers the model was trained on
                          "ids": sorted(map(str, data.ids))},
        "label_counts": positives,
        "too_few_examples": too_few,
        # per theme: "model", "patterns", "both" (rules OR model), chosen by out-of-fold F1
        "decided_by": decided_by,
        "single_label": single_label,
        "features": feature_description(params.features),
        # what --target-precision can promise, from the out-of-fold curve (95% Clopper-Pearson bound)
        "promise": [{k2: (None if isinstance(v, float) and v != v else v) for k2, v in row.items()}
                    for row in promise(review_curve)],
        "warnings": warnings,
        "min_positives": params.min_positives,
        "cross_validation": {"folds": k, "grouped_by": data.grouped_by,
                             "note": "out-of-fold predictions of the training run; thresholds and calibration "
                                     "were tuned on the same folds, so these are slightly optimistic (use "
                                     "`kcc-text evaluate` without --model for nested cross-validation)",
                             **cv},
        "params": {k2: list(v) if isinstance(v, tuple) else v for k2, v in asdict(params).items()},
        "pipeline": data.pipeline,
        "libraries": library_versions(),
    }
    card["model_id"] = "kcc-" + hashlib.sha256(json.dumps(card, sort_keys=True).encode()).hexdigest()[:12]
    return card



def feature_description(kind: str) -> dict:
    """What the classifier reads; with sentence embeddings, which engine and model made them."""
    description = {"kind": kind, "lexical": "lemma 1-2-grams (negation marked), character 2-5-grams within words, "
                                            "codebook pattern hits, question"}
    if kind == "semantic":
        from .features import shared_encoder

        description["semantic"] = shared_encoder().describe()
    return description
