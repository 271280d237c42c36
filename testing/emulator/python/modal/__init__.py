"""A local stand-in for the `modal` Python SDK (client 1.5.4), backed by the emulator in `modal_emulator`."""
from modal_emulator.state import record_client_load

from . import exception
from ._runtime import is_local
from ._version import __version__
from .app import App
from .client import Client
from .environments import Environment
from .exception import Error
from .function_call import FunctionCall
from .functions import Function
from .image import Image
from .output import enable_output
from .secret import Secret

record_client_load()

__all__ = [
    "App",
    "Client",
    "Environment",
    "Error",
    "Function",
    "FunctionCall",
    "Image",
    "Secret",
    "__version__",
    "enable_output",
    "exception",
    "is_local",
]
