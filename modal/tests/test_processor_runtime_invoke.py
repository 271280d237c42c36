import os
import stat
import tempfile
import textwrap
import time
import unittest
from pathlib import Path

from tests.support import REFERENCE_PROCESSOR

from processor_runtime import STDERR_TAIL_MAX_CHARS, InvalidEnvelope, invoke_processor, validate_envelope

REF = "llm/litellm@1"
ENVELOPE = {"schema": "v1", "mode": "mock", "params": {"messages": [{"role": "user", "content": "hello"}]}}


class ValidateEnvelopeTest(unittest.TestCase):
    def test_valid_envelopes(self):
        validate_envelope(ENVELOPE)
        validate_envelope({"schema": "v1", "mode": "real", "params": {}})

    def test_every_problem_is_named(self):
        with self.assertRaises(InvalidEnvelope) as caught:
            validate_envelope({"schema": "v2", "mode": "fast", "params": [], "parms": {}})
        message = str(caught.exception)
        for fragment in ("schema must be 'v1', got 'v2'", "mode must be 'mock' or 'real', got 'fast'",
                         "params must be an object, got list", "unknown keys: parms"):
            self.assertIn(fragment, message)

    def test_missing_fields(self):
        with self.assertRaises(InvalidEnvelope) as caught:
            validate_envelope({})
        self.assertIn("got None", str(caught.exception))

    def test_not_an_object(self):
        with self.assertRaisesRegex(InvalidEnvelope, "must be an object .* got list"):
            validate_envelope([ENVELOPE])

    def test_not_json_serialisable(self):
        with self.assertRaisesRegex(InvalidEnvelope, "not JSON-serialisable"):
            validate_envelope({"schema": "v1", "mode": "mock", "params": {"when": object()}})


class FakeProcessors:
    """Small executables in a temporary directory, used as PROCESSOR_COMMAND."""

    def __init__(self):
        self._directory = tempfile.TemporaryDirectory()
        self.path = Path(self._directory.name)

    def write(self, name: str, body: str, interpreter: str = "/usr/bin/env python3") -> str:
        path = self.path / name
        path.write_text(f"#!{interpreter}\n" + textwrap.dedent(body))
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
        return str(path)

    def cleanup(self):
        self._directory.cleanup()


