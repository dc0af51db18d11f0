"""`kcc-text annotate`: code answers by hand, one key press at a time, saving every decision at once."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer

from .common import console, guard
from .options import (CodebookOpt, HeaderRow, IdCol, ModelOpt, QuestionCol, QuestionKey, SheetOpt, SkipRows,
                      SpacyModel, TextCols, WaveCol, answer_options)

LEGEND = "Enter accept · 1-9, a-z toggle a theme · 0 no theme · s skip · u undo · q quit"
BLIND_LEGEND = "Enter save · 1-9 a-z tick a theme · 0 no theme · s skip · u undo · q quit"
SCREEN = (80, 24)  # what a blind screen must fit when the terminal's size is unknown


class Order(str, enum.Enum):
    uncertain = "uncertain"
    input = "input"


@guard
def annotate(
    corpus: Annotated[Path, typer.Argument(help="Answers: CSV, XLSX or SPSS .sav with id and text columns.")],
    codebook: CodebookOpt,
    labels: Annotated[Path, typer.Option(
        "--labels", "-l", help="Labels file to append decisions to (created when missing; never rewritten).")],
    coder: Annotated[str, typer.Option("--coder", help="Your name or initials, stored with every decision.")],
    model: ModelOpt = None,
    order: Annotated[Order | None, typer.Option(
        "--order", help="uncertain (default): the answers the machine is least sure of first; input: file "
                        "order (the only order with --blind).")] = None,
    only_review: Annotated[bool, typer.Option(
        "--only-review", help="Only answers the machine would send to review.")] = False,
    blind: Annotated[bool, typer.Option(
        "--blind", help="Code without seeing anything of the machine (for an audit): no suggested or ticked "
                        "theme, no scores, file order; the screen fits 80x24.")] = False,
    spacy_model: SpacyModel = None,
    id_col: IdCol = "id", text_col: TextCols = None, wave_col: WaveCol = "wave",
    question_col: QuestionCol = "question", question: QuestionKey = None, sheet: SheetOpt = None,
    header_row: HeaderRow = 1, skip_rows: SkipRows = None,
) -> None:
    """Code answers by hand with suggested themes (none with --blind); resumes where you stopped."""
    from ..io.locking import exclusive
    from ..io.writing import check_output_path

    check_output_path(labels, [corpus, codebook, model])
    # One session per labels file: a second one would code the same answers again.
    with exclusive(labels, "annotate"):
        _annotate(corpus, codebook, labels, coder, model=model, order=order, only_review=only_review,
                  spacy_model=spacy_model, blind=blind,
                  columns=answer_options(id_col, text_col, wave_col, question_col, question, sheet, header_row,
                                         skip_rows))


def _annotate(corpus, codebook, labels, coder, *, model, order, only_review, spacy_model, blind,
              columns) -> None:
    from ..annotate.session import plan_session

    plan = plan_session(corpus, codebook, labels, coder, model_path=model, order=order.value if order else None,
                        only_review=only_review, spacy_model=spacy_model, blind=blind, columns=columns)
    for note in plan.notes:
        console.print(f"note: {note}", highlight=False, markup=False)
    session = plan.session
    if session.done:
        console.print(f"Nothing to code: {plan.n_done_before} of {plan.n_answers} answers already coded by "
                      f"{session.coder}; empty answers are left out.", highlight=False, markup=False)
        return
    try:
        session.run(_read_key, _show_blind if blind else _show)
    finally:
        # Decisions are already on disk; this only tells the coder where things stand.
        left = session.remaining
        console.print(f"{session.n_saved} decisions saved to {labels} ({session.n_skipped} skipped; {left} of "
                      f"{len(session.items)} in this queue not yet decided). Run the same command again "
                      "to continue.", highlight=False, markup=False)


def _read_key() -> str:
    from ..errors import UsageError

    try:
        return typer.getchar()
    except (KeyboardInterrupt, EOFError):
        return "q"
    except OSError:
        raise UsageError("annotate needs an interactive terminal to read key presses") from None


def _show(session) -> None:
    if console.is_terminal:
        console.clear()
    console.print(screen(session))


def screen(session):
    """The answer in a panel, its themes with their keys and suggestions, the legend and last message."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    item = session.current
    done = session.position + 1
    where = " · ".join(x for x in (item.wave, item.question) if x)
    title = f"{done}/{len(session.items)} · {item.id}" + (f" · {where}" if where else "")
    themes = Table.grid(padding=(0, 1))
    themes.add_column(no_wrap=True)
    themes.add_column(no_wrap=True, style="bold")
    themes.add_column(overflow="fold")
    themes.add_column(no_wrap=True, justify="right")
    for theme in session.codebook.themes:
        if theme.id not in item.applicable:
            continue
        on = theme.id in session.selected
        hint = []
        if theme.id in item.suggested:
            hint.append("suggested")
        if item.scores and theme.id in item.scores:
            hint.append(f"{item.scores[theme.id]:.2f}")
        themes.add_row(Text("[x]" if on else "[ ]", style="bold green" if on else "dim"),
                       session.key_of[theme.id], Text(f"{theme.id}  {theme.label}", style="bold" if on else ""),
                       Text(" ".join(hint), style="dim"))
    parts = [Panel(Text(item.text), title=Text(title), title_align="left"), themes, Text(LEGEND, style="dim")]
    if session.message:
        parts.append(Text(session.message, style="yellow"))
    return Group(*parts)


