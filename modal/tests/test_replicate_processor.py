"""replicate/generic@1 (processors/replicate-generic) against a loopback server speaking Replicate's HTTP API."""

import email.utils
import json
import re
import subprocess
import threading
import time
import types
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.support import REPLICATE_PROCESSOR, run_processor_at

import processor_runtime

TOKEN = "r8_Tok3nValue0123456789abcdefSECRET"
VERSION = "0123456789abcdef" * 4
PREDICTION_ID = "ufawqhfynnddngldkgtslldrkq"
MODEL_INPUT = {"prompt": "a red bicycle", "steps": 4}
PREDICTION_KEYS = {"id", "model", "version", "status", "input", "output", "metrics"}
# Short enough that a scripted sequence of statuses takes milliseconds; the default is Replicate's client's 0.5 s.
FAST_POLLING = {"REPLICATE_POLL_INTERVAL": "0.01"}


def processor_module() -> types.ModuleType:
    """The processor's code in this process, for checks that need no subprocess.

    Compiled by hand: an import would cache bytecode in the processor's folder, which is the image's content.
    """
    module = types.ModuleType("replicate_generic_processor")
    exec(compile(REPLICATE_PROCESSOR.read_text(), str(REPLICATE_PROCESSOR), "exec"), module.__dict__)
    return module


PROCESSOR = processor_module()


def run_processor(envelope, **environ) -> tuple[int, dict, str]:
    return run_processor_at(REPLICATE_PROCESSOR, envelope, **environ)


def prediction(status: str, **fields) -> dict:
    """A prediction object as Replicate returns it; its urls point elsewhere, which the processor must not follow."""
    return {
        "id": PREDICTION_ID,
        "model": "acme/echo",
        "version": "hidden",
        "input": MODEL_INPUT,
        "logs": "",
        "output": ["https://replicate.delivery/out-0.png"] if status == "succeeded" else None,
        "error": None,
        "status": status,
        "created_at": "2026-12-01T10:00:00.000Z",
        "metrics": {"predict_time": 1.25, "total_time": 1.5} if status == "succeeded" else {},
        "urls": {
            "get": f"{ELSEWHERE.base}/predictions/{PREDICTION_ID}",
            "cancel": f"{ELSEWHERE.base}/predictions/{PREDICTION_ID}/cancel",
        },
        **fields,
    }


class Answer:
    def __init__(self, status: int, body, headers: dict | None = None):
        self.status, self.body, self.headers = status, body, headers or {}


def answer_of(scripted) -> Answer:
    """A status string is a 200 prediction in that status; an Answer is sent as it is."""
    return scripted if isinstance(scripted, Answer) else Answer(200, prediction(scripted))


class FakeReplicate(BaseHTTPRequestHandler):
    """Create (both routes), get and cancel, as scripted on the server: each list answers in turn, its last repeats."""

    def do_POST(self):
        self.handle_request()

    def do_GET(self):
        self.handle_request()

    def handle_request(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        server = self.server
        server.requests.append(
            {
                "method": self.command,
                "path": self.path,
                "headers": dict(self.headers),
                "body": json.loads(raw) if raw else None,
            }
        )
        route = f"{self.command} {self.path}"
        if re.fullmatch(r"POST /v1/(predictions|models/[^/]+/[^/]+/predictions)", route):
            scripted = server.creates
        elif route == f"GET /v1/predictions/{PREDICTION_ID}":
            scripted = server.polls
        elif route == f"POST /v1/predictions/{PREDICTION_ID}/cancel":
            scripted = server.cancels
        else:
            scripted = [Answer(404, {"detail": "Not found.", "status": 404})]
        answer = answer_of(scripted.pop(0) if len(scripted) > 1 else scripted[0])
        payload = answer.body if isinstance(answer.body, bytes) else json.dumps(answer.body).encode()
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


class LoopbackServer:
    def __init__(self):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeReplicate)
        self.httpd.requests = []
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def script(self, creates=None, polls=None, cancels=None):
        self.httpd.requests.clear()
        self.httpd.creates = list(creates or [Answer(201, prediction("starting"))])
        self.httpd.polls = list(polls or ["processing", "succeeded"])
        self.httpd.cancels = list(cancels or [Answer(200, prediction("canceled"))])

    @property
    def requests(self) -> list[dict]:
        return self.httpd.requests

    def routes(self) -> list[str]:
        return [f"{r['method']} {r['path']}" for r in self.requests]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


