"""`Function.spawn()`, `FunctionCall.get(timeout=)` and `.cancel(terminate_containers=)`, as client 1.5.4 has them;
`--strategy` on deploy and rollback. Each waits on conditions (a call's record, a process's exit), never on a time."""
import json
import time

from .support import DeployTestCase, panel_text

# Long enough for a loaded machine to start a container; the conditions are met far sooner.
DEADLINE = 30


def alive(pid: int) -> bool:
    """A process that still runs (a zombie has ended)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return ") Z " not in f.read()
    except FileNotFoundError:
        return False


class CallHelpers:
    def calls(self) -> dict:
        return {c["function_call_id"]: c for c in json.loads(self.admin("function-calls", "--json").stdout)}

    def wait_for_call(self, function_call_id: str, condition) -> dict:
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            call = self.calls().get(function_call_id)
            if call is not None and condition(call):
                return call
            time.sleep(0.05)
        self.fail(f"function call {function_call_id} never met the condition: {self.calls().get(function_call_id)}")

    def spawn(self, app: str, payload: dict, then: str = "") -> dict:
        """Spawns in a fresh process (which then exits, the call going on) and reports what `then` returns."""
        return self.python_json(
            f"""
            import json, modal
            fc = modal.Function.from_name({app!r}, "run").spawn({payload!r})
            out = {{"id": fc.object_id}}
            try:
                out["then"] = {then or "None"}
            except BaseException as exc:
                out["raised"] = [type(exc).__module__, type(exc).__name__, str(exc)]
            print(json.dumps(out))
            """,
            env=self.deploy_env,
        )

    def cancel(self, function_call_id: str, terminate: bool) -> list:
        return self.python_json(
            f"""
            import json, modal
            fc = modal.FunctionCall.from_id({function_call_id!r})
            fc.cancel(terminate_containers={terminate!r})
            try:
                fc.get(timeout=5)
                print(json.dumps("returned"))
            except BaseException as exc:
                print(json.dumps([type(exc).__module__, type(exc).__name__]))
            """
        )



class SpawnTest(CallHelpers, DeployTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        assert cls.deploy("-m", "echo_app", env={"APP_NAME": "spawned"}).returncode == 0
        assert cls.deploy("-m", "echo_app", env={"APP_NAME": "spawned-timeout", "TIMEOUT": "2"}).returncode == 0

    def test_spawn_then_get_returns_the_result(self):
        out = self.spawn("spawned", {"print": "spawned call"}, then="fc.get(timeout=60)")
        self.assertRegex(out["id"], r"^fc-[A-Za-z0-9]{22}$")
        self.assertEqual(out["then"]["code_version"], "1")
        call = self.wait_for_call(out["id"], lambda c: c["container"] == "exited")
        self.assertEqual((call["status"], call["app"], call["version"], call["function"]), ("succeeded", "spawned", 1, "run"))
        logs = self.modal("app", "logs", "spawned", "--function-call", out["id"], "--source", "stdout")
        self.assertEqual(logs.stdout, "spawned call\n")

    def test_get_with_a_timeout_raises_the_builtin_timeout_error_and_the_call_runs_on(self):
        out = self.spawn("spawned", {"sleep": 3600}, then="fc.get(timeout=0.2)")
        self.assertEqual(out["raised"], ["builtins", "TimeoutError", ""])
        call = self.wait_for_call(out["id"], lambda c: c["container"] == "running")
        self.assertEqual(call["status"], "running")  # the caller is gone: the call goes on, as on Modal
        self.assertTrue(alive(call["container_pgid"]))
        self.cancel(out["id"], terminate=True)

    def test_cancel_with_terminate_containers_ends_the_container(self):
        out = self.spawn("spawned", {"sleep": 3600})
        pid = self.wait_for_call(out["id"], lambda c: c["container"] == "running")["container_pgid"]
        self.assertEqual(self.cancel(out["id"], terminate=True), ["modal.exception", "RemoteError"])
        call = self.wait_for_call(out["id"], lambda c: c["container_pgid"] is None)
        self.assertEqual((call["status"], call["container"], call["terminate_containers"]), ("cancelled", "terminated", True))
        self.assertFalse(alive(pid))

    def test_cancel_without_terminate_containers_leaves_the_container_running(self):
        # The call runs until the file exists: it is still running when it is cancelled, however slow the machine.
        release = str(self.tmp / "release-the-call")
        out = self.spawn("spawned", {"until_exists": release})
        pid = self.wait_for_call(out["id"], lambda c: c["container"] == "running")["container_pgid"]
        self.assertEqual(self.cancel(out["id"], terminate=False), ["modal.exception", "RemoteError"])
        self.assertEqual(self.calls()[out["id"]]["status"], "cancelled")
        self.assertTrue(alive(pid))  # not terminated: the container goes on
        open(release, "w").close()
        call = self.wait_for_call(out["id"], lambda c: c["container"] == "exited")  # it ran to its end
        self.assertEqual(call["status"], "cancelled")

    def test_the_function_timeout_ends_a_spawned_call(self):
        out = self.spawn("spawned-timeout", {"sleep": 3600}, then="fc.get(timeout=60)")
        self.assertEqual(out["raised"][:2], ["modal.exception", "FunctionTimeoutError"])
        self.assertRegex(out["raised"][2], r"^Task's current input in-\w{22} hit its timeout of 2s$")
        call = self.wait_for_call(out["id"], lambda c: c["container_pgid"] is None)
        self.assertEqual((call["status"], call["container"]), ("failed", "terminated"))

    def test_from_id_is_lazy_and_an_unknown_id_is_not_found(self):
        out = self.python_json(
            """
            import json, modal
            out = {}
            fc = modal.FunctionCall.from_id("fc-AAAAAAAAAAAAAAAAAAAAAA")
            try:
                fc.object_id
            except AttributeError as exc:
                out["object_id"] = str(exc)
            try:
                fc.get(timeout=1)
            except modal.exception.NotFoundError as exc:
                out["get"] = type(exc).__name__
            print(json.dumps(out))
            """
        )
        self.assertEqual(
            out["object_id"], "Attempting to get object_id of unhydrated FunctionCall.from_id('fc-AAAAAAAAAAAAAAAAAAAAAA')"
        )
        self.assertEqual(out["get"], "NotFoundError")

    def test_the_hang_fault_hangs_the_function_in_its_container(self):
        self.admin("fault", "add", "--target", "sdk:function.remote", "--action", "hang", "--times", "1")
        out = self.spawn("spawned", {}, then="fc.get(timeout=0.2)")
        self.assertEqual(out["raised"][1], "TimeoutError")
        pid = self.wait_for_call(out["id"], lambda c: c["container"] == "running")["container_pgid"]
        self.cancel(out["id"], terminate=True)
        self.wait_for_call(out["id"], lambda c: c["container_pgid"] is None)
        self.assertFalse(alive(pid))


class StrategyTest(CallHelpers, DeployTestCase):
    def versions(self, app: str) -> list:
        return [(v["version"], v["strategy"], v["rollback_version"]) for v in self.app_state(app)["versions"]]

    def test_deploy_and_rollback_keep_their_strategy(self):
        self.assertExit(self.deploy("-m", "echo_app", env={"APP_NAME": "strat"}), 0)
        recreate = self.deploy("-m", "echo_app", "--strategy", "recreate", env={"APP_NAME": "strat", "GREETING": "hi"})
        self.assertExit(recreate, 0)
        self.assertIn("🧹 Terminating running containers\n", recreate.stdout)
        rollback = self.modal("app", "rollback", "strat", "v1", "--strategy", "recreate")
        self.assertExit(rollback, 0)
        self.assertTrue(rollback.stdout.startswith("✓ Deployment rollback successful!\n"))
        self.assertExit(self.modal("app", "rollback", "strat", "v2"), 0)
        self.assertEqual(self.versions("strat"), [(1, "rolling", None), (2, "recreate", None), (3, "recreate", 1), (4, "rolling", 2)])

    def test_a_bad_strategy_is_a_usage_error(self):
        for argv in (["deploy", "-m", "echo_app", "--strategy", "bogus"], ["app", "rollback", "strat", "--strategy", "bogus"]):
            result = self.modal(*argv, cwd=self.project())
            self.assertExit(result, 2)
            self.assertTrue(
                result.stderr.endswith("Error: Invalid value for '--strategy': 'bogus' is not one of 'rolling', 'recreate'.\n"),
                result.stderr,
            )

    def test_rollback_recreate_with_one_version_is_refused_by_the_server(self):
        self.assertExit(self.deploy("-m", "echo_app", env={"APP_NAME": "single"}), 0)
        result = self.modal("app", "rollback", "single", "--strategy", "recreate")
        self.assertExit(result, 1)
        self.assertEqual(panel_text(result.stderr), "Rollback request exceeds number of App deployments.")

    def test_recreate_ends_the_running_containers_of_the_app(self):
        self.assertExit(self.deploy("-m", "echo_app", env={"APP_NAME": "busy"}), 0)
        out = self.spawn("busy", {"sleep": 3600})
        pid = self.wait_for_call(out["id"], lambda c: c["container"] == "running")["container_pgid"]
        self.assertExit(self.deploy("-m", "echo_app", "--strategy", "recreate", env={"APP_NAME": "busy", "GREETING": "new"}), 0)
        call = self.wait_for_call(out["id"], lambda c: c["container_pgid"] is None)
        self.assertEqual((call["status"], call["container"]), ("failed", "terminated"))
        self.assertFalse(alive(pid))
