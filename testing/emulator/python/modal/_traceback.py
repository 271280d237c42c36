"""Tracebacks of user code without the emulator's and importlib's frames (like the real client's)."""
import importlib
import os
import sys
import traceback

_HIDDEN_DIRS = tuple(
    os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), name) + os.sep
    for name in ("modal", "modal_emulator")
) + (os.path.dirname(importlib.__file__) + os.sep,)


def print_user_traceback(exc: BaseException) -> None:
    frames = [
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        if not frame.filename.startswith(_HIDDEN_DIRS) and not frame.filename.startswith("<frozen")
    ]
    text = "Traceback (most recent call last):\n" if frames else ""
    text += "".join(traceback.format_list(frames)) + "".join(traceback.format_exception_only(type(exc), exc))
    sys.stderr.write(text)
    sys.stderr.flush()
