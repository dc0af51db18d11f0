"""Audit statistics: machine codes corrected by a random hand-coded audit, and what the audit can certify.

Shares (prediction-powered inference, PPI++)
--------------------------------------------
A group (say one wave's answers to one question) has N answers, all machine-coded; a simple
random sample of n of them was also coded by a person (the audit). For one theme, Y is the
human code (0/1) and Yhat the machine code. The PPI++ estimate of the theme's share
(Angelopoulos, Bates, Fannjiang, Jordan & Zrnic, Science 2023; power tuning from
Angelopoulos, Duchi & Zrnic, "PPI++: Efficient prediction-powered inference", 2023) is

    theta = lam * mean(Yhat over the other answers) + mean(Y - lam * Yhat over the audit)

with the standard error sqrt(lam^2 var(Yhat_other) / N_other + var(Y - lam Yhat) / n) and a
normal (Wald) interval. lam in [0, 1] is tuned to minimise that variance: lam = 0 is the
audit alone, lam = 1 plain PPI. The machine's bias cancels in expectation whatever lam is.

*Which answers are "unlabelled".* The machine part uses the group's answers that were NOT
audited. The estimand is the share in the population the group's answers come from, the
same target as the Wilson and Newcombe intervals of the report without an audit. Under a
simple random audit the audited and the other answers are then two independent random
samples of that population, which is exactly PPI's set-up, so its variance formula holds
as written. Taking all N answers as the unlabelled part would count the audited answers'
machine codes twice, correlate the two terms and leave a covariance out of the variance.

*Why a small implementation and not ppi-python at run time.* The mean estimator is a dozen
lines of numpy; `ppi-python` pulls in numba/llvmlite (tens of megabytes of compiler) and
gdown (a downloader, in a tool that must never download), and offers nothing we need beyond
this estimator. The test suite checks these numbers against `ppi_py.ppi_mean_ci` and
`ppi_py.ppi_mean_pointestimate` (lam=None, power tuned), which is a test-only dependency.

*Rare themes.* With an audit of a few dozen answers, a rare theme often has no audited
answer on which human and machine disagree; the sample variance of the correction is then 0
and a plain PPI interval has zero width although the machine's error rate is merely unseen.
Guard: the variance of the correction term is floored at (z^2 / 2) / n, about 2 / n at 95%:
the audit is treated as if at least z^2 / 2 of its answers disagreed with the machine, the
pseudo-count of the Agresti-Coull interval (Agresti & Coull 1998, "add two successes"). With
no disagreement in n audited answers the interval is then about as wide as an honest one for
an unseen error rate, and the floor does not bind once the audit shows a few disagreements.
The reported share is clipped to [0, 1] (a projection, which can only bring it closer to the
truth), and so is its interval. tests/test_ppi.py checks by simulation that the 95% intervals
cover shares and differences at prevalences from 0.02 to 0.5 with a biased classifier.

Differences of two independent groups, each with its own audit: b - a with
SE sqrt(se_a^2 + se_b^2), a Wald interval and a two-sided Wald z test. Three or more
groups: a Wald chi-square test of equal shares (k - 1 degrees of freedom).

Auto-coding cut-off
-------------------
Audited answers sorted by machine confidence, most confident first (the order is fixed
before correctness is looked at). For the top k, the one-sided Clopper-Pearson lower bound
of their exact-set accuracy is compared with the target P; fixed-sequence testing walks k
upwards from the smallest k at which k right out of k could reach P and stops at the first
failure. Each step tests at the full level and the family-wise error stays at 1 - level,
because a hypothesis is only tested when all before it were rejected. Answers tied in
confidence enter together.

Also here: a Mann-Whitney U check that the audit looks random, and the test of equal shares
across three or more groups on codes without an audit (chi-square, or a Monte Carlo exact
test with a fixed seed when expected counts are small). Pure numpy/scipy, no file I/O.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ..model.selective import clopper_pearson_lower, min_count

# Pseudo-count of disagreements behind the rare-theme floor, as a multiple of z^2 (z^2 / 2: Agresti-Coull).
FLOOR_PSEUDO = 0.5
MC_RESAMPLES = 9999
MC_SEED = 20231129  # fixed: the same data give the same Monte Carlo p-value on every run
MIN_EXPECTED = 5  # Cochran (1954): below this expected count the chi-square p-value is unreliable


def _z(confidence: float) -> float:
    from statistics import NormalDist

    return NormalDist().inv_cdf(0.5 + confidence / 2)


@dataclass(frozen=True)
class ShareEstimate:
    """An audit-corrected share (all as fractions in [0, 1])."""

    estimate: float  # PPI++ estimate, clipped to [0, 1]
    se: float  # its standard error (after the rare-theme floor)
    low: float  # interval, clipped to [0, 1]
    high: float
    lam: float  # the tuned lambda (0: audit alone; 1: plain PPI)
    n: int  # audited answers
    N: int  # all answers of the group (audited and others)
    machine: float  # the machine-only share over all N answers
    raw: float  # the unclipped PPI++ estimate (what ppi-python reports)
    se_raw: float  # the standard error without the floor (what ppi-python reports)
    floored: bool  # whether the rare-theme floor widened the interval


@dataclass(frozen=True)
class DiffEstimate:
    """b - a of two audit-corrected shares, with a Wald interval and test."""

    estimate: float
    se: float
    low: float
    high: float
    z: float
    p_value: float


def _as01(values, name: str):
    import numpy as np

    array = np.asarray(values, dtype=float).ravel()
    if array.size and not np.isin(array, (0.0, 1.0)).all():
        raise ValueError(f"{name} must hold 0/1 codes")
    return array


def tuned_lambda(y, yhat, yhat_other) -> float:
    """PPI++'s variance-minimising lambda for a mean, clipped to [0, 1] (as ppi-python's `_calc_lam_glm`).

    lam = cov(Y, Yhat) / ((1 + n / N_other) var(Yhat over all answers)); 0 when it is undefined
    (no other answers, or machine codes that never vary, where every lambda gives the same estimate).
    """
    import numpy as np

    n, n_other = len(y), len(yhat_other)
    every = np.concatenate([yhat, yhat_other])
    if n_other == 0 or n < 2 or every.size < 2:
        return 0.0
    var_hat = float(np.var(every, ddof=1))
    if var_hat <= 0:
        return 0.0
    cov = float(np.mean((y - y.mean()) * (yhat - yhat.mean())))
    return float(np.clip(cov / ((1 + n / n_other) * var_hat), 0.0, 1.0))


def ppi_share(y, yhat, yhat_other, *, confidence: float = 0.95) -> ShareEstimate:
    """The PPI++ (power-tuned) share of a 0/1 code from an audit and the machine codes of the rest.

    `y`, `yhat`: human and machine codes of the audited answers (a simple random sample of
    the group); `yhat_other`: machine codes of the group's answers that were not audited.
    """
    import numpy as np

    y, yhat, other = _as01(y, "y"), _as01(yhat, "yhat"), _as01(yhat_other, "yhat_other")
    if len(y) != len(yhat):
        raise ValueError("y and yhat must have one code per audited answer")
    n, n_other = len(y), len(other)
    if n == 0:
        raise ValueError("no audited answers: the share cannot be corrected")
    lam = tuned_lambda(y, yhat, other)
    rectifier = y - lam * yhat
    imputed = lam * float(other.mean()) if n_other else 0.0
    raw = imputed + float(rectifier.mean())
    var_imputed = lam ** 2 * float(np.var(other)) / n_other if n_other else 0.0
    var_rectifier = float(np.var(rectifier))
    z = _z(confidence)
    floor = min(0.25, FLOOR_PSEUDO * z ** 2 / n)
    se_raw = math.sqrt(var_imputed + var_rectifier / n)
    se = math.sqrt(var_imputed + max(var_rectifier, floor) / n)
    estimate = min(1.0, max(0.0, raw))
    machine = float(np.concatenate([yhat, other]).mean())
    return ShareEstimate(estimate=estimate, se=se, low=max(0.0, raw - z * se), high=min(1.0, raw + z * se),
                         lam=lam, n=n, N=n + n_other, machine=machine, raw=raw, se_raw=se_raw,
                         floored=var_rectifier < floor)


def ppi_difference(a: ShareEstimate, b: ShareEstimate, *, confidence: float = 0.95) -> DiffEstimate:
    """b - a of two independent groups' corrected shares: Wald interval and two-sided Wald z test.

    The difference is of the reported (clipped) shares, so it equals b.estimate - a.estimate.
    """
    diff = b.estimate - a.estimate
    se = math.hypot(a.se, b.se)
    z = diff / se if se > 0 else 0.0
    half = _z(confidence) * se
    return DiffEstimate(estimate=diff, se=se, low=max(-1.0, diff - half), high=min(1.0, diff + half), z=z,
                        p_value=min(1.0, math.erfc(abs(z) / math.sqrt(2))))


@dataclass(frozen=True)
class Homogeneity:
    """A test that a theme's share is the same in every group."""

    statistic: float
    df: int
    p_value: float
    method: str  # "chi2", "monte-carlo" or "wald"


