import json
import unittest

from tests.support import APP_NAME_VECTORS, DIGEST, IMAGE_REF

from processor_naming import candidate_app_name

from processor_runtime import ConfigError, DeployConfig, ToolSecret, image_env, load_deploy_config, processor_deadline_s

MINIMAL_ENV = {"PROCESSOR_REF": "llm/litellm@1", "IMAGE_REF": IMAGE_REF}


def load(**overrides) -> DeployConfig:
    return load_deploy_config({**MINIMAL_ENV, **overrides})


def problems(**overrides) -> list[str]:
    """The problems reported for MINIMAL_ENV with these changes (None removes a variable)."""
    environ = {key: value for key, value in {**MINIMAL_ENV, **overrides}.items() if value is not None}
    try:
        load_deploy_config(environ)
    except ConfigError as error:
        return error.problems
    raise AssertionError(f"no ConfigError for {overrides}")


class DefaultsTest(unittest.TestCase):
    def test_minimal_environment_gets_the_documented_defaults(self):
        self.assertEqual(
            load(),
            DeployConfig(
                processor_ref="llm/litellm@1",
                app_name="llm-litellm-v1",
                image_ref=IMAGE_REF,
                tool_secrets=(),
                registry_secret="REGISTRY_AUTH",
                add_python="3.12",
                timeout_s=300,
            ),
        )

    def test_values_are_trimmed_and_empty_means_unset(self):
        config = load(PROCESSOR_REF="  llm/litellm@1\n", MODAL_APP_NAME="", REGISTRY_SECRET=" ", PROCESSOR_TIMEOUT="")
        self.assertEqual(
            (config.app_name, config.registry_secret, config.timeout_s), ("llm-litellm-v1", "REGISTRY_AUTH", 300)
        )

    def test_none_disables_registry_secret_and_add_python(self):
        config = load(REGISTRY_SECRET="none", MODAL_ADD_PYTHON="none")
        self.assertIsNone(config.registry_secret)
        self.assertIsNone(config.add_python)

    def test_overrides(self):
        config = load(
            MODAL_APP_NAME="my-sandbox", REGISTRY_SECRET="ghcr-pull", MODAL_ADD_PYTHON="3.14t", PROCESSOR_TIMEOUT="900"
        )
        self.assertEqual(
            (config.app_name, config.registry_secret, config.add_python, config.timeout_s),
            ("my-sandbox", "ghcr-pull", "3.14t", 900),
        )


class CandidateAppNameTest(unittest.TestCase):
    """verify-first deploys the module with MODAL_APP_NAME set to the candidate's name, taken as it is."""

    def test_every_candidate_name_of_the_shared_vectors_names_the_app_and_is_baked_into_the_image(self):
        vectors = json.loads((APP_NAME_VECTORS.parent / "app-name-variants.json").read_text())["variants"]
        for vector in vectors:
            with self.subTest(candidate=vector["candidate"]):
                config = load(MODAL_APP_NAME=vector["candidate"])
                self.assertEqual(config.app_name, vector["candidate"])
                self.assertEqual(image_env(config)["MODAL_APP_NAME"], vector["candidate"])
                self.assertEqual(candidate_app_name(vector["app_name"]), vector["candidate"])


class ToolSecretsTest(unittest.TestCase):
    def test_comma_and_newline_separated_with_optional_marker(self):
        config = load(TOOL_SECRETS="OPENAI_API_KEY, LITELLM_API_BASE?\nHF_TOKEN,\n")
        self.assertEqual(
            config.tool_secrets,
            (ToolSecret("OPENAI_API_KEY", False), ToolSecret("LITELLM_API_BASE", True), ToolSecret("HF_TOKEN", False)),
        )

    def test_invalid_names_are_all_named(self):
        [problem] = problems(TOOL_SECRETS="my-secret,1KEY,OK,$(id),A??")
        for fragment in ("'my-secret'", "'1KEY'", "'$(id)'", "'A??'", "e.g. TOOL_SECRETS=OPENAI_API_KEY"):
            self.assertIn(fragment, problem)
        self.assertTrue(problem.startswith("TOOL_SECRETS: "))

    def test_duplicates_are_rejected_even_with_different_optionality(self):
        [problem] = problems(TOOL_SECRETS="OPENAI_API_KEY,OPENAI_API_KEY?")
        self.assertIn("'OPENAI_API_KEY' is listed more than once", problem)


