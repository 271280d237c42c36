"""A call in the session: spawned, waited on at most `timeout` seconds, and cancelled with its containers when it
does not end well (timeout, error) or when the session is told to stop mid-call (SIGTERM, its request pipe closing).
Against the emulator, whose `modal-emulator function-calls` says what became of each call and its container."""

import json
import os
import signal
import subprocess
import textwrap
import time

from tests.support import EMULATOR
from tests.test_session import EmulatedSessionTest, SessionProcess

# Far more than a loaded machine needs for a container to start; the conditions are met long before.
DEADLINE = 30
MODULE = """
    import time
    import modal
    app = modal.App("calls-app")

    @app.function()
    def run(payload):
        if payload.get("sleep"):
            time.sleep(payload["sleep"])
        if payload.get("raise"):
            raise ValueError(payload["raise"])
        return {"echo": payload}
    """


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return ") Z " not in f.read()
    except FileNotFoundError:
        return False


class CallsTest(EmulatedSessionTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        folder = cls.tmp / "calls-module"
        folder.mkdir()
        (folder / "modal_app.py").write_text(textwrap.dedent(MODULE))
        subprocess.run(
            [str(EMULATOR / "bin" / "modal"), "deploy", "-m", "modal_app", "--env", "dev"],
            env=cls.env, cwd=folder, capture_output=True, check=True,
        )

    def setUp(self):
        self.session = SessionProcess(self.env, str(self.tmp), own_group=True)
        self.handshake = self.session.read()

    def function_calls(self) -> list[dict]:
        listing = subprocess.run(
            [str(EMULATOR / "bin" / "modal-emulator"), "function-calls", "--json"],
            env=self.env, capture_output=True, text=True, check=True,
        )
        return json.loads(listing.stdout)

    def wait_for(self, condition, what: str):
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            found = condition()
            if found:
                return found
            time.sleep(0.05)
        self.fail(f"never happened: {what}; calls: {self.function_calls()}")

    def call_record(self, function_call_id: str, condition) -> dict:
        def found():
            return next((c for c in self.function_calls() if c["function_call_id"] == function_call_id and condition(c)), None)

        return self.wait_for(found, f"{function_call_id} reached the condition")

    def running_call(self) -> dict:
        """The call this test started (every other call has ended, see tearDown), once its container runs."""
        return self.wait_for(
            lambda: next((c for c in self.function_calls() if c["container"] == "running"), None), "a container running"
        )

    def call(self, payload: dict, **extra) -> dict:
        return self.session.ask("call", app="calls-app", function="run", environment="dev", version=None, payload=payload, **extra)

    def test_a_call_answers_with_its_result_and_function_call_id(self):
        answer = self.call({"x": 1}, timeout=60)
        self.assertEqual(answer["value"]["result"], {"echo": {"x": 1}})
        record = self.call_record(answer["value"]["function_call_id"], lambda c: c["container"] == "exited")
        self.assertEqual(record["status"], "succeeded")

    def test_a_call_past_its_timeout_is_cancelled_with_its_container(self):
        answer = self.call({"sleep": 3600}, timeout=0.5)
        raised, facts = answer["raised"], answer["function_call"]
        self.assertEqual((raised["type"], raised["stage"], raised["message"]), ("TimeoutError", "call", ""))
        self.assertIn("builtins.TimeoutError", raised["chain"])
        self.assertEqual(
            {k: facts[k] for k in ("timed_out", "cancelled", "cancel_raised", "stopped_by")},
            {"timed_out": True, "cancelled": True, "cancel_raised": None, "stopped_by": None},
        )
        record = self.call_record(facts["function_call_id"], lambda c: c["container_pgid"] is None)
        self.assertEqual((record["status"], record["container"], record["terminate_containers"]), ("cancelled", "terminated", True))
        # The session goes on.
        self.assertTrue(self.session.ask("authenticate")["ok"])

    def test_an_error_of_the_function_is_reported_with_the_call_facts(self):
        answer = self.call({"raise": "bad input"}, timeout=60)
        self.assertEqual((answer["raised"]["type"], answer["raised"]["message"]), ("ValueError", "bad input"))
        self.assertFalse(answer["function_call"]["timed_out"])
        self.assertRegex(answer["function_call"]["function_call_id"], r"^fc-")

    def test_sigterm_mid_call_cancels_the_call_answers_and_ends_the_session(self):
        self.session.send("call", app="calls-app", function="run", environment="dev", version=None, payload={"sleep": 3600})
        running = self.running_call()
        self.session.process.send_signal(signal.SIGTERM)
        answer = self.session.read()
        facts = answer["function_call"]
        self.assertEqual((facts["function_call_id"], facts["stopped_by"], facts["cancelled"]), (running["function_call_id"], "SIGTERM", True))
        self.assertEqual(answer["raised"]["type"], "SessionStopped")
        self.session.process.wait(timeout=DEADLINE)
        record = self.call_record(running["function_call_id"], lambda c: c["container_pgid"] is None)
        self.assertEqual((record["status"], record["container"]), ("cancelled", "terminated"))
        self.assertFalse(alive(running["container_pgid"]))

    def test_the_request_pipe_closing_mid_call_cancels_the_call(self):
        self.session.send("call", app="calls-app", function="run", environment="dev", version=None, payload={"sleep": 3600})
        running = self.running_call()
        os.close(self.session.requests)
        self.session.process.wait(timeout=DEADLINE)
        record = self.call_record(running["function_call_id"], lambda c: c["container_pgid"] is None)
        self.assertEqual((record["status"], record["container"]), ("cancelled", "terminated"))
        self.session.requests = os.open(os.devnull, os.O_WRONLY)  # for tearDown's close

    def test_sigterm_between_requests_ends_the_session(self):
        self.assertTrue(self.session.ask("authenticate")["ok"])
        self.session.process.send_signal(signal.SIGTERM)
        self.session.process.wait(timeout=DEADLINE)
        self.assertEqual(self.session.answer_lines.readline(), b"")

    def tearDown(self):
        if self.session.process.poll() is None:
            self.session.process.kill()
        self.session.process.wait()
        for fd in (self.session.requests,):
            try:
                os.close(fd)
            except OSError:
                pass
        self.session.answer_lines.close()
        self.session.process.stdout.close()
        self.session.process.stderr.close()
        # Nothing of the test is left running: each call ended (none still `running`).
        self.assertEqual([c for c in self.function_calls() if c["container"] in ("starting", "running")], [])
