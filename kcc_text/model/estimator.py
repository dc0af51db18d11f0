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
    review_level: float  # confidence of the lower bound on out-of-fold accuracy (selective.review_cutoff)
    path: str | None = None
    out_of_fold: object = field(default=None, repr=False)  # training.OutOfFold, right after training

    @property
    def model_id(self) -> str:
        return self.card["model_id"]

    bound_themes: list | None = field(default=None, repr=False)  # the codebook's themes, once checked

    @property
    def themes(self) -> list[str]:
        """The themes decisions are made for: the codebook's order once `check_codebook` accepted it."""
        return list(self.bound_themes or self.card["codebook"]["themes"])

    @property
    def too_few_examples(self) -> list[str]:
        return list(self.card["too_few_examples"])

    @property
    def training_ids(self) -> frozenset[str]:
        return frozenset(self.card.get("training_data", {}).get("ids", ()))

    def check_codebook(self, codebook: Codebook, *, allow_change: bool = False) -> list[str]:
        """Accept the codebook the model was trained with, or a later version of it; return notes.

        Wording only (patch: labels, descriptions, examples): accepted with a notice. Patterns
        added or removed (minor): accepted with a warning, since pattern hits are features the
        model weighed in training. Themes added or removed, or a theme redefined (questions,
        negation, include/exclude: major): refused unless `allow_change`; a theme the model does
        not know is then found by its patterns alone. The model's own themes are unchanged.
        """
        from ..codebook.diff import diff_codebooks

        cb = self.card["codebook"]
        trained = f"{cb['name']}@{cb['version']}"
        if cb["hash"] == codebook.hash and cb["name"] == codebook.name:
            self.bound_themes = list(codebook.theme_ids)
            return [] if cb["version"] == codebook.version else [
                f"codebook {codebook.ref} has the same content as {trained}, which the model was trained on"]
        if cb["name"] != codebook.name or "content" not in cb:
            bump = "major"
            what = ("another codebook" if cb["name"] != codebook.name
                    else "a different codebook (this model file does not record the old content to compare)")
        else:
            old = Codebook.from_content(cb["name"], cb["version"], cb["content"])
            change = diff_codebooks(old, codebook)
            bump = "major" if change.added or change.removed else change.required_bump
            what = {"patch": "wording only (labels, descriptions, examples)",
                    "minor": "patterns added or removed",
                    "major": "themes added, removed or redefined",
                    "none": "nothing that decides coding"}[bump]
        message = (f"model was trained on codebook {trained} (hash {cb['hash']}); {codebook.ref} "
                   f"(hash {codebook.hash}) differs in {what}")
        if bump == "major" and not allow_change:
            raise ModelError(message + "; retrain the model, use the matching codebook, or allow the change",
                             self.path)
        self.bound_themes = list(codebook.theme_ids)
        if bump in ("none", "patch"):
            return [message + ": coding as trained"]
        return [message + ": coded anyway; the model's accuracy figures no longer describe this codebook "
                "(retrain to measure)"]

    @property
    def semantic(self) -> bool:
        """Does the model read sentence embeddings (the `semantic` extra)?"""
        return self.card.get("features", {}).get("kind") == "semantic"

    def check_features(self) -> None:
        """A semantic model needs its embedding engine: say which extra to install before any work."""
        if self.semantic:
            from .embeddings import engine_available, _import_engine

            if not engine_available():
                _import_engine()  # raises MissingExtraError naming the extra

    def check_pipeline(self, pipeline: str) -> None:
        """Lemmas from another pipeline give the model features it never saw in training."""
        trained_with = self.card.get("pipeline")
        if trained_with and trained_with != pipeline:
            raise ModelError(f"model was trained with the Dutch pipeline {trained_with}, but coding would "
                             f"use {pipeline}; use the same spaCy model as in training or retrain", self.path)

    def probabilities(self, rows, applies):
        """Calibrated probability per theme (0 where the theme does not apply or was not learnt)."""
        from .features import design_matrix

        return self._probabilities(design_matrix(self.features, rows, self.semantic), applies)

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
        return Rule(thresholds={themes.index(t): v for t, v in self.thresholds.items()
                                if t in self.classifiers and t in themes},
                    use_rules=[self.rules_or.get(t, False) for t in themes],
                    learnable=frozenset(j for j, t in enumerate(themes) if t in self.classifiers),
                    single_label=bool(self.card.get("single_label", False)))

    def decide(self, parsed):
        """Decisions on parsed answers (`parsing.ParsedAnswers` or `training.TrainingData`)."""
        from .decision import decide
        from .form_features import feature_matrix

        P = self._probabilities(feature_matrix(self.features, parsed, self.semantic), parsed.applies)
        return decide(P, parsed.rule_hits, parsed.applies, parsed.empty, self.rule)

    def cutoff(self, target: float | None) -> float:
        """The confidence (log) at and above which answers are coded automatically at `target`."""
        from .selective import review_cutoff

        target = DEFAULT_TARGET_PRECISION if target is None else target
        return review_cutoff(self.review_curve, target, self.review_level)

    def auto_coded(self, decisions, target: float | None):
        """Which answers are coded automatically at this target precision (empty answers always)."""
        return (decisions.confidence >= self.cutoff(target)) | decisions.empty

    # Persistence: plain containers of trusted scikit-learn/numpy types (see persistence).
    def to_state(self) -> dict:
        return {"features": self.features, "classifiers": dict(self.classifiers),
                "platt": {t: [a, b] for t, (a, b) in self.platt.items()},
                "thresholds": dict(self.thresholds), "rules_or": dict(self.rules_or),
                "review_curve": {k: v for k, v in self.review_curve.items()},
                "review_level": float(self.review_level)}

    @classmethod
    def from_state(cls, state: dict, card: dict, path: str | None = None) -> "KccModel":
        try:
            return cls(card=card, features=state["features"], classifiers=dict(state["classifiers"]),
                       platt={t: (float(a), float(b)) for t, (a, b) in state["platt"].items()},
                       thresholds={t: float(v) for t, v in state["thresholds"].items()},
                       rules_or={t: bool(v) for t, v in state["rules_or"].items()},
                       review_curve={k: state["review_curve"][k] for k in ("confidence", "n", "correct")},
                       review_level=float(state.get("review_level", 0.95)), path=path)
        except (KeyError, TypeError, ValueError, AttributeError):
            raise ModelError("not a kcc-text model file (its content is incomplete)", path) from None
