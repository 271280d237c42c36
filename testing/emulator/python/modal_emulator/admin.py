"""`modal-emulator`: administer the emulator's state (never prints secret values)."""
import argparse
import json
import sys

from . import faults, function_calls, images, state


def _pairs(items: list[str]) -> dict:
    pairs = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise SystemExit(f"modal-emulator: expected KEY=VALUE, got {item!r}")
        pairs[key] = value
    return pairs


def cmd_init(args) -> None:
    environments = list(dict.fromkeys(["main", *args.env]))
    data = state.initialise(args.workspace, environments)
    print(
        json.dumps(
            {
                "token_id": data["token"]["id"],
                "token_secret": data["token"]["secret"],
                "workspace": args.workspace,
                "environments": environments,
            }
        )
    )


def cmd_push_image(args) -> None:
    if args.private and not (args.username and args.password):
        raise SystemExit("modal-emulator: --private needs --username and --password")
    try:
        pinned = images.push(
            args.ref,
            args.dir,
            private=args.private,
            username=args.username or "",
            password=args.password or "",
            env=_pairs(args.env),
            python=not args.no_python,
        )
    except images.PullError as exc:
        raise SystemExit(f"modal-emulator: {exc}")
    print(pinned)


def summary() -> dict:
    """What was deployed, for tests: apps, versions, secret names and key names (no values)."""
    st = state.read()
    built = st["built_images"]

    def function_view(f):
        image = built.get(f["image_id"], {})
        return {
            "timeout": f["timeout"],
            "image": {"id": f["image_id"], "ref": image.get("ref"), "env": image.get("env", {})},
            "secrets": [s["name"] for s in f["secrets"]],
            "env_keys": sorted(f["env"]),
        }

    apps = []
    for app_id, app in sorted(st["apps"].items(), key=lambda item: item[1]["created_at"]):
        versions = [
            {
                "version": v["version"],
                "tag": v["tag"] or None,
                "deployed_at": state.localized(v["deployed_at"]),
                "deployed_by": v["deployed_by"],
                "client_version": v["client_version"],
                "commit": v["commit_info"],
                "rollback_version": v["rollback_version"],
                # `--strategy` of the deploy or rollback that made the version (None: made by the `race` fault).
                "strategy": v.get("strategy"),
                "definition_hash": v["definition_hash"],
                "module": v["definition"]["module"]["name"],
                "mounted_files": sorted(v["definition"]["mount_files"]),
                "functions": {name: function_view(f) for name, f in v["definition"]["functions"].items()},
            }
            for v in app["versions"]
        ]
        apps.append(
            {
                "app_id": app_id,
                "name": app["name"],
                "environment": app["environment"],
                "state": app["state"],
                "live_version": app["live_version"],
                "versions": versions,
            }
        )
    return {
        "workspace": st["workspace"]["name"],
        "default_environment": st["default_environment"],
        "environments": sorted(st["environments"], key=lambda name: st["environments"][name]["created_at"]),
        "secrets": {
            env: {name: sorted(secret["values"]) for name, secret in secrets.items()}
            for env, secrets in st["secrets"].items()
        },
        "apps": apps,
        "images": [
            {"digest": digest, "repos": m["repos"], "python": m["python"]}
            for digest, m in st["registry"]["manifests"].items()
        ],
        "faults": st["faults"],
    }


def cmd_state(args) -> None:
    data = summary()
    if args.json:
        print(json.dumps(data, indent=2))
        return
    print(f"workspace: {data['workspace']} (default environment: {data['default_environment']})")
    print(f"environments: {', '.join(data['environments'])}")
    print("secrets:")
    for env, secrets in data["secrets"].items():
        for name, keys in secrets.items():
            print(f"  {env}/{name}: {', '.join(keys)}")
    print("apps:")
    for app in data["apps"]:
        live = f"v{app['live_version']}" if app["live_version"] else "-"
        print(f"  {app['environment']}/{app['name']} {app['app_id']} {app['state']} live={live}")
        for v in app["versions"]:
            print(f"    v{v['version']} {v['deployed_at']} tag={v['tag'] or '-'} functions={','.join(v['functions'])}")
    print(f"faults: {len(data['faults'])}")


