import json
import unittest

from tests.support import APP_NAME_VECTORS

from processor_naming import (
    InvalidProcessorRef,
    ProcessorRef,
    candidate_app_name,
    modal_app_name_from_ref,
    parse_processor_ref,
    preview_app_name,
)

MODAL_OBJECT_NAME = r"[a-zA-Z0-9._-]{1,64}"


def expected_message(ref: str, reason: str) -> str:
    return f"Invalid processor ref '{ref}': {reason}. Expected <namespace>/<name>@<major>, e.g. llm/litellm@1."


class NamingVectorsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.vectors = json.loads(APP_NAME_VECTORS.read_text())

    def test_the_vector_file_covers_enough_cases(self):
        self.assertGreaterEqual(len(self.vectors["accept"]), 15)
        self.assertGreaterEqual(len(self.vectors["reject"]), 25)
        self.assertEqual(max(len(v["app_name"]) for v in self.vectors["accept"]), 63)

    def test_accepted_refs_map_to_their_app_names(self):
        for vector in self.vectors["accept"]:
            with self.subTest(ref=vector["ref"]):
                app_name = modal_app_name_from_ref(vector["ref"])
                self.assertEqual(app_name, vector["app_name"])
                self.assertRegex(app_name, f"^{MODAL_OBJECT_NAME}$")

    def test_rejected_refs_raise_with_the_vector_reason(self):
        for vector in self.vectors["reject"]:
            with self.subTest(ref=vector["ref"]):
                with self.assertRaises(InvalidProcessorRef) as caught:
                    modal_app_name_from_ref(vector["ref"])
                self.assertEqual(caught.exception.reason, vector["reason"])
                self.assertEqual(str(caught.exception), expected_message(vector["ref"], vector["reason"]))

    def test_app_names_are_one_to_one(self):
        app_names = [modal_app_name_from_ref(v["ref"]) for v in self.vectors["accept"]]
        self.assertEqual(len(set(app_names)), len(app_names))


class ParseProcessorRefTest(unittest.TestCase):
    def test_parses_the_parts(self):
        self.assertEqual(parse_processor_ref("llm/litellm@1"), ProcessorRef("llm", "litellm", 1))

    def test_invalid_ref_is_a_value_error(self):
        with self.assertRaises(ValueError):
            parse_processor_ref("llm/litellm")

    def test_non_string_is_rejected(self):
        with self.assertRaises(InvalidProcessorRef) as caught:
            parse_processor_ref(None)
        self.assertEqual(caught.exception.reason, "not a string")


if __name__ == "__main__":
    unittest.main()


class AppNameVariantVectorsTest(unittest.TestCase):
    """Previews and candidates are named alike in both languages (test-vectors/app-name-variants.json)."""

    @classmethod
    def setUpClass(cls):
        cls.vectors = json.loads((APP_NAME_VECTORS.parent / "app-name-variants.json").read_text())

    def test_previews_and_candidates(self):
        for v in self.vectors["variants"]:
            with self.subTest(app_name=v["app_name"], pull_request=v["pull_request"]):
                self.assertEqual(preview_app_name(v["app_name"], v["pull_request"]), v["preview"])
                self.assertEqual(candidate_app_name(v["app_name"]), v["candidate"])
                self.assertEqual(candidate_app_name(preview_app_name(v["app_name"], v["pull_request"])), v["preview_candidate"])
                for name in (v["preview"], v["candidate"], v["preview_candidate"]):
                    self.assertRegex(name, f"^{MODAL_OBJECT_NAME}$")

    def test_refused_pull_request_numbers(self):
        for pull_request in [*self.vectors["reject_pull_requests"], True, "7"]:
            with self.subTest(pull_request=pull_request), self.assertRaises(ValueError):
                preview_app_name("llm-litellm-v1", pull_request)
