"""What the CLI tests share: invoking the app and checking the one-line error contract."""

from typer.testing import CliRunner

from kcc_text.cli import app

runner = CliRunner()


def invoke(*args, env=None):
    return runner.invoke(app, [str(a) for a in args], env=env)


def assert_clean_error(result, *words):
    """Exit status 2, exactly one line on stderr starting with "error: ", naming `words`, no traceback."""
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for word in words:
        assert word in lines[0]
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
