"""Audit statistics: PPI++ against ppi-python, coverage by simulation, rare themes, cut-offs, omnibus tests."""

from __future__ import annotations

import math
from itertools import product

import numpy as np
import pytest

from kcc_text.analysis.ppi import (
    audit_cutoff,
    audit_randomness,
    certifiable_shares,
    clopper_pearson_lower,
    homogeneity_test,
    min_count,
    ppi_difference,
    ppi_homogeneity,
    ppi_share,
)

Z95 = 1.959963984540054


def _group(rng, size, prevalence, recall, false_alarm):
    """Human codes and a biased classifier's codes of one group of answers."""
    y = (rng.random(size) < prevalence).astype(float)
    yhat = np.where(y == 1, rng.random(size) < recall, rng.random(size) < false_alarm).astype(float)
    return y, yhat


def _audit(rng, y, yhat, fraction=0.3):
    """A simple random audit: the share estimated from the audited answers and the others' machine codes."""
    order = rng.permutation(len(y))
    audited, others = order[: round(fraction * len(y))], order[round(fraction * len(y)):]
    return ppi_share(y[audited], yhat[audited], yhat[others]), audited


# --- the estimator is PPI++ as ppi-python computes it ----------------------------------------------


@pytest.mark.parametrize("seed, n, n_other, prevalence, recall, false_alarm", [
    (1, 60, 140, 0.3, 0.8, 0.1), (2, 150, 850, 0.45, 0.7, 0.2), (3, 300, 300, 0.2, 0.9, 0.05),
    (4, 80, 2000, 0.5, 0.6, 0.3), (5, 40, 160, 0.35, 0.8, 0.1),
])
def test_estimate_lambda_and_interval_equal_ppi_python(seed, n, n_other, prevalence, recall, false_alarm):
    from ppi_py import ppi_mean_ci, ppi_mean_pointestimate

    rng = np.random.default_rng(seed)
    y, yhat = _group(rng, n, prevalence, recall, false_alarm)
    _, other = _group(rng, n_other, prevalence, recall, false_alarm)
    ours = ppi_share(y, yhat, other)
    theirs = float(np.ravel(ppi_mean_pointestimate(y, yhat, other))[0])
    low, high = (float(np.ravel(v)[0]) for v in ppi_mean_ci(y, yhat, other, alpha=0.05))
    assert ours.raw == pytest.approx(theirs, abs=1e-6)
    assert not ours.floored and 0 < ours.low and ours.high < 1  # the guard and clipping leave these alone
    assert (ours.low, ours.high) == pytest.approx((low, high), abs=1e-6)
    assert ours.se_raw == pytest.approx((high - low) / (2 * Z95), abs=1e-6)
    # The estimate is linear in lambda, so ppi-python's tuned lambda can be read off its estimate.
    their_lam = (theirs - y.mean()) / (other.mean() - yhat.mean())
    assert ours.lam == pytest.approx(their_lam, abs=1e-6)
    assert 0 < ours.lam <= 1
    assert (ours.n, ours.N) == (n, n + n_other)
    assert ours.machine == pytest.approx(np.concatenate([yhat, other]).mean())


def test_a_useless_classifier_gets_lambda_zero_and_the_audit_alone():
    # Machine codes independent of the human codes carry no information: lambda ~ 0.
    y = np.array([1, 0] * 30, dtype=float)
    yhat = np.array([1, 1, 0, 0] * 15, dtype=float)
    share = ppi_share(y, yhat, np.ones(140))
    assert share.lam == 0.0
    assert share.estimate == pytest.approx(0.5)
    assert share.se == pytest.approx(math.sqrt(0.25 / 60))


def test_a_fully_audited_group_is_the_audit_share():
    y = np.array([1] * 12 + [0] * 28, dtype=float)
    share = ppi_share(y, np.ones(40), [])
    assert (share.estimate, share.lam, share.n, share.N) == (0.3, 0.0, 40, 40)


def test_machine_bias_is_corrected():
    # The machine calls twice as many answers positive as the audit shows: the estimate follows the audit.
    rng = np.random.default_rng(7)
    y, yhat = _group(rng, 2000, 0.2, 0.9, 0.15)
    share, _ = _audit(rng, y, yhat)
    assert share.machine == pytest.approx(0.30, abs=0.03)
    assert share.low <= y.mean() <= share.high
    assert abs(share.estimate - y.mean()) < abs(share.machine - y.mean()) / 3


# --- rare themes never get a zero-width interval -------------------------------------------------


@pytest.mark.parametrize("positives, machine_fires", [(0, 0), (1, 0), (0, 3), (1, 1)])
def test_rare_themes_get_an_honest_interval(positives, machine_fires):
    n = 60
    y = np.zeros(n)
    y[:positives] = 1
    yhat = y.copy()  # the machine agrees with every audited answer: zero residual variance
    other = np.zeros(140)
    other[:machine_fires] = 1
    share = ppi_share(y, yhat, other)
    assert share.floored
    # An error rate of a few percent is unseen in 60 answers, not ruled out (Wilson: 0 of 60 is 0 to 6%).
    assert share.high - share.low > 0.04 and share.high > 0.04
    assert share.low >= 0 and share.high <= 1


