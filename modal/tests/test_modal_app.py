import importlib
import os
import sys
import unittest
from unittest import mock

from tests.support import IMAGE_REF, REFERENCE_PROCESSOR, FakeModal

import processor_runtime

DEPLOY_ENV = {
    "PROCESSOR_REF": "llm/litellm@1",
    "IMAGE_REF": IMAGE_REF,
    "TOOL_SECRETS": "OPENAI_API_KEY,LITELLM_API_BASE?,HF_TOKEN?",
}


class ModalAppTest(unittest.TestCase):
    def setUp(self):
        self.fake = FakeModal()
        self.fake.secret_errors["HF_TOKEN"] = self.fake.not_found("Secret 'HF_TOKEN' not found in environment 'dev'.")

    def import_modal_app(self, **environ):
        """Import modal_app afresh, as `modal deploy` would, with exactly these deploy variables."""
        sys.modules.pop("modal_app", None)
        self.addCleanup(sys.modules.pop, "modal_app", None)
        with self.fake.installed(), mock.patch.dict(os.environ, environ, clear=True):
            return importlib.import_module("modal_app")

    def secret(self, secrets, name):
        [match] = [secret for secret in secrets if secret.name == name]
        return match

    def test_app_named_from_the_processor_ref(self):
        self.assertEqual(self.import_modal_app(**DEPLOY_ENV).app.name, "llm-litellm-v1")

    def test_modal_app_name_overrides(self):
        self.assertEqual(self.import_modal_app(**DEPLOY_ENV, MODAL_APP_NAME="sandbox").app.name, "sandbox")

    def test_exactly_one_function_run_with_image_secrets_and_timeout(self):
        module = self.import_modal_app(**DEPLOY_ENV, PROCESSOR_TIMEOUT="120")
        self.assertEqual(list(module.app.functions), ["run"])
        _, options = module.app.functions["run"]
        self.assertEqual(sorted(options), ["image", "secrets", "timeout"])
        self.assertEqual(options["timeout"], 120)

    def test_image_from_registry_with_registry_secret_env_and_sources(self):
        module = self.import_modal_app(**DEPLOY_ENV)
        image = module.app.functions["run"][1]["image"]
        (step, tag, registry_secret, add_python), (env_step, variables), sources = image.steps
        self.assertEqual((step, tag, add_python), ("from_registry", IMAGE_REF, "3.12"))
        self.assertEqual(registry_secret.name, "REGISTRY_AUTH")
        self.assertEqual(registry_secret.required_keys, ["REGISTRY_USERNAME", "REGISTRY_PASSWORD"])
        self.assertEqual(env_step, "env")
        self.assertEqual(variables, processor_runtime.image_env(module.config))
        self.assertEqual(variables["TOOL_SECRETS"], "OPENAI_API_KEY,LITELLM_API_BASE?,HF_TOKEN?")
        self.assertEqual(sources, ("add_local_python_source", ("processor_runtime", "processor_naming", "processor_process")))

    def test_registry_secret_none_and_add_python_none(self):
        module = self.import_modal_app(**DEPLOY_ENV, REGISTRY_SECRET="none", MODAL_ADD_PYTHON="none")
        _, _, registry_secret, add_python = module.app.functions["run"][1]["image"].steps[0]
        self.assertIsNone(registry_secret)
        self.assertIsNone(add_python)

    def test_required_secrets_attached_and_missing_optional_ones_skipped(self):
        secrets = self.import_modal_app(**DEPLOY_ENV).app.functions["run"][1]["secrets"]
        self.assertEqual([secret.name for secret in secrets], ["OPENAI_API_KEY", "LITELLM_API_BASE"])
        self.assertEqual(self.secret(secrets, "OPENAI_API_KEY").required_keys, ["OPENAI_API_KEY"])
        self.assertIn(("Secret.hydrate", "HF_TOKEN"), self.fake.calls)
        self.assertNotIn(("Secret.hydrate", "OPENAI_API_KEY"), self.fake.calls)  # required ones fail at deploy

    def test_inside_the_container_nothing_is_looked_up(self):
        self.fake.local = False
        module = self.import_modal_app(**processor_runtime.image_env(processor_runtime.load_deploy_config(DEPLOY_ENV)))
        secrets = module.app.functions["run"][1]["secrets"]
        self.assertEqual([secret.name for secret in secrets], ["OPENAI_API_KEY"])
        self.assertFalse([call for call in self.fake.calls if call[0].endswith("hydrate")])

    def test_run_calls_the_processor(self):
        module = self.import_modal_app(**DEPLOY_ENV)
        run, _ = module.app.functions["run"]
        envelope = {"schema": "v1", "mode": "mock", "params": {"messages": [{"role": "user", "content": "hi"}]}}
        with mock.patch.dict(os.environ, {"PROCESSOR_COMMAND": str(REFERENCE_PROCESSOR)}):
            result = run(envelope)
        self.assertTrue(result["ok"], result)
        self.assertEqual((result["processor"], result["output"]["model"]), ("llm/litellm@1", "mock"))

    def test_config_errors_stop_the_import_with_every_problem(self):
        with self.assertRaises(SystemExit) as caught:
            self.import_modal_app(IMAGE_REF="ghcr.io/acme/img:latest", TOOL_SECRETS="bad-name")
        message = str(caught.exception.code)
        self.assertTrue(message.startswith("Invalid processor deploy configuration (3 problems):"), message)
        for fragment in (
            "PROCESSOR_REF: required",
            "IMAGE_REF: 'ghcr.io/acme/img:latest' is not pinned",
            "TOOL_SECRETS: 'bad-name'",
        ):
            self.assertIn(fragment, message)


if __name__ == "__main__":
    unittest.main()
