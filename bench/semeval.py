"""Adapter: SemEval-2016 Task 5 Dutch XML -> kcc-text corpus, labels and codebook files.

Bench code, not product code. It writes into a directory it is given (a temporary
one by default), never into the repository: the data's licence allows use for
measurement, not redistribution.

    python bench/semeval.py ../shared/datasets/semeval2016-absa-nl/restaurants_train.xml OUTDIR

Each sentence becomes an answer (`id` = sentence id, `respondent_id` = review id, so
folds can keep a review's sentences together); each aspect category becomes a theme
(`FOOD#QUALITY` -> `food_quality`). Sentences marked OutOfScope="TRUE" are left out,
as the annotators left them out. The codebook has the categories as themes and no
patterns: its themes are found by the trained classifier alone.
"""

from __future__ import annotations

import csv
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SemevalFiles:
    corpus: Path
    labels: Path
    codebook: Path
    n_sentences: int
    themes: tuple[str, ...]


def theme_id(category: str) -> str:
    return category.lower().replace("#", "_").replace("&", "and")


def read_sentences(xml_path: str | Path) -> list[tuple[str, str, str, frozenset[str]]]:
    """(sentence id, review id, text, theme ids) for every in-scope sentence, in file order."""
    root = ET.parse(xml_path).getroot()
    rows = []
    for review in root.iter("Review"):
        rid = review.get("rid")
        for sentence in review.iter("sentence"):
            if sentence.get("OutOfScope") == "TRUE":
                continue
            text = (sentence.findtext("text") or "").strip()
            themes = frozenset(theme_id(o.get("category")) for o in sentence.iter("Opinion"))
            rows.append((sentence.get("id"), rid, text, themes))
    return rows


def write_files(xml_path: str | Path, out_dir: str | Path, name: str = "semeval-restaurants") -> SemevalFiles:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = read_sentences(xml_path)
    themes = sorted({t for *_, ts in rows for t in ts})
    corpus, labels, codebook = out_dir / f"{name}.csv", out_dir / f"{name}.labels.csv", out_dir / f"{name}.yaml"
    with corpus.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["id", "text", "respondent_id"])
        for sid, rid, text, _ in rows:
            writer.writerow([sid, text, rid])
    with labels.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["id", "theme"])
        for sid, _, _, ts in rows:
            for t in sorted(ts) or [""]:
                writer.writerow([sid, t])
    lines = [f"codebook: {name}", "version: 1.0.0", "language: nl", "themes:"]
    for t in themes:
        lines += [f"  - id: {t}", f"    label: {t.upper().replace('_', ' ', 1)}"]
    codebook.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return SemevalFiles(corpus, labels, codebook, len(rows), tuple(themes))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python bench/semeval.py RESTAURANTS_XML OUTDIR")
    files = write_files(sys.argv[1], sys.argv[2])
    print(f"{files.n_sentences} sentences, {len(files.themes)} themes -> {files.corpus.parent}")
