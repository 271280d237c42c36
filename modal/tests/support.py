"""Paths shared by the tests and a fake `modal` package that records what the code asks of it."""

import contextlib
import json
import os
import subprocess
import sys
import types
from pathlib import Path
from unittest import mock

MODAL_DIR = Path(__file__).resolve().parent.parent
REPO_ROOT = MODAL_DIR.parent
APP_NAME_VECTORS = REPO_ROOT / "test-vectors" / "app-names.json"
REFERENCE_PROCESSOR = REPO_ROOT / "processors" / "llm-litellm" / "bin" / "processor"
REPLICATE_PROCESSOR = REPO_ROOT / "processors" / "replicate-generic" / "bin" / "processor"

if str(MODAL_DIR) not in sys.path:
    sys.path.insert(0, str(MODAL_DIR))


def run_processor_at(executable: Path, envelope, **environ) -> tuple[int, dict, str]:
    """Runs a processor executable on one envelope: its exit code, its JSON answer, and all it printed."""
    completed = subprocess.run(
        [str(executable)],
        input=json.dumps(envelope),
        capture_output=True,
        text=True,
        # No proxy variables: the tests' fake providers are on 127.0.0.1.
        env={"PATH": os.environ["PATH"], **environ},
        timeout=30,
    )
    return completed.returncode, json.loads(completed.stdout), completed.stdout + completed.stderr


DIGEST = "sha256:" + "ab" * 32
IMAGE_REF = f"ghcr.io/acme/llm-litellm:1.0.0@{DIGEST}"


def fake_exception_module() -> types.ModuleType:
    """The exception classes of modal.exception that modal_app.py relies on, with the real hierarchy."""
    module = types.ModuleType("modal.exception")

    class Error(Exception):
        pass

    class NotFoundError(Error):
        pass

    for cls in (Error, NotFoundError):
        cls.__module__ = "modal.exception"
        setattr(module, cls.__name__, cls)
    return module


class FakeModal:
    """One fake Modal workspace. Set the attributes to script it; read `calls` to check what was asked."""

    def __init__(self):
        self.exception = fake_exception_module()
        self.version = "1.5.4"
        self.local = True
        self.secret_errors: dict[str, Exception] = {}
        self.calls: list[tuple] = []

    def not_found(self, message: str) -> Exception:
        return self.exception.NotFoundError(message)

    @contextlib.contextmanager
    def installed(self):
        modules = self._modules()
        with mock.patch.dict(sys.modules, modules):
            yield modules["modal"]

    def _modules(self) -> dict[str, types.ModuleType]:
        fake = self
        modal = types.ModuleType("modal")
        modal.__version__ = self.version
        modal.exception = self.exception
        modal.is_local = lambda: fake.local

        class Lazy:
            """A lazily loaded object: `hydrate()` performs the lookup."""

            def __init__(self, load):
                self._load = load

            def hydrate(self):
                self._load()
                return self

        class Secret(Lazy):
            @staticmethod
            def from_name(name, *, environment_name=None, required_keys=[]):  # noqa: B006 - real signature
                fake.calls.append(("Secret.from_name", name, environment_name, list(required_keys)))

                def load():
                    fake.calls.append(("Secret.hydrate", name))
                    if name in fake.secret_errors:
                        raise fake.secret_errors[name]

                secret = Secret(load)
                secret.name, secret.required_keys = name, list(required_keys)
                return secret

        class Image:
            def __init__(self, steps):
                self.steps = steps

            @staticmethod
            def from_registry(tag, secret=None, *, add_python=None):
                return Image([("from_registry", tag, secret, add_python)])

            def env(self, variables):
                return Image(self.steps + [("env", dict(variables))])

            def add_local_python_source(self, *modules):
                return Image(self.steps + [("add_local_python_source", modules)])

        class App:
            def __init__(self, name=None):
                self.name = name
                self.functions = {}

            def function(self, **options):
                def register(function):
                    self.functions[function.__name__] = (function, options)
                    return function

                return register

        for cls in (Secret, Image, App):
            setattr(modal, cls.__name__, cls)
        return {"modal": modal, "modal.exception": self.exception}
