import json
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.support import REFERENCE_PROCESSOR, run_processor_at

API_KEY = "sk-test-0123456789abcdefSECRET"
MESSAGES = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "What is 2+2?"}]


def run_processor(envelope, **environ) -> tuple[int, dict, str]:
    return run_processor_at(REFERENCE_PROCESSOR, envelope, **environ)


class FakeChatCompletions(BaseHTTPRequestHandler):
    """Answers POST /v1/chat/completions with the scripted (status, body) and records the request."""

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.requests.append({"path": self.path, "headers": dict(self.headers), "body": json.loads(body)})
        status, answer = self.server.answer
        payload = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


COMPLETION = {
    "id": "chatcmpl-123",
    "object": "chat.completion",
    "created": 1700000000,
    "model": "gpt-4o-mini-2024-07-18",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "4"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 12, "completion_tokens": 1, "total_tokens": 13},
    "system_fingerprint": "fp_1",
}


class MockModeTest(unittest.TestCase):
    def test_deterministic_output_derived_from_the_params(self):
        envelope = {"schema": "v1", "mode": "mock", "params": {"messages": MESSAGES}}
        status, first, _ = run_processor(envelope)
        _, second, _ = run_processor(envelope)
        self.assertEqual(status, 0)
        self.assertEqual(first, second)
        self.assertEqual(first["model"], "mock")
        self.assertEqual(first["object"], "chat.completion")
        self.assertEqual(
            first["choices"][0]["message"], {"role": "assistant", "content": "mock reply to: What is 2+2?"}
        )
        self.assertRegex(first["id"], r"^chatcmpl-mock-[0-9a-f]{24}$")

    def test_different_params_give_a_different_id(self):
        _, first, _ = run_processor({"schema": "v1", "mode": "mock", "params": {"messages": MESSAGES}})
        _, other, _ = run_processor({"schema": "v1", "mode": "mock", "params": {"messages": MESSAGES, "model": "x"}})
        self.assertNotEqual(first["id"], other["id"])

    def test_mock_needs_no_key_and_no_network(self):
        status, _, _ = run_processor(
            {"schema": "v1", "mode": "mock", "params": {"messages": MESSAGES}}, LITELLM_API_BASE="http://127.0.0.1:9"
        )
        self.assertEqual(status, 0)

    def test_invalid_input(self):
        no_messages = {"schema": "v1", "mode": "mock", "params": {}}
        no_schema = {"mode": "mock", "params": {"messages": MESSAGES}}
        for envelope in (no_messages, no_schema):
            with self.subTest(envelope=envelope):
                status, output, _ = run_processor(envelope)
                self.assertEqual(status, 1)
                self.assertEqual(output["error"]["code"], "ERR_INVALID_INPUT")


class RealModeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = ThreadingHTTPServer(("127.0.0.1", 0), FakeChatCompletions)
        cls.server.requests = []
        cls.thread = threading.Thread(target=cls.server.serve_forever, daemon=True)
        cls.thread.start()
        cls.api_base = f"http://127.0.0.1:{cls.server.server_address[1]}/v1"

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()

    def setUp(self):
        self.server.requests.clear()
        self.server.answer = (200, COMPLETION)

    def call(self, params=None, **environ):
        envelope = {"schema": "v1", "mode": "real", "params": params or {"messages": MESSAGES}}
        return run_processor(envelope, **{"OPENAI_API_KEY": API_KEY, "LITELLM_API_BASE": self.api_base, **environ})

    def test_posts_the_chat_completion_and_returns_the_provider_answer(self):
        status, output, _ = self.call({"messages": MESSAGES, "temperature": 0, "ignored": True})
        self.assertEqual(status, 0)
        [request] = self.server.requests
        self.assertEqual(request["path"], "/v1/chat/completions")
        self.assertEqual(request["headers"]["Authorization"], f"Bearer {API_KEY}")
        self.assertEqual(request["body"], {"model": "gpt-4o-mini", "messages": MESSAGES, "temperature": 0})
        self.assertEqual(output, {key: value for key, value in COMPLETION.items() if key != "system_fingerprint"})

    def test_model_from_params_and_trailing_slash_in_api_base(self):
        params = {"messages": MESSAGES, "model": "claude-3-haiku"}
        status, _, _ = self.call(params, LITELLM_API_BASE=self.api_base + "/")
        self.assertEqual(status, 0)
        self.assertEqual(self.server.requests[0]["path"], "/v1/chat/completions")
        self.assertEqual(self.server.requests[0]["body"]["model"], "claude-3-haiku")

    def test_missing_key(self):
        status, output, _ = self.call(OPENAI_API_KEY="")
        self.assertEqual(status, 1)
        self.assertEqual(output["error"]["code"], "ERR_MISSING_SECRET")
        self.assertEqual(self.server.requests, [])

    def test_http_401_is_an_auth_error_without_the_key(self):
        masked = f"Incorrect API key provided: {API_KEY[:8]}****CRET."
        self.server.answer = (401, {"error": {"message": masked, "type": "invalid_request_error"}})
        status, output, everything = self.call()
        self.assertEqual(status, 1)
        self.assertEqual(output["error"]["code"], "ERR_PROVIDER_AUTH")
        self.assertIn("HTTP 401", output["error"]["message"])
        self.assertIn("Incorrect API key provided", output["error"]["message"])
        self.assertNotIn(API_KEY, everything)
        self.assertNotIn(API_KEY[:8], everything)

    def test_http_500_echoing_the_key_is_redacted(self):
        self.server.answer = (500, f"upstream failed for key {API_KEY}".encode())
        status, output, everything = self.call()
        self.assertEqual(status, 1)
        self.assertEqual(output["error"]["code"], "ERR_PROVIDER_HTTP")
        self.assertIn("HTTP 500", output["error"]["message"])
        self.assertNotIn(API_KEY, everything)

    def test_answer_that_is_not_json(self):
        self.server.answer = (200, b"<html>gateway</html>")
        status, output, _ = self.call()
        self.assertEqual((status, output["error"]["code"]), (1, "ERR_PROVIDER_RESPONSE"))

    def test_unreachable_provider(self):
        status, output, _ = self.call(LITELLM_API_BASE="http://127.0.0.1:9/v1")
        self.assertEqual((status, output["error"]["code"]), (1, "ERR_PROVIDER_UNREACHABLE"))

    def test_api_base_must_be_http(self):
        status, output, _ = self.call(LITELLM_API_BASE="file:///etc")
        self.assertEqual((status, output["error"]["code"]), (1, "ERR_INVALID_CONFIG"))


if __name__ == "__main__":
    unittest.main()
