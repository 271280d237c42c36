"""The rules the Modal module checks for a deploy by hand, read from the same vectors as the action's TypeScript tests
(__tests__/rules/shared-vectors.test.ts and naming.test.ts), so the two languages cannot drift apart."""

import json
import unittest

from tests.support import REPO_ROOT

import processor_runtime

VECTORS = REPO_ROOT / "test-vectors"


def read(name: str) -> dict:
    return json.loads((VECTORS / name).read_text())


class ImageRefVectorsTest(unittest.TestCase):
    def test_accepted_and_rejected_refs(self):
        vectors = read("image-refs.json")
        for ref in vectors["accept"]:
            with self.subTest(ref=ref):
                self.assertEqual(processor_runtime._parse_image_ref(ref), ref)
        for case in vectors["reject"]:
            with self.subTest(why=case["why"]), self.assertRaises(ValueError):
                processor_runtime._parse_image_ref(case["ref"])


class NameVectorsTest(unittest.TestCase):
    def setUp(self):
        self.vectors = read("names.json")

    def test_secret_names(self):
        names = self.vectors["secret_names"]
        self.assertEqual([n for n in names["accept"] if not processor_runtime.TOOL_SECRET_NAME_PATTERN.fullmatch(n)], [])
        self.assertEqual([n for n in names["reject"] if processor_runtime.TOOL_SECRET_NAME_PATTERN.fullmatch(n)], [])

    def test_modal_object_names(self):
        names = self.vectors["modal_object_names"]
        for name in names["accept"]:
            self.assertEqual(processor_runtime._parse_app_name(name), name)
        for name in names["reject"]:
            with self.subTest(name=name), self.assertRaises(ValueError):
                processor_runtime._parse_app_name(name)

    def test_registry_secret_default(self):
        self.assertEqual(processor_runtime.DEFAULT_REGISTRY_SECRET, self.vectors["registry_secret_default"])


class ToolSecretNameVectorsTest(unittest.TestCase):
    def setUp(self):
        self.vectors = read("tool-secret-names.json")

    def test_the_same_names_and_prefixes(self):
        names = [name for group in processor_runtime.RUNTIME_OWNED for name in group[0]]
        prefixes = [prefix for group in processor_runtime.RUNTIME_OWNED for prefix in group[1]]
        self.assertEqual({"names": names, "prefixes": prefixes}, self.vectors["runtime_owned"])

    def test_refused_names_say_why_and_what_to_do(self):
        for name in self.vectors["refuse"]:
            with self.subTest(name=name), self.assertRaises(ValueError) as raised:
                processor_runtime._parse_tool_secrets(f"OPENAI_API_KEY,{name}?")
            self.assertIn(f"'{name}' is a variable the runtime owns (", str(raised.exception))
            self.assertIn("would override it inside the container; rename the secret", str(raised.exception))

    def test_names_that_only_look_alike_are_accepted(self):
        accepted = processor_runtime._parse_tool_secrets("\n".join(self.vectors["accept"]))
        self.assertEqual([secret.name for secret in accepted], self.vectors["accept"])


if __name__ == "__main__":
    unittest.main()
