"""`modal.App`: collects the functions that `modal deploy` publishes."""
import dataclasses
from typing import Callable

from modal_emulator import faults, server

from . import client as client_module
from . import config
from ._validation import check_object_name
from .exception import InvalidError
from .functions import Function
from .image import Image
from .secret import Secret


@dataclasses.dataclass
class FunctionSpec:
    """A function as declared by `@app.function(...)`."""

    raw_f: Callable
    image: Image
    secrets: list[Secret]
    timeout: int
    env: dict[str, str]


class App:
    def __init__(
        self,
        name: str | None = None,
        *,
        tags=None,
        image: Image | None = None,
        secrets=[],
        volumes={},
        include_source=True,
    ):
        self._name = name
        self._include_source = include_source  # False: the image must already contain the module
        self._image = image
        self._secrets = list(secrets)
        self._app_id: str | None = None
        self.registered_functions: dict[str, Function] = {}

    @property
    def name(self) -> str | None:
        return self._name

    @property
    def app_id(self) -> str | None:
        return self._app_id

    def __repr__(self) -> str:
        return f"App({self._name!r})"

    @staticmethod
    def lookup(
        name: str, *, client=None, environment_name: str | None = None, create_if_missing: bool = False
    ) -> "App":
        check_object_name(name, "App")
        creds = client_module.resolve(client).credentials
        faults.check("sdk:app.lookup")
        app = App(name)
        app._app_id = server.app_lookup(creds, name, environment_name or config.environment(), create_if_missing)
        return app

    def function(
        self,
        _warn_parentheses_missing=None,
        *,
        image: Image | None = None,
        secrets=None,
        env: dict[str, str] | None = None,
        timeout: int = 300,
        serialized: bool = False,
        **ignored,
    ):
        """Register a function; options the emulator does not model (gpu, cpu, retries, …) are accepted."""
        if isinstance(_warn_parentheses_missing, Image):
            raise InvalidError("`image` needs to be a keyword argument: `@app.function(image=image)`.")
        if _warn_parentheses_missing:
            raise InvalidError("Did you forget parentheses? Suggestion: `@app.function()`.")

        def wrapped(f: Callable) -> Function:
            spec = FunctionSpec(
                raw_f=f,
                image=image or self._image or Image.debian_slim(),
                secrets=[*self._secrets, *(secrets or [])],
                timeout=timeout,
                env=dict(env or {}),
            )
            function = Function(None, f.__name__, spec=spec)
            self.registered_functions[f.__name__] = function
            return function

        return wrapped
