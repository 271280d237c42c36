"""The management commands as a Django project runs them, with this checkout's CLI bundle (dist/cli.cjs), the
processor catalogue and a local Modal emulator.

`python manage.py …` runs as a subprocess in a temporary project for the flows and the exit codes; the many small
cases run what manage.py runs (execute_from_command_line, call_command) in this process, which is much quicker.
Run with the interpreter that has Django (Debian's python3-django: /usr/bin/python3); `npm run test:py` finds it.
"""
import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import warnings
from pathlib import Path
from unittest import mock

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
REPO_ROOT = PACKAGE_ROOT.parent.parent
CLI = REPO_ROOT / "dist" / "cli.cjs"
REF = "llm/litellm@1"
APP = "llm-litellm-v1"
UNKNOWN_REF = "nope/x@1"
ENVELOPE = json.dumps({"schema": "v1", "params": {"messages": [{"role": "user", "content": "hello from django"}]}})

SETTINGS = """SECRET_KEY = "modal-processors-tests"
INSTALLED_APPS = ["modal_processors"]
USE_TZ = True
"""
MANAGE = """import os
import sys

from django.core.management import execute_from_command_line

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project_settings")
execute_from_command_line(sys.argv)
"""


def setUpModule():
    try:
        import django  # noqa: F401
    except ImportError:
        raise AssertionError(
            f"Django is not installed for {sys.executable}. Install Debian's python3-django "
            "(apt-get install -y python3-django) and run this suite with the interpreter it installs for "
            "(/usr/bin/python3); `npm run test:py` finds it."
        ) from None


def make_project(directory):
    """A Django project as a user has one: settings, manage.py and the processor catalogue next to them."""
    (directory / "project_settings.py").write_text(SETTINGS)
    (directory / "settings_with_cli.py").write_text(
        f"from project_settings import *  # noqa: F401,F403\n\nMODAL_PROCESSOR_CLI = {str(CLI)!r}\n"
    )
    (directory / "manage.py").write_text(MANAGE)
    # The processors are part of the project: a catalogue's local_command stays inside the catalogue's folder.
    shutil.copytree(REPO_ROOT / "processors", directory / "processors")
    (directory / "modal-processors.json").write_text((REPO_ROOT / "modal-processors.json").read_text())


def temporary_directory(test, prefix):
    path = Path(tempfile.mkdtemp(prefix=prefix))
    test.addCleanup(shutil.rmtree, path, ignore_errors=True)
    return path


def mock_reply(answer_json):
    return json.loads(answer_json)["output"]["choices"][0]["message"]["content"]


