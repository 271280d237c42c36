"""Fault injection: every action, on CLI commands and SDK operations, across processes."""
import json
import re
import time

from .support import BIN, DeployTestCase, panel_text

SDK_CALL = """
import json, modal
try:
    {body}
    print(json.dumps({{"ok": repr(value)}}))
except Exception as exc:
    print(json.dumps({{"error": [type(exc).__name__, str(exc)]}}))
"""


class FaultsTest(DeployTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        assert cls.deploy("-m", "echo_app", env={"APP_NAME": "faulty"}).returncode == 0

    def setUp(self):
        self.admin("fault", "clear")

    def fault(self, target, action, *extra):
        self.admin("fault", "add", "--target", target, "--action", action, *extra)

    def sdk(self, body: str) -> dict:
        return self.python_json(SDK_CALL.format(body=body))

    def test_fail_with_times(self):
        self.fault("app list", "fail", "--times", "1", "--message", "Something broke server-side.")
        failed = self.modal("app", "list", "--json")
        self.assertExit(failed, 1)
        self.assertEqual(failed.stdout, "")
        self.assertEqual(panel_text(failed.stderr), "Something broke server-side.")
        self.assertExit(self.modal("app", "list", "--json"), 0)  # fired once, then gone
        self.assertEqual(json.loads(self.admin("fault", "list").stdout), [])

    def test_transient_and_unauthenticated(self):
        self.fault("app history", "transient")
        result = self.modal("app", "history", "faulty", "--json")
        self.assertExit(result, 1)
        self.assertEqual(panel_text(result.stderr), "Could not connect to the Modal server.")
        self.fault("environment list", "unauthenticated")
        self.assertEqual(panel_text(self.modal("environment", "list").stderr), "Invalid token ID or secret.")

    def test_hang(self):
        self.fault("secret list", "hang", "--seconds", "1", "--times", "1")
        started = time.time()
        self.assertExit(self.modal("secret", "list", "--json"), 0)
        self.assertGreaterEqual(time.time() - started, 1)

    def test_garbage(self):
        self.fault("app list", "garbage")
        result = self.modal("app", "list", "--json")
        self.assertExit(result, 0)
        with self.assertRaises(json.JSONDecodeError):
            json.loads(result.stdout)
        self.fault("sdk:function.remote", "garbage", "--times", "1")
        self.assertNotIsInstance(self.call("faulty", {})["result"], dict)

    def test_race(self):
        self.fault("deploy", "race", "--times", "1")
        self.assertExit(self.deploy("-m", "echo_app", "--tag", "mine", env={"APP_NAME": "raced"}), 0)
        history = json.loads(self.modal("app", "history", "raced", "--json").stdout)
        self.assertEqual([(h["version"], h["tag"]) for h in history], [("v2", "raced-by-other-run"), ("v1", "mine")])
        self.assertEqual(self.app_state("raced")["live_version"], 2)

    def test_refuse_rollback(self):
        self.assertExit(self.deploy("-m", "echo_app", env={"APP_NAME": "faulty", "GREETING": "v2"}), 0)
        self.fault("app rollback", "refuse")
        result = self.modal("app", "rollback", "faulty")
        self.assertExit(result, 1)
        self.assertEqual(panel_text(result.stderr), "Deployment rollbacks are not available on the Starter plan.")

    def test_crash_and_remote_faults(self):
        self.fault("sdk:function.remote", "crash", "--times", "1")
        self.assertEqual(
            self.call("faulty", {})["error"],
            ["RemoteError", "Container for Function 'run' exited with code 137 before returning a result."],
        )
        self.fault("sdk:function.remote", "hang", "--seconds", "1", "--times", "1")
        started = time.time()
        self.assertIn("result", self.call("faulty", {}))
        self.assertGreaterEqual(time.time() - started, 1)

    def test_sdk_targets(self):
        cases = [
            ("sdk:client", "transient", "value = modal.Client.from_env()", ["ConnectionError", "Could not connect to the Modal server."]),
            ("sdk:environment", "fail", "value = modal.Environment.from_name('main').hydrate()", ["InternalError", "Internal server error."]),
            ("sdk:secret", "unauthenticated", "value = modal.Secret.from_name('TOOL_KEY').hydrate()", ["AuthError", "Invalid token ID or secret."]),
            ("sdk:app.lookup", "transient", "value = modal.App.lookup('faulty')", ["ConnectionError", "Could not connect to the Modal server."]),
            ("sdk:function.lookup", "fail", "value = modal.Function.from_name('faulty', 'run').hydrate()", ["InternalError", "Internal server error."]),
        ]
        for target, action, body, expected in cases:
            with self.subTest(target=target):
                self.fault(target, action, "--times", "1")
                self.assertEqual(self.sdk(body)["error"], expected)
                self.assertIn("ok", self.sdk(body))

    def test_image_build_faults(self):
        """Each fault as the real client shows a build that meets it: builder lines on stdout, then its
        ImageBuildError panel; exit 1, nothing published, the rule spent."""
        image = f"=> Step 0: FROM {self.image_ref}\n"
        failed = "failed. View the build logs: modal image logs {id}"
        cases = [
            ("pull-refused", (), f"Error: failed to pull {self.image_ref}: unauthorized: authentication required\n", failed),
            ("unknown-digest", (), f"Error: failed to pull {self.image_ref}: manifest unknown: manifest unknown\n", failed),
            ("no-python", (), "=> Step 1: RUN python -m pip install --upgrade pip\n/bin/sh: 1: python: not found\n", failed),
            ("timeout", (), "Copying blob sha256:" + "0" * 64 + "\n", "timed out. Please try again with a larger `timeout` parameter."),
            ("terminated", (), "Getting image source signatures\n", "terminated due to external shut-down. Please try again."),
            (
                "terminated",
                ("--message", "builder worker lost"),
                "Getting image source signatures\n",
                "terminated due to external shut-down with the exception: builder worker lost",
            ),
            ("fail", (), image, "failed with the exception: Internal server error."),
        ]
        versions = len(self.app_state("faulty")["versions"])
        for action, extra, stdout_end, panel_end in cases:
            with self.subTest(action=action, extra=extra):
                self.fault("sdk:image.build", action, "--times", "1", *extra)
                result = self.deploy("-m", "echo_app", env={"APP_NAME": "faulty"})
                self.assertExit(result, 1)
                found = re.fullmatch(r"Image build for (im-[a-zA-Z0-9]{22}) (.*)", panel_text(result.stderr))
                self.assertIsNotNone(found, result.stderr)
                self.assertEqual(found.group(2), panel_end.format(id=found.group(1)))
                self.assertIn(f"Building image {found.group(1)}\n\n{image}", result.stdout)
                self.assertTrue(result.stdout.endswith(stdout_end), result.stdout)
                self.assertEqual(len(self.app_state("faulty")["versions"]), versions)
        self.assertEqual(json.loads(self.admin("fault", "list").stdout), [])
        # The image is cached: without a fault, the same deploy builds nothing and changes nothing.
        again = self.deploy("-m", "echo_app", env={"APP_NAME": "faulty"})
        self.assertExit(again, 0)
        self.assertNotIn("Building image", again.stdout)

    def test_image_build_generic_faults(self):
        self.fault("sdk:image.build", "transient", "--times", "1")
        result = self.deploy("-m", "echo_app", env={"APP_NAME": "faulty"})
        self.assertExit(result, 1)
        self.assertEqual(panel_text(result.stderr), "Could not connect to the Modal server.")

    def test_invalid_rules_are_rejected(self):
        invalid = (("deploy", "crash"), ("sdk:secret", "garbage"), ("function list", "fail"), ("deploy", "no-python"))
        for target, action in invalid:
            result = self.run_cmd([str(BIN / "modal-emulator"), "fault", "add", "--target", target, "--action", action])
            self.assertEqual(result.returncode, 1)
            self.assertIn("modal-emulator:", result.stderr)