def ppi_homogeneity(shares: Sequence[ShareEstimate]) -> Homogeneity:
    """Wald chi-square test that k independent corrected shares are equal (k - 1 degrees of freedom)."""
    import numpy as np
    from scipy.stats import chi2

    estimates = np.array([s.estimate for s in shares])
    weights = 1 / np.array([s.se for s in shares]) ** 2
    pooled = float((weights * estimates).sum() / weights.sum())
    statistic = float((weights * (estimates - pooled) ** 2).sum())
    df = len(shares) - 1
    return Homogeneity(statistic, df, float(chi2.sf(statistic, df)), "wald")


def homogeneity_test(counts: Sequence[int], totals: Sequence[int], *, seed: int = MC_SEED,
                     resamples: int = MC_RESAMPLES) -> Homogeneity:
    """Are a theme's shares equal across groups? counts[i] of totals[i] answers have the theme.

    Pearson's chi-square test of homogeneity without continuity correction
    (scipy.stats.chi2_contingency); when an expected count is below 5, the p-value of the same
    statistic comes from `resamples` random tables with the observed margins
    (scipy.stats.MonteCarloMethod, a Monte Carlo version of the exact conditional test), drawn
    from a fixed seed so that a report can be reproduced.
    """
    import numpy as np
    from scipy.stats import MonteCarloMethod, chi2_contingency

    counts, totals = np.asarray(counts, dtype=int), np.asarray(totals, dtype=int)
    table = np.column_stack([counts, totals - counts])
    df = len(counts) - 1
    if table.sum(axis=0).min() == 0:
        # Nobody (or everybody) has the theme in every group: no evidence of any difference.
        return Homogeneity(0.0, df, 1.0, "chi2")
    plain = chi2_contingency(table, correction=False)
    if plain.expected_freq.min() >= MIN_EXPECTED:
        return Homogeneity(float(plain.statistic), df, float(plain.pvalue), "chi2")
    method = MonteCarloMethod(n_resamples=resamples, rng=np.random.default_rng(seed))
    exact = chi2_contingency(table, correction=False, method=method)
    return Homogeneity(float(exact.statistic), df, float(exact.pvalue), "monte-carlo")


