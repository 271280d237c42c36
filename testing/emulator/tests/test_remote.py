"""`.remote()` runs the deployed code in an emulated container; SDK lookups."""
import json

from .support import DeployTestCase, panel_text


class RemoteTest(DeployTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        assert cls.deploy("-m", "echo_app", "--tag", "one", env={"APP_NAME": "echo"}).returncode == 0
        project = cls.project()
        source = (project / "echo_app.py").read_text()
        (project / "echo_app.py").write_text(source.replace('CODE_VERSION = "1"', 'CODE_VERSION = "2"'))
        assert cls.deploy("-m", "echo_app", "--tag", "two", env={"APP_NAME": "echo"}).returncode == 0
        (project / "echo_app.py").write_text(source)  # the snapshot, not the working tree, is what runs
        # A short function timeout only where a call is meant to reach it: a container that starts slowly on a
        # loaded machine must not time out the other calls.
        assert cls.deploy("-m", "echo_app", env={"APP_NAME": "echo-timeout", "TIMEOUT": "2"}).returncode == 0

    def test_container_sees_image_config_and_secrets_only(self):
        result = self.call("echo", {})["result"]
        self.assertEqual(result["code_version"], "2")
        self.assertEqual(result["greeting"], "hello")  # from Image.env
        self.assertEqual(result["image_ref"], self.image_ref)
        self.assertEqual(result["image_var"], "from-image")  # from the pushed image's config
        self.assertEqual(result["tool_key"], "tool-main")  # from the attached secret
        self.assertIsNone(result["deployer_only"])  # the deploying machine's variables do not exist there
        self.assertFalse(result["is_local"])
        self.assertEqual(result["environment"], "main")
        self.assertEqual(result["processor"], "processor got ping (from-image)")  # <rootfs>/bin is on PATH

    def test_version_pin_runs_that_snapshot(self):
        self.assertEqual(self.call("echo", {}, version=1)["result"]["code_version"], "1")
        self.assertEqual(self.call("echo", {}, version=2)["result"]["code_version"], "2")
        missing = self.call("echo", {}, version=9)["error"]
        self.assertEqual(
            missing,
            ["NotFoundError", "Lookup failed for Function 'run' from the 'echo' app: App 'echo' has no version 9."],
        )

    def test_exceptions_and_timeout(self):
        self.assertEqual(self.call("echo", {"raise": "bad input"})["error"], ["ValueError", "bad input"])
        # The call would sleep far longer than the caller waits (run_cmd's deadline): only the timeout can end it.
        timed_out = self.call("echo-timeout", {"sleep": 3600})["error"]
        self.assertEqual(timed_out[0], "FunctionTimeoutError")
        self.assertRegex(timed_out[1], r"^Task's current input in-\w{22} hit its timeout of 2s$")

    def test_lookup_errors(self):
        out = self.python_json(
            """
            import json, modal
            errors = {}
            def attempt(label, fn):
                try:
                    errors[label] = fn()
                except Exception as exc:
                    errors[label] = [type(exc).__name__, str(exc)]
            attempt("no_app", lambda: modal.Function.from_name("ghost", "run").hydrate() and "ok")
            attempt("no_fn", lambda: modal.Function.from_name("echo", "nope", environment_name="main").hydrate() and "ok")
            attempt("dotted", lambda: modal.Function.from_name("echo", "A.b"))
            attempt("dev", lambda: modal.Function.from_name("echo", "run", environment_name="dev").remote({}))
            attempt("lookup", lambda: modal.App.lookup("echo").app_id)
            attempt("lookup_missing", lambda: modal.App.lookup("ghost", environment_name="dev").app_id)
            attempt("created", lambda: modal.App.lookup("fresh", create_if_missing=True).app_id[:3])
            attempt("env", lambda: modal.Environment.from_name("dev").hydrate().name)
            attempt("env_missing", lambda: modal.Environment.from_name("nope").hydrate().name)
            attempt("local_remote", lambda: modal.App("x").function()(lambda d: d).remote({}))
            print(json.dumps(errors))
            """
        )
        self.assertEqual(
            out["no_app"], ["NotFoundError", "Lookup failed for Function 'run' from the 'ghost' app: App 'ghost' not found in environment 'main'."]
        )
        self.assertEqual(
            out["no_fn"],
            ["NotFoundError", "Lookup failed for Function 'nope' from the 'echo' app (in the 'main' environment): Function 'nope' not found in App 'echo'."],
        )
        self.assertEqual(out["dotted"][0], "InvalidError")
        self.assertEqual(out["dev"][0], "NotFoundError")
        app_ids = [a["app_id"] for a in json.loads(self.modal("app", "list", "--json").stdout) if a["description"] == "echo"]
        self.assertEqual(app_ids, [out["lookup"]])
        self.assertEqual(out["lookup_missing"], ["NotFoundError", "App 'ghost' not found in environment 'dev'"])
        self.assertEqual(out["created"], "ap-")
        self.assertEqual(out["env"], "dev")
        self.assertEqual(out["env_missing"], ["InvalidError", "Environment 'nope' not found"])
        self.assertEqual(out["local_remote"][0], "ExecutionError")

    def test_client_auth(self):
        code = """
            import json, modal
            try:
                client = modal.Client.from_env()
                client.hello()
                print(json.dumps("ok"))
            except Exception as exc:
                print(json.dumps([type(exc).__name__, str(exc)]))
            """
        self.assertEqual(self.python_json(code), "ok")
        missing = self.python_json(code, drop=("MODAL_TOKEN_ID",))
        self.assertEqual(missing[0], "AuthError")
        self.assertTrue(missing[1].startswith("Token missing. Could not authenticate client."))
        self.assertEqual(self.python_json(code, env={"MODAL_TOKEN_SECRET": "as-wrong"}), ["AuthError", "Invalid token ID or secret."])

    def test_local_modules_are_mounted_only_when_added(self):
        missing = self.call("echo", {"helper": "hi"})["error"]
        self.assertEqual(missing, ["ModuleNotFoundError", "No module named 'helper'"])
        result = self.deploy("-m", "echo_app", env={"APP_NAME": "with-helper", "MOUNT_HELPER": "1"})
        self.assertIn("├── 🔨 Created mount PythonPackage:helper\n", result.stdout)
        self.assertEqual(self.call("with-helper", {"helper": "hi"})["result"], {"helper": "HI!"})
        late = self.deploy("-m", "echo_app", env={"APP_NAME": "late-env", "MOUNT_HELPER": "1", "ENV_AFTER_MOUNT": "1"})
        self.assertExit(late, 1)
        self.assertTrue(panel_text(late.stderr).startswith("An image tried to run a build step after using `image.add_local_*`"))

    def test_calls_logs_and_secret_usage(self):
        self.assertExit(self.deploy("-m", "echo_app", env={"APP_NAME": "counted"}), 0)
        loads = self.home / "client-loads.log"
        before = len(loads.read_text().splitlines())
        for _ in range(2):
            self.call("counted", {"print": "counted call"})
        self.assertEqual(len(loads.read_text().splitlines()), before + 2)  # the callers, not their containers
        rows = json.loads(self.admin("calls", "--json").stdout)
        self.assertIn({"environment": "main", "app": "counted", "app_id": rows[-1]["app_id"], "version": 1, "calls": 2}, rows)
        self.assertEqual(self.modal("app", "logs", "counted", "--source", "stdout").stdout, "counted call\ncounted call\n")
        secrets = json.loads(self.modal("secret", "list", "--json").stdout)
        self.assertNotEqual(next(s for s in secrets if s["name"] == "TOOL_KEY")["last_used_at"], "-")
