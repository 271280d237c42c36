from django.core.management.base import BaseCommand

from modal_processors.cli import add_env_argument, add_ref_argument, flag, run_cli


class Command(BaseCommand):
    help = "Show the recent logs of a processor's Modal app (runs `modal-processor logs`)."

    def add_arguments(self, parser):
        add_env_argument(parser, required=True)
        add_ref_argument(parser)

    def handle(self, *args, **options):
        run_cli(self, "logs", [flag("env", options["env"]), flag("ref", options["ref"])])