def test_the_floor_does_not_touch_an_audit_with_real_disagreements():
    rng = np.random.default_rng(3)
    y, yhat = _group(rng, 60, 0.4, 0.8, 0.15)
    _, other = _group(rng, 140, 0.4, 0.8, 0.15)
    share = ppi_share(y, yhat, other)
    assert not share.floored and share.se == share.se_raw


def test_difference_is_a_wald_z_test():
    a = ppi_share([1] * 20 + [0] * 40, [1] * 18 + [0] * 42, [1] * 40 + [0] * 100)
    b = ppi_share([1] * 35 + [0] * 25, [1] * 30 + [0] * 30, [1] * 75 + [0] * 65)
    diff = ppi_difference(a, b)
    assert diff.estimate == b.estimate - a.estimate
    assert diff.se == pytest.approx(math.hypot(a.se, b.se))
    z = diff.estimate / diff.se
    assert diff.p_value == pytest.approx(math.erfc(abs(z) / math.sqrt(2)))
    assert (diff.low, diff.high) == pytest.approx((diff.estimate - Z95 * diff.se, diff.estimate + Z95 * diff.se))


# --- coverage and width by simulation --------------------------------------------------------------


def test_intervals_cover_shares_and_differences_and_beat_the_audit_alone():
    """Random 30% audits of groups of 200 answers, a classifier that misses a quarter and over-fires.

    The truth is each group's share in its human codes (what an outside check with fully
    hand-coded data compares with). Differences compare a group with one of 1.5 times the prevalence.
    """
    from statsmodels.stats.proportion import confint_proportions_2indep

    rng = np.random.default_rng(2024)
    runs = 150
    for prevalence in (0.02, 0.05, 0.1, 0.2, 0.35, 0.5):
        covered = diff_covered = 0
        width_ppi = width_audit = 0.0
        for _ in range(runs):
            y_a, f_a = _group(rng, 200, prevalence, 0.75, 0.04)
            y_b, f_b = _group(rng, 200, 1.5 * prevalence, 0.75, 0.04)
            a, audited_a = _audit(rng, y_a, f_a)
            b, audited_b = _audit(rng, y_b, f_b)
            covered += a.low <= y_a.mean() <= a.high
            diff = ppi_difference(a, b)
            diff_covered += diff.low - 1e-12 <= y_b.mean() - y_a.mean() <= diff.high + 1e-12
            width_ppi += diff.high - diff.low
            # What the audit alone gives: Newcombe's interval of the audited human codes.
            low, high = confint_proportions_2indep(y_b[audited_b].sum(), len(audited_b), y_a[audited_a].sum(),
                                                   len(audited_a), method="newcomb", compare="diff")
            width_audit += high - low
        assert covered / runs >= 0.90, (prevalence, covered / runs)
        assert diff_covered / runs >= 0.90, (prevalence, diff_covered / runs)
        assert width_ppi < width_audit, (prevalence, width_ppi / width_audit)


# --- the omnibus test across groups --------------------------------------------------------------


def test_homogeneity_is_pearson_chi_square_without_correction():
    # 10/50, 20/50, 30/50: expected 20 and 30 per row; chi2 = 2 * (100/20 + 100/30) = 16.67 on 2 df.
    result = homogeneity_test([10, 20, 30], [50, 50, 50])
    assert result.method == "chi2" and result.df == 2
    assert result.statistic == pytest.approx(50 / 3)
    assert result.p_value == pytest.approx(math.exp(-25 / 3))  # chi2 sf on 2 df is exp(-x / 2)


def _exact_p(counts, totals):
    """Exact conditional p-value: every table with these margins, by its hypergeometric probability."""
    def stat(table):
        col = sum(table)
        total = sum(totals)
        return sum((x - t * col / total) ** 2 / (t * col / total) + ((t - x) - t * (total - col) / total) ** 2
                   / (t * (total - col) / total) for x, t in zip(table, totals))

    observed, column = stat(counts), sum(counts)
    p = 0.0
    for table in product(*(range(t + 1) for t in totals)):
        if sum(table) == column and stat(table) >= observed - 1e-9:
            p += math.prod(math.comb(t, x) for x, t in zip(table, totals)) / math.comb(sum(totals), column)
    return p


def test_small_counts_get_a_reproducible_monte_carlo_exact_test():
    counts, totals = [0, 1, 4], [10, 10, 10]
    first, again = homogeneity_test(counts, totals), homogeneity_test(counts, totals)
    assert first.method == "monte-carlo"
    assert first.p_value == again.p_value  # fixed seed
    assert first.p_value == pytest.approx(_exact_p(counts, totals), abs=0.015)


