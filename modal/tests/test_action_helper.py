import builtins
import io
import json
import os
import subprocess
import sys
import unittest
from unittest import mock

from tests.support import MODAL_DIR, FakeModal

import action_helper

PREFLIGHT_REQUEST = {
    "environment": "dev",
    "app_name": "llm-litellm-v1",
    "secrets": [
        {"name": "REGISTRY_AUTH", "keys": ["REGISTRY_USERNAME", "REGISTRY_PASSWORD"], "optional": False},
        {"name": "OPENAI_API_KEY", "keys": ["OPENAI_API_KEY"], "optional": False},
        {"name": "LITELLM_API_BASE", "keys": ["LITELLM_API_BASE"], "optional": True},
    ],
}
SMOKE_REQUEST = {
    "environment": "dev",
    "app_name": "llm-litellm-v1",
    "function": "run",
    "version": None,
    "payload": {"schema": "v1", "mode": "mock", "params": {}},
}
TOKEN_MISSING = (
    "Token missing. Could not authenticate client. If you have token credentials, see "
    "modal.com/docs/sdk/py/latest/config for setup help. If you are a new user, register an account at "
    "modal.com, then run `modal token new`."
)


class HelperTestCase(unittest.TestCase):
    def setUp(self):
        self.fake = FakeModal()
        self.fake.apps["llm-litellm-v1"] = "ap-0123456789abcdefghijkl"

    def ask(self, command: str, request) -> dict:
        """Run the helper in-process with the fake client; the answer must be the last stdout line."""
        stdout = io.StringIO()
        text = request if isinstance(request, str) else json.dumps(request)
        with self.fake.installed(), mock.patch.object(sys, "stderr", io.StringIO()):
            status = action_helper.main([command], stdin=io.StringIO(text), stdout=stdout)
        self.assertEqual(status, 0)
        return json.loads(stdout.getvalue().splitlines()[-1])

    def assertError(self, answer: dict, kind: str, error_type: str | None = None):
        self.assertFalse(answer["ok"], answer)
        self.assertEqual(answer["error"]["kind"], kind, answer)
        if error_type:
            self.assertEqual(answer["error"]["type"], error_type)


