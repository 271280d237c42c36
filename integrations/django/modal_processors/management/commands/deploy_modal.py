from django.core.management.base import BaseCommand

from modal_processors.cli import add_app_name_argument, add_env_argument, add_ref_argument, flag, run_cli


class Command(BaseCommand):
    help = (
        "Deploy a processor to Modal as the GitHub Action does: preflight, deploy, verify, smoke call, rollback on "
        "failure (runs `modal-processor deploy`; image and secrets come from modal-processors.json)."
    )

    def add_arguments(self, parser):
        add_env_argument(parser, required=True)
        add_ref_argument(parser)
        add_app_name_argument(parser)

    def handle(self, *args, **options):
        flags = [flag("env", options["env"]), flag("ref", options["ref"])]
        if options["app_name"] is not None:
            flags.append(flag("app-name", options["app_name"]))
        if options["verbosity"] == 0:
            flags.append("--quiet")
        run_cli(self, "deploy", flags)