class ManagePyTest(unittest.TestCase):
    """`python manage.py …` as a subprocess: what a user runs, and the process's exit code."""

    @classmethod
    def setUpClass(cls):
        cls.project = Path(tempfile.mkdtemp(prefix="django-project-"))
        cls.addClassCleanup(shutil.rmtree, cls.project, ignore_errors=True)
        make_project(cls.project)
        helper = Path(__file__).with_name("emulator_world.mjs")
        world = subprocess.run(["node", str(helper)], capture_output=True, text=True, check=True, timeout=60)
        emulator = json.loads(world.stdout)
        cls.addClassCleanup(shutil.rmtree, emulator["home"], ignore_errors=True)
        cls.env = {
            **{k: v for k, v in os.environ.items() if k != "MODAL_PROCESSOR_CLI"},
            **emulator["env"],
            "PYTHONPATH": os.pathsep.join([str(PACKAGE_ROOT), emulator["env"]["PYTHONPATH"]]),
            "PYTHONDONTWRITEBYTECODE": "1",
            "MODAL_PROCESSOR_CLI": str(CLI),
        }

    def manage(self, *args, **env):
        """`python manage.py ARGS` in the project; keyword arguments change the environment (None removes)."""
        environment = {k: v for k, v in {**self.env, **env}.items() if v is not None}
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=self.project,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
        self.assertNotIn("Traceback", result.stdout + result.stderr)
        return result

    def test_run_processor_local_mock_prints_the_processors_json(self):
        result = self.manage("run_processor", "--ref", REF, "--adapter", "local", "--mode", "mock", "--inputs-json", ENVELOPE)
        self.assertEqual(result.returncode, 0, result.stderr)
        answer = json.loads(result.stdout)
        self.assertEqual((answer["ok"], answer["processor"], answer["mode"]), (True, REF, "mock"))
        self.assertEqual(mock_reply(result.stdout), "mock reply to: hello from django")

    def test_deploy_then_run_on_modal_then_logs_against_the_emulator(self):
        deploy = self.manage("deploy_modal", "--env", "dev", "--ref", REF)
        self.assertEqual(deploy.returncode, 0, deploy.stderr)
        self.assertIn(f"{APP} in dev: v1 live, smoke call passed", deploy.stdout)
        # The CLI's progress comes through on stderr, as it wrote it.
        self.assertIn(f"▸ Deploy {APP} to dev", deploy.stderr)

        run = self.manage(
            "run_processor", "--ref", REF, "--adapter", "modal", "--mode", "mock", "--inputs-json", ENVELOPE, "--env", "dev"
        )
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(mock_reply(run.stdout), "mock reply to: hello from django")

        logs = self.manage("logs_modal", "--env", "dev", "--ref", REF)
        self.assertEqual(logs.returncode, 0, logs.stderr)
        self.assertIn(f"run {REF} mode=mock ok", logs.stdout)

    def test_the_exit_code_is_the_clis(self):
        logs = self.manage("logs_modal", "--env", "dev", "--ref", UNKNOWN_REF)
        self.assertEqual(logs.returncode, 1, logs.stderr)
        self.assertIn("ERR_FUNCTION_NOT_FOUND: No app nope-x-v1 in environment dev", logs.stderr)
        self.assertIn("CommandError: modal-processor logs exited with code 1", logs.stderr)

        # A usage error of the CLI (exit 2, as click's): --env is required with the modal adapter.
        run = self.manage("run_processor", "--ref", REF, "--adapter", "modal")
        self.assertEqual(run.returncode, 2, run.stderr)
        self.assertIn("Error: Missing option '--env'.", run.stderr)

    def test_output_that_cannot_be_written_never_stalls_the_cli(self):
        # A CLI that prints far more than a pipe holds, into `| head -2` and into an encoding that cannot hold it.
        chatty = temporary_directory(self, "chatty-cli-") / "cli"
        chatty.write_text('#!/bin/sh\nfor i in $(seq 20000); do echo "line $i é"; done\nexit 3\n')
        chatty.chmod(0o755)
        environment = {**self.env, "MODAL_PROCESSOR_CLI": str(chatty)}
        script = f"{sys.executable} manage.py logs_modal --env=dev --ref={REF} | head -2"
        piped = subprocess.run(["sh", "-c", script], cwd=self.project, env=environment, capture_output=True, text=True, timeout=60)
        self.assertEqual(piped.stdout, "line 1 é\nline 2 é\n")
        self.assertNotIn("Traceback", piped.stderr)
        ascii_only = subprocess.run(
            [sys.executable, "manage.py", "logs_modal", "--env=dev", f"--ref={REF}"],
            cwd=self.project,
            env={**environment, "PYTHONIOENCODING": "ascii"},
            capture_output=True,
            timeout=60,
        )
        self.assertEqual(ascii_only.returncode, 3)
        self.assertNotIn(b"Traceback", ascii_only.stderr)

    def test_inputs_json_that_is_not_json_is_refused_before_the_cli_runs(self):
        result = self.manage("run_processor", "--ref", REF, "--adapter", "local", "--inputs-json", "{'params': {}}")
        self.assertEqual(result.returncode, 1)
        self.assertIn("CommandError: --inputs-json is not valid JSON (Expecting property name", result.stderr)
        self.assertNotIn("ERR_INVALID_SMOKE_INPUTS", result.stderr)  # the CLI's own message: it never ran

    def test_a_missing_cli_says_how_to_get_it(self):
        empty = temporary_directory(self, "empty-path-")
        result = self.manage("logs_modal", "--env", "dev", "--ref", REF, MODAL_PROCESSOR_CLI=None, PATH=str(empty))
        self.assertEqual(result.returncode, 1)
        for text in ["modal-processor command-line tool was not found", "npm install -g", "MODAL_PROCESSOR_CLI"]:
            self.assertIn(text, result.stderr)

    def test_the_setting_comes_before_the_environment_variable(self):
        result = self.manage(
            *("run_processor", "--settings", "settings_with_cli", "--ref", UNKNOWN_REF, "--adapter", "local"),
            MODAL_PROCESSOR_CLI="/nonexistent",
        )
        # The CLI of the setting ran (and refused the ref); the variable's missing file was not looked at.
        self.assertEqual(result.returncode, 1)
        self.assertIn(f'modal-processors.json has no entry processors["{UNKNOWN_REF}"]', result.stderr)

    def test_help_lists_the_flags_and_a_bad_flag_is_a_usage_error(self):
        shown = self.manage("deploy_modal", "--help")
        self.assertEqual(shown.returncode, 0, shown.stderr)
        for text in ["--env ENV", "--ref REF", "--app-name NAME", "--settings SETTINGS", "--verbosity"]:
            self.assertIn(text, shown.stdout)

        bad = self.manage("run_processor", "--ref", REF, "--adapter", "cloud")
        self.assertEqual(bad.returncode, 2)
        self.assertIn("usage: manage.py run_processor", bad.stderr)
        self.assertIn("argument --adapter: invalid choice: 'cloud'", bad.stderr)