class InvokeProcessorTest(unittest.TestCase):
    def setUp(self):
        self.fakes = FakeProcessors()
        self.addCleanup(self.fakes.cleanup)

    def invoke(self, envelope=ENVELOPE, timeout_s=10.0, **environ):
        return invoke_processor(envelope, {"PATH": os.environ["PATH"], **environ}, timeout_s=timeout_s, ref=REF)

    def with_fake(self, body: str, envelope=ENVELOPE, timeout_s=10.0):
        return self.invoke(envelope, timeout_s, PROCESSOR_COMMAND=self.fakes.write("processor", body))

    def test_reference_processor_in_mock_mode(self):
        result = self.invoke(PROCESSOR_COMMAND=str(REFERENCE_PROCESSOR))
        self.assertTrue(result["ok"], result)
        self.assertEqual((result["schema"], result["processor"], result["mode"]), ("v1", REF, "mock"))
        self.assertEqual(result["output"]["model"], "mock")
        self.assertIn("hello", result["output"]["choices"][0]["message"]["content"])
        self.assertIsInstance(result["duration_ms"], int)

    def test_processor_found_on_path(self):
        path = f"{REFERENCE_PROCESSOR.parent}{os.pathsep}{os.environ['PATH']}"  # as the image's PATH would
        result = invoke_processor(ENVELOPE, {"PATH": path}, timeout_s=10, ref=REF)
        self.assertTrue(result["ok"], result)

    def test_envelope_on_stdin_and_environment_passed(self):
        command = self.fakes.write(
            "processor",
            """
            import json, os, sys
            print(json.dumps({"seen": json.load(sys.stdin), "token": os.environ.get("TOKEN")}))
            """,
        )
        result = self.invoke(PROCESSOR_COMMAND=command, TOKEN="t-1")
        self.assertEqual(result["output"], {"seen": ENVELOPE, "token": "t-1"})

    def test_invalid_envelope_does_not_start_the_processor(self):
        marker = self.fakes.path / "started"
        command = self.fakes.write("processor", f"open({str(marker)!r}, 'w').close()\n")
        result = self.invoke({"schema": "v1", "mode": "fast", "params": {}}, PROCESSOR_COMMAND=command)
        self.assertFalse(marker.exists())
        self.assertEqual(result["error"]["type"], "InvalidEnvelope")
        self.assertEqual(result["mode"], "fast")
        error = result["error"]
        self.assertEqual((error["code"], error["exit_code"], error["stderr_tail"]), (None, None, ""))

    def test_non_zero_exit_with_structured_error(self):
        result = self.with_fake(
            """
            import json, sys
            print("starting", file=sys.stderr)
            print(json.dumps({"error": {"code": "ERR_MISSING_SECRET", "message": "OPENAI_API_KEY is not set"}}))
            sys.exit(3)
            """
        )
        self.assertFalse(result["ok"])
        self.assertEqual(
            result["error"],
            {"type": "ProcessorError", "code": "ERR_MISSING_SECRET", "message": "OPENAI_API_KEY is not set",
             "exit_code": 3, "stderr_tail": "starting\n"},
        )

    def test_non_zero_exit_without_structured_error(self):
        result = self.with_fake("raise RuntimeError('boom')\n")
        self.assertEqual(result["error"]["type"], "ProcessorError")
        self.assertEqual(result["error"]["message"], "the processor exited with status 1")
        self.assertIsNone(result["error"]["code"])
        self.assertIn("RuntimeError: boom", result["error"]["stderr_tail"])

    def test_killed_by_signal(self):
        result = self.with_fake("import os, signal\nos.kill(os.getpid(), signal.SIGTERM)\n")
        self.assertEqual(result["error"]["message"], "the processor was killed by SIGTERM")
        self.assertEqual(result["error"]["exit_code"], -15)

    def test_garbage_stdout(self):
        result = self.with_fake("print('not json')\n")
        self.assertEqual(result["error"]["type"], "InvalidProcessorOutput")
        self.assertIn("not a single JSON object", result["error"]["message"])
        self.assertEqual(result["error"]["exit_code"], 0)

    def test_two_objects_or_a_list_are_invalid_output(self):
        for body in ("print('{}'); print('{}')\n", "print('[1, 2]')\n", "pass\n"):
            with self.subTest(body=body):
                self.assertEqual(self.with_fake(body)["error"]["type"], "InvalidProcessorOutput")

    def test_hang_is_killed_at_the_timeout_with_its_children(self):
        # A shell starts at once, and 3 s leave a loaded machine room to print before the timeout.
        hang = self.fakes.write(
            "processor",
            """
            echo waiting >&2
            sleep 120 &  # a child holding the pipes open
            sleep 120
            """,
            interpreter="/bin/sh",
        )
        started = time.monotonic()
        result = self.invoke(ENVELOPE, 3.0, PROCESSOR_COMMAND=hang)
        self.assertLess(time.monotonic() - started, 60)  # the children were killed too: nothing held the pipes
        self.assertEqual(result["error"]["type"], "ProcessorTimeout")
        self.assertIn("within 3 s", result["error"]["message"])
        self.assertIsNone(result["error"]["exit_code"])
        self.assertEqual(result["error"]["stderr_tail"], "waiting\n")

    def test_stderr_tail_is_bounded_and_starts_at_a_line(self):
        result = self.with_fake(
            """
            import sys
            for number in range(1000):
                print(f"log line {number}", file=sys.stderr)
            sys.exit(1)
            """
        )
        tail = result["error"]["stderr_tail"]
        self.assertLessEqual(len(tail), STDERR_TAIL_MAX_CHARS)
        self.assertTrue(tail.startswith("log line "))
        self.assertTrue(tail.endswith("log line 999\n"))

    def test_missing_processor(self):
        result = invoke_processor(ENVELOPE, {"PATH": self.fakes.path.as_posix()}, timeout_s=5, ref=REF)
        self.assertEqual(result["error"]["type"], "ProcessorError")
        self.assertIn("no executable named 'processor'", result["error"]["message"])

    def test_relative_processor_command_is_refused(self):
        result = self.invoke(PROCESSOR_COMMAND="bin/processor")
        self.assertIn("must be an absolute path", result["error"]["message"])

    def test_processor_that_cannot_start(self):
        path = self.fakes.path / "not-executable"
        path.write_text("")
        result = self.invoke(PROCESSOR_COMMAND=str(path))
        self.assertEqual(result["error"]["type"], "ProcessorError")
        self.assertIn("could not start", result["error"]["message"])


if __name__ == "__main__":
    unittest.main()
