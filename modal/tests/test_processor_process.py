import contextlib
import json
import os
import signal
import stat
import tempfile
import textwrap
import time
import unittest
from pathlib import Path

from processor_process import run_processor

# Longer than any test may wait: a call that waited for a daemon would end by its timeout, not by the processor.
DAEMON_LIFETIME_S = 120
TIMEOUT_S = 60


def is_running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        return ") Z " not in Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False


def ends_soon(pid: int) -> bool:
    """A SIGKILL takes effect when the process is next scheduled: not running within a few seconds."""
    for _ in range(100):
        if not is_running(pid):
            return True
        time.sleep(0.05)
    return False


class RunProcessorTest(unittest.TestCase):
    def setUp(self):
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.dir = Path(directory.name)
        self.pid_file = self.dir / "daemon.pid"
        self.addCleanup(self.kill_daemon)

    def kill_daemon(self):
        """No daemon of a test outlives it."""
        if self.pid_file.exists():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.daemon_pid(), signal.SIGKILL)

    def daemon_pid(self) -> int:
        return int(self.pid_file.read_text())

    def processor(self, body: str) -> str:
        path = self.dir / "processor"
        path.write_text("#!/usr/bin/env python3\n" + textwrap.dedent(body))
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
        return str(path)

    def fork_daemon(self, setsid: bool = False) -> str:
        """Processor code: a daemon keeping the stdout and stderr it inherited, its pid in a file once it runs."""
        return textwrap.dedent(
            f"""
            import os, time
            if os.fork() == 0:
                {"os.setsid()" if setsid else "pass"}
                with open({str(self.pid_file) + ".tmp"!r}, "w") as f:
                    f.write(str(os.getpid()))
                os.rename({str(self.pid_file) + ".tmp"!r}, {str(self.pid_file)!r})
                time.sleep({DAEMON_LIFETIME_S})
                os._exit(0)
            while not os.path.exists({str(self.pid_file)!r}):
                time.sleep(0.01)
            """
        )

    def run_it(self, body: str, data: bytes = b"{}", timeout_s: float = TIMEOUT_S):
        return run_processor(self.processor(body), data, {"PATH": os.environ["PATH"]}, timeout_s)

    def test_input_on_stdin_output_and_exit_code_back(self):
        run = self.run_it(
            """
            import json, sys
            print(json.dumps({"seen": json.load(sys.stdin)}))
            print("log", file=sys.stderr)
            sys.exit(3)
            """,
            data=b'{"a": 1}',
        )
        self.assertEqual((run.returncode, run.timed_out), (3, False))
        self.assertEqual(json.loads(run.stdout), {"seen": {"a": 1}})
        self.assertEqual(run.stderr, b"log\n")

    def test_large_input_and_output_pass_whole(self):
        run = self.run_it("import sys\nsys.stdout.write(sys.stdin.read() * 2)\n", data=b"x" * (1024 * 1024))
        self.assertEqual(len(run.stdout), 2 * 1024 * 1024)

    def test_a_processor_that_does_not_read_its_input(self):
        run = self.run_it("print('done')\n", data=b"x" * (1024 * 1024))
        self.assertEqual((run.returncode, run.stdout), (0, b"done\n"))

    def test_a_daemon_left_in_its_group_is_ended_and_not_waited_for(self):
        run = self.run_it(self.fork_daemon() + "print('answer', flush=True)\n")
        self.assertEqual((run.returncode, run.stdout, run.timed_out), (0, b"answer\n", False))
        self.assertTrue(ends_soon(self.daemon_pid()))

    def test_a_daemon_that_left_the_group_is_not_waited_for(self):
        run = self.run_it(self.fork_daemon(setsid=True) + "print('answer', flush=True)\n")
        self.assertEqual((run.returncode, run.stdout, run.timed_out), (0, b"answer\n", False))
        # Out of reach (its own session): not ended, only let go.
        self.assertTrue(is_running(self.daemon_pid()))

    def test_a_timeout_ends_the_processor_and_its_daemon(self):
        run = self.run_it(self.fork_daemon() + "import sys\nprint('waiting', file=sys.stderr, flush=True)\ntime.sleep(60)\n", timeout_s=0.5)
        self.assertTrue(run.timed_out)
        self.assertEqual(run.returncode, -signal.SIGKILL)
        self.assertEqual(run.stderr, b"waiting\n")
        self.assertTrue(ends_soon(self.daemon_pid()))


if __name__ == "__main__":
    unittest.main()
