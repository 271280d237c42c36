"""`modal secret …` and `modal.Secret.from_name(...).hydrate()`."""
import json
import subprocess

from .support import BIN, EmulatorTestCase, panel_text


class SecretsTest(EmulatorTestCase):
    def test_create_list_and_json_shape(self):
        created = self.modal("secret", "create", "api-keys", "A=value-alpha", "B=value-beta")
        self.assertExit(created, 0)
        self.assertTrue(created.stdout.startswith("Created a new secret 'api-keys' with the keys 'A', 'B'\n\nUse it in your Modal app:\n"))
        self.assertIn('modal.Secret.from_name("api-keys")', created.stdout)
        single = self.modal("secret", "create", "one-key", "ONLY=x", "-e", "dev")
        self.assertIn("with the key 'ONLY'", single.stdout)

        rows = json.loads(self.modal("secret", "list", "--json").stdout)
        row = next(r for r in rows if r["name"] == "api-keys")
        self.assertEqual(set(row), {"name", "created_at", "created_by", "last_used_at"})
        self.assertRegex(row["created_at"], r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[+-]\d\d:\d\d$")
        self.assertEqual(row["created_by"], "test-workspace")
        self.assertEqual(row["last_used_at"], "-")
        self.assertNotIn("one-key", [r["name"] for r in rows])
        self.assertEqual([r["name"] for r in json.loads(self.modal("secret", "list", "-e", "dev", "--json").stdout)], ["one-key"])
        for output in (self.admin("state").stdout, self.admin("state", "--json").stdout):
            self.assertIn("api-keys", output)
            self.assertNotIn("value-alpha", output)  # names and key names only, never values

    def test_duplicate_and_force(self):
        self.assertExit(self.modal("secret", "create", "dup", "K=1"), 0)
        again = self.modal("secret", "create", "dup", "K=2")
        self.assertExit(again, 1)
        self.assertEqual(panel_text(again.stderr), "Secret 'dup' already exists in environment 'main'")
        self.assertExit(self.modal("secret", "create", "dup", "NEW=3", "--force"), 0)
        self.assertEqual(self.state()["secrets"]["main"]["dup"], ["NEW"])  # --force replaces the whole secret

    def test_usage_errors(self):
        no_keys = self.modal("secret", "create", "foo")
        self.assertExit(no_keys, 2)
        self.assertIn("Error: You need to specify at least one key for your secret", no_keys.stderr)
        bad_item = self.modal("secret", "create", "foo", "novalue")
        self.assertExit(bad_item, 2)
        self.assertIn("Error: Each item should be of the form <KEY>=VALUE.", bad_item.stderr)
        bad_name = self.modal("secret", "create", "bad name", "A=1")
        self.assertExit(bad_name, 1)
        self.assertTrue(panel_text(bad_name.stderr).startswith("Invalid Secret name: 'bad name'."))
        bad_key = self.modal("secret", "create", "foo", "1A=1")
        self.assertExit(bad_key, 1)
        self.assertIn('Secret key name "1A" is invalid', panel_text(bad_key.stderr).replace("'", '"'))

    def test_from_json(self):
        path = self.tmp / "values.json"
        path.write_text(json.dumps({"X": "1", "Y": "2"}))
        self.assertExit(self.modal("secret", "create", "from-json", "--from-json", str(path)), 0)
        self.assertEqual(self.state()["secrets"]["main"]["from-json"], ["X", "Y"])
        path.write_text(json.dumps({"X": 1}))
        self.assertIn("Non-string value for secret 'X'", self.modal("secret", "create", "bad-json", "--from-json", str(path)).stderr)

    def test_delete(self):
        self.modal("secret", "create", "doomed", "K=1")
        aborted = self.modal("secret", "delete", "doomed")
        self.assertExit(aborted, 1)
        self.assertEqual(aborted.stdout, "Are you sure you want to irrevocably delete the modal.Secret 'doomed'? [y/N]: ")
        self.assertEqual(aborted.stderr, "Aborted!\n")
        self.assertExit(self.modal("secret", "delete", "doomed", "-y"), 0)
        missing = self.modal("secret", "delete", "doomed", "--yes")
        self.assertExit(missing, 1)
        self.assertTrue(panel_text(missing.stderr).startswith("Secret 'doomed' not found in environment 'main'."))
        self.assertExit(self.modal("secret", "delete", "doomed", "-y", "--allow-missing"), 0)

    def test_sdk_hydrate(self):
        self.modal("secret", "create", "partial", "A=1")
        out = self.python_json(
            """
            import json, modal
            results = {}
            for name, keys, env in (("partial", ["A"], None), ("partial", ["A", "B", "C"], None), ("absent", [], None), ("partial", [], "dev")):
                try:
                    modal.Secret.from_name(name, required_keys=keys, environment_name=env).hydrate()
                    results[f"{name}/{len(keys)}/{env}"] = "ok"
                except modal.exception.Error as exc:
                    results[f"{name}/{len(keys)}/{env}"] = [type(exc).__name__, str(exc)]
            print(json.dumps(results))
            """
        )
        self.assertEqual(out["partial/1/None"], "ok")
        self.assertEqual(out["partial/3/None"], ["ConflictError", "Secret is missing key(s): B, C"])
        self.assertEqual(
            out["absent/0/None"],
            [
                "NotFoundError",
                "Secret 'absent' not found in environment 'main'. You can create it here: "
                "https://modal.com/secrets/test-workspace/main/create?secret_name=absent",
            ],
        )
        self.assertEqual(out["partial/0/dev"][0], "NotFoundError")

    def test_concurrent_writers_do_not_lose_updates(self):
        procs = [
            subprocess.Popen(
                [str(BIN / "modal"), "secret", "create", f"parallel-{i}", f"K{i}=v"],
                env=self.base_env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            )
            for i in range(8)
        ]
        for proc in procs:
            self.assertEqual(proc.wait(timeout=120), 0, proc.stderr.read())
            proc.stderr.close()
        names = {s["name"] for s in json.loads(self.modal("secret", "list", "--json").stdout)}
        self.assertTrue({f"parallel-{i}" for i in range(8)} <= names)