class InProcessTest(unittest.TestCase):
    """execute_from_command_line (manage.py's one line) and call_command in this process, in a project directory."""

    @classmethod
    def setUpClass(cls):
        import django
        from django.conf import settings

        # Debian's Django 3.2 imports modules Python 3.11 deprecates; not this package's to fix.
        cls.enterClassContext(warnings.catch_warnings())
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="django")
        if not settings.configured:
            settings.configure(INSTALLED_APPS=["modal_processors"], USE_TZ=True)
            django.setup()
        project = Path(tempfile.mkdtemp(prefix="django-project-"))
        cls.addClassCleanup(shutil.rmtree, project, ignore_errors=True)
        make_project(project)
        # The CLI reads the catalogue from the working directory.
        cls.enterClassContext(contextlib.chdir(project))
        cls.enterClassContext(mock.patch.dict(os.environ, {"MODAL_PROCESSOR_CLI": str(CLI)}))

    def manage(self, *args):
        """What `python manage.py ARGS` does, here: (exit code, stdout, stderr)."""
        from django.core.management import execute_from_command_line

        out, err, code = io.StringIO(), io.StringIO(), 0
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                execute_from_command_line(["manage.py", *args])
            except SystemExit as ended:
                code = ended.code
        self.assertNotIn("Traceback", out.getvalue() + err.getvalue())
        return code, out.getvalue(), err.getvalue()

    def test_an_unknown_ref_fails_with_the_clis_error_and_exit_code(self):
        cases = [(["deploy_modal", "--env", "dev"], "deploy"), (["run_processor", "--adapter", "local"], "run")]
        for args, subcommand in cases:
            with self.subTest(subcommand):
                code, _, err = self.manage(*args, "--ref", UNKNOWN_REF)
                self.assertEqual(code, 1)
                self.assertIn("ERR_REGISTRY_ENTRY_MISSING", err)
                self.assertIn(f"CommandError: modal-processor {subcommand} exited with code 1", err)

    def test_verbosity_0_makes_deploy_quiet(self):
        _, _, err = self.manage("deploy_modal", "--env", "dev", "--ref", UNKNOWN_REF)
        self.assertIn("▸ Validate inputs", err)
        code, _, err = self.manage("deploy_modal", "--env", "dev", "--ref", UNKNOWN_REF, "--verbosity", "0")
        self.assertEqual(code, 1)
        self.assertNotIn("▸ Validate inputs", err)
        self.assertIn("ERR_REGISTRY_ENTRY_MISSING", err)

    def test_app_name_reaches_the_cli(self):
        code, _, err = self.manage("deploy_modal", "--env", "dev", "--ref", REF, "--app-name", "Not_A_Name!")
        self.assertEqual(code, 1)
        self.assertIn("ERR_INVALID_INPUT: Invalid app-name 'Not_A_Name!'", err)

    def test_a_value_that_looks_like_a_flag_stays_a_value(self):
        code, out, err = self.manage("run_processor", "--ref=--help", "--adapter", "local")
        self.assertEqual(code, 1)
        # Read as the ref it was given (an invalid one), never as the CLI's --help.
        self.assertIn("ERR_INVALID_PROCESSOR_REF: Invalid processor ref '--help'", err)
        self.assertNotIn("Usage: modal-processor", out)

    def test_the_cli_is_found_on_path_when_not_configured(self):
        bin_dir = temporary_directory(self, "bin-")
        wrapper = bin_dir / "modal-processor"
        wrapper.write_text(f'#!/bin/sh\nexec "{shutil.which("node")}" "{CLI}" "$@"\n')
        wrapper.chmod(0o755)
        with mock.patch.dict(os.environ, {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}):
            del os.environ["MODAL_PROCESSOR_CLI"]
            code, _, err = self.manage("run_processor", "--ref", UNKNOWN_REF, "--adapter", "local")
        self.assertEqual(code, 1)
        self.assertIn("ERR_REGISTRY_ENTRY_MISSING", err)

    def test_a_configured_cli_that_cannot_run_is_reported(self):
        from django.test import override_settings

        not_executable = temporary_directory(self, "cli-") / "modal-processor"
        not_executable.write_text("#!/bin/sh\n")
        missing = str(REPO_ROOT / "no-such-cli.cjs")
        cases = [
            (override_settings(MODAL_PROCESSOR_CLI=missing), f"setting is {missing!r}, which is not a file"),
            (override_settings(MODAL_PROCESSOR_CLI=str(not_executable)), "which is not executable"),
            (mock.patch.dict(os.environ, {"MODAL_PROCESSOR_CLI": missing}), "The MODAL_PROCESSOR_CLI environment variable is"),
        ]
        for configuration, problem in cases:
            with self.subTest(problem), configuration:
                code, _, err = self.manage("logs_modal", "--env", "dev", "--ref", REF)
                self.assertEqual(code, 1)
                self.assertIn(problem, err)

    def test_help_lists_the_flags(self):
        cases = {
            "deploy_modal": ["--env ENV", "--ref REF", "--app-name NAME"],
            "logs_modal": ["--env ENV", "--ref REF"],
            "run_processor": ["--ref REF", "--adapter {modal,local}", "--mode {mock,real}", "--inputs-json JSON", "--env ENV"],
        }
        for command, flags in cases.items():
            with self.subTest(command):
                code, out, _ = self.manage(command, "--help")
                self.assertEqual(code, 0)
                for text in [*flags, "--settings SETTINGS", "--verbosity"]:
                    self.assertIn(text, out)

    def test_bad_flags_give_a_usage_error(self):
        cases = [
            (["deploy_modal", "--env", "dev", "--ref", REF, "--bogus"], "unrecognized arguments: --bogus"),
            (["logs_modal", "--env", "dev"], "the following arguments are required: --ref"),
            (["run_processor", "--ref", REF, "--adapter", "local", "--mode", "x"], "argument --mode: invalid choice: 'x'"),
            (["run_processor", "--ref", REF], "the following arguments are required: --adapter"),
        ]
        for args, error in cases:
            with self.subTest(args[0]):
                code, _, err = self.manage(*args)
                self.assertEqual(code, 2)
                self.assertIn(f"usage: manage.py {args[0]}", err)
                self.assertIn(error, err)

    def test_call_command_passes_one_argument_per_flag_and_streams_and_exit_code_back(self):
        from django.core.management import CommandError, call_command
        from django.test import override_settings

        # A stand-in CLI that shows exactly what it was given: one argument per line on stdout.
        cli = temporary_directory(self, "cli-") / "modal-processor"
        cli.write_text('#!/bin/sh\nfor a in "$@"; do echo "$a"; done\necho "progress on stderr" >&2\nexit 3\n')
        cli.chmod(0o755)
        out, err = io.StringIO(), io.StringIO()
        inputs = '{"schema": "v1", "params": {"q": "--env=prod; rm -rf /"}}'
        with override_settings(MODAL_PROCESSOR_CLI=str(cli)), self.assertRaises(CommandError) as raised:
            flags = ["--ref", REF, "--adapter", "modal", "--mode", "real", "--inputs-json", inputs, "--env", "dev"]
            call_command("run_processor", *flags, stdout=out, stderr=err)
        self.assertEqual(raised.exception.returncode, 3)
        expected = ["run", f"--ref={REF}", "--adapter=modal", "--mode=real", f"--inputs-json={inputs}", "--env=dev"]
        self.assertEqual(out.getvalue().splitlines(), expected)
        self.assertEqual(err.getvalue(), "progress on stderr\n")

    def test_call_command_raises_command_error_with_the_clis_exit_code(self):
        from django.core.management import CommandError, call_command

        out, err = io.StringIO(), io.StringIO()
        with self.assertRaises(CommandError) as raised:
            call_command("run_processor", "--ref", UNKNOWN_REF, "--adapter", "local", stdout=out, stderr=err)
        self.assertEqual(raised.exception.returncode, 1)
        self.assertIn("ERR_REGISTRY_ENTRY_MISSING", err.getvalue())


if __name__ == "__main__":
    unittest.main()
