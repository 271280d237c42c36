"""Test helpers: a fresh emulator home per test class and a clean environment for the real `bin/modal`."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / "bin"
PYTHON = ROOT / "python"
FIXTURES = ROOT / "tests" / "fixtures"
PANEL_LINE = re.compile(r"^│ .* │$")


def panel_text(stderr: str) -> str:
    """The text inside an error panel, lines joined with spaces (to compare wrapped messages)."""
    lines = stderr.strip().split("\n")
    assert lines[0].startswith("╭─ Error ─") and lines[-1].startswith("╰─"), stderr
    return " ".join(line[2:-2].strip() for line in lines[1:-1] if line[2:-2].strip())


class LineReader:
    """Collects a running process's output line by line, so that a test waits for what it prints, not for a time."""

    # Generous: a deadline only ends a test that would otherwise hang; a loaded machine must never reach it.
    DEADLINE = 120

    def __init__(self, stream):
        self._lines: list[str] = []
        self._ended = False
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream):
        for line in stream:
            with self._changed:
                self._lines.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._ended = True
            self._changed.notify_all()

    def wait_for(self, condition, timeout: float = DEADLINE) -> bool:
        """Whether `condition(lines)` came true before the deadline (or the end of the stream)."""
        with self._changed:
            self._changed.wait_for(lambda: self._ended or condition(list(self._lines)), timeout=timeout)
            return condition(list(self._lines))

    def close(self):
        """Waits for the end of the stream (the process has exited)."""
        self._thread.join(timeout=self.DEADLINE)

    def lines(self) -> list[str]:
        with self._changed:
            return list(self._lines)

    def text(self) -> str:
        return "\n".join(self.lines())


class EmulatorTestCase(unittest.TestCase):
    """Each test class gets its own MODAL_EMULATOR_HOME, token pair and environments `main`, `dev`."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp(prefix="modal-emulator-test-"))
        cls.home = cls.tmp / "home"
        cls.base_env = {
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
            "HOME": str(cls.tmp),  # no ~/.modal.toml of the developer
            "MODAL_EMULATOR_HOME": str(cls.home),
            "PYTHONPATH": str(PYTHON),
        }
        creds = json.loads(cls.admin("init", "--env", "dev").stdout)
        cls.token = {"MODAL_TOKEN_ID": creds["token_id"], "MODAL_TOKEN_SECRET": creds["token_secret"]}
        cls.base_env.update(cls.token)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def run_cmd(cls, argv, *, env=None, cwd=None, input=None, timeout=60, drop=()):
        full_env = {**cls.base_env, **(env or {})}
        for name in drop:
            full_env.pop(name, None)
        return subprocess.run(
            argv, env=full_env, cwd=cwd or cls.tmp, input=input, capture_output=True, text=True, timeout=timeout,
            stdin=None if input is not None else subprocess.DEVNULL,
        )

    @classmethod
    def modal(cls, *args, **kwargs):
        return cls.run_cmd([str(BIN / "modal"), *args], **kwargs)

    @classmethod
    def admin(cls, *args, **kwargs):
        result = cls.run_cmd([str(BIN / "modal-emulator"), *args], **kwargs)
        assert result.returncode == 0, result.stderr
        return result

    @classmethod
    def python(cls, code: str, **kwargs):
        """Run SDK code in a fresh interpreter; it should print one JSON line last."""
        return cls.run_cmd([sys.executable, "-c", textwrap.dedent(code)], **kwargs)

    @classmethod
    def python_json(cls, code: str, **kwargs):
        result = cls.python(code, **kwargs)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout.strip().split("\n")[-1])

    @classmethod
    def push_image(cls, ref="ghcr.io/org/proc:1", *extra):
        return cls.admin("push-image", ref, str(FIXTURES / "rootfs"), "--env", "IMAGE_VAR=from-image", *extra).stdout.strip()

    @classmethod
    def project(cls, name="project") -> Path:
        """A writable copy of the fixture project (echo_app.py, helper.py)."""
        target = cls.tmp / name
        if not target.exists():
            shutil.copytree(FIXTURES / "project", target)
        return target

    @classmethod
    def state(cls) -> dict:
        return json.loads(cls.admin("state", "--json").stdout)

    @classmethod
    def app_state(cls, name: str, env: str = "main") -> dict:
        apps = [a for a in cls.state()["apps"] if a["name"] == name and a["environment"] == env]
        return apps[-1]

    def assertExit(self, result, code: int):
        self.assertEqual(result.returncode, code, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")


class DeployTestCase(EmulatorTestCase):
    """Adds a pushed private image, its registry secret, a tool secret and a project to deploy."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.image_ref = cls.push_image("ghcr.io/org/proc:1", "--private", "--username", "bot", "--password", "pat")
        for env in ("main", "dev"):
            cls.modal("secret", "create", "REGISTRY_AUTH", "REGISTRY_USERNAME=bot", "REGISTRY_PASSWORD=pat", "-e", env)
            cls.modal("secret", "create", "TOOL_KEY", f"TOOL_KEY=tool-{env}", "-e", env)
        cls.deploy_env = {
            "IMAGE_REF": cls.image_ref,
            "REGISTRY_SECRET": "REGISTRY_AUTH",
            "TOOL_SECRETS": "TOOL_KEY",
            "DEPLOYER_ONLY": "only-on-the-deploying-machine",
        }

    @classmethod
    def deploy(cls, *args, env=None, project="project", **kwargs):
        return cls.modal("deploy", *args, cwd=cls.project(project), env={**cls.deploy_env, **(env or {})}, **kwargs)

    @classmethod
    def call(cls, app: str, payload: dict, **from_name_kwargs) -> dict:
        """`Function.from_name(app, "run", ...).remote(payload)` in a fresh process: {"result"} or {"error"}."""
        return cls.python_json(
            f"""
            import json, modal
            try:
                result = {{"result": modal.Function.from_name({app!r}, "run", **{from_name_kwargs!r}).remote({payload!r})}}
            except Exception as exc:
                result = {{"error": [type(exc).__name__, str(exc)]}}
            print(json.dumps(result))
            """,
            env=cls.deploy_env,  # the caller has the deployer's variables; the container must not see them
        )
