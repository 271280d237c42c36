"""`modal.Function`: functions defined with `@app.function()` and references from `Function.from_name`."""
from modal_emulator import faults, function_calls, server, state

from . import _remote, _runtime, config
from . import client as client_module
from .exception import ExecutionError, InvalidError, NotFoundError
from .function_call import FunctionCall

# What a `garbage` fault makes `.remote()` return instead of the function's result.
GARBAGE_RESULT = "\x00<modal-emulator garbage>\x00"


class Function:
    def __init__(self, app_name: str | None, name: str, *, version=None, environment_name=None, spec=None):
        self._app_name = app_name
        self._name = name
        self._version = version
        self._environment_name = environment_name
        self._spec = spec  # FunctionSpec of a function defined in this process, else None
        self._target: dict | None = None
        self._credentials = None

    def __repr__(self) -> str:
        return f"Function({self._app_name!r}, {self._name!r})"

    @staticmethod
    def from_name(
        app_name: str, name: str, *, version: int | None = None, environment_name: str | None = None, client=None
    ) -> "Function":
        """Lazy: nothing is looked up until `.hydrate()` or the first call."""
        if "." in name:
            raise InvalidError(
                f"Invalid Function name: '{name}'. If you are trying to look up a class method,"
                " use `modal.Cls.from_name` instead."
            )
        return Function(app_name, name, version=version, environment_name=environment_name)

    def hydrate(self, client=None) -> "Function":
        if self._target is None:
            if self._spec is not None and self._app_name is None:
                # Functions of the running app are hydrated in its containers, never on the local side.
                raise ExecutionError(
                    "Function has not been hydrated with the metadata it needs to run on Modal,"
                    " because the App it is defined on is not running."
                )
            self._credentials = client_module.resolve(client).credentials
            faults.check("sdk:function.lookup")
            self._target = self._fetch()
        return self

    def _fetch(self) -> dict:
        env = self._environment_name or config.environment()
        try:
            return server.function_get(self._credentials, self._app_name, self._name, env, self._version)
        except NotFoundError as exc:
            env_context = f" (in the '{env}' environment)" if env else ""
            raise NotFoundError(
                f"Lookup failed for Function '{self._name}' from the '{self._app_name}' app{env_context}: {exc}."
            ) from None

    def remote(self, *args, **kwargs):
        """Run the function in an emulated container and return its result. Without a `version` pin
        each call goes to the live version, as on Modal after a redeploy."""
        if self._spec is not None and self._app_name is None and not _runtime.is_local():
            # Inside a container, the other functions of the same app version are callable.
            app = _runtime.container_app
            self._app_name, self._environment_name, self._version = app["name"], app["environment"], app["version"]
        self.hydrate()
        rule = faults.take("sdk:function.remote", faults.GENERIC_ACTIONS + ("garbage", "crash"))
        faults.apply_generic(rule)
        action = rule["action"] if rule else None
        if action == "garbage":
            return GARBAGE_RESULT
        target = self._target if self._version is not None else self._fetch()
        return _remote.call(target, args, kwargs, crash=action == "crash")

    def spawn(self, *args, **kwargs) -> FunctionCall:
        """Starts the function on one input and returns its FunctionCall at once. The faults of
        `sdk:function.remote` apply: `hang` makes the function hang in its container, `crash` kills the
        container, `garbage` makes junk its result."""
        self.hydrate()
        rule = faults.take("sdk:function.remote", faults.GENERIC_ACTIONS + ("garbage", "crash"))
        action = rule["action"] if rule else None
        hang = None
        if action == "hang":
            hang = -1.0 if rule["seconds"] is None else float(rule["seconds"])
        else:
            faults.apply_generic(rule)
        target = self._target if self._version is not None else self._fetch()
        if action == "garbage":
            function_call_id = state.new_id("fc")
            function_calls.create(self._credentials, target, function_call_id)
            function_calls.finish_without_container(self._credentials, function_call_id, {"ok": True, "value": GARBAGE_RESULT})
        else:
            function_call_id = _remote.spawn(target, args, kwargs, self._credentials, crash=action == "crash", hang=hang)
        return FunctionCall(function_call_id, client=client_module.Client(self._credentials))

    def local(self, *args, **kwargs):
        if self._spec is None:
            raise ExecutionError("Cannot call `.local()` on a Function that was looked up by name.")
        return self._spec.raw_f(*args, **kwargs)

    @property
    def object_id(self) -> str | None:
        return self._target and _remote.function_id(self._target)
