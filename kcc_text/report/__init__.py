"""A self-contained HTML report of coded answers: theme shares per wave, the shift, examples, provenance.

`build_report` returns the page as a string; `write_report` writes it atomically. The page
has inline CSS and inline SVG charts, no script and no external reference, prints on A4
and reads on a phone. See `build` for the shape of the optional `audit` dict.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

Pseudonymiser = Callable[[list[str], list[str]], tuple[list[str], Any]]


def build_report(coded, codebook, *, model_card: Mapping | None = None, audit: Mapping | None = None,
                 examples_per_theme: int = 3, pseudonymise: Pseudonymiser | None = None) -> str:
    """The HTML report of a coded-file DataFrame under its codebook.

    `model_card`: a model's card (`kcc_text.model_io.read_card`). `audit`: the dict described in
    `kcc_text.report.build` (`audit_summary` makes one). `pseudonymise(texts, respondent_ids)`
    returns `(texts, counts)`: the example answers with identifying words replaced, and how many
    of each kind it replaced (`{kind: number}`, or one such mapping per text); it sees only the
    answers the report shows.
    """
    from .build import gather
    from .html import render

    return render(gather(coded, codebook, model_card=model_card, audit=audit,
                         examples_per_theme=examples_per_theme, pseudonymise=pseudonymise))


def write_report(path: str | Path, coded, codebook, **options) -> Path:
    """Build the report and write it to `path` atomically (a failed build leaves no file)."""
    from ..io.writing import write_text_atomic

    text = build_report(coded, codebook, **options)
    write_text_atomic(path, text)
    return Path(path)


def report_from_files(coded_path: str | Path, codebook_path: str | Path, out: str | Path, *,
                      model_path: str | Path | None = None, audit_path: str | Path | None = None,
                      examples_per_theme: int = 3, pseudonymise: Pseudonymiser | None = None):
    """Read a coded file, its codebook and optionally a model's card and an audit labels file; write the report.

    With an audit, the report shows the audit-corrected shares and shifts (`build.audit_estimates`)
    beside the machine's. Returns the gathered report data (for a summary line). The output
    must end in .html or .htm and may not be one of the inputs; it is written atomically.
    """
    from ..codebook.definition import load_codebook
    from ..io.answers import read_table
    from ..errors import KccError, UsageError
    from ..io.writing import check_output_path, write_text_atomic
    from .build import audit_estimates, audit_summary, gather
    from .html import render

    out = check_output_path(out, [coded_path, codebook_path, model_path, audit_path])
    if out.suffix.lower() not in (".html", ".htm"):
        raise UsageError(f"the report is HTML: give an output name ending in .html (got '{out.suffix or 'no suffix'}')",
                         out)
    book = load_codebook(codebook_path)
    card = None
    if model_path is not None:
        from ..model.persistence import read_card

        card = read_card(model_path)
    frame = read_table(coded_path)
    try:
        audit = None
        if audit_path is not None:
            from ..analysis.audit_labels import audit_label_sets

            sets = audit_label_sets(audit_path, frame, book)
            audit = {**audit_summary(frame, sets, book, source=Path(audit_path).name),
                     **audit_estimates(frame, sets, book)}
        data = gather(frame, book, model_card=card, audit=audit, examples_per_theme=examples_per_theme,
                      pseudonymise=pseudonymise)
    except KccError as error:
        if error.path is None:
            # The library does not know the file; the user needs it in the message.
            raise type(error)(error.detail, coded_path) from None
        raise
    write_text_atomic(out, render(data))
    return data
