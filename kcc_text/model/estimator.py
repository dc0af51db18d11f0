"""`KccModel`: the learnt state of a trained model (saved in model files) and how it decides."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..codebook.definition import Codebook
from ..errors import ModelError

DEFAULT_TARGET_PRECISION = 0.9


@dataclass(eq=False, kw_only=True)
class KccModel:
    """A trained model: scikit-learn parts, calibration, thresholds, review map and its card."""

    card: dict
    features: object  # the fitted feature transformer (features.build_features)
    classifiers: dict  # theme id -> fitted LogisticRegression
    platt: dict  # theme id -> (a, b)
    thresholds: dict  # theme id -> probability threshold
    rules_or: dict  # theme id -> pattern hits also assign the theme
    review_curve: dict  # selective.selective_curve of the training run
    review_z: float
    path: str | None = None
    out_of_fold: object = field(default=None, repr=False)  # training.OutOfFold, right after training

    @property
    def model_id(self) -> str:
        return self.card["model_id"]

    @property
    def themes(self) -> list[str]:
        return list(self.card["codebook"]["themes"])

    @property
    def too_few_examples(self) -> list[str]:
        return list(self.card["too_few_examples"])

    @property
    def training_ids(self) -> frozenset[str]:
        return frozenset(self.card.get("training_data", {}).get("ids", ()))

    def check_codebook(self, codebook: Codebook) -> None:
        """Stop when the codebook is not the exact one the model was trained with."""
        cb = self.card["codebook"]
        if (cb["name"], cb["version"], cb["hash"]) != (codebook.name, codebook.version, codebook.hash):
            same_ref = f"{cb['name']}@{cb['version']}" == codebook.ref
            raise ModelError(
                f"model was trained on codebook {cb['name']}@{cb['version']} (hash {cb['hash']}), but the "
                f"codebook given is {codebook.ref} (hash {codebook.hash})"
                + ("; its content changed without a new version" if same_ref else "")
                + "; retrain the model or use the matching codebook", self.path)

    def check_pipeline(self, pipeline: str) -> None:
        """Lemmas from another pipeline give the model features it never saw in training."""
        trained_with = self.card.get("pipeline")
        if trained_with and trained_with != pipeline:
            raise ModelError(f"model was trained with the Dutch pipeline {trained_with}, but coding would "
                             f"use {pipeline}; use the same spaCy model as in training or retrain", self.path)

    def probabilities(self, rows, applies):
        """Calibrated probability per theme (0 where the theme does not apply or was not learnt)."""
        return self._probabilities(self.features.transform(rows), applies)

    def _probabilities(self, X, applies):
        import numpy as np

        from .calibration import sigmoid

        themes = self.themes
        P = np.zeros((X.shape[0], len(themes)))
        learnt = [j for j, theme in enumerate(themes) if theme in self.classifiers]
        if not learnt:
            return P
        # All themes' decision functions in one pass over X; each column is summed in the same
        # order as LogisticRegression.decision_function sums it, so the values are the same.
        weights, intercepts = self._stacked(learnt)
        scores = X @ weights + intercepts
        for column, j in enumerate(learnt):
            a, b = self.platt[themes[j]]
            P[:, j] = np.where(applies[:, j], sigmoid(a * scores[:, column] + b), 0.0)
        return P

    def _stacked(self, learnt):
        import numpy as np

        stacked = self.__dict__.get("_stacked_weights")
        if stacked is None or stacked[0] != learnt:
            clfs = [self.classifiers[self.themes[j]] for j in learnt]
            stacked = (learnt, np.ascontiguousarray(np.vstack([c.coef_ for c in clfs]).T),
                       np.array([c.intercept_[0] for c in clfs]))
            self.__dict__["_stacked_weights"] = stacked
        return stacked[1], stacked[2]

    @property
    def rule(self):
        from .decision import Rule

        themes = self.themes
        return Rule(thresholds={themes.index(t): v for t, v in self.thresholds.items() if t in self.classifiers},
                    use_rules=[self.rules_or.get(t, False) for t in themes],
                    learnable=frozenset(j for j, t in enumerate(themes) if t in self.classifiers))

    def decide(self, parsed):
        """Decisions on parsed answers (`parsing.ParsedAnswers` or `training.TrainingData`)."""
        from .decision import decide
        from .form_features import feature_matrix

        P = self._probabilities(feature_matrix(self.features, parsed), parsed.applies)
        return decide(P, parsed.rule_hits, parsed.applies, parsed.empty, self.rule)

    def cutoff(self, target: float | None) -> float:
        """The confidence (log) at and above which answers are coded automatically at `target`."""
        from .selective import review_cutoff

        target = DEFAULT_TARGET_PRECISION if target is None else target
        return review_cutoff(self.review_curve, target, self.review_z)

    def auto_coded(self, decisions, target: float | None):
        """Which answers are coded automatically at this target precision (empty answers always)."""
        return (decisions.confidence >= self.cutoff(target)) | decisions.empty

    # Persistence: plain containers of trusted scikit-learn/numpy types (see persistence).
    def to_state(self) -> dict:
        return {"features": self.features, "classifiers": dict(self.classifiers),
                "platt": {t: [a, b] for t, (a, b) in self.platt.items()},
                "thresholds": dict(self.thresholds), "rules_or": dict(self.rules_or),
                "review_curve": {k: v for k, v in self.review_curve.items()},
                "review_z": float(self.review_z)}

    @classmethod
    def from_state(cls, state: dict, card: dict, path: str | None = None) -> "KccModel":
        try:
            return cls(card=card, features=state["features"], classifiers=dict(state["classifiers"]),
                       platt={t: (float(a), float(b)) for t, (a, b) in state["platt"].items()},
                       thresholds={t: float(v) for t, v in state["thresholds"].items()},
                       rules_or={t: bool(v) for t, v in state["rules_or"].items()},
                       review_curve={k: state["review_curve"][k] for k in ("confidence", "n", "correct")},
                       review_z=float(state["review_z"]), path=path)
        except (KeyError, TypeError, ValueError, AttributeError):
            raise ModelError("not a kcc-text model file (its content is incomplete)", path) from None
