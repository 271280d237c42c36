"""`modal image logs IMAGE_ID`: the build log of an image, as the builder streamed it during the deploy."""
from modal_emulator import server

from .. import _output
from ..client import credentials
from ._parser import Argument, Command, Group, Option, UsageError


def logs(image_id: str, layers: int | None, all_layers: bool) -> None:
    if layers is not None and layers < 1:
        raise UsageError("--layers must be at least 1.")
    if all_layers and layers is not None:
        raise UsageError("--all cannot be combined with --layers.")
    # The emulator keeps one layer's log per image id, so every --layers/--all value shows the same.
    _output.write_raw("".join(f"{line}\n" for line in server.image_logs(credentials(), image_id)))


image_cli = Group(
    "image",
    "Manage Images.",
    {
        "logs": Command(
            "logs",
            "Fetch build logs for an Image.",
            logs,
            [
                Argument("image_id"),
                Option(("--layers",), "layers", "Fetch logs from the last N build layers. Defaults to 1.", type=int),
                Option(("--all",), "all_layers", "Fetch logs from all available build layers.", is_flag=True),
            ],
            no_args_is_help=True,
        )
    },
)