class PreflightTest(HelperTestCase):
    def test_everything_found(self):
        row = {"client": "1.5.4", "deployed_by": "ci", "commit": None}
        self.fake.history_rows = [
            {**row, "version": "v1", "time_deployed": "2026-08-01 10:00:00+00:00", "tag": None},
            {**row, "version": "v2", "time_deployed": "2026-08-02 10:00:00+00:00", "tag": "sha-abc"},
        ]
        answer = self.ask("preflight", PREFLIGHT_REQUEST)
        self.assertEqual(answer["ok"], True)
        self.assertEqual(answer["client_version"], "1.5.4")
        self.assertEqual([s["status"] for s in answer["secrets"]], ["found"] * 3)
        self.assertEqual(
            answer["secrets"][2],
            {"name": "LITELLM_API_BASE", "optional": True, "status": "found", "missing_keys": [], "message": None},
        )
        self.assertEqual(
            answer["app"],
            {
                "exists": True,
                "app_id": "ap-0123456789abcdefghijkl",
                "history": [
                    {"version": 2, "tag": "sha-abc", "time_deployed": "2026-08-02 10:00:00+00:00", "deployed_by": "ci"},
                    {"version": 1, "tag": None, "time_deployed": "2026-08-01 10:00:00+00:00", "deployed_by": "ci"},
                ],
            },
        )

    def test_checks_in_order_with_the_environment(self):
        self.ask("preflight", PREFLIGHT_REQUEST)
        steps = [call[0] for call in self.fake.calls if call[0] != "Secret.from_name"]
        self.assertEqual(
            steps,
            ["Client.from_env", "Environment.hydrate", "Secret.hydrate", "Secret.hydrate", "Secret.hydrate",
             "App.lookup", "enable_output", "cli"],
        )
        registry_lookup = ("Secret.from_name", "REGISTRY_AUTH", "dev", ["REGISTRY_USERNAME", "REGISTRY_PASSWORD"])
        self.assertIn(registry_lookup, self.fake.calls)
        self.assertIn(("cli", ["app", "history", "llm-litellm-v1", "--env", "dev", "--json"], False), self.fake.calls)

    def test_history_with_title_case_keys_of_older_clients(self):
        deployed = "2026-01-01 00:00:00+00:00"
        self.fake.history_rows = [
            {"Version": "v7", "Time deployed": deployed, "Client": "1.4.2", "Deployed by": "alice", "Commit": None},
        ]
        history = self.ask("preflight", PREFLIGHT_REQUEST)["app"]["history"]
        self.assertEqual(history, [{"version": 7, "tag": None, "time_deployed": deployed, "deployed_by": "alice"}])

    def test_history_with_forced_colours_is_still_read(self):
        self.fake.history_output = '\x1b[1m[\x1b[0m{\x1b[94m"version"\x1b[0m: \x1b[32m"v1"\x1b[0m}\x1b[1m]\x1b[0m'
        self.assertEqual(self.ask("preflight", PREFLIGHT_REQUEST)["app"]["history"][0]["version"], 1)

    def test_app_that_does_not_exist_yet(self):
        self.fake.apps.clear()
        answer = self.ask("preflight", PREFLIGHT_REQUEST)
        self.assertEqual(answer["app"], {"exists": False})
        self.assertFalse([call for call in self.fake.calls if call[0] == "cli"])

    def test_all_missing_secrets_are_reported(self):
        exception = self.fake.exception
        self.fake.secret_errors = {
            "REGISTRY_AUTH": exception.NotFoundError("Secret 'REGISTRY_AUTH' not found in environment 'dev'."),
            "OPENAI_API_KEY": exception.ConflictError("Secret is missing key(s): OPENAI_API_KEY, OTHER_KEY"),
            "LITELLM_API_BASE": exception.NotFoundError("Secret 'LITELLM_API_BASE' not found in environment 'dev'."),
        }
        answer = self.ask("preflight", PREFLIGHT_REQUEST)
        self.assertTrue(answer["ok"])
        registry, openai, litellm = answer["secrets"]
        self.assertEqual(registry["status"], "missing")
        self.assertEqual(registry["message"], "Secret 'REGISTRY_AUTH' not found in environment 'dev'.")
        self.assertEqual((openai["status"], openai["missing_keys"]), ("missing_keys", ["OPENAI_API_KEY", "OTHER_KEY"]))
        self.assertEqual((litellm["status"], litellm["optional"]), ("missing", True))

    def test_missing_keys_recognised_by_message_whatever_the_type(self):
        error = self.fake.exception.NotFoundError("Secret is missing key(s): OPENAI_API_KEY")
        self.fake.secret_errors["OPENAI_API_KEY"] = error
        openai = self.ask("preflight", PREFLIGHT_REQUEST)["secrets"][1]
        self.assertEqual((openai["status"], openai["missing_keys"]), ("missing_keys", ["OPENAI_API_KEY"]))

    def test_token_missing(self):
        self.fake.token_error = self.fake.exception.AuthError(TOKEN_MISSING)
        answer = self.ask("preflight", PREFLIGHT_REQUEST)
        self.assertError(answer, "token_missing", "AuthError")
        self.assertEqual(answer["error"]["message"], TOKEN_MISSING)

    def test_token_rejected(self):
        self.fake.token_error = self.fake.exception.AuthError("Token ID is malformed")
        self.assertError(self.ask("preflight", PREFLIGHT_REQUEST), "token_rejected", "AuthError")

    def test_token_rejected_when_the_first_rpc_fails(self):
        self.fake.secret_errors["REGISTRY_AUTH"] = self.fake.exception.AuthError("invalid credentials")
        self.assertError(self.ask("preflight", PREFLIGHT_REQUEST), "token_rejected")

    def test_environment_not_found(self):
        answer = self.ask("preflight", {**PREFLIGHT_REQUEST, "environment": "nope"})
        self.assertError(answer, "environment_not_found", "InvalidError")
        self.assertEqual(answer["error"]["message"], "Environment 'nope' not found")
        self.assertFalse([call for call in self.fake.calls if call[0] == "Secret.hydrate"])

    def test_transient_errors(self):
        exception = self.fake.exception
        for error in (
            exception.ConnectionError("Could not connect to the Modal server."),
            exception.ServiceError("UNAVAILABLE"),
            exception.Error("Deadline exceeded"),
            exception.ResourceExhaustedError("rate limit exceeded, retry later"),
            ConnectionRefusedError(111, "Connection refused"),
        ):
            with self.subTest(error=error):
                self.fake.token_error = error
                self.assertError(self.ask("preflight", PREFLIGHT_REQUEST), "transient", type(error).__name__)

    def test_unexpected_secret_error_is_fatal(self):
        self.fake.secret_errors["OPENAI_API_KEY"] = self.fake.exception.InvalidError("Invalid Secret name: 'x y'.")
        self.assertError(self.ask("preflight", PREFLIGHT_REQUEST), "unexpected", "InvalidError")

    def test_client_missing(self):
        real_import = builtins.__import__

        def import_without_modal(name, *args, **kwargs):
            if name == "modal" or name.startswith("modal."):
                raise ModuleNotFoundError("No module named 'modal'")
            return real_import(name, *args, **kwargs)

        with mock.patch.object(builtins, "__import__", import_without_modal):
            answer = self.ask("preflight", PREFLIGHT_REQUEST)
        self.assertError(answer, "client_missing", "ModuleNotFoundError")
        self.assertIn("pip install modal", answer["error"]["message"])

    def test_a_modal_package_without_app_is_not_the_client(self):
        with self.fake.installed() as modal:
            del modal.App
            answer = action_helper.answer_request(action_helper.preflight, json.dumps(PREFLIGHT_REQUEST))
        self.assertError(answer, "client_missing", "ImportError")
        self.assertIn("no modal.App", answer["error"]["message"])

    def test_invalid_request(self):
        nameless_secret = {**PREFLIGHT_REQUEST, "secrets": [{"keys": []}]}
        for request in ("not json", "[]", json.dumps({"environment": "dev"}), json.dumps(nameless_secret)):
            with self.subTest(request=request):
                self.assertError(self.ask("preflight", request), "unexpected", "InvalidRequest")


