"""`modal deploy`, history, tags, no-op deploys, rollback, stop and logs."""
import json
import re
import subprocess

from .support import BIN, DeployTestCase, LineReader, panel_text

APP_ID = re.compile(r"^ap-[a-zA-Z0-9]{22}$")


class DeployTest(DeployTestCase):
    def test_success_output_and_app_list(self):
        result = self.deploy("-m", "echo_app", "--tag", "v1", env={"APP_NAME": "out-app", "GREETING": "fresh layer"})
        self.assertExit(result, 0)
        self.assertEqual(result.stderr, "")
        tree = result.stdout[result.stdout.index("✓ Created objects.") :]
        self.assertRegex(
            tree,
            r"^✓ Created objects\.\n"
            rf"├── 🔨 Created mount {re.escape(str(self.project() / 'echo_app.py'))}\n"
            r"└── 🔨 Created function run\.\n"
            r"✓ App deployed in \d+\.\d{3}s! 🎉\n\n"
            r"View Deployment: https://modal\.com/apps/test-workspace/main/deployed/out-app\n$",
        )
        self.assertIn("=> Step 1: ENV GREETING='fresh layer'", result.stdout)  # a new `.env()` layer is built
        apps = json.loads(self.modal("app", "list", "--json").stdout)
        row = next(a for a in apps if a["description"] == "out-app")
        self.assertEqual(set(row), {"app_id", "description", "state", "tasks", "created_at", "stopped_at"})
        self.assertRegex(row["app_id"], APP_ID)
        self.assertEqual((row["state"], row["tasks"], row["stopped_at"]), ("deployed", "0", None))

    def test_noop_deploy_then_change_and_history(self):
        env = {"APP_NAME": "hist-app"}
        self.assertExit(self.deploy("-m", "echo_app", "--tag", "first", env=env), 0)
        noop = self.deploy("-m", "echo_app", "--tag", "ignored", env=env)
        self.assertExit(noop, 0)
        self.assertNotIn("Building image", noop.stdout)  # cached
        self.assertTrue(noop.stdout.endswith(
            "✓ Deployment skipped: no changes detected! ⏭️\n\nView Deployment: https://modal.com/apps/test-workspace/main/deployed/hist-app\n"
        ))
        self.assertExit(self.deploy("-m", "echo_app", "--tag", "second", env={**env, "GREETING": "changed"}), 0)
        history = json.loads(self.modal("app", "history", "hist-app", "--json").stdout)
        self.assertEqual([h["version"] for h in history], ["v2", "v1"])
        self.assertEqual([h["tag"] for h in history], ["second", "first"])
        self.assertEqual(set(history[0]), {"version", "time_deployed", "client", "deployed_by", "commit", "tag"})
        self.assertEqual(history[0]["client"], "1.5.4")
        table = self.modal("app", "history", "hist-app").stdout
        self.assertIn("┃ Tag", table)

    def test_tag_column_dropped_without_tags_and_name_flag(self):
        self.assertExit(self.deploy("-m", "echo_app", "--name", "untagged"), 0)
        history = json.loads(self.modal("app", "history", "untagged", "--json").stdout)
        self.assertEqual(set(history[0]), {"version", "time_deployed", "client", "deployed_by", "commit"})

    def test_name_tag_and_ref_errors(self):
        cases = [
            (("-m", "echo_app", "--tag", "bad tag"), "Deployment tag 'bad tag' is invalid."),
            (("-m", "echo_app", "--name", "bad name"), "Invalid App name: 'bad name'."),
            (("echo_app",), "Python module paths must be specified with the -m flag. Use `modal deploy -m echo_app` instead."),
            (("echo_app:app",), "Invalid object reference: echo_app:app. Did you mean '::' instead of ':'?"),
        ]
        for args, message in cases:
            result = self.deploy(*args)
            self.assertExit(result, 1)
            self.assertEqual(result.stdout, "")
            self.assertTrue(panel_text(result.stderr).startswith(message), result.stderr)
        unnamed = self.deploy("-m", "echo_app", env={"APP_NAME": ""})
        self.assertExit(unnamed, 1)
        self.assertTrue(panel_text(unnamed.stderr).startswith("You need to either supply an explicit deployment name"))

    def test_import_error_traceback(self):
        (self.project() / "broken.py").write_text("import modal\nraise RuntimeError('kaput at import')\n")
        result = self.deploy("-m", "broken")
        self.assertExit(result, 1)
        self.assertIn("Traceback (most recent call last):", result.stderr)
        self.assertTrue(result.stderr.rstrip().endswith("RuntimeError: kaput at import"))
        self.assertNotIn("modal/cli", result.stderr)
        script = self.deploy("broken.py")
        self.assertExit(script, 1)
        self.assertIn("broken.py", script.stderr)

    def test_missing_secret_and_missing_keys(self):
        missing = self.deploy("-m", "echo_app", env={"TOOL_SECRETS": "NOT_THERE"})
        self.assertExit(missing, 1)
        self.assertEqual(missing.stdout, "")
        self.assertEqual(
            panel_text(missing.stderr),
            "Secret 'NOT_THERE' not found in environment 'main'. You can create it here: "
            "https://modal.com/secrets/test-workspace/main/create?secret_name=NOT_THERE",
        )
        self.modal("secret", "create", "HALF_AUTH", "REGISTRY_USERNAME=bot")
        keys = self.deploy("-m", "echo_app", env={"REGISTRY_SECRET": "HALF_AUTH"})
        self.assertExit(keys, 1)
        self.assertEqual(panel_text(keys.stderr), "Secret is missing key(s): REGISTRY_PASSWORD")

    def test_image_build_failures(self):
        """As the real client shows them: the builder's log lines on stdout, then the ImageBuildError panel."""
        repo, _, digest = self.image_ref.partition("@")
        unknown_ref = f"{repo}@sha256:{'0' * 64}"
        unknown = self.deploy("-m", "echo_app", env={"IMAGE_REF": unknown_ref, "APP_NAME": "img-app"})
        self.assertExit(unknown, 1)
        image_id = self.assertImageBuildFailed(unknown)
        self.assertIn(f"Building image {image_id}\n\n=> Step 0: FROM {unknown_ref}\n", unknown.stdout)
        self.assertTrue(unknown.stdout.endswith(f"Error: failed to pull {unknown_ref}: manifest unknown: manifest unknown\n"))
        self.assertNotIn("Created objects", unknown.stdout)
        # `modal image logs` shows the same build log.
        logs = self.modal("image", "logs", image_id)
        self.assertExit(logs, 0)
        self.assertIn(f"Error: failed to pull {unknown_ref}: manifest unknown: manifest unknown\n", logs.stdout)
        self.assertEqual(panel_text(self.modal("image", "logs", "im-unknown").stderr), "Image 'im-unknown' not found")

        self.modal("secret", "create", "WRONG_AUTH", "REGISTRY_USERNAME=bot", "REGISTRY_PASSWORD=nope")
        for secret in ("WRONG_AUTH", "none"):
            denied = self.deploy("-m", "echo_app", env={"REGISTRY_SECRET": secret, "GREETING": secret})
            self.assertExit(denied, 1)
            self.assertImageBuildFailed(denied)
            self.assertTrue(denied.stdout.endswith(f"Error: failed to pull {self.image_ref}: unauthorized: authentication required\n"))

        bare = self.push_image("ghcr.io/org/bare:1", "--no-python")
        no_python = self.deploy("-m", "echo_app", env={"IMAGE_REF": bare, "REGISTRY_SECRET": "none", "ADD_PYTHON": "none"})
        self.assertExit(no_python, 1)
        self.assertImageBuildFailed(no_python)
        self.assertTrue(no_python.stdout.endswith("/bin/sh: 1: python: not found\n"))
        with_python = self.deploy("-m", "echo_app", env={"IMAGE_REF": bare, "REGISTRY_SECRET": "none", "APP_NAME": "bare-app"})
        self.assertExit(with_python, 0)

        micro = self.deploy("-m", "echo_app", env={"ADD_PYTHON": "3.12.1"})
        self.assertExit(micro, 1)
        self.assertIn("Python version must be specified as 'major.minor' for this interface", panel_text(micro.stderr))
        old = self.deploy("-m", "echo_app", env={"ADD_PYTHON": "3.9"})
        self.assertTrue(panel_text(old.stderr).startswith("Unsupported Python version: '3.9'."))

    def assertImageBuildFailed(self, result) -> str:
        """The real client's `failed.` form (no server exception); returns the image id it names."""
        text = panel_text(result.stderr)
        found = re.fullmatch(r"Image build for (im-[a-zA-Z0-9]{22}) failed\. View the build logs: modal image logs \1", text)
        self.assertIsNotNone(found, text)
        return found.group(1)

    def test_environment_selection(self):
        self.modal("secret", "create", "ONLY_IN_DEV", "OPTIONAL_KEY=x", "-e", "dev")
        env = {"APP_NAME": "env-app", "OPTIONAL_SECRET": "ONLY_IN_DEV"}
        flag = self.deploy("-m", "echo_app", "--env", "dev", env=env)
        self.assertExit(flag, 0)
        self.assertTrue(flag.stdout.endswith("View Deployment: https://modal.com/apps/test-workspace/dev/deployed/env-app\n"))
        # --env reached the SDK lookups made while importing: the optional secret was found in dev.
        secrets = self.app_state("env-app", "dev")["versions"][0]["functions"]["run"]["secrets"]
        self.assertEqual(secrets, ["TOOL_KEY", "ONLY_IN_DEV"])
        variable = self.deploy("-m", "echo_app", env={**env, "MODAL_ENVIRONMENT": "dev", "GREETING": "v2"})
        self.assertIn("/dev/deployed/env-app", variable.stdout)
        self.assertEqual(json.loads(self.modal("app", "list", "--json").stdout).count("env-app"), 0)
        unknown = self.deploy("-m", "echo_app", "-e", "nope")
        self.assertEqual(panel_text(unknown.stderr), "Environment 'nope' not found")

    def test_rollback(self):
        env = {"APP_NAME": "rb-app"}
        for n in (1, 2, 3):
            self.assertExit(self.deploy("-m", "echo_app", "--tag", f"t{n}", env={**env, "GREETING": f"g{n}"}), 0)
        result = self.modal("app", "rollback", "rb-app")
        self.assertExit(result, 0)
        self.assertEqual(
            result.stdout,
            "✓ Deployment rollback successful!\n\nView Deployment: https://modal.com/apps/test-workspace/main/deployed/rb-app\n",
        )
        app = self.app_state("rb-app")
        self.assertEqual(app["live_version"], 4)
        self.assertEqual((app["versions"][3]["rollback_version"], app["versions"][3]["tag"]), (2, "t2"))
        self.assertEqual(app["versions"][3]["definition_hash"], app["versions"][1]["definition_hash"])
        self.assertEqual(self.call("rb-app", {})["result"]["greeting"], "g2")

        self.assertExit(self.modal("app", "rollback", "rb-app", "v1", "--strategy", "recreate"), 0)
        self.assertEqual(self.call("rb-app", {})["result"]["greeting"], "g1")
        bad = self.modal("app", "rollback", "rb-app", "2")
        self.assertExit(bad, 2)
        self.assertIn("Error: Invalid version specifier: 2", bad.stderr)
        self.assertEqual(panel_text(self.modal("app", "rollback", "rb-app", "v42").stderr), "Rollback version not found in App history.")

        self.assertExit(self.deploy("-m", "echo_app", env={"APP_NAME": "single"}), 0)
        too_far = self.modal("app", "rollback", "single")
        self.assertExit(too_far, 1)
        self.assertEqual(panel_text(too_far.stderr), "Rollback request exceeds number of App deployments.")
        self.assertEqual(panel_text(self.modal("app", "rollback", "ghost").stderr), "No App with name 'ghost' found in the 'main' environment.")

    def test_stop_and_redeploy(self):
        self.assertExit(self.deploy("-m", "echo_app", env={"APP_NAME": "stop-app"}), 0)
        first_id = self.app_state("stop-app")["app_id"]
        prompt = self.modal("app", "stop", "stop-app")
        self.assertExit(prompt, 1)
        self.assertEqual(
            prompt.stdout,
            "Are you sure you want to stop App 'stop-app' in the 'main' environment? No containers are currently running. [y/N]: \n",
        )
        self.assertEqual(prompt.stderr, "Aborted: no interactive terminal detected. Rerun with --yes (-y) to skip confirmation.\n")
        stopped = self.modal("app", "stop", "stop-app", "--yes")
        self.assertExit(stopped, 0)
        self.assertEqual((stopped.stdout, stopped.stderr), ("", ""))
        again = self.modal("app", "stop", first_id, "-y")
        self.assertExit(again, 1)
        self.assertRegex(again.stderr, r"^App is already stopped\. \(Stopped at .+ by 'test-workspace'\)\.\n$")
        row = next(a for a in json.loads(self.modal("app", "list", "--json").stdout) if a["app_id"] == first_id)
        self.assertEqual(row["state"], "stopped")
        self.assertIsNotNone(row["stopped_at"])
        not_deployed = self.modal("app", "rollback", "stop-app")
        self.assertEqual(panel_text(not_deployed.stderr), "App 'stop-app' is not deployed in the 'main' environment.")
        self.assertExit(self.deploy("-m", "echo_app", env={"APP_NAME": "stop-app"}), 0)
        self.assertNotEqual(self.app_state("stop-app")["app_id"], first_id)

    def test_logs(self):
        self.assertExit(self.deploy("-m", "echo_app", env={"APP_NAME": "log-app"}), 0)
        self.call("log-app", {"print": "line one"})
        logs = self.modal("app", "logs", "log-app")
        self.assertExit(logs, 0)
        # stdout and stderr are separate streams: their relative order is not fixed.
        self.assertCountEqual(logs.stdout.splitlines(keepends=True), ["line one\n", "err: line one\n"])
        stamped = self.modal("app", "logs", "log-app", "--timestamps", "-n", "1", "--source", "stderr").stdout
        self.assertRegex(stamped, r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[+-]\d\d:\d\d err: line one\n$")
        self.assertIn("--tail value must be positive.", self.modal("app", "logs", "log-app", "-n", "0").stderr)
        combined = self.modal("app", "logs", "log-app", "-f", "--tail", "5")
        self.assertExit(combined, 2)
        self.assertIn("--follow cannot be combined with --since, --until, or --tail.", combined.stderr)
        missing = self.modal("app", "logs", "does-not-exist")
        self.assertExit(missing, 1)
        self.assertEqual(panel_text(missing.stderr), "No App with name 'does-not-exist' found in the 'main' environment.")

    def test_stream_logs_follows_until_stopped(self):
        env = {**self.base_env, **self.deploy_env, "APP_NAME": "stream-app"}
        proc = subprocess.Popen(
            [str(BIN / "modal"), "deploy", "-m", "echo_app", "--stream-logs"],
            cwd=self.project(), env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True,
        )
        out = LineReader(proc.stdout)
        err = LineReader(proc.stderr)
        try:
            # Conditions, not pauses: the deploy has finished when it prints its link, and the follower has
            # streamed the call's lines when they appear; a loaded machine only makes either come later.
            self.assertTrue(out.wait_for(lambda lines: any(l.startswith("View Deployment:") for l in lines)), err.text())
            self.call("stream-app", {"print": "streamed"})
            self.assertTrue(out.wait_for(lambda lines: {"streamed", "err: streamed"} <= set(lines)), out.text())
            self.assertIsNone(proc.poll())  # still following
            self.modal("app", "stop", "stream-app", "-y")
            proc.wait(timeout=LineReader.DEADLINE)
        finally:
            proc.kill()
            proc.wait()
        out.close()
        err.close()
        self.assertEqual(proc.returncode, 0, err.text())
        self.assertCountEqual(out.lines()[-2:], ["streamed", "err: streamed"])

    def test_following_prints_every_line_written_before_the_stop(self):
        # The app stops, and its last line arrives, while the follower is between two looks: it still prints it.
        result = self.python_json(
            """
            import contextlib, io, json
            from modal import _output
            from modal.cli import app as app_cli

            written = []
            def stop_and_write(creds, app_id):
                written.append({"ts": 0, "fd": "stdout", "data": "last words\\n"})
                return {"state": "stopped"}
            app_cli.server.app_get = stop_and_write
            app_cli.logs.read = lambda app_id, start=0: written[start:]
            app_cli.credentials = lambda: None
            printed = io.StringIO()
            with _output.enable_output(), contextlib.redirect_stdout(printed):
                app_cli.follow_logs("ap-x", False)
            print(json.dumps(printed.getvalue()))
            """
        )
        self.assertEqual(result, "last words\n")

    def test_commit_info_from_git(self):
        repo = self.project("git-project")
        git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
        (repo / ".gitignore").write_text("__pycache__/\n")  # importing the module writes bytecode
        for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "init"]):
            subprocess.run(git + args, cwd=repo, check=True, capture_output=True)
        self.assertExit(self.deploy("-m", "echo_app", env={"APP_NAME": "git-app"}, project="git-project"), 0)
        (repo / "echo_app.py").write_text((repo / "echo_app.py").read_text().replace('CODE_VERSION = "1"', 'CODE_VERSION = "2"'))
        self.assertExit(self.deploy("-m", "echo_app", env={"APP_NAME": "git-app"}, project="git-project"), 0)
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True).stdout.strip()
        history = json.loads(self.modal("app", "history", "git-app", "--json").stdout)
        self.assertEqual([h["commit"] for h in history], [head[:7] + "*", head[:7]])
        self.assertIn("* - repo had uncommitted changes", self.modal("app", "history", "git-app").stdout)
