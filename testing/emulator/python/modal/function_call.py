"""`modal.FunctionCall`: a call started with `Function.spawn()` (or found again with `FunctionCall.from_id`),
waited on with `.get(timeout=)` and cancelled with `.cancel(terminate_containers=)`, as in client 1.5.4."""
import time

from modal_emulator import function_calls

from . import _remote
from . import client as client_module
from .exception import RemoteError

POLL_SECONDS = 0.05


class FunctionCall:
    def __init__(self, function_call_id: str | None, *, client=None, lazy_id: str | None = None):
        self._object_id = function_call_id
        self._lazy_id = lazy_id
        self._client = client

    def __repr__(self) -> str:
        return f"FunctionCall({self._object_id or self._lazy_id!r})"

    @staticmethod
    def from_id(function_call_id: str, client=None) -> "FunctionCall":
        """Lazy, as in the real client: nothing is looked up before the first use."""
        return FunctionCall(None, client=client, lazy_id=function_call_id)

    @property
    def object_id(self) -> str:
        if self._object_id is None:
            raise AttributeError(
                f"Attempting to get object_id of unhydrated FunctionCall.from_id('{self._lazy_id}')"
            )
        return self._object_id

    def _hydrated_id(self) -> str:
        if self._object_id is None:
            self._object_id = self._lazy_id
        return self._object_id

    def _credentials(self):
        return client_module.resolve(self._client).credentials

    def get(self, timeout: float | None = None):
        """The function's result (or its exception raised again). Without an output within `timeout` seconds:
        the built-in TimeoutError, with no text; after a cancel: RemoteError."""
        function_call_id = self._hydrated_id()
        deadline = None if timeout is None else time.monotonic() + max(0.0, timeout)
        while True:
            call, output = function_calls.get(self._credentials(), function_call_id)
            if call["status"] == "cancelled":
                raise RemoteError(f"Function call {function_call_id} was cancelled.")
            if call["status"] != "running":
                if output is None:
                    raise RemoteError(f"Function call {function_call_id} gave no output.")
                return _remote.result_of(output)
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError()
            pause = POLL_SECONDS if deadline is None else min(POLL_SECONDS, max(0.0, deadline - time.monotonic()))
            time.sleep(pause)

    def cancel(self, terminate_containers: bool = False) -> None:
        """Cancels the input; with terminate_containers, the container running it is ended too."""
        function_calls.cancel(self._credentials(), self._hydrated_id(), terminate_containers)
