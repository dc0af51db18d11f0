"""The progress bar of long runs: nothing for a quick run or without a terminal; answers per second otherwise."""

from __future__ import annotations

import io

from rich.console import Console

from kcc_text.cli.progress import progress_factory

from cli_helpers import assert_clean_error, invoke


def _terminal():
    out = io.StringIO()
    return Console(file=out, force_terminal=True, width=100), out


def test_a_quick_run_shows_no_bar():
    console, out = _terminal()
    with progress_factory("coding", console=console, show_after=3600)() as advance:
        advance(2000)
        advance(2000)
    assert out.getvalue() == ""


def test_a_long_run_shows_answers_done_and_answers_per_second():
    console, out = _terminal()
    with progress_factory("coding", console=console, show_after=0)() as advance:
        for _ in range(5):
            advance(2000)
    shown = out.getvalue()
    assert "coding" in shown and "10,000 answers" in shown and "answers/s" in shown


def test_no_bar_when_stderr_is_not_a_terminal():
    assert progress_factory("coding", console=Console(file=io.StringIO())) is None


def test_quiet_code_prints_no_summary(tiny_corpus, tiny_codebook, tmp_path):
    out = tmp_path / "gecodeerd.csv"
    result = invoke("code", tiny_corpus, "--codebook", tiny_codebook, "--out", out, "--quiet", "--workers", "2")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8-sig").count("\n") == 6


def test_workers_below_one_are_refused(tiny_corpus, tiny_codebook, tmp_path):
    out = tmp_path / "gecodeerd.csv"
    result = invoke("code", tiny_corpus, "--codebook", tiny_codebook, "--out", out, "--workers", "0")
    assert_clean_error(result, "--workers", "1 or more")
    assert not out.exists()