def _show_blind(session) -> None:
    if console.is_terminal:
        console.clear()
        width, height = console.size
    else:
        width, height = SCREEN
    console.print(blind_screen(session, width=width, height=height), soft_wrap=True)


def blind_screen(session, *, width: int = SCREEN[0], height: int = SCREEN[1]):
    """The answer and the themes that apply, nothing of the machine, in at most `height` lines of `width`.

    The themes go in up to three columns; an answer longer than the lines left shows a page at a
    time (space for the next).
    """
    import math
    import textwrap

    from rich.console import Group
    from rich.text import Text

    item = session.current
    themes = [t for t in session.codebook.themes if t.id in item.applicable]
    columns = 1 if len(themes) <= 8 else (2 if len(themes) <= 24 else 3)
    rows = math.ceil(len(themes) / columns)
    cell = width // columns
    where = " · ".join(x for x in (item.wave, item.question) if x)
    title = " · ".join([f"{session.position + 1}/{len(session.items)}", item.id] + ([where] if where else [])
                       + ["blind"])
    lines = [Text(_fit(title, width), style="bold"), Text("─" * width, style="dim")]
    text_rows = max(3, height - 5 - rows)
    wrapped = textwrap.wrap(item.text, width) or [""]
    if len(wrapped) > text_rows:
        per_page = text_rows - 1
        pages = math.ceil(len(wrapped) / per_page)
        page = session.page % pages
        shown = wrapped[page * per_page:(page + 1) * per_page]
        lines.extend(Text(line) for line in shown)
        lines.extend(Text("") for _ in range(per_page - len(shown)))
        lines.append(Text(_fit(f"… page {page + 1}/{pages} of this answer: space shows the next", width),
                          style="dim"))
    else:
        lines.extend(Text(line) for line in wrapped)
    lines.append(Text("─" * width, style="dim"))
    for r in range(rows):
        line = Text()
        for c in range(columns):
            index = c * rows + r
            if index >= len(themes):
                break
            theme = themes[index]
            on = theme.id in session.selected
            box = "[x]" if on else "[ ]"
            label = _fit(f"{box} {session.key_of[theme.id]} {theme.label}", cell - 1)
            line.append(label.ljust(cell) if c < columns - 1 else label, style="bold green" if on else "")
        lines.append(line)
    lines.append(Text(_fit(BLIND_LEGEND, width), style="dim"))
    lines.append(Text(_fit(session.message, width), style="yellow"))
    return Group(*lines)


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[:max(0, width - 1)] + "…"
