"""Views of audits: the strata of a sample, what an audit certifies for `code`, a merge's summary."""

from __future__ import annotations

from rich import box
from rich.table import Table
from rich.text import Text

from ..model.selective import min_count


def sample_table(sample) -> Table:
    """Per stratum: answers in the coded file, non-answers left out of the draw, answers drawn."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, collapse_padding=True)
    for column in sample.by or ("group",):
        table.add_column(column, overflow="fold")
    table.add_column("answers", justify="right", no_wrap=True)
    table.add_column("non-answers", justify="right", no_wrap=True)
    table.add_column("drawn", justify="right", no_wrap=True)
    for stratum in sample.strata:
        values = [v or "(empty)" for v in stratum.values] or ["all answers"]
        drawn = f"{stratum.sampled}" + (" (all)" if stratum.eligible <= sample.n else "")
        table.add_row(*values, str(stratum.answers), str(stratum.non_answers), drawn)
    return table


def whole_notes(sample) -> list[str]:
    """A line per stratum with no more than n answers to draw from: it is in the sample whole."""
    return [f"{stratum.name(sample.by)} has only {stratum.eligible} answers to draw from (asked {sample.n}): "
            "all of them are in the sample" for stratum in sample.whole()]


def _pct(share: float) -> str:
    return f"{share * 100:.1f}%"


def cutoff_lines(check) -> list[str]:
    """What `code --audit` chose and why: cut-off, share coded automatically, the bound, what P could be."""
    cut = check.cutoff
    lines = [f"Audit: {check.n_audited} answers coded by a person keep their codes (source = human)."]
    if cut.cutoff is None:
        why = (f"its {cut.n} audited answers cannot show {cut.target:g} even if all were right" if cut.bound is None
               else f"lower bound {cut.bound:.3f} for the most confident audited answers")
        lines.append(f"Target precision {cut.target:g}: nothing can be coded automatically ({why}); every other "
                     f"answer with words gets needs_review = 1.")
    else:
        lines.append(f"Target precision {cut.target:g}: auto-coding answers with confidence >= {cut.cutoff:.3f} "
                     f"({check.n_auto} of the other {check.n_others} answers, {_pct(check.share)}). "
                     f"Above that cut-off {cut.right} of {cut.k} audited answers were right: exact-set accuracy "
                     f">= {cut.bound:.3f} with {cut.level * 100:g}% confidence (Clopper-Pearson lower bound, "
                     "fixed-sequence testing).")
    return lines


def certify_table(check) -> Table:
    """For each target precision: the cut-off this audit certifies and the share that could be auto-coded."""
    table = Table(title=Text("What this audit can certify"), box=box.SIMPLE_HEAD, show_edge=False,
                  collapse_padding=True, title_style="bold", title_justify="left")
    table.add_column("target", justify="right", no_wrap=True)
    table.add_column("cut-off", justify="right", no_wrap=True)
    table.add_column("auto-coded", justify="right", no_wrap=True)
    table.add_column("audited right", justify="right", no_wrap=True)
    table.add_column("lower bound", justify="right", no_wrap=True)
    for target, cut in check.certifiable.items():
        if cut.cutoff is None and cut.bound is None:  # too few audited answers to show this target at all
            table.add_row(f"{target:g}", "–", "none", f"< {min_count(target, cut.level)} audited", "–")
        elif cut.cutoff is None:
            table.add_row(f"{target:g}", "–", "none", "–", f"{cut.bound:.3f}")
        else:
            table.add_row(f"{target:g}", f"{cut.cutoff:.3f}", _pct(check.auto_shares[target]),
                          f"{cut.right}/{cut.k}", f"{cut.bound:.3f}")
    return table


def randomness_note(check) -> str | None:
    if check.looks_random:
        return None
    return (f"the audited answers do not look like a random sample (their confidence differs from the other "
            f"answers', Mann-Whitney p = {check.randomness_p:.2g}): the cut-off's guarantee assumes a simple "
            "random audit (`kcc-text sample`)")
