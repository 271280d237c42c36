import json

from django.core.management.base import BaseCommand, CommandError

from modal_processors.cli import add_env_argument, add_ref_argument, flag, run_cli


class Command(BaseCommand):
    help = (
        "Run a processor once and print its JSON answer: the deployed `run` on Modal (--adapter modal) or the "
        "processor on this machine under the same contract (--adapter local). Runs `modal-processor run`."
    )

    def add_arguments(self, parser):
        add_ref_argument(parser)
        parser.add_argument(
            "--adapter",
            required=True,
            choices=["modal", "local"],
            help="modal: call the deployed run; local: run the catalogue's local_command on this machine",
        )
        parser.add_argument("--mode", choices=["mock", "real"], help="the envelope's mode (default: mock)")
        parser.add_argument(
            "--inputs-json",
            metavar="JSON",
            help='the envelope, e.g. \'{"schema":"v1","params":{...}}\' (default params: the catalogue\'s smoke_inputs or its first smoke test\'s, else a test message)',
        )
        add_env_argument(parser, required=False, description="Modal environment (required with --adapter modal)")

    def handle(self, *args, **options):
        flags = [flag("ref", options["ref"]), flag("adapter", options["adapter"])]
        if options["mode"] is not None:
            flags.append(flag("mode", options["mode"]))
        if options["inputs_json"] is not None:
            try:
                json.loads(options["inputs_json"])
            except (ValueError, RecursionError) as error:
                reason = "nested too deeply" if isinstance(error, RecursionError) else error
                raise CommandError(
                    f"--inputs-json is not valid JSON ({reason}). "
                    """Give an envelope such as '{"schema":"v1","params":{...}}'."""
                ) from None
            flags.append(flag("inputs-json", options["inputs_json"]))
        if options["env"] is not None:
            flags.append(flag("env", options["env"]))
        run_cli(self, "run", flags)