REPLICATE: LoopbackServer
# Where the prediction's own urls point: nothing may ever reach it.
ELSEWHERE: LoopbackServer


def setUpModule():
    global REPLICATE, ELSEWHERE
    REPLICATE, ELSEWHERE = LoopbackServer(), LoopbackServer()


def tearDownModule():
    ELSEWHERE.close()
    REPLICATE.close()


class MockModeTest(unittest.TestCase):
    def mock(self, params, **environ):
        return run_processor({"schema": "v1", "mode": "mock", "params": params}, **environ)

    def test_a_deterministic_prediction_derived_from_the_params(self):
        params = {"model": "acme/echo", "input": MODEL_INPUT}
        status, first, _ = self.mock(params)
        _, second, _ = self.mock(params)
        self.assertEqual(status, 0)
        self.assertEqual(first, second)
        self.assertEqual(set(first), PREDICTION_KEYS)
        self.assertRegex(first["id"], r"^mock-[0-9a-f]{24}$")
        self.assertEqual(
            {key: first[key] for key in ("model", "version", "status", "input")},
            {"model": "acme/echo", "version": None, "status": "succeeded", "input": MODEL_INPUT},
        )
        self.assertEqual(first["output"], f"mock output of acme/echo for input {first['id'][5:17]}")

    def test_the_version_is_kept_and_other_params_give_another_id(self):
        _, latest, _ = self.mock({"model": "acme/echo", "input": MODEL_INPUT})
        _, pinned, _ = self.mock({"model": f"acme/echo:{VERSION}", "input": MODEL_INPUT})
        _, other_input, _ = self.mock({"model": "acme/echo", "input": {"prompt": "a blue bicycle"}})
        self.assertEqual(pinned["version"], VERSION)
        self.assertEqual(len({latest["id"], pinned["id"], other_input["id"]}), 3)

    def test_needs_no_token_and_no_network(self):
        status, output, _ = self.mock(
            {"model": "acme/echo", "input": {}}, REPLICATE_API_BASE="http://127.0.0.1:9/v1", PROCESSOR_TIMEOUT="x"
        )
        self.assertEqual((status, output["status"]), (0, "succeeded"))

    def test_params_are_checked_strictly_with_an_example_in_the_message(self):
        invalid = {
            "no model": {"input": {}},
            "the llm default smoke params": {"messages": [{"role": "user", "content": "test"}]},
            "a model that is not a string": {"model": ["acme", "echo"], "input": {}},
            "no name": {"model": "acme", "input": {}},
            "an empty name": {"model": "acme/", "input": {}},
            "three parts": {"model": "acme/echo/extra", "input": {}},
            "a space": {"model": "ac me/echo", "input": {}},
            "a dot-dot name": {"model": "acme/..", "input": {}},
            "a query in the name": {"model": "acme/echo?x=1", "input": {}},
            "a version that is not hex": {"model": "acme/echo:latest", "input": {}},
            "an upper-case version": {"model": f"acme/echo:{VERSION.upper()}", "input": {}},
            "a short version": {"model": f"acme/echo:{VERSION[:-1]}", "input": {}},
            "an empty version": {"model": "acme/echo:", "input": {}},
            "no input": {"model": "acme/echo"},
            "a list as input": {"model": "acme/echo", "input": ["a red bicycle"]},
            "a string as input": {"model": "acme/echo", "input": "a red bicycle"},
            "an unknown param": {"model": "acme/echo", "input": {}, "prompt": "a red bicycle"},
        }
        for case, params in invalid.items():
            with self.subTest(case), self.assertRaises(PROCESSOR.ProcessorFailure) as raised:
                PROCESSOR.read_params(params)
            self.assertEqual(raised.exception.code, "ERR_INVALID_INPUT")
            self.assertRegex(raised.exception.message, r'e\.g\. .*"black-forest-labs/flux-schnell"')
        for case in ("no model", "a version that is not hex"):
            with self.subTest(f"{case}, through the contract"):
                status, output, _ = self.mock(invalid[case])
                self.assertEqual((status, output["error"]["code"]), (1, "ERR_INVALID_INPUT"))

    def test_valid_models(self):
        for model, expected in (
            ("black-forest-labs/flux-schnell", ("black-forest-labs", "flux-schnell", None)),
            ("Acme_Labs/sdxl-1.0_turbo", ("Acme_Labs", "sdxl-1.0_turbo", None)),
            (f"acme/echo:{VERSION}", ("acme", "echo", VERSION)),
        ):
            with self.subTest(model):
                parsed, _ = PROCESSOR.read_params({"model": model, "input": {}})
                self.assertEqual((parsed.owner, parsed.name, parsed.version), expected)

    def test_a_malformed_envelope(self):
        for stdin in ("not json", json.dumps({"mode": "mock", "params": {}}), json.dumps({"schema": "v1", "mode": "mock", "params": []})):
            with self.subTest(stdin=stdin):
                completed = subprocess.run(
                    [str(REPLICATE_PROCESSOR)], input=stdin, capture_output=True, text=True, timeout=30
                )
                self.assertEqual(completed.returncode, 1)
                self.assertEqual(json.loads(completed.stdout)["error"]["code"], "ERR_INVALID_INPUT")


