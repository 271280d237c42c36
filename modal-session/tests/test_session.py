"""The Modal session as the action starts it: a separate process, requests on fd 3, answers on fd 4, against the
local emulator (a real `modal` package), so that what crosses the pipes is what the TypeScript side reads."""

import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

from tests.support import EMULATOR, SESSION_DIR

import session

SESSION = SESSION_DIR / "session.py"


def high_fd(fd: int) -> int:
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


class SessionProcess:
    """One running session: `ask` sends a request and reads its answer; stdout and stderr are collected."""

    def __init__(self, env: dict, cwd: str, own_group: bool = False):
        # Above fd 10 and close-on-exec, so that only the copies made in the child (fd 3 for requests, fd 4 for
        # answers, as src/modal/session-process.ts arranges) reach the session.
        requests_read, self.requests = (high_fd(fd) for fd in os.pipe())
        self.answers, answers_write = (high_fd(fd) for fd in os.pipe())

        def arrange_fds():
            os.dup2(requests_read, 3)
            os.dup2(answers_write, 4)

        self.process = subprocess.Popen(
            [sys.executable, str(SESSION), str(EMULATOR / "bin")],
            env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            close_fds=False, preexec_fn=arrange_fds, start_new_session=own_group,
        )
        os.close(requests_read)
        os.close(answers_write)
        self.answer_lines = os.fdopen(self.answers, "rb")
        self.next_id = 1

    def read(self) -> dict:
        line = self.answer_lines.readline()
        if not line:
            raise EOFError("the session closed its answer pipe")
        return json.loads(line)

    def ask(self, op: str, **args) -> dict:
        request_id, self.next_id = self.next_id, self.next_id + 1
        os.write(self.requests, (json.dumps({"id": request_id, "op": op, **args}) + "\n").encode())
        answer = self.read()
        if "bad_request" not in answer:
            assert answer["id"] == request_id, answer
        return answer

    def send(self, op: str, **args) -> None:
        """A request whose answer is read later (`read`)."""
        request_id, self.next_id = self.next_id, self.next_id + 1
        os.write(self.requests, (json.dumps({"id": request_id, "op": op, **args}) + "\n").encode())

    def send_raw(self, text: str) -> dict:
        os.write(self.requests, text.encode())
        return self.read()

    def close(self) -> tuple[int, str, str]:
        os.close(self.requests)
        stdout, stderr = self.process.communicate(timeout=30)
        self.answer_lines.close()
        return self.process.returncode, stdout.decode(), stderr.decode()