class SmokeTest(HelperTestCase):
    def test_calls_run_and_returns_its_result(self):
        self.fake.remote_outcome = {"ok": True, "output": {"model": "mock"}}
        answer = self.ask("smoke", SMOKE_REQUEST)
        app_id = self.fake.apps["llm-litellm-v1"]
        self.assertEqual(answer, {"ok": True, "app_id": app_id, "result": self.fake.remote_outcome})
        self.assertIn(("Function.from_name", "llm-litellm-v1", "run", "dev", {}), self.fake.calls)
        self.assertIn(("Function.remote", SMOKE_REQUEST["payload"]), self.fake.calls)

    def test_version_pin_passed_only_when_set(self):
        self.ask("smoke", {**SMOKE_REQUEST, "version": 4})
        self.assertIn(("Function.from_name", "llm-litellm-v1", "run", "dev", {"version": 4}), self.fake.calls)

    def test_app_not_deployed(self):
        self.fake.apps.clear()
        self.assertError(self.ask("smoke", SMOKE_REQUEST), "function_not_found", "NotFoundError")

    def test_function_not_found_at_call_time(self):
        self.fake.remote_outcome = self.fake.not_found(
            "Lookup failed for Function 'run' from the 'llm-litellm-v1' app (in the 'dev' environment): "
            "can't find object run."
        )
        self.assertError(self.ask("smoke", SMOKE_REQUEST), "function_not_found")

    def test_function_timeout(self):
        self.fake.remote_outcome = self.fake.exception.FunctionTimeoutError("Function timed out after 300 s")
        self.assertError(self.ask("smoke", SMOKE_REQUEST), "function_timeout", "FunctionTimeoutError")

    def test_remote_errors(self):
        for error in (ValueError("bad input inside run"), self.fake.exception.RemoteError("Remote error: boom"),
                      self.fake.exception.ExecutionError("Could not deserialize remote exception")):
            with self.subTest(error=error):
                self.fake.remote_outcome = error
                self.assertError(self.ask("smoke", SMOKE_REQUEST), "remote_error", type(error).__name__)

    def test_token_and_transient(self):
        self.fake.token_error = self.fake.exception.AuthError(TOKEN_MISSING)
        self.assertError(self.ask("smoke", SMOKE_REQUEST), "token_missing")
        self.fake.token_error = self.fake.exception.AuthError("Token ID is malformed")
        self.assertError(self.ask("smoke", SMOKE_REQUEST), "token_rejected")
        self.fake.token_error = self.fake.exception.ServiceError("Deadline exceeded")
        self.assertError(self.ask("smoke", SMOKE_REQUEST), "transient")

    def test_a_failure_during_the_call_is_never_transient(self):
        # Retrying it would run the processor again (in real mode, against a paid provider).
        for error in (self.fake.exception.ServiceError("Deadline exceeded"), ConnectionError("connection reset")):
            with self.subTest(error=error):
                self.fake.remote_outcome = error
                self.assertNotEqual(self.ask("smoke", SMOKE_REQUEST)["error"]["kind"], "transient")

    def test_environment_missing_means_no_function(self):
        self.fake.token_error = self.fake.exception.InvalidError("Environment 'nope' not found")
        self.assertError(self.ask("smoke", SMOKE_REQUEST), "function_not_found", "InvalidError")

    def test_other_modal_errors_are_unexpected(self):
        self.fake.remote_outcome = self.fake.exception.InvalidError("A generator function cannot be called")
        self.assertError(self.ask("smoke", SMOKE_REQUEST), "unexpected", "InvalidError")

    def test_invalid_version(self):
        self.assertError(self.ask("smoke", {**SMOKE_REQUEST, "version": "4"}), "unexpected", "InvalidRequest")


class ProcessTest(unittest.TestCase):
    """The helper as the action starts it: a separate process, here with no `modal` importable."""

    def run_helper(self, *args, stdin=""):
        environ = {"PATH": os.environ["PATH"], "PYTHONPATH": ""}
        return subprocess.run(
            [sys.executable, "-S", str(MODAL_DIR / "action_helper.py"), *args],
            input=stdin, capture_output=True, text=True, env=environ, cwd="/", timeout=30,
        )

    def test_missing_client_is_a_json_answer_not_a_traceback(self):
        completed = self.run_helper("preflight", stdin=json.dumps(PREFLIGHT_REQUEST))
        self.assertEqual(completed.returncode, 0, completed.stderr)
        answer = json.loads(completed.stdout.splitlines()[-1])
        self.assertEqual(answer["error"]["kind"], "client_missing")
        self.assertNotIn("Traceback", completed.stderr)

    def test_unknown_command_is_a_usage_error(self):
        completed = self.run_helper("deploy")
        self.assertEqual(completed.returncode, 2)
        self.assertIn("usage:", completed.stderr)


if __name__ == "__main__":
    unittest.main()