class ErrorsTest(unittest.TestCase):
    def assertProblem(self, variable: str, value, *fragments: str):
        [problem] = problems(**{variable: value})
        self.assertTrue(problem.startswith(f"{variable}: "), problem)
        for fragment in fragments:
            self.assertIn(fragment, problem)

    def test_processor_ref_required_and_checked(self):
        self.assertProblem("PROCESSOR_REF", None, "required", "PROCESSOR_REF=llm/litellm@1")
        self.assertProblem(
            "PROCESSOR_REF", "LLM/litellm@1", "Invalid processor ref 'LLM/litellm@1'", "e.g. llm/litellm@1"
        )

    def test_image_ref_must_be_pinned_by_digest(self):
        self.assertProblem("IMAGE_REF", None, "required", "e.g. IMAGE_REF=ghcr.io/")
        self.assertProblem("IMAGE_REF", "ghcr.io/acme/img:1.0", "not pinned by digest", "@sha256:")
        self.assertProblem("IMAGE_REF", "ghcr.io/acme/img@sha256:" + "AB" * 32, "malformed digest")
        self.assertProblem("IMAGE_REF", "ghcr.io/acme/img@sha256:abc", "malformed digest")
        self.assertProblem("IMAGE_REF", f"ghcr.io/Acme/img@{DIGEST}", "malformed repository or tag")
        self.assertProblem("IMAGE_REF", f"ghcr.io/acme/img:1.0 ;id@{DIGEST}", "malformed repository or tag")

    def test_image_refs_that_are_accepted(self):
        for image_ref in (
            f"ghcr.io/acme/img@{DIGEST}",
            f"ghcr.io/acme/img:v1.2.3-rc_1@{DIGEST}",
            f"localhost:5000/acme/sub/img:latest@{DIGEST}",
            f"python@{DIGEST}",
        ):
            with self.subTest(image_ref=image_ref):
                self.assertEqual(load(IMAGE_REF=image_ref).image_ref, image_ref)

    def test_app_name_override_must_be_a_modal_name(self):
        self.assertProblem("MODAL_APP_NAME", "my app", "not a valid Modal App name", "MODAL_APP_NAME=")
        self.assertProblem("MODAL_APP_NAME", "a" * 65, "not a valid Modal App name")
        self.assertProblem("MODAL_APP_NAME", "ap-" + "a" * 22, "not an App ID")

    def test_registry_secret_must_be_a_modal_name(self):
        self.assertProblem("REGISTRY_SECRET", "ghcr pull", "REGISTRY_SECRET=REGISTRY_AUTH", "REGISTRY_SECRET=none")

    def test_add_python_must_be_a_series(self):
        for value in ("3.12.1", "python3", "3"):
            with self.subTest(value=value):
                self.assertProblem("MODAL_ADD_PYTHON", value, "major.minor", "MODAL_ADD_PYTHON=3.12")

    def test_timeout_must_be_whole_seconds_in_range(self):
        for value in ("abc", "1.5", "-5", "9", "86401"):
            with self.subTest(value=value):
                self.assertProblem("PROCESSOR_TIMEOUT", value, "between 10 and 86400", "PROCESSOR_TIMEOUT=300")

    def test_all_problems_are_reported_together(self):
        with self.assertRaises(ConfigError) as caught:
            load_deploy_config(
                {"IMAGE_REF": "img:1", "TOOL_SECRETS": "a-b", "MODAL_ADD_PYTHON": "3", "PROCESSOR_TIMEOUT": "x"}
            )
        variables = [problem.split(":")[0] for problem in caught.exception.problems]
        self.assertEqual(
            variables, ["PROCESSOR_REF", "IMAGE_REF", "TOOL_SECRETS", "MODAL_ADD_PYTHON", "PROCESSOR_TIMEOUT"]
        )
        message = str(caught.exception)
        self.assertTrue(message.startswith("Invalid processor deploy configuration (5 problems):\n- PROCESSOR_REF: "))
        self.assertIsInstance(caught.exception, ValueError)


class ImageEnvTest(unittest.TestCase):
    def test_image_env_rebuilds_the_same_config(self):
        for overrides in (
            {},
            {"TOOL_SECRETS": "OPENAI_API_KEY\nLITELLM_API_BASE?", "MODAL_APP_NAME": "sandbox"},
            {"REGISTRY_SECRET": "none", "MODAL_ADD_PYTHON": "none", "PROCESSOR_TIMEOUT": "60"},
        ):
            with self.subTest(overrides=overrides):
                config = load(**overrides)
                self.assertEqual(load_deploy_config(image_env(config)), config)

    def test_image_env_is_strings_in_canonical_form(self):
        env = image_env(load(TOOL_SECRETS="A,\nB?"))
        self.assertEqual(env["TOOL_SECRETS"], "A,B?")
        self.assertEqual(env["MODAL_APP_NAME"], "llm-litellm-v1")
        self.assertTrue(all(isinstance(value, str) for value in env.values()))


class ProcessorDeadlineTest(unittest.TestCase):
    def test_leaves_the_function_time_to_report(self):
        self.assertEqual(processor_deadline_s(300), 290)
        self.assertEqual(processor_deadline_s(10), 9)


if __name__ == "__main__":
    unittest.main()
