"""`modal` console script: run the CLI and turn exceptions into the real client's output."""
import os
import sys

from . import _output
from ._traceback import print_user_traceback
from .cli.entry_point import entrypoint_cli
from .exception import _CliUserExecutionError


def _traceback_wanted() -> bool:
    return os.environ.get("MODAL_TRACEBACK", "").lower() not in ("", "0", "false")


def main() -> None:
    try:
        with _output.enable_output():
            entrypoint_cli()
    except _CliUserExecutionError as exc:
        if _traceback_wanted():
            raise
        print_user_traceback(exc.__cause__)
        sys.exit(1)
    except Exception as exc:
        if _traceback_wanted() or not str(exc):
            raise
        content = str(exc)
        if notes := getattr(exc, "__notes__", []):
            content = f"{content}\n\nNote: {' '.join(notes)}"
        _output.print_error(content)
        sys.exit(1)


if __name__ == "__main__":
    main()