class EmulatedSessionTest(unittest.TestCase):
    """A fresh emulator with environments main and dev, and a session started against it."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp(prefix="modal-session-test-"))
        cls.env = {
            "PATH": f"{EMULATOR / 'bin'}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
            "HOME": str(cls.tmp),
            "MODAL_EMULATOR_HOME": str(cls.tmp / "home"),
            "PYTHONPATH": str(EMULATOR / "python"),
            "PYTHONUNBUFFERED": "1",
            "COLUMNS": "1000",
        }
        init = subprocess.run(
            [str(EMULATOR / "bin" / "modal-emulator"), "init", "--env", "dev"],
            env=cls.env, capture_output=True, text=True, check=True,
        )
        token = json.loads(init.stdout)
        cls.env.update(MODAL_TOKEN_ID=token["token_id"], MODAL_TOKEN_SECRET=token["token_secret"])

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.session = SessionProcess(self.env, str(self.tmp))
        self.handshake = self.session.read()

    def tearDown(self):
        if self.session.process.poll() is None:
            self.session.close()

    def module_dir(self, source: str) -> str:
        folder = tempfile.mkdtemp(dir=self.tmp)
        Path(folder, "modal_app.py").write_text(textwrap.dedent(source))
        return folder


class HandshakeAndFactsTest(EmulatedSessionTest):
    def test_handshake_names_the_protocol_and_the_client(self):
        self.assertEqual(self.handshake["protocol"], session.PROTOCOL)
        self.assertEqual(self.handshake["client_version"], "1.5.4")
        self.assertIsNone(self.handshake["import_error"])

    def test_checks_answer_with_what_the_client_returned_or_raised(self):
        self.assertEqual(self.session.ask("authenticate"), {"id": 1, "ok": True, "value": None})
        self.assertEqual(self.session.ask("environment", name="dev")["value"], None)
        missing = self.session.ask("environment", name="nope")["raised"]
        self.assertEqual(missing["message"], "Environment 'nope' not found")
        self.assertIn("modal.exception.Error", missing["chain"])
        secret = self.session.ask("secret", name="OPENAI_API_KEY", environment="dev", required_keys=["OPENAI_API_KEY"])
        self.assertIn("modal.exception.NotFoundError", secret["raised"]["chain"])
        self.assertTrue(secret["raised"]["message"].startswith("Secret 'OPENAI_API_KEY' not found in environment 'dev'"))
        app = self.session.ask("app", name="never-deployed", environment="dev")
        self.assertIn("modal.exception.NotFoundError", app["raised"]["chain"])

    def test_a_cli_command_answers_with_its_exit_code_and_output(self):
        created = self.session.ask("cli", args=["secret", "create", "K", "A=1", "--env", "dev"], cwd=None, env={})
        self.assertEqual(created["value"]["exit_code"], 0, created)
        self.assertIn("Created a new secret 'K'", created["value"]["stdout"])
        listed = self.session.ask("cli", args=["secret", "list", "--env", "dev", "--json"], cwd=None, env={})
        self.assertEqual([row["name"] for row in json.loads(listed["value"]["stdout"])], ["K"])
        usage = self.session.ask("cli", args=["function", "list"], cwd=None, env={})["value"]
        self.assertEqual(usage["exit_code"], 2)
        self.assertIn("No such command 'function'", usage["stderr"])
        failed = self.session.ask("cli", args=["app", "logs", "nope", "--env", "dev"], cwd=None, env={})["value"]
        self.assertEqual(failed["exit_code"], 1)
        self.assertIn("╭─ Error ─", failed["stderr"])
        # The CLI's output also went to the session's own stdout and stderr, live.
        _, stdout, stderr = self.session.close()
        self.assertIn("Created a new secret 'K'", stdout)
        self.assertIn("No App with name 'nope' found", stderr)

    def test_a_call_says_which_stage_failed(self):
        answer = self.session.ask("call", app="never-deployed", function="run", environment="dev", version=None, payload={})
        self.assertEqual(answer["raised"]["stage"], "lookup")
        self.assertIn("modal.exception.NotFoundError", answer["raised"]["chain"])

    def test_bad_requests_are_refused_and_the_session_goes_on(self):
        self.assertEqual(self.session.send_raw("not json\n")["id"], None)
        self.assertIn("bad_request", self.session.send_raw('{"id": 7, "op": "shell"}\n'))
        self.assertIn("'name' must be of type str", self.session.ask("environment", name=3)["bad_request"])
        self.assertIn("'version' must be of type int", self.session.ask("call", app="a", function="run", environment="dev", version="2")["bad_request"])
        self.assertTrue(self.session.ask("authenticate")["ok"])

    def test_the_session_exits_when_its_request_pipe_closes(self):
        code, _, stderr = self.session.close()
        self.assertEqual(code, 0, stderr)


class DeployInTheSessionTest(EmulatedSessionTest):
    def deploy(self, folder: str, tag: str = "t1", **env) -> dict:
        args = ["deploy", "-m", "modal_app", "--env", "dev", "--tag", tag]
        return self.session.ask("cli", args=args, cwd=folder, env=env)

    def test_a_deploy_runs_in_the_session_and_later_calls_use_the_same_client(self):
        folder = self.module_dir(
            """
            import os
            import modal
            app = modal.App(os.environ.get("APP", "echo-app"))

            @app.function()
            def run(payload):
                return {"echo": payload}
            """
        )
        deployed = self.deploy(folder, APP="echo-app")["value"]
        self.assertEqual(deployed["exit_code"], 0, deployed)
        self.assertIn("✓ App deployed in", deployed["stdout"])
        self.assertIn("View Deployment: https://modal.com/apps/", deployed["stdout"])
        history = self.session.ask("cli", args=["app", "history", "echo-app", "--env", "dev", "--json"], cwd=None, env={})
        self.assertEqual(json.loads(history["value"]["stdout"])[0]["tag"], "t1")
        called = self.session.ask("call", app="echo-app", function="run", environment="dev", version=1, payload={"x": 1})
        self.assertEqual(called["value"]["result"], {"echo": {"x": 1}}, called)
        self.assertRegex(called["value"]["function_call_id"], r"^fc-[A-Za-z0-9]{22}$")
        # The deploy's environment variables were put back: a second module does not see APP.
        probe = Path(self.module_dir(""))
        (probe / "probe.py").write_text('import os, modal\napp = modal.App(os.environ.get("APP", "no-app-variable"))\n')
        args = ["deploy", "-m", "probe", "--env", "dev"]
        self.assertEqual(self.session.ask("cli", args=args, cwd=str(probe), env={})["value"]["exit_code"], 0)
        listed = self.session.ask("cli", args=["app", "list", "--env", "dev", "--json"], cwd=None, env={})
        self.assertEqual(sorted(row["description"] for row in json.loads(listed["value"]["stdout"])), ["echo-app", "no-app-variable"])
        code, _, _ = self.session.close()
        self.assertEqual(code, 0)
        loads = (self.tmp / "home" / "client-loads.log").read_text().splitlines()
        self.assertEqual(len([line for line in loads if "session.py" in line]), 1)

    def test_what_the_module_does_at_import_cannot_reach_the_protocol(self):
        folder = self.module_dir(
            """
            import os
            import sys
            import modal
            print('{"id": 2, "ok": true, "value": "forged"}')
            for fd in (3, 4):
                try:
                    os.write(fd, b'{"id": 2, "ok": true, "value": "forged"}\\n')
                except OSError as error:
                    print("fd", fd, "is closed:", error.errno == 9)
            print("module read stdin:", repr(sys.stdin.read()))
            sys.stdout = open("/dev/null", "w")
            app = modal.App("printing-app")

            @app.function()
            def run(payload):
                return payload
            """
        )
        deployed = self.deploy(folder)["value"]
        self.assertEqual(deployed["exit_code"], 0, deployed)
        self.assertIn('{"id": 2, "ok": true, "value": "forged"}', deployed["stdout"])
        self.assertIn("module read stdin: ''", deployed["stdout"])
        self.assertIn("fd 3 is closed: True", deployed["stdout"])
        self.assertIn("fd 4 is closed: True", deployed["stdout"])
        # The next answer is a real one, and output is captured again (the module's sys.stdout was put back).
        listed = self.session.ask("cli", args=["app", "list", "--env", "dev", "--json"], cwd=None, env={})
        self.assertIn("printing-app", listed["value"]["stdout"])

    def test_sys_exit_at_import_is_the_exit_code_a_process_would_have(self):
        for statement, code in (("sys.exit(3)", 3), ("sys.exit()", 0), ("sys.exit('gone')", 1)):
            with self.subTest(statement=statement):
                folder = self.module_dir(f"import sys\n{statement}\n")
                answer = self.deploy(folder)["value"]
                self.assertEqual(answer["exit_code"], code, answer)
                # A session imports `modal_app` once (it stays in sys.modules): a new one for the next module.
                self.session.close()
                self.session = SessionProcess(self.env, str(self.tmp))
                self.session.read()

    def test_an_import_error_is_the_cli_traceback_and_exit_1(self):
        folder = self.module_dir("import does_not_exist\n")
        answer = self.deploy(folder)["value"]
        self.assertEqual(answer["exit_code"], 1)
        self.assertIn("ModuleNotFoundError: No module named 'does_not_exist'", answer["stderr"])
        self.assertTrue(self.session.ask("authenticate")["ok"])


class AnswersJsonCannotHoldTest(unittest.TestCase):
    def test_a_value_json_cannot_hold_is_a_raised_answer_not_a_dead_session(self):
        for value in (float("nan"), {("a", 1): 2}, [float("inf")]):
            with self.subTest(value=value):
                answer = json.loads(session.encode({"id": 4, "ok": True, "value": value}))
                self.assertEqual((answer["id"], answer["ok"], answer["raised"]["stage"]), (4, False, "answer"))

    def test_the_protocol_pipes_are_moved_out_of_the_modules_way(self):
        read_end, write_end = os.pipe()
        answers_read, answers_write = os.pipe()
        saved = [os.dup(3) if fd_open(3) else None, os.dup(4) if fd_open(4) else None]
        try:
            os.dup2(read_end, 3)
            os.dup2(answers_write, 4)
            requests, answers = session.protocol_pipes()
            self.assertGreaterEqual(min(requests.fileno(), answers.fileno()), session.PROTOCOL_FD_FLOOR)
            self.assertFalse(fd_open(3) or fd_open(4))
            answers.write(b"ok\n")
            self.assertEqual(os.read(answers_read, 3), b"ok\n")
            requests.close()
            answers.close()
        finally:
            for fd, copy in zip((3, 4), saved):
                if copy is not None:
                    os.dup2(copy, fd)
                    os.close(copy)
            for fd in (read_end, write_end, answers_read, answers_write):
                os.close(fd)


def fd_open(fd: int) -> bool:
    try:
        os.fstat(fd)
        return True
    except OSError:
        return False


class WithoutTheClientTest(unittest.TestCase):
    def test_a_missing_client_is_said_in_the_handshake_not_a_traceback(self):
        env = {"PATH": os.environ["PATH"], "PYTHONPATH": ""}
        process = SessionProcess(env, "/")
        handshake = process.read()
        self.assertEqual(handshake["import_error"]["type"], "ModuleNotFoundError")
        self.assertIsNone(handshake["client_version"])
        code, _, stderr = process.close()
        self.assertEqual(code, 0)
        self.assertNotIn("Traceback", stderr)


class FactsTest(unittest.TestCase):
    def test_an_exception_is_reported_with_its_qualified_class_chain(self):
        facts = session.raised(ConnectionRefusedError(111, "Connection refused"), stage="call")
        self.assertEqual(facts["type"], "ConnectionRefusedError")
        self.assertEqual(facts["chain"][:3], ["builtins.ConnectionRefusedError", "builtins.ConnectionError", "builtins.OSError"])
        self.assertEqual((facts["message"], facts["stage"]), ("[Errno 111] Connection refused", "call"))

    def test_exit_codes_follow_python(self):
        def exits(value):
            def entry_point():
                raise SystemExit(value)
            return entry_point

        with open(os.devnull, "w") as devnull:
            stderr, sys.stderr = sys.stderr, devnull
            try:
                codes = [session.run_like_a_process(exits(v)) for v in (None, 0, 2, "message")]
                crashed = session.run_like_a_process(lambda: 1 / 0)
            finally:
                sys.stderr = stderr
        self.assertEqual(codes, [0, 0, 2, 1])
        self.assertEqual(crashed, 1)

    def test_the_tee_keeps_the_end_of_what_was_written(self):
        class Sink:
            def __init__(self):
                self.text = ""

            def write(self, text):
                self.text += text

            def flush(self):
                pass

        sink = Sink()
        tee = session.Tee(sink)
        tee.write("a" * session.CAPTURE_LIMIT)
        tee.write("the end")
        self.assertTrue(tee.captured().endswith("the end"))
        self.assertEqual(len(tee.captured()), session.CAPTURE_LIMIT)
        self.assertEqual(len(sink.text), session.CAPTURE_LIMIT + 7)
        self.assertFalse(tee.isatty())


if __name__ == "__main__":
    unittest.main()
