"""`ThemeClassifier`: the trained model with scikit-learn manners (`fit`, `predict`, `predict_proba`,
`get_params`), for notebooks and pipelines."""

from __future__ import annotations

from sklearn.base import BaseEstimator

from ..codebook.definition import Codebook
from ..errors import ModelError
from .estimator import KccModel


class ThemeClassifier(BaseEstimator):
    """The hybrid theme classifier with scikit-learn manners.

    `fit(answers, labels)` takes a corpus frame (`id`, `text`, optional `question`,
    `respondent_id`) and the human codes (a labels frame, or a mapping id -> themes);
    `predict(answers)` gives a 0/1 frame (answers x themes), `predict_proba(answers)` the
    calibrated probabilities. The fitted `KccModel` is `model_`. `get_params`/`set_params`
    come from scikit-learn's BaseEstimator, so `clone` and grid searches work.
    """

    def __init__(self, codebook: Codebook, *, C: float = 3.0, folds: int = 5, min_positives: int = 5,
                 hybrid: str = "model", seed: int = 0, spacy_model: str | None = None):
        self.codebook = codebook
        self.C = C
        self.folds = folds
        self.min_positives = min_positives
        self.hybrid = hybrid
        self.seed = seed
        self.spacy_model = spacy_model

    def fit(self, answers, labels) -> "ThemeClassifier":
        from ..io.labels import as_label_sets
        from ..parsing import AnswerParser
        from .training import ModelParams, train_model

        params = ModelParams(C=self.C, folds=self.folds, min_positives=self.min_positives, hybrid=self.hybrid,
                             seed=self.seed)
        parser = AnswerParser(self.codebook, self.spacy_model)
        self.model_ = train_model(answers, as_label_sets(labels), self.codebook, params=params, parser=parser)
        return self

    @classmethod
    def from_model(cls, model: KccModel, codebook: Codebook, spacy_model: str | None = None) -> "ThemeClassifier":
        """Wrap a loaded model (e.g. from `load_model`)."""
        model.check_codebook(codebook)
        params = model.card.get("params", {})
        clf = cls(codebook, C=params.get("C", 3.0), folds=params.get("folds", 5),
                  min_positives=params.get("min_positives", 5), hybrid=params.get("hybrid", "model"),
                  seed=params.get("seed", 0), spacy_model=spacy_model)
        clf.model_ = model
        return clf

    def _decisions(self, answers):
        from ..parsing import AnswerParser

        if not hasattr(self, "model_"):
            raise ModelError("this ThemeClassifier is not fitted yet: call fit first")
        parser = AnswerParser(self.codebook, self.spacy_model)
        questions = answers["question"].tolist() if "question" in answers.columns else None
        return self.model_.decide(parser.parse(answers["text"].tolist(), questions))

    def predict(self, answers):
        """0/1 per answer and theme, with the answers' ids as index."""
        import pandas as pd

        decided = self._decisions(answers)
        return pd.DataFrame(decided.hybrid.astype(int), index=list(answers["id"]), columns=self.model_.themes)

    def predict_proba(self, answers):
        """Calibrated probability per answer and theme (0 where a theme does not apply)."""
        import pandas as pd

        decided = self._decisions(answers)
        return pd.DataFrame(decided.P, index=list(answers["id"]), columns=self.model_.themes)
