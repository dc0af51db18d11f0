"""Coded answers written in the format the output's name asks for, and read back as they were.

`.csv`: UTF-8 with a byte-order mark (so Excel reads it as UTF-8), comma or `--delimiter`;
text a spreadsheet would run as a formula gets a leading apostrophe (`writing.defuse_formula`),
which `read_coded` takes off again. `.xlsx`: see `excel`. `.sav`: see `spss`; the theme
columns are 0/1 variables labelled with the theme and the values 0 = niet genoemd,
1 = genoemd. Value labels of an SPSS input are kept in a `.sav` output and shown as their
labels in `.csv` and `.xlsx`.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UsageError

OUTPUT_FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".sav": "sav"}
DELIMITERS = {",": ",", ";": ";", "\t": "\t", "tab": "\t", "\\t": "\t", "|": "|"}
from .coded import REVIEW_VALUES, THEME_VALUES


def output_format(path: str | Path) -> str:
    """'csv', 'xlsx' or 'sav' from the output's name; any other name is an error."""
    suffix = Path(path).suffix.lower()
    if suffix not in OUTPUT_FORMATS:
        raise UsageError(f"cannot write '{suffix or 'no extension'}' files: give --out a name ending in "
                         f"{', '.join(OUTPUT_FORMATS)}", path)
    return OUTPUT_FORMATS[suffix]


def parse_delimiter(text: str | None, fmt: str) -> str:
    """The CSV delimiter of `--delimiter` (`,`, `;`, `tab` or `|`)."""
    if text is None:
        return ","
    if fmt != "csv":
        raise UsageError(f"is for a .csv output, not .{fmt}", setting="delimiter")
    if text not in DELIMITERS:
        raise UsageError(f"must be one of , ; tab | (got {text!r})", setting="delimiter")
    return DELIMITERS[text]


def with_value_labels(frame, meta):
    """`frame` with the SPSS value labels of its input columns shown as their labels (for CSV and XLSX)."""
    if meta is None or not meta.value_labels:
        return frame
    shown = frame.copy()
    for column, labels in meta.value_labels.items():
        if column in shown.columns and labels:
            shown[column] = shown[column].map(lambda v, m=labels: m.get(v, v) if isinstance(v, str) else v)
    return shown


def coded_labels(columns, codebook) -> tuple[dict[str, str], dict[str, dict]]:
    """Variable and value labels of the columns `code` adds, for an SPSS output."""
    from .coded import theme_columns
    from .wide import zero_one_columns

    variable: dict[str, str] = {"themes": "thema's", "needs_review": "nakijken door een persoon",
                                "confidence": "kans dat de themaset klopt", "evidence": "gevonden woorden",
                                "codebook": "codeboek", "pipeline": "Nederlandse taalverwerking",
                                "model": "model", "source": "codes van (machine of human)",
                                "non_answer": "geen antwoord (n.v.t., weet niet, ...)"}
    values: dict[str, dict] = {"needs_review": dict(REVIEW_VALUES), "non_answer": dict(REVIEW_VALUES)}
    labels = {t.id: t.label for t in codebook.themes}
    for prefix, template in (("th", "{}"), ("src", "bron: {}"), ("p", "kans: {}")):
        for theme_id, name in theme_columns(codebook.theme_ids, prefix).items():
            variable[name] = template.format(labels[theme_id])
            if prefix == "th":
                values[name] = dict(THEME_VALUES)
    import pandas as pd

    for name in zero_one_columns(pd.DataFrame(columns=list(columns)), codebook):
        values[name] = dict(THEME_VALUES)
    for name in columns:
        if name.endswith("__needs_review"):
            values[name] = dict(REVIEW_VALUES)
    present = set(columns)
    return ({k: v for k, v in variable.items() if k in present}, {k: v for k, v in values.items() if k in present})


def number_columns(columns, codebook) -> set[str]:
    """The columns `code` adds that hold numbers, even when empty (`confidence` without a model)."""
    from .coded import theme_columns

    numbers = {"needs_review", "confidence", "non_answer"}
    numbers |= set(theme_columns(codebook.theme_ids, "th").values()) | set(theme_columns(codebook.theme_ids, "p").values())
    numbers |= {c for c in columns if c.endswith(("__needs_review", "__confidence"))}
    import pandas as pd
    from .wide import zero_one_columns

    numbers |= set(zero_one_columns(pd.DataFrame(columns=list(columns)), codebook))
    return numbers & set(columns)


def write_coded(frame, path: str | Path, fmt: str, *, codebook, meta=None, delimiter: str = ",",
                variable_labels: dict[str, str] | None = None) -> None:
    """Write a whole coded frame in `fmt` ('csv', 'xlsx' or 'sav'), atomically."""
    if fmt == "csv":
        from .writing import write_csv_atomic

        write_csv_atomic(with_value_labels(frame, meta), path, delimiter=delimiter, bom=True)
    elif fmt == "xlsx":
        from .excel import write_xlsx

        write_xlsx(with_value_labels(frame, meta), path, codebook=codebook, meta=meta)
    else:
        from .spss import write_sav

        variable, values = coded_labels(frame.columns, codebook)
        measure = {c: "nominal" for c in values}
        write_sav(frame, path, variable_labels={**variable, **(variable_labels or {})}, value_labels=values,
                  meta=meta, measure=measure, numbers=number_columns(frame.columns, codebook))
