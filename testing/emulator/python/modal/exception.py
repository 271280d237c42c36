"""Exception classes with the names and hierarchy of the real `modal.exception`."""


class Error(Exception):
    """Base class for all Modal errors."""


class AlreadyExistsError(Error):
    """A resource creation conflicts with an existing resource (gRPC ALREADY_EXISTS)."""


class AuthError(Error):
    """Missing or invalid authentication (gRPC UNAUTHENTICATED)."""


class InternalError(Error):
    """Internal server error (gRPC INTERNAL)."""


class InvalidError(Error):
    """Invalid request or usage (gRPC INVALID_ARGUMENT)."""


class ConflictError(InvalidError):
    """Request conflicts with the current state (gRPC FAILED_PRECONDITION / ABORTED)."""


class NotFoundError(Error):
    """A resource was not found (gRPC NOT_FOUND)."""


class PermissionDeniedError(Error):
    """The caller may not do this (gRPC PERMISSION_DENIED)."""


class ServiceError(Error):
    """The server is unavailable or failed (gRPC UNAVAILABLE / UNKNOWN / DEADLINE_EXCEEDED)."""


class RemoteError(Error):
    """An error occurred on the Modal server or in a remote container."""


class TimeoutError(Error):
    """Base class for Modal timeouts."""


class FunctionTimeoutError(TimeoutError):
    """A Function exceeded its execution duration limit."""


class ConnectionError(Error):
    """The client could not connect to the Modal server."""


class ExecutionError(Error):
    """Something unexpected happened during runtime."""


class DeserializationError(Error):
    """A value could not be deserialized."""


class ImageBuildError(RemoteError):
    """An image build failed."""

    def __init__(self, message: str, image_id: str):
        super().__init__(message)
        self.image_id = image_id


class ModuleNotMountable(Exception):
    """A local Python module asked for with `add_local_python_source` cannot be found."""


class _CliUserExecutionError(Exception):
    """Wraps an exception raised while importing user code, so the CLI prints a traceback for it."""

    def __init__(self, user_source: str):
        super().__init__(user_source)
        self.user_source = user_source
