import json
import os
import subprocess
import sys
import unittest

from tests.support import REFERENCE_PROCESSOR, ADAPTER_DIR


def run_local(request: dict, env: dict | None = None) -> dict:
    completed = subprocess.run(
        [sys.executable, str(ADAPTER_DIR / "run_local.py")],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


class RunLocalTest(unittest.TestCase):
    def test_the_reference_processor_in_mock_mode_answers_under_the_contract(self):
        envelope = {"schema": "v1", "mode": "mock", "params": {"messages": [{"role": "user", "content": "hi"}]}}
        result = run_local({"envelope": envelope, "ref": "llm/litellm@1", "command": str(REFERENCE_PROCESSOR)})
        self.assertTrue(result["ok"], result)
        self.assertEqual(result["processor"], "llm/litellm@1")
        self.assertIn("hi", json.dumps(result["output"]))

    def test_a_bad_envelope_is_a_structured_error(self):
        result = run_local({"envelope": {"schema": "v2"}, "ref": "llm/litellm@1", "command": str(REFERENCE_PROCESSOR)})
        self.assertFalse(result["ok"])
        self.assertEqual(result["error"]["type"], "InvalidEnvelope")

    def test_real_mode_without_a_key_fails_without_a_traceback(self):
        envelope = {"schema": "v1", "mode": "real", "params": {"messages": [{"role": "user", "content": "hi"}]}}
        result = run_local(
            {"envelope": envelope, "ref": "llm/litellm@1", "command": str(REFERENCE_PROCESSOR)}, env={"OPENAI_API_KEY": ""}
        )
        self.assertFalse(result["ok"])
        self.assertEqual(result["error"]["type"], "ProcessorError")
        self.assertNotIn("Traceback", result["error"]["message"])


if __name__ == "__main__":
    unittest.main()
