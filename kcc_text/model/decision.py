"""The decision rule: calibrated probabilities and pattern hits -> themes -> needs_review.

This is the one place where theme decisions are made; training (out of fold), evaluation and
coding all call `decide`, so what `evaluate` scores is what `code` writes.

A theme is assigned by the model when its probability passes its threshold and the theme
applies to the answer's question. Pattern hits are evidence the model weighs (a feature);
for themes the model could not learn (too few examples), and for themes where "rules OR model"
scored at least as well out of fold (`use_rules`), a pattern hit also assigns the theme.
Empty answers get no theme and need no review.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """The learnt parts of the decision rule, by theme column."""

    thresholds: dict  # column -> threshold, for learnable themes
    use_rules: list  # column -> bool: pattern hits also assign the theme
    learnable: frozenset  # columns with a trained classifier
    single_label: bool = False  # every training answer had one theme: assign the most probable one


@dataclass
class Decisions:
    """Decisions on a batch of answers (answers x themes boolean arrays, per-answer vectors)."""

    P: object
    model: object
    rules: object
    hybrid: object
    confidence: object  # log P(theme set right), per answer
    empty: object

    @property
    def confidence_probability(self):
        import numpy as np

        return np.exp(self.confidence)


def decide(P, rule_hits, applies, empty, rule: Rule) -> Decisions:
    """Model, rule and hybrid decisions plus each answer's confidence in its theme set."""
    import numpy as np

    from .selective import decision_confidence

    P = np.array(P, dtype=float)
    P[empty] = 0.0
    model = np.zeros(P.shape, dtype=bool)
    if rule.single_label and rule.learnable:
        # One theme per answer, as in the training data: the most probable applicable one.
        columns = np.array(sorted(rule.learnable))
        best = columns[np.argmax(np.where(applies[:, columns], P[:, columns], -1.0), axis=1)]
        model[np.arange(len(P)), best] = applies[np.arange(len(P)), best]
    else:
        for j, t in rule.thresholds.items():
            model[:, j] = (P[:, j] >= t) & applies[:, j]
    rules = rule_hits & applies
    hybrid = model.copy()
    for j in range(P.shape[1]):
        if rule.use_rules[j] or j not in rule.learnable:
            hybrid[:, j] |= rules[:, j]
    for decided in (model, rules, hybrid):
        decided[empty] = False
    learnable_mask = np.array([j in rule.learnable for j in range(P.shape[1])], dtype=bool)
    confidence = decision_confidence(P, hybrid, applies, learnable_mask)
    return Decisions(P=P, model=model, rules=rules, hybrid=hybrid, confidence=confidence, empty=empty)
