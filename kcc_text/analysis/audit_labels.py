"""An audit labels file read against the coded file it audits: a person's themes per coded row.

`shift --audit` and `report --audit` both correct the machine's shares with a random
sample of answers that a person coded (`analysis.ppi`); both read the sample here, so that
they accept and refuse the same files.
"""

from __future__ import annotations

from pathlib import Path


def audit_label_sets(path: str | Path, frame, codebook=None) -> dict:
    """The audit's latest decision per answer, keyed as the coded file's rows are; errors name the audit file.

    Keys are answer ids, or (id, question) when the coded file repeats ids across questions
    (a wide file coded long) and the labels say the question. Themes must be the codebook's,
    or without a codebook ones the coded file knows (assigned somewhere, or a model's
    `p_<theme>` column). Answers absent from the coded file are kept here; `read_audit` refuses them.
    """
    from ..errors import InputFileError
    from ..io.coded import split_themes
    from ..io.labels import label_sets, read_labels

    labels = read_labels(path, known_themes=codebook.theme_ids if codebook is not None else None)
    if codebook is None and "themes" in frame.columns:
        known = {t for value in frame["themes"] for t in split_themes(value)}
        known |= {c[2:] for c in frame.columns if c.startswith("p_")}
        unknown = sorted(set(labels["theme"]) - known - {""})
        if unknown:
            line = int(labels["theme"].isin(unknown).to_numpy().argmax()) + 2
            raise InputFileError(f"theme '{unknown[0]}' is not in the coded file"
                                 + (f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else "")
                                 + "; give the codebook to name every theme", path, line=line)
    ids = frame["id"].astype(str).str.strip() if "id" in frame.columns else None
    if ids is not None and ids.duplicated().any() and "question" in labels.columns:
        # One row per id and question (wide input coded long): join on both.
        sets = {}
        for q, part in labels.groupby(labels["question"].astype(str).str.strip(), sort=False):
            sets.update({(answer_id, q): themes for answer_id, themes in label_sets(part).items()})
        return sets
    return label_sets(labels)


def read_audit(path: str | Path, frame, codebook=None) -> dict:
    """`audit_label_sets`, refusing an audit that cannot correct this coded file.

    Every audited answer must be in the coded file, and its row must carry the machine's codes
    (`analysis.shift.audit_by_row`).
    """
    from ..errors import KccError
    from .shift import audit_by_row

    sets = audit_label_sets(path, frame, codebook)
    try:
        audit_by_row(frame, sets)
    except KccError as error:
        raise type(error)(error.detail, path) from None
    return sets


def row_keys(frame, audit) -> list:
    """Per row of a coded frame, the key an audit uses for it: the id, or (id, question)."""
    from ..io.coded import cell_text

    ids = [cell_text(v) for v in frame["id"]] if "id" in frame.columns else [""] * len(frame)
    if any(isinstance(key, tuple) for key in audit) and "question" in frame.columns:
        return list(zip(ids, (cell_text(v) for v in frame["question"])))
    return ids
