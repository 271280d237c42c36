"""`entrypoint_cli`: the root of the `modal` command tree, with click's `main(args, standalone_mode)`."""
import sys

from modal_emulator import faults
from modal_emulator.state import EmulatorError

from .. import _output, config
from .._version import __version__
from ._parser import Abort, Context, Exit, Group, NoArgsIsHelp, UsageError, _no_such_option
from .app import app_cli
from .environment import environment_cli
from .image import image_cli
from .run import deploy_command
from .secret import secret_cli
from .token import token_cli

# Commands of the real client that the emulator does not implement: they fail clearly (exit 1)
# instead of looking like typos (exit 2).
_UNEMULATED = {
    "modal": {
        "billing", "bootstrap", "changelog", "cluster", "config", "container", "curl", "dashboard", "dict",
        "endpoint", "launch", "nfs", "profile", "queue", "run", "serve", "setup", "shell", "skills",
        "volume", "workspace",
    },
    "modal app": {"dashboard", "promote", "rollover"},
    "modal environment": {"billing", "delete", "members", "roles", "update"},
    "modal image": {"names"},
    "modal token": {"new", "set"},
}
_GARBAGE_OUTPUT = "<html><body><h1>502 Bad Gateway</h1></body></html>\n\x00\x01 not json {\n"


def _consume_profile(args: list[str]) -> list[str]:
    """The global `--profile NAME` option is accepted at any level."""
    rest, i = [], 0
    while i < len(args):
        token = args[i]
        if token == "--":
            return rest + args[i:]
        if token == "--profile" or token.startswith("--profile="):
            if "=" in token:
                config.profile_override = token.split("=", 1)[1]
            elif i + 1 < len(args):
                config.profile_override = args[i + 1]
                i += 1
            else:
                raise UsageError("Option '--profile' requires an argument.", show_usage=False)
        else:
            rest.append(token)
        i += 1
    return rest


class EntrypointCli(Group):
    def __call__(self):
        return self.main()

    def main(self, args=None, prog_name=None, standalone_mode=True):
        """Like click: standalone mode prints usage errors and exits; otherwise errors are raised and the
        command's return value (or an `Exit` code such as 0 for `--help`) is returned."""
        argv = list(sys.argv[1:] if args is None else args)
        try:
            result = self._invoke(argv)
        except Exit as e:
            if standalone_mode:
                sys.exit(e.code)
            return e.code
        except UsageError as e:
            if not standalone_mode:
                raise
            e.show()
            sys.exit(e.exit_code)
        except Abort:
            if not standalone_mode:
                raise
            sys.stderr.write("Aborted!\n")
            sys.exit(1)
        finally:
            Context.current = None
        if standalone_mode:
            sys.exit(0)
        return result

    def _invoke(self, args: list[str]):
        ctx = Context(self, "modal")
        args = _consume_profile(args)
        command = self
        while isinstance(command, Group):
            while args and args[0].startswith("-"):
                token = args.pop(0)
                if token in ("-h", "--help"):
                    sys.stdout.write(command.help_text(ctx))
                    raise Exit(0)
                if token == "--version" and command is self:
                    sys.stdout.write(f"modal client version: {__version__}\n")
                    raise Exit(0)
                raise UsageError(_no_such_option(token, ["--help", "--version", "--profile"]), ctx)
            if not args:
                raise NoArgsIsHelp(ctx)
            name = args.pop(0)
            if name not in command.commands:
                if name in _UNEMULATED.get(ctx.path, ()):
                    raise EmulatorError(f"`{ctx.path} {name}` is not implemented by the modal emulator.")
                raise UsageError(f"No such command '{name}'.", ctx)
            command = command.commands[name]
            ctx = Context(command, f"{ctx.path} {name}", ctx)
        values = command.parse(ctx, args)
        target = ctx.path.removeprefix("modal ")
        if target in faults.CLI_TARGETS:
            rule = faults.take(target, faults.GENERIC_ACTIONS + ("garbage",))
            if rule and rule["action"] == "garbage":
                _output.write_raw(_GARBAGE_OUTPUT)
                return None
            faults.apply_generic(rule)
        return command.callback(**values)


entrypoint_cli = EntrypointCli(
    "modal",
    "Modal is the fastest way to run code in the cloud.\n\n"
    "See the website at https://modal.com/ for documentation and more information\n"
    "about running code on Modal.",
    {
        "app": app_cli,
        "deploy": deploy_command,
        "environment": environment_cli,
        "image": image_cli,
        "secret": secret_cli,
        "token": token_cli,
    },
)
