"""The CSV coder writes rows itself where it can; every cell must come out as pandas writes it."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from kcc_text.csv_coding import CsvCoder

ODD_TEXTS = ["", "gewoon", "a,b", "a;b", 'zei "hoi"', "regel\neen", "regel\r\ntwee", "los\r", " spatie ",
             "\ttab", "=SUM(A1)", "-99", "'t is goed", "@home", "émoji 😀", "\x00nul", "\u2028scheiding"]
FLOATS = [0.0, -0.0, 0.001, 0.5, 1.0, 0.123, 1 / 3, 1e-05, 1e16, -2.5, 123456.789, float("nan"), 0.1 + 0.2]


def pandas_rows(frame, delimiter):
    return frame.to_csv(index=False, header=False, lineterminator="\n", sep=delimiter)


def random_frame(rng: random.Random, n: int) -> pd.DataFrame:
    return pd.DataFrame({
        "id": [f"a{i}" for i in range(n)],
        "text": [rng.choice(ODD_TEXTS) for _ in range(n)],
        "int": np.array([rng.randrange(-5, 5) for _ in range(n)], dtype=np.int64),
        "float": np.array([rng.choice(FLOATS) for _ in range(n)]),
        "round3": np.array([round(rng.random(), 3) for _ in range(n)]),
        "mixed": [rng.choice(FLOATS + ["", None, 7]) for _ in range(n)],
        "flag": [rng.random() < 0.5 for _ in range(n)],
    })


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_rows_written_by_the_coder_equal_pandas(delimiter):
    rng = random.Random(5)
    coder = CsvCoder(None, delimiter=delimiter)
    for _ in range(20):
        frame = random_frame(rng, 60)
        lines = coder._lines(frame)
        assert lines is not None
        assert "".join(line + "\n" for line in lines) == pandas_rows(frame, delimiter)


def test_columns_it_does_not_know_are_left_to_pandas():
    coder = CsvCoder(None)
    frame = pd.DataFrame({"id": ["a", "b"], "when": pd.to_datetime(["2020-01-01", "2020-10-01"])})
    assert coder._lines(frame) is None
    for cells in ([np.float64(0.5), "x"], [np.float64(0.25001), "x"], [np.int64(3), pd.NA], [True, b"x"]):
        frame = pd.DataFrame({"id": ["a", "b"], "cell": pd.Series(cells, dtype=object)})  # numpy scalars ...
        lines = coder._lines(frame)
        assert lines is None or "".join(line + "\n" for line in lines) == pandas_rows(frame, ",")
    assert coder._lines(pd.DataFrame({"id": ["", "b"]})) is None  # one column: an empty row is written ""


def test_records_with_a_header_defuse_formula_like_cells_in_the_first_row():
    coder = CsvCoder(None)
    frame = pd.DataFrame({"id": ["a1", "a2"], "text": ["-- ze naar, die", "=1+1"]})
    header, first, second = coder._records(frame, True)
    assert header == "id,text" and first == "a1,\"'-- ze naar, die\"" and second == "a2,'=1+1"