def test_a_theme_nobody_has_is_no_difference():
    assert homogeneity_test([0, 0, 0], [20, 30, 40]).p_value == 1.0


def test_wald_homogeneity_of_corrected_shares():
    same = [ppi_share([1] * 15 + [0] * 45, [1] * 15 + [0] * 45, [1] * 35 + [0] * 105) for _ in range(3)]
    assert ppi_homogeneity(same).p_value == pytest.approx(1.0)
    apart = same[:2] + [ppi_share([1] * 45 + [0] * 15, [1] * 45 + [0] * 15, [1] * 105 + [0] * 35)]
    result = ppi_homogeneity(apart)
    assert result.df == 2 and result.p_value < 1e-6


# --- does the audit look random? -------------------------------------------------------------------


def test_a_picked_audit_is_told_from_a_random_one():
    rng = np.random.default_rng(11)
    confidence = rng.beta(4, 2, 600)
    random_audit = rng.permutation(600)[:150]
    rest = np.setdiff1d(np.arange(600), random_audit)
    assert audit_randomness(confidence[random_audit], confidence[rest]) > 0.01
    least_sure = np.argsort(confidence)[:150]  # the audit took the answers the machine doubted most
    assert audit_randomness(confidence[least_sure], confidence[np.argsort(confidence)[150:]]) < 1e-6
    assert math.isnan(audit_randomness([], confidence))


# --- auto-coding cut-off ---------------------------------------------------------------------------


def test_smallest_count_that_can_pass():
    assert [min_count(p) for p in (0.8, 0.9, 0.95)] == [14, 29, 59]
    # k right of k at that count reaches the target; one fewer answer does not.
    for target in (0.8, 0.9, 0.95):
        k = min_count(target)
        assert clopper_pearson_lower(k, k) >= target > clopper_pearson_lower(k - 1, k - 1)


def test_cutoff_walks_down_until_the_bound_drops_below_target():
    confidence = np.linspace(0.99, 0.5, 100)
    correct = np.array([1] * 40 + [1, 0] * 30)  # all right at the top, half right below
    result = audit_cutoff(confidence, correct, 0.8)
    assert result.k >= 40 and result.share == result.k / 100
    assert result.cutoff == pytest.approx(confidence[result.k - 1])
    assert result.bound >= 0.8
    # One answer more would have failed: the sequence stopped at the first failure.
    right_next = correct[: result.k + 1].sum()
    assert clopper_pearson_lower(right_next, result.k + 1) < 0.8


def test_the_sequence_starts_where_a_perfect_record_could_pass():
    # From the single most confident answer (1 of 1 right: bound 0.05) every sequence would fail at once.
    confidence = np.linspace(0.99, 0.6, 20)
    result = audit_cutoff(confidence, np.ones(20), 0.8)
    assert result.cutoff == pytest.approx(0.6) and result.k == 20
    assert result.bound == pytest.approx(0.05 ** (1 / 20))
    assert audit_cutoff(confidence[:13], np.ones(13), 0.8).cutoff is None  # 13 < 14: cannot reach 0.8
    assert audit_cutoff(confidence, np.ones(20), 0.9).cutoff is None  # 0.9 needs 29


def test_tied_confidences_go_in_together_and_a_weak_audit_certifies_nothing():
    confidence = [0.9] * 30 + [0.8] * 30
    result = audit_cutoff(confidence, [1] * 30 + [0] * 30, 0.8)
    assert (result.cutoff, result.k) == (0.9, 30)
    nothing = audit_cutoff(np.linspace(0.9, 0.5, 50), [1, 0] * 25, 0.8)
    assert nothing.cutoff is None and nothing.share == 0.0 and nothing.bound < 0.8
    shares = certifiable_shares(np.linspace(0.99, 0.5, 100), [1] * 40 + [1, 0] * 30)
    assert list(shares) == [0.8, 0.9, 0.95]
    assert shares[0.8].share >= shares[0.9].share >= shares[0.95].share


def test_auto_coded_answers_meet_the_target_on_unseen_answers():
    """200 random 30% audits of 1,000 answers from an overconfident model (right with chance conf^1.3)."""
    rng = np.random.default_rng(99)
    target, runs = 0.8, 200
    met, auto_coded = 0, []
    for _ in range(runs):
        confidence = rng.beta(3, 1.2, 1000)
        correct = (rng.random(1000) < confidence ** 1.3).astype(int)
        order = rng.permutation(1000)
        audited, others = order[:300], order[300:]
        result = audit_cutoff(confidence[audited], correct[audited], target)
        if result.cutoff is None:
            met += 1  # nothing auto-coded, nothing wrong
            auto_coded.append(0.0)
            continue
        chosen = confidence[others] >= result.cutoff
        met += correct[others][chosen].mean() >= target - 0.02
        auto_coded.append(chosen.mean())
    assert met >= 0.9 * runs
    assert np.mean(auto_coded) > 0.10  # the check is not won by auto-coding nothing
