"""Paths shared by the tests and a fake `modal` package that records what the code asks of it."""

import contextlib
import json
import sys
import types
from pathlib import Path
from unittest import mock

MODAL_DIR = Path(__file__).resolve().parent.parent
REPO_ROOT = MODAL_DIR.parent
APP_NAME_VECTORS = REPO_ROOT / "test-vectors" / "app-names.json"
REFERENCE_PROCESSOR = REPO_ROOT / "processors" / "llm-litellm" / "bin" / "processor"

if str(MODAL_DIR) not in sys.path:
    sys.path.insert(0, str(MODAL_DIR))

DIGEST = "sha256:" + "ab" * 32
IMAGE_REF = f"ghcr.io/acme/llm-litellm:1.0.0@{DIGEST}"


def fake_exception_module() -> types.ModuleType:
    """The exception classes of modal.exception that the code relies on, with the real hierarchy."""
    module = types.ModuleType("modal.exception")

    class Error(Exception):
        pass

    class TimeoutError(Error):  # noqa: A001 - modal.exception shadows the builtin name too
        pass

    classes = {"Error": Error, "TimeoutError": TimeoutError}
    for name in ("AuthError", "NotFoundError", "InvalidError", "ServiceError", "ConnectionError", "RemoteError",
                 "ExecutionError", "ResourceExhaustedError"):
        classes[name] = type(name, (Error,), {})
    classes["ConflictError"] = type("ConflictError", (classes["InvalidError"],), {})
    classes["FunctionTimeoutError"] = type("FunctionTimeoutError", (TimeoutError,), {})
    for name, cls in classes.items():
        cls.__module__ = "modal.exception"
        setattr(module, name, cls)
    return module


class FakeModal:
    """One fake Modal workspace. Set the attributes to script it; read `calls` to check what was asked."""

    def __init__(self):
        self.exception = fake_exception_module()
        self.version = "1.5.4"
        self.local = True
        self.token_error: Exception | None = None
        self.environments = {"dev", "main"}
        self.secret_errors: dict[str, Exception] = {}
        self.apps: dict[str, str] = {}
        self.history_rows: list[dict] = []
        self.history_output: str | None = None  # printed instead of history_rows when set
        self.remote_outcome: object = None
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

        @contextlib.contextmanager
        def enable_output():
            fake.calls.append(("enable_output",))
            yield

        modal.enable_output = enable_output

        class Client:
            @staticmethod
            def from_env():
                fake.calls.append(("Client.from_env",))
                if fake.token_error:
                    raise fake.token_error
                return Client()

        class Lazy:
            """A lazily loaded object: `hydrate()` performs the lookup."""

            def __init__(self, load):
                self._load = load

            def hydrate(self):
                self._load()
                return self

        class Environment:
            @staticmethod
            def from_name(name):
                def load():
                    fake.calls.append(("Environment.hydrate", name))
                    if name not in fake.environments:
                        raise fake.exception.InvalidError(f"Environment '{name}' not found")

                return Lazy(load)

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
                self.app_id = None

            def function(self, **options):
                def register(function):
                    self.functions[function.__name__] = (function, options)
                    return function

                return register

            @staticmethod
            def lookup(name, *, environment_name=None):
                fake.calls.append(("App.lookup", name, environment_name))
                if fake.token_error:
                    raise fake.token_error
                if name not in fake.apps:
                    raise fake.not_found(f"App '{name}' not found in environment '{environment_name}'")
                app = App(name)
                app.app_id = fake.apps[name]
                return app

        class Function:
            def __init__(self, app_name, name):
                self.app_name, self.name = app_name, name

            @staticmethod
            def from_name(app_name, name, *, environment_name=None, **options):
                fake.calls.append(("Function.from_name", app_name, name, environment_name, options))
                return Function(app_name, name)

            def remote(self, payload):
                fake.calls.append(("Function.remote", payload))
                if isinstance(fake.remote_outcome, BaseException):
                    raise fake.remote_outcome
                return fake.remote_outcome

        for cls in (Client, Environment, Secret, Image, App, Function):
            setattr(modal, cls.__name__, cls)

        cli = types.ModuleType("modal.cli")
        entry_point = types.ModuleType("modal.cli.entry_point")

        class EntrypointCli:
            @staticmethod
            def main(args, standalone_mode=True):
                fake.calls.append(("cli", list(args), standalone_mode))
                print(fake.history_output or json.dumps(fake.history_rows, indent=2))

        entry_point.entrypoint_cli = EntrypointCli()
        cli.entry_point = entry_point
        modal.cli = cli
        return {
            "modal": modal,
            "modal.exception": self.exception,
            "modal.cli": cli,
            "modal.cli.entry_point": entry_point,
        }