def audit_randomness(audited, others) -> float:
    """p-value of a two-sided Mann-Whitney U test: do audited answers' machine scores differ from the rest's?

    Under a simple random audit the two sets come from the same distribution; a small p-value
    says the audit was probably picked (e.g. the least sure answers). NaN when a side is empty.
    """
    import numpy as np
    from scipy.stats import mannwhitneyu

    audited = np.asarray(audited, dtype=float)
    others = np.asarray(others, dtype=float)
    audited, others = audited[~np.isnan(audited)], others[~np.isnan(others)]
    if audited.size == 0 or others.size == 0:
        return float("nan")
    if np.unique(np.concatenate([audited, others])).size == 1:
        return 1.0  # every score equal: nothing to tell the sets apart
    return float(mannwhitneyu(audited, others, alternative="two-sided").pvalue)


# --- auto-coding cut-off ------------------------------------------------------------------------


@dataclass(frozen=True)
class AutoCodeCutoff:
    """The confidence cut-off the audit certifies for a target exact-set accuracy."""

    target: float
    cutoff: float | None  # auto-code answers with confidence >= cutoff; None: nothing can be certified
    share: float  # share of the audited answers at or above the cut-off
    bound: float | None  # one-sided lower confidence bound of their accuracy (at the last step tested)
    n: int  # audited answers
    k: int  # audited answers at or above the cut-off
    right: int  # of which the machine's whole theme set was right
    level: float


def audit_cutoff(confidence, correct, target: float, *, level: float = 0.95) -> AutoCodeCutoff:
    """Lowest confidence cut-off whose auto-coded answers are right at least `target` of the time.

    `confidence`: the machine's confidence of each audited answer; `correct`: 1 where its whole
    theme set equals the human codes. Fixed-sequence Clopper-Pearson testing (module docstring).
    """
    import numpy as np

    if not 0 < target < 1:
        raise ValueError(f"target precision must be between 0 and 1 (got {target})")
    conf = np.asarray(confidence, dtype=float).ravel()
    right = _as01(correct, "correct")
    if conf.size != right.size:
        raise ValueError("confidence and correct must have one value per audited answer")
    keep = ~np.isnan(conf)
    conf, right = conf[keep], right[keep]
    n = int(conf.size)
    nothing = AutoCodeCutoff(target, None, 0.0, None, n, 0, 0, level)
    if n == 0:
        return nothing
    order = np.argsort(-conf, kind="stable")
    conf, right = conf[order], right[order]
    # A cut-off can only fall between distinct confidences: k at the end of each run of ties.
    ends = np.flatnonzero(np.append(conf[1:] < conf[:-1], True)) + 1
    ends = ends[ends >= min_count(target, level)]
    if ends.size == 0:
        return nothing
    hits = np.cumsum(right)[ends - 1]
    bounds = clopper_pearson_lower(hits, ends, level)
    failed = np.flatnonzero(bounds < target)
    passed = int(failed[0]) if failed.size else int(ends.size)
    if passed == 0:
        return AutoCodeCutoff(target, None, 0.0, float(bounds[0]), n, 0, 0, level)
    k = int(ends[passed - 1])
    return AutoCodeCutoff(target, float(conf[k - 1]), k / n, float(bounds[passed - 1]), n, k,
                          int(hits[passed - 1]), level)


def certifiable_shares(confidence, correct, targets: Sequence[float] = (0.8, 0.9, 0.95), *,
                       level: float = 0.95) -> dict[float, AutoCodeCutoff]:
    """For each target precision, the cut-off the audit certifies; `.share` is the share auto-coded."""
    return {target: audit_cutoff(confidence, correct, target, level=level) for target in targets}