class RealModeTest(unittest.TestCase):
    def setUp(self):
        REPLICATE.script()
        ELSEWHERE.script()

    def tearDown(self):
        self.assertEqual(ELSEWHERE.requests, [], "a request went to a URL taken from an answer")

    def call(self, model="acme/echo", **environ) -> tuple[int, dict, str]:
        envelope = {"schema": "v1", "mode": "real", "params": {"model": model, "input": MODEL_INPUT}}
        settings = {"REPLICATE_API_TOKEN": TOKEN, "REPLICATE_API_BASE": REPLICATE.base, **FAST_POLLING, **environ}
        return run_processor(envelope, **settings)

    def assert_failure(self, result, code: str) -> str:
        status, output, everything = result
        self.assertEqual((status, output["error"]["code"]), (1, code), output)
        self.assertNotIn(TOKEN, everything)
        return output["error"]["message"]

    def test_without_a_version_it_runs_the_model_and_polls_the_prediction_by_id(self):
        REPLICATE.script(polls=["starting", "processing", "processing", "succeeded"])
        status, output, logs = self.call()
        self.assertEqual(status, 0, output)
        create, *polls = REPLICATE.requests
        self.assertEqual(create["path"], "/v1/models/acme/echo/predictions")
        self.assertEqual(create["body"], {"input": MODEL_INPUT})
        self.assertEqual(create["headers"]["Authorization"], f"Bearer {TOKEN}")
        self.assertEqual([p["path"] for p in polls], [f"/v1/predictions/{PREDICTION_ID}"] * 4)
        self.assertTrue(all(p["headers"]["Authorization"] == f"Bearer {TOKEN}" for p in polls))
        expected = prediction("succeeded")
        self.assertEqual(output, {key: expected[key] for key in PREDICTION_KEYS})
        self.assertIn(f"prediction {PREDICTION_ID}: status succeeded", logs)

    def test_with_a_version_it_creates_a_prediction_of_that_version(self):
        status, output, _ = self.call(f"acme/echo:{VERSION}")
        self.assertEqual(status, 0, output)
        create = REPLICATE.requests[0]
        self.assertEqual((create["method"], create["path"]), ("POST", "/v1/predictions"))
        self.assertEqual(create["body"], {"version": VERSION, "input": MODEL_INPUT})

    def test_a_prediction_finished_when_created_is_not_polled_and_a_trailing_slash_is_fine(self):
        REPLICATE.script(creates=[Answer(201, prediction("succeeded"))])
        status, output, _ = self.call(REPLICATE_API_BASE=REPLICATE.base + "/")
        self.assertEqual((status, output["status"]), (0, "succeeded"))
        self.assertEqual(REPLICATE.routes(), ["POST /v1/models/acme/echo/predictions"])

    def test_a_failed_prediction_reports_its_error(self):
        REPLICATE.script(polls=["processing", Answer(200, prediction("failed", error="CUDA out of memory"))])
        message = self.assert_failure(self.call(), "ERR_PREDICTION_FAILED")
        self.assertIn(f"prediction {PREDICTION_ID} of acme/echo failed: CUDA out of memory", message)

    def test_a_canceled_or_aborted_prediction(self):
        for final in ("canceled", "aborted"):
            with self.subTest(final):
                REPLICATE.script(polls=["processing", final])
                message = self.assert_failure(self.call(), "ERR_PREDICTION_CANCELED")
                self.assertIn(f"ended '{final}'", message)
                self.assertNotIn(f"POST /v1/predictions/{PREDICTION_ID}/cancel", REPLICATE.routes())

    def test_missing_token(self):
        message = self.assert_failure(self.call(REPLICATE_API_TOKEN=""), "ERR_MISSING_SECRET")
        self.assertIn("REPLICATE_API_TOKEN", message)
        self.assertEqual(REPLICATE.requests, [])

    def test_401_and_403_are_auth_errors_quoting_the_detail(self):
        for status in (401, 403):
            with self.subTest(status):
                detail = "You did not pass a valid authentication token"
                REPLICATE.script(creates=[Answer(status, {"title": "Unauthenticated", "detail": detail, "status": status})])
                message = self.assert_failure(self.call(), "ERR_PROVIDER_AUTH")
                self.assertIn(f"HTTP {status}", message)
                self.assertIn(detail, message)

    def test_404_names_the_model_or_the_version(self):
        not_found = Answer(404, {"title": "Not found", "detail": "The requested resource could not be found.", "status": 404})
        REPLICATE.script(creates=[not_found])
        message = self.assert_failure(self.call(), "ERR_MODEL_NOT_FOUND")
        self.assertIn("no model acme/echo", message)
        REPLICATE.script(creates=[not_found])
        message = self.assert_failure(self.call(f"acme/echo:{VERSION}"), "ERR_MODEL_NOT_FOUND")
        self.assertIn(f"no version {VERSION} of acme/echo", message)

    def test_422_quotes_the_providers_detail(self):
        detail = "- input.steps: Must be less than or equal to 4"
        REPLICATE.script(creates=[Answer(422, {"title": "Input validation failed", "detail": detail, "status": 422})])
        message = self.assert_failure(self.call(), "ERR_PROVIDER_INVALID_INPUT")
        self.assertIn(f"input of acme/echo (HTTP 422): {detail}", message)

    def test_429_waits_the_retry_after_and_tries_again(self):
        throttled = Answer(429, {"detail": "Request was throttled. Expected available in 1 second."}, {"Retry-After": "1"})
        REPLICATE.script(creates=[throttled, Answer(201, prediction("starting"))])
        started = time.monotonic()
        status, output, logs = self.call()
        self.assertEqual((status, output["status"]), (0, "succeeded"))
        self.assertGreaterEqual(time.monotonic() - started, 1.0)
        self.assertEqual(REPLICATE.routes()[:2], ["POST /v1/models/acme/echo/predictions"] * 2)
        self.assertIn("retry 1 in 1 s", logs)

    def test_429_while_polling_is_retried_too(self):
        throttled = Answer(429, {"detail": "Request was throttled."}, {"Retry-After": "0"})
        REPLICATE.script(polls=[throttled, throttled, "succeeded"])
        status, output, _ = self.call()
        self.assertEqual((status, output["status"]), (0, "succeeded"))
        self.assertEqual(len(REPLICATE.requests), 4)

    def test_429_whose_retry_after_does_not_fit_fails_at_once_saying_when(self):
        REPLICATE.script(creates=[Answer(429, {"detail": "Request was throttled."}, {"Retry-After": "3600"})])
        started = time.monotonic()
        message = self.assert_failure(self.call(), "ERR_PROVIDER_RATE_LIMITED")
        self.assertLess(time.monotonic() - started, 20)  # not the hour the server asked for
        self.assertIn("retry after 3600 s", message)
        self.assertEqual(len(REPLICATE.requests), 1)

    def test_retry_after_in_seconds_or_as_a_date(self):
        in_30_s = email.utils.formatdate(time.time() + 30, usegmt=True)
        self.assertEqual(PROCESSOR.retry_after_s({"Retry-After": "7"}), 7)
        self.assertAlmostEqual(PROCESSOR.retry_after_s({"Retry-After": in_30_s}), 30, delta=2)
        self.assertEqual(PROCESSOR.retry_after_s({"Retry-After": email.utils.formatdate(0, usegmt=True)}), 0)
        self.assertIsNone(PROCESSOR.retry_after_s({"Retry-After": "soon"}))
        self.assertIsNone(PROCESSOR.retry_after_s({}))

    def test_429_retries_are_bounded(self):
        REPLICATE.script(creates=[Answer(429, {"detail": "Request was throttled."}, {"Retry-After": "0"})])
        message = self.assert_failure(self.call(), "ERR_PROVIDER_RATE_LIMITED")
        self.assertIn("after 3 retries", message)
        self.assertEqual(len(REPLICATE.requests), 4)

    def test_5xx_on_create_is_not_repeated(self):
        REPLICATE.script(creates=[Answer(503, {"detail": "Service Unavailable"}), Answer(201, prediction("starting"))])
        message = self.assert_failure(self.call(), "ERR_PROVIDER_HTTP")
        self.assertIn("HTTP 503: Service Unavailable", message)
        self.assertEqual(len(REPLICATE.requests), 1)

    def test_a_5xx_while_polling_is_retried(self):
        REPLICATE.script(polls=[Answer(502, b"<html>bad gateway</html>"), "processing", "succeeded"])
        status, output, logs = self.call()
        self.assertEqual((status, output["status"]), (0, "succeeded"))
        self.assertIn("poll 1 of prediction", logs)

    def test_polls_failing_again_and_again_give_up_and_cancel(self):
        REPLICATE.script(polls=[Answer(500, {"detail": "internal error"})])
        message = self.assert_failure(self.call(), "ERR_PROVIDER_HTTP")
        polls = [r for r in REPLICATE.routes() if r.startswith("GET ")]
        self.assertEqual(len(polls), 3)
        self.assertEqual(REPLICATE.routes()[-1], f"POST /v1/predictions/{PREDICTION_ID}/cancel")
        self.assertIn(f"prediction {PREDICTION_ID} was canceled", message)

    def test_a_failed_cancel_says_the_prediction_may_still_run(self):
        REPLICATE.script(polls=[Answer(200, b"<html>maintenance</html>")], cancels=[Answer(500, {"detail": "oops"})])
        message = self.assert_failure(self.call(), "ERR_PROVIDER_RESPONSE")
        self.assertIn("is not JSON", message)
        self.assertIn(f"prediction {PREDICTION_ID} may still be running: canceling it failed", message)

    def test_a_prediction_that_outlives_the_processor_timeout_is_canceled(self):
        REPLICATE.script(polls=["processing"])
        started = time.monotonic()
        message = self.assert_failure(self.call(PROCESSOR_TIMEOUT="3"), "ERR_PROVIDER_TIMEOUT")
        # PROCESSOR_TIMEOUT=3: run kills the processor after 2.7 s; it gives up 2.43 s after it started (room for the
        # create request on a loaded machine).
        self.assertGreaterEqual(time.monotonic() - started, 2.43)
        self.assertIn("did not finish within the processor's 2.43 s (set by PROCESSOR_TIMEOUT)", message)
        self.assertIn("last status 'processing'", message)
        self.assertIn(f"prediction {PREDICTION_ID} was canceled", message)
        # Created, polled until the deadline (however many polls a loaded machine allows), then canceled.
        routes = REPLICATE.routes()
        self.assertEqual(routes[0], "POST /v1/models/acme/echo/predictions")
        self.assertEqual(routes[-1], f"POST /v1/predictions/{PREDICTION_ID}/cancel")
        self.assertTrue(routes[1:-1] and all(route.startswith("GET ") for route in routes[1:-1]), routes)

    def test_the_processor_gives_up_before_run_kills_it_leaving_time_to_cancel(self):
        for function_timeout_s in (10, 60, 300, 86_400):
            with self.subTest(PROCESSOR_TIMEOUT=function_timeout_s):
                killed_after_s = processor_runtime.processor_deadline_s(function_timeout_s)
                deadline = PROCESSOR.Deadline(function_timeout_s)
                started = deadline.at - deadline.seconds
                # Polling stops, then the cancel has until cancel_by, and that is still before the kill.
                self.assertLess(deadline.at, deadline.cancel_by)
                self.assertLess(deadline.cancel_by - started, killed_after_s)
                self.assertGreaterEqual(deadline.seconds, 0.8 * killed_after_s)

    def test_the_default_timeout_leaves_the_prediction_running_longer(self):
        # PROCESSOR_TIMEOUT unset: the deploy's default (300 s), so a few slow polls do not time out.
        REPLICATE.script(polls=["processing"] * 20 + ["succeeded"])
        status, output, _ = self.call()
        self.assertEqual((status, output["status"]), (0, "succeeded"))

    def test_unreachable(self):
        message = self.assert_failure(self.call(REPLICATE_API_BASE="http://127.0.0.1:9/v1"), "ERR_PROVIDER_UNREACHABLE")
        self.assertIn("POST /models/acme/echo/predictions", message)

    def test_an_answer_that_is_not_json_or_not_a_prediction(self):
        for answer in (Answer(201, b"<html>gateway</html>"), Answer(201, ["not", "an", "object"]), Answer(201, {"status": "starting"})):
            with self.subTest(body=answer.body):
                REPLICATE.script(creates=[answer])
                self.assert_failure(self.call(), "ERR_PROVIDER_RESPONSE")

    def test_a_redirect_is_not_followed_so_the_token_stays_here(self):
        REPLICATE.script(creates=[Answer(307, {}, {"Location": f"{ELSEWHERE.base}/predictions"})])
        message = self.assert_failure(self.call(), "ERR_PROVIDER_HTTP")
        self.assertIn("HTTP 307, a redirect, which is not followed", message)

    def test_the_token_and_token_like_text_never_reach_stdout_or_stderr(self):
        masked = f"Invalid token {TOKEN[:6]}****CRET"
        leaks = [
            Answer(401, {"detail": masked}),
            Answer(500, f"upstream failed for {TOKEN}".encode()),
            Answer(201, prediction("failed", error=f"auth header was Bearer {TOKEN}")),
            Answer(201, prediction("succeeded", output=f"echo: {TOKEN} and r8_OtherTok3n")),
        ]
        for answer in leaks:
            with self.subTest(status=answer.status):
                REPLICATE.script(creates=[answer])
                _, _, everything = self.call()
                self.assertNotIn(TOKEN, everything)
                self.assertNotIn(TOKEN[:6], everything)
                self.assertNotIn("r8_OtherTok3n", everything)
                self.assertIn("***", everything)

    def test_api_base_must_be_http_and_is_not_echoed(self):
        for base in ("file:///etc", "ftp://user:hunter2@example.com/v1", "api.replicate.com/v1"):
            with self.subTest(base=base):
                message = self.assert_failure(self.call(REPLICATE_API_BASE=base), "ERR_INVALID_CONFIG")
                self.assertIn("REPLICATE_API_BASE must be an http(s) URL", message)
                self.assertNotIn("hunter2", message)

    def test_a_token_that_cannot_be_a_header_value(self):
        message = self.assert_failure(self.call(REPLICATE_API_TOKEN=f"{TOKEN}\nX-Injected: 1"), "ERR_INVALID_CONFIG")
        self.assertIn("REPLICATE_API_TOKEN holds spaces or control characters", message)
        self.assertEqual(REPLICATE.requests, [])

    def test_timing_settings_must_be_positive_numbers(self):
        for variable, value in (("PROCESSOR_TIMEOUT", "5m"), ("PROCESSOR_TIMEOUT", "0"), ("REPLICATE_POLL_INTERVAL", "-1")):
            with self.subTest(variable=variable, value=value):
                message = self.assert_failure(self.call(**{variable: value}), "ERR_INVALID_CONFIG")
                self.assertIn(f"{variable} must be a positive number of seconds", message)
                self.assertEqual(REPLICATE.requests, [])


if __name__ == "__main__":
    unittest.main()