def cmd_calls(args) -> None:
    st = state.read()
    rows = [
        {
            "environment": st["apps"][app_id]["environment"],
            "app": st["apps"][app_id]["name"],
            "app_id": app_id,
            "version": int(version),
            "calls": count,
        }
        for app_id, versions in st["calls"].items()
        for version, count in sorted(versions.items(), key=lambda item: int(item[0]))
    ]
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for row in rows:
            print(f"{row['environment']}/{row['app']} v{row['version']}: {row['calls']}")


def cmd_function_calls(args) -> None:
    rows = [
        {key: call[key] for key in FUNCTION_CALL_KEYS} | {"started_at": state.localized(call["started_at"])}
        for call in function_calls.listing()
    ]
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for row in rows:
            print(
                f"{row['function_call_id']} {row['environment']}/{row['app']} v{row['version']} {row['function']}:"
                f" {row['status']}, container {row['container']}"
            )


# What `function-calls` shows of each spawned call (function_calls.py says what the values mean).
FUNCTION_CALL_KEYS = (
    "function_call_id",
    "app_id",
    "app",
    "environment",
    "version",
    "function",
    "status",
    "container",
    "container_pgid",
    "terminate_containers",
)


def cmd_fault(args) -> None:
    if args.fault_command == "add":
        try:
            rule = faults.add(args.target, args.action, args.times, args.message, args.seconds)
        except ValueError as exc:
            raise SystemExit(f"modal-emulator: {exc}")
        print(json.dumps(rule))
    elif args.fault_command == "clear":
        faults.clear()
    else:
        print(json.dumps(faults.rules(), indent=2))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="modal-emulator", description="Administer the local Modal emulator ($MODAL_EMULATOR_HOME)."
    )
    sub = p.add_subparsers(dest="command", required=True)

    init = sub.add_parser("init", help="fresh state: workspace, token pair, environments (main + --env)")
    init.add_argument("--workspace", default="test-workspace")
    init.add_argument("--env", action="append", default=[], metavar="NAME")
    init.set_defaults(func=cmd_init)

    push = sub.add_parser("push-image", help="store DIR as image REF in the local registry; prints the pinned ref")
    push.add_argument("ref", metavar="REF")
    push.add_argument("dir", metavar="DIR")
    push.add_argument("--private", action="store_true")
    push.add_argument("--username")
    push.add_argument("--password")
    push.add_argument("--env", action="append", default=[], metavar="K=V", help="image config variable")
    push.add_argument("--no-python", action="store_true", help="the image has no python (needs add_python)")
    push.set_defaults(func=cmd_push_image)

    for name, func, text in (
        ("state", cmd_state, "apps, versions, secret names and key names"),
        ("calls", cmd_calls, ".remote() calls per app version"),
        ("function-calls", cmd_function_calls, "spawned calls: status and whether their container runs"),
    ):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("--json", action="store_true")
        cmd.set_defaults(func=func)

    fault = sub.add_parser("fault", help="fault injection rules")
    fault_sub = fault.add_subparsers(dest="fault_command", required=True)
    add = fault_sub.add_parser("add")
    add.add_argument("--target", required=True, help=", ".join(faults.CLI_TARGETS + faults.SDK_TARGETS))
    add.add_argument("--action", required=True)
    add.add_argument("--times", type=int, help="fire N times, then disappear (default: always)")
    add.add_argument("--message")
    add.add_argument("--seconds", type=float, help="for hang (default: forever)")
    fault_sub.add_parser("list")
    fault_sub.add_parser("clear")
    fault.set_defaults(func=cmd_fault)
    return p


def main(argv=None) -> None:
    args = parser().parse_args(argv)
    try:
        args.func(args)
    except state.EmulatorError as exc:
        sys.exit(f"modal-emulator: {exc}")


if __name__ == "__main__":
    main()
