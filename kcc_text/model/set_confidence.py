"""The probability that an answer's whole theme set is right: the `confidence` column of the coded output.

It is the model's own decision confidence (the one `--target-precision` ranks answers by)
as a probability: the product, over the themes the model decides for the answer's question,
of the calibrated probability that each decision is right (p when a theme is assigned,
1 - p when not). On the 120 held-out contact-centre answers of `bench/holdout` (model
trained on the bundled corpus) its mean was 0.686 against an exact-set accuracy of 0.733
(Brier score 0.176). Mapping it onto the out-of-fold accuracy curve with isotonic
regression did not do better there (Brier 0.185), so the plain product is used.
An empty answer gets no theme by definition: probability 1.
"""

from __future__ import annotations

from collections.abc import Sequence


def theme_set_probability(model, codes: Sequence, questions: Sequence, codebook,
                          empty: Sequence[bool]) -> list[float]:
    """Per coded answer (`coding.AnswerCode`), the probability that its theme set is right."""
    import numpy as np

    themes = list(model.themes)
    n = len(codes)
    P = np.zeros((n, len(themes)))
    decided = np.zeros((n, len(themes)), dtype=bool)
    applies = np.zeros((n, len(themes)), dtype=bool)
    for i, (code, question) in enumerate(zip(codes, questions)):
        scores = code.scores or {}
        for j, theme_id in enumerate(themes):
            P[i, j] = scores.get(theme_id, 0.0)
            decided[i, j] = theme_id in code.themes
            applies[i, j] = codebook.theme(theme_id).applies_to(question or None)
    probability = np.exp(model.confidence(P, decided, applies))
    return [1.0 if e else float(p) for p, e in zip(probability, empty)]
