"""Hostile codebooks: alias bombs, giant patterns, huge and deeply nested files end in a clear error, fast.

A codebook is edited by hand and shared; whatever it holds, `kcc-text` answers within
seconds and bounded memory, with one line naming the file and the problem.
"""

from __future__ import annotations

import textwrap
import time
import tracemalloc

import pytest

from cli_helpers import assert_clean_error, invoke
from conftest import write_tiny_corpus

from kcc_text.codebook.definition import load_codebook, parse_codebook
from kcc_text.errors import CodebookError

HEAD = "codebook: vijandig\nversion: 1.0.0\n"
THEME = "themes:\n  - id: salaris\n    label: Salaris\n"


def laughs(indent: str, levels: int = 9) -> str:
    """Nine aliases of nine aliases ...: 9**9 (387 million) values once expanded, 1 kB as written."""
    lines = [f'{indent}- &l0 ["hahaha", "hahaha", "hahaha", "hahaha", "hahaha", "hahaha", "hahaha", "hahaha", '
             '"hahaha"]']
    lines += [f"{indent}- &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def token_laughs() -> str:
    lines = ["        - &t0 {LOWER: haha}"]
    lines += [f"        - &t{i} {{LOWER: {{IN: [" + ", ".join([f"*t{i - 1}"] * 9) + "]}}" for i in range(1, 9)]
    return "\n".join(lines) + "\n"


HOSTILE = {
    "alias bomb in examples": (HEAD + THEME + "    examples:\n" + laughs("      "), "alias bomb"),
    "alias bomb in patterns": (HEAD + THEME + "    patterns:\n" + laughs("      "), "alias bomb"),
    "alias bomb in a token pattern": (HEAD + THEME + "    patterns:\n      - tokens:\n" + token_laughs(),
                                      "alias bomb"),
    "alias bomb as the version": ("codebook: vijandig\nversion:\n" + laughs("  ") + THEME, "alias bomb"),
    "alias bomb in a description": (HEAD + "description:\n" + laughs("  ") + THEME, "alias bomb"),
    "alias inside its own anchor": (HEAD + "themes:\n  - &zelf {id: salaris, label: Salaris, examples: *zelf}\n",
                                    "refers to itself"),
    "nested 10,000 lists deep": (HEAD + THEME + "    description: " + "[" * 10_000 + "]" * 10_000 + "\n",
                                 "nest"),
    "a pattern of 1 MB": (HEAD + THEME + "    patterns:\n      - " + "loon " * 200_000 + "\n",
                          "theme 'salaris': invalid pattern 'loon loon"),
    "10,000 themes": (HEAD + "themes:\n" + "".join(
        f"  - id: thema_{i}\n    label: Thema {i}\n    patterns: [woord{i}]\n" for i in range(10_000)),
        "10000 themes; kcc-text handles at most"),
}


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "antwoorden.csv"
    write_tiny_corpus(path)
    return path


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_codebook_is_a_clear_error_within_seconds_and_little_memory(name, corpus, tmp_path):
    text, words = HOSTILE[name]
    codebook = tmp_path / "vijandig.yaml"
    codebook.write_text(text, encoding="utf-8")
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = invoke("code", corpus, "--codebook", codebook, "--out", tmp_path / "coded.csv")
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert_clean_error(result, f"{codebook}", words)
    assert len(result.stderr) < 400  # the message quotes the start of a huge value, never all of it
    assert seconds < 10, f"{name}: {seconds:.1f} s"
    assert peak < 200 * 2**20, f"{name}: {peak / 2**20:.0f} MB"
    assert not (tmp_path / "coded.csv").exists()


def test_deep_nesting_is_refused_also_without_libyaml(monkeypatch, tmp_path):
    """The pure-Python YAML parser (used where PyYAML has no libyaml) stops at the same depth."""
    import yaml

    monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    text = HEAD + THEME + "    description:\n" + "".join(" " * (6 + 2 * i) + "-\n" for i in range(2000))
    started = time.perf_counter()
    with pytest.raises(CodebookError, match="nested more than 32 levels deep"):
        parse_codebook(text, tmp_path / "diep.yaml")
    with pytest.raises(CodebookError, match="alias bomb"):
        parse_codebook(HEAD + THEME + "    examples:\n" + laughs("      "), tmp_path / "bom.yaml")
    assert time.perf_counter() - started < 10


def test_a_file_over_two_megabytes_is_refused_before_parsing(tmp_path):
    path = tmp_path / "groot.yaml"
    path.write_text(HEAD + THEME + "    description: '" + "x" * 3_000_000 + "'\n", encoding="utf-8")
    with pytest.raises(CodebookError, match=r"is 3,000,\d+ bytes; a codebook is at most 2,000,000"):
        load_codebook(path)


def test_ordinary_aliases_and_a_thousand_themes_still_work(corpus, tmp_path):
    """Sharing a pattern list with an anchor is fine; so is a big codebook at the limit."""
    shared = textwrap.dedent("""\
        codebook: gedeeld
        version: 1.0.0
        themes:
          - id: salaris
            label: Salaris
            patterns: &geld [salaris, loon]
          - id: beloning
            label: Beloning
            patterns: *geld
        """)
    book = parse_codebook(shared)
    assert [p.text for p in book.theme("beloning").patterns] == ["salaris", "loon"]

    big = tmp_path / "groot.yaml"
    big.write_text(HEAD + "themes:\n  - id: salaris\n    label: Salaris\n    patterns: [salaris]\n" + "".join(
        f"  - id: thema_{i}\n    label: Thema {i}\n    patterns: [woord{i}]\n" for i in range(999)), encoding="utf-8")
    started = time.perf_counter()
    result = invoke("code", corpus, "--codebook", big, "--out", tmp_path / "coded.csv")
    assert result.exit_code == 0, result.output
    assert time.perf_counter() - started < 30
    assert "Coded 5 answers with vijandig@1.0.0" in result.stdout
