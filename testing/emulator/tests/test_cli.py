"""CLI mechanics: exit codes, stdout/stderr split, usage errors, panels, auth, environments, JSON shapes."""
import json

from .support import PANEL_LINE, EmulatorTestCase, panel_text

TOKEN_MISSING_PANEL = """\
╭─ Error ──────────────────────────────────────────────────────────────────────╮
│ Token missing. Could not authenticate client. If you have token credentials, │
│ see modal.com/docs/sdk/py/latest/config for setup help. If you are a new     │
│ user, register an account at modal.com, then run `modal token new`.          │
╰──────────────────────────────────────────────────────────────────────────────╯
"""


class CliMechanicsTest(EmulatorTestCase):
    def test_version(self):
        result = self.modal("--version")
        self.assertExit(result, 0)
        self.assertEqual(result.stdout, "modal client version: 1.5.4\n")
        self.assertEqual(result.stderr, "")

    def test_help_exits_zero_on_stdout(self):
        for args in (["deploy", "--help"], ["app", "-h"], ["app", "history", "-h"], ["--help"]):
            result = self.modal(*args)
            self.assertExit(result, 0)
            self.assertTrue(result.stdout.startswith("Usage: modal"), result.stdout)
            self.assertIn("-h, --help", result.stdout)
        self.assertIn("Usage: modal deploy [OPTIONS] APP_REF", self.modal("deploy", "-h").stdout)

    def test_command_without_args_prints_help_to_stderr_exit_2(self):
        for args in (["deploy"], ["app"], [], ["app", "rollback"]):
            result = self.modal(*args)
            self.assertExit(result, 2)
            self.assertEqual(result.stdout, "")
            self.assertTrue(result.stderr.startswith("Usage: modal"), result.stderr)

    def test_usage_error_format(self):
        result = self.modal("deploy", "x.py", "--strategy", "bogus")
        self.assertExit(result, 2)
        self.assertEqual(result.stdout, "")
        self.assertEqual(
            result.stderr,
            "Usage: modal deploy [OPTIONS] APP_REF\nTry 'modal deploy -h' for help.\n\n"
            "Error: Invalid value for '--strategy': 'bogus' is not one of 'rolling', 'recreate'.\n",
        )
        self.assertIn(
            "Error: No such option '--stream-log'. (Did you mean one of: '--strategy', '--stream-logs'?)",
            self.modal("deploy", "x.py", "--stream-log").stderr,
        )
        self.assertIn("is not a valid integer", self.modal("app", "logs", "a", "-n", "x").stderr)
        self.assertIn("Got unexpected extra argument (b)", self.modal("app", "history", "a", "b").stderr)

    def test_unknown_commands(self):
        for args, name in ((["function", "list"], "function"), (["logs", "app"], "logs")):
            result = self.modal(*args)
            self.assertExit(result, 2)
            self.assertEqual(
                result.stderr,
                f"Usage: modal [OPTIONS] COMMAND [ARGS]...\nTry 'modal -h' for help.\n\nError: No such command '{name}'.\n",
            )
        self.assertIn("No such command 'bogus'.", self.modal("app", "bogus").stderr)

    def test_real_but_unemulated_command_fails_clearly(self):
        result = self.modal("run", "x.py")
        self.assertExit(result, 1)
        self.assertIn("`modal run` is not implemented by the modal emulator.", panel_text(result.stderr))

    def test_missing_token_panel(self):
        result = self.modal("app", "list", drop=("MODAL_TOKEN_ID", "MODAL_TOKEN_SECRET"))
        self.assertExit(result, 1)
        self.assertEqual(result.stdout, "")
        self.assertEqual(result.stderr, TOKEN_MISSING_PANEL)

    def test_panel_wraps_at_columns(self):
        result = self.modal("app", "list", env={"COLUMNS": "40"}, drop=("MODAL_TOKEN_ID", "MODAL_TOKEN_SECRET"))
        lines = result.stderr.rstrip("\n").split("\n")
        self.assertTrue(all(len(line) == 40 for line in lines), lines)
        self.assertTrue(all(PANEL_LINE.match(line) for line in lines[1:-1]))
        self.assertEqual(lines[0], "╭─ Error " + "─" * 30 + "╮")
        self.assertIn("run `modal token new`.", panel_text(result.stderr))

    def test_empty_token_variable_hides_profile(self):
        config = self.tmp / "modal.toml"
        config.write_text(
            f'[work]\ntoken_id = "{self.token["MODAL_TOKEN_ID"]}"\n'
            f'token_secret = "{self.token["MODAL_TOKEN_SECRET"]}"\nactive = true\nenvironment = "dev"\n'
            '[other]\ntoken_id = "ak-x"\ntoken_secret = "as-x"\n'
        )
        from_profile = self.modal(
            "environment", "list", "--json", env={"MODAL_CONFIG_PATH": str(config)}, drop=("MODAL_TOKEN_ID", "MODAL_TOKEN_SECRET")
        )
        self.assertExit(from_profile, 0)
        self.assertEqual({e["name"]: e["active"] for e in json.loads(from_profile.stdout)}, {"main": "False", "dev": "True"})
        hidden = self.modal("app", "list", env={"MODAL_CONFIG_PATH": str(config), "MODAL_TOKEN_ID": ""})
        self.assertExit(hidden, 1)
        self.assertTrue(panel_text(hidden.stderr).startswith("Token missing."))
        other = self.modal(
            "app", "list", "--profile", "other", env={"MODAL_CONFIG_PATH": str(config)}, drop=("MODAL_TOKEN_ID", "MODAL_TOKEN_SECRET")
        )
        self.assertEqual(panel_text(other.stderr), "Invalid token ID or secret.")

    def test_rejected_tokens(self):
        swapped = {"MODAL_TOKEN_ID": self.token["MODAL_TOKEN_SECRET"], "MODAL_TOKEN_SECRET": self.token["MODAL_TOKEN_ID"]}
        result = self.modal("secret", "list", env=swapped)
        self.assertExit(result, 1)
        self.assertEqual(panel_text(result.stderr), "Token ID is malformed")
        wrong = self.modal("secret", "list", env={"MODAL_TOKEN_ID": "ak-" + "x" * 22})
        self.assertExit(wrong, 1)
        self.assertEqual(panel_text(wrong.stderr), "Invalid token ID or secret.")

    def test_unknown_environment(self):
        for result in (self.modal("app", "list", "-e", "nope"), self.modal("secret", "list", env={"MODAL_ENVIRONMENT": "nope"})):
            self.assertExit(result, 1)
            self.assertEqual(panel_text(result.stderr), "Environment 'nope' not found")

    def test_emulator_home_required(self):
        result = self.modal("app", "list", drop=("MODAL_EMULATOR_HOME",))
        self.assertExit(result, 1)
        self.assertIn("MODAL_EMULATOR_HOME is not set", panel_text(result.stderr))

    def test_environment_list_and_create(self):
        listed = self.modal("environment", "list", "--json")
        self.assertExit(listed, 0)
        self.assertEqual(
            json.loads(listed.stdout),
            [{"name": "main", "web_suffix": "", "active": "True"}, {"name": "dev", "web_suffix": "dev", "active": "False"}],
        )
        self.assertTrue(listed.stdout.startswith('[\n  {\n    "name": "main",'))
        active = json.loads(self.modal("environment", "list", "--json", env={"MODAL_ENVIRONMENT": "dev"}).stdout)
        self.assertEqual([e["active"] for e in active], ["False", "True"])
        created = self.modal("environment", "create", "staging")
        self.assertExit(created, 0)
        self.assertEqual(created.stdout, "✓ Environment created: staging\n")
        self.assertExit(self.modal("environment", "create", "staging"), 1)
        invalid = self.modal("environment", "create", "x")
        self.assertExit(invalid, 1)
        self.assertTrue(panel_text(invalid.stderr).startswith("Invalid Environment name: 'x'."))

    def test_app_list_empty_and_table(self):
        self.assertEqual(self.modal("app", "list", "--json").stdout, "[]\n")
        table = self.modal("app", "list", "-e", "dev").stdout
        self.assertIn("Apps in environment 'dev'", table)
        self.assertIn("┃ App ID", table)

    def test_token_info(self):
        result = self.modal("token", "info")
        self.assertExit(result, 0)
        lines = result.stdout.splitlines()
        self.assertEqual(lines[0], "(Using MODAL_TOKEN_ID and MODAL_TOKEN_SECRET environment variables)")
        self.assertEqual(lines[1], f"Token: {self.token['MODAL_TOKEN_ID']}")
        self.assertRegex(lines[2], r"^Workspace: test-workspace \(ac-[a-zA-Z0-9]{22}\)$")

    def test_entrypoint_cli_in_process(self):
        out = self.python_json(
            """
            import contextlib, io, json, os
            import modal
            from modal.cli.entry_point import entrypoint_cli

            quiet = io.StringIO()
            with contextlib.redirect_stdout(quiet):
                entrypoint_cli.main(["app", "list", "--json"], standalone_mode=False)
            buf = io.StringIO()
            with modal.enable_output(), contextlib.redirect_stdout(buf):
                rv = entrypoint_cli.main(["app", "list", "--env", "dev", "--json"], standalone_mode=False)
            errors = {}
            for args in (["app", "history", "missing", "--json"], ["app", "rollback", "x", "2"], ["bogus"]):
                try:
                    entrypoint_cli.main(args, standalone_mode=False)
                except Exception as exc:
                    errors[args[-1]] = [type(exc).__name__, str(exc)]
            print(json.dumps({"quiet": quiet.getvalue(), "out": buf.getvalue(), "rv": rv, "errors": errors, "env": os.environ["MODAL_ENVIRONMENT"]}))
            """
        )
        self.assertEqual(out["quiet"], "")  # like the real client, output needs modal.enable_output()
        self.assertEqual(out["out"], "[]\n")
        self.assertIsNone(out["rv"])
        self.assertEqual(out["env"], "dev")  # --env is written to MODAL_ENVIRONMENT like the real ensure_env
        # The earlier `--env dev` stays in MODAL_ENVIRONMENT for later in-process commands, as with the real client.
        self.assertEqual(out["errors"]["--json"], ["NotFoundError", "No App with name 'missing' found in the 'dev' environment."])
        self.assertEqual(out["errors"]["bogus"], ["UsageError", "No such command 'bogus'."])
        self.assertEqual(out["errors"]["2"][0], "NotFoundError")  # the app is resolved before the version
