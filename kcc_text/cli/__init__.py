"""The `kcc-text` command: thin Typer wrappers over the library.

Each command module parses options, calls one library function and renders the
result. Heavy libraries (spaCy, scikit-learn, pandas) are imported inside the
commands, so `kcc-text --help` stays instant.
"""

from __future__ import annotations

import typer

from .common import run_guarded

app = typer.Typer(
    name="kcc-text",
    help="Code Dutch open survey answers into themes and report how themes shift between waves.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Command registration: one line per command module (keep this list sorted by command).
from . import agreement_cmd  # noqa: E402
from . import annotate_cmd  # noqa: E402
from . import codebook_cmd  # noqa: E402
from . import code_cmd  # noqa: E402
from . import demo_cmd  # noqa: E402
from . import discover_cmd  # noqa: E402
from . import evaluate_cmd  # noqa: E402
from . import report_cmd  # noqa: E402
from . import export_cmd  # noqa: E402
from . import import_cmd  # noqa: E402
from . import merge_cmd  # noqa: E402
from . import pseudonymise_cmd  # noqa: E402
from . import review_cmd  # noqa: E402
from . import sample_cmd  # noqa: E402
from . import shift_cmd  # noqa: E402
from . import train_cmd  # noqa: E402

app.command("agreement")(agreement_cmd.agreement)
app.command("annotate")(annotate_cmd.annotate)
app.add_typer(codebook_cmd.app, name="codebook")
app.command("code")(code_cmd.code)
app.command("demo")(demo_cmd.demo)
app.command("discover")(discover_cmd.discover)
app.command("evaluate")(evaluate_cmd.evaluate)
app.command("report")(report_cmd.report)
app.command("export")(export_cmd.export)
app.command("import-codes")(import_cmd.import_codes)
app.command("merge")(merge_cmd.merge)
app.command("pseudonymise")(pseudonymise_cmd.pseudonymise)
app.command("review")(review_cmd.review)
app.command("sample")(sample_cmd.sample)
app.command("shift")(shift_cmd.shift)
app.command("train")(train_cmd.train)


def main() -> None:
    run_guarded(app)
