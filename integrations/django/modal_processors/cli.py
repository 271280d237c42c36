"""Finding and running the `modal-processor` CLI on behalf of a management command.

The CLI holds the flow and its policy (checks, error codes, messages); this module only finds it, passes the flags
through as an argument array, streams its output into the command's stdout/stderr and hands its exit code back.
"""
import os
import shutil
import subprocess
import threading

from django.conf import settings
from django.core.management.base import CommandError

CLI_SETTING = "MODAL_PROCESSOR_CLI"
CLI_NAME = "modal-processor"
# A JavaScript file is run with node, so a checkout's dist/cli.cjs works whatever its file mode.
SCRIPT_SUFFIXES = (".cjs", ".mjs", ".js")
HOW_TO_GET_IT = (
    "Install it with `npm install -g github:org/modal-processor-deploy#v1` (or `npm install -g <checkout>` from a "
    f"clone), or set {CLI_SETTING} (a Django setting or an environment variable) to the CLI, e.g. "
    "<checkout>/dist/cli.cjs."
)
# Long enough for the CLI to finish what a Ctrl-C asked it to stop (it ends its Modal session), short enough to quit.
INTERRUPT_GRACE_SECONDS = 10


def flag(name, value):
    """`--name=value`: one argument, so a value that starts with '-' is never read as a flag."""
    return f"--{name}={value}"


def add_ref_argument(parser):
    parser.add_argument("--ref", required=True, help="processor ref, e.g. llm/litellm@1")


def add_env_argument(parser, required, description="Modal environment, e.g. dev"):
    parser.add_argument("--env", required=required, help=description)


def add_app_name_argument(parser):
    parser.add_argument(
        "--app-name", metavar="NAME", help="override the Modal app name derived from the ref (llm/litellm@1 -> llm-litellm-v1)"
    )


def cli_command():
    """The argument array that starts the CLI: the setting, else the environment variable, else PATH."""
    from_setting = getattr(settings, CLI_SETTING, None)
    if from_setting:
        return _configured_cli(str(from_setting), f"The {CLI_SETTING} setting")
    from_env = os.environ.get(CLI_SETTING)
    if from_env:
        return _configured_cli(from_env, f"The {CLI_SETTING} environment variable")
    found = shutil.which(CLI_NAME)
    if found:
        return [found]
    raise CommandError(
        f"The {CLI_NAME} command-line tool was not found ({CLI_SETTING} is not set and it is not on PATH). {HOW_TO_GET_IT}"
    )


def _configured_cli(configured, source):
    path = os.path.abspath(os.path.expanduser(configured))
    if not os.path.isfile(path):
        raise CommandError(f"{source} is {configured!r}, which is not a file. {HOW_TO_GET_IT}")
    if path.endswith(SCRIPT_SUFFIXES):
        node = shutil.which("node")
        if node is None:
            raise CommandError(
                f"{source} is the JavaScript file {configured!r}, which needs Node.js 20 or later: node is not on PATH."
            )
        return [node, path]
    if not os.access(path, os.X_OK):
        raise CommandError(
            f"{source} is {configured!r}, which is not executable (chmod +x it, or give the path of dist/cli.cjs)."
        )
    return [path]


def run_cli(command, subcommand, flags):
    """Runs `modal-processor <subcommand> <flags>`, streaming its stdout and stderr into the command's.

    Returns when the CLI succeeded; otherwise raises CommandError with the CLI's exit code, which Django's
    run_from_argv makes the process's exit code (and call_command raises to its caller).
    """
    argv = [*cli_command(), subcommand, *flags]
    try:
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, encoding="utf-8", errors="replace")
    except OSError as error:
        raise CommandError(f"Could not start {argv[0]}: {error.strerror}. {HOW_TO_GET_IT}") from None
    copies = [
        threading.Thread(target=_copy_lines, args=(process.stdout, command.stdout), daemon=True),
        threading.Thread(target=_copy_lines, args=(process.stderr, command.stderr), daemon=True),
    ]
    for copy in copies:
        copy.start()
    try:
        returncode = process.wait()
    except KeyboardInterrupt:
        # Ctrl-C reached the CLI too (same process group): let it wind down, then report how it ended. A second
        # Ctrl-C, or the grace running out, stops it at once.
        try:
            returncode = process.wait(timeout=INTERRUPT_GRACE_SECONDS)
        except (subprocess.TimeoutExpired, KeyboardInterrupt):
            process.kill()
            returncode = process.wait()
    for copy in copies:
        copy.join()
    if returncode != 0:
        # A CLI ended by a signal reports -N; a shell would say 128 + N.
        exit_code = returncode if returncode > 0 else 128 - returncode
        raise CommandError(
            f"{CLI_NAME} {subcommand} exited with code {exit_code}; its messages are above.", returncode=exit_code
        )


def _copy_lines(source, destination):
    writable = True
    for line in source:
        # Once the destination refuses (a closed pipe, `| head`; an encoding that cannot hold the text), the rest is
        # still read, so the CLI never blocks on a full pipe and the command still ends with its exit code.
        if not writable:
            continue
        try:
            # As written: no ending added, no styling (stderr's default style would paint the progress as errors).
            destination.write(line, style_func=_as_is, ending="")
            destination.flush()
        except (OSError, ValueError, UnicodeError):
            writable = False
    source.close()


def _as_is(text):
    return text
