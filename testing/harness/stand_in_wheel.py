"""Builds a wheel of the emulator's `modal` package (a stand-in for the real client), so that pip can install it
with no network: `python3 stand_in_wheel.py OUT_DIR`. A wheel is a zip with a .dist-info folder (PEP 427); the
standard library's zipfile is all it takes."""
import base64
import hashlib
import os
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(os.path.dirname(HERE), "emulator", "python")
# The emulator's client runs on its state package: both go into the wheel.
PACKAGES = ("modal", "modal_emulator")


def _version() -> str:
    scope: dict = {}
    with open(os.path.join(SOURCE, "modal", "_version.py"), encoding="utf-8") as handle:
        exec(handle.read(), scope)  # noqa: S102 - our own one-line version file
    return scope["__version__"]


def _digest(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _package_files():
    for package in PACKAGES:
        for dirpath, dirnames, filenames in os.walk(os.path.join(SOURCE, package)):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                if name.endswith(".py"):
                    full = os.path.join(dirpath, name)
                    yield os.path.relpath(full, SOURCE).replace(os.sep, "/"), full


def build(out_dir: str) -> str:
    version = _version()
    info = f"modal-{version}.dist-info"
    wheel = os.path.join(out_dir, f"modal-{version}-py3-none-any.whl")
    entries = [(name, open(full, "rb").read()) for name, full in _package_files()]
    entries += [
        (f"{info}/METADATA", f"Metadata-Version: 2.1\nName: modal\nVersion: {version}\nSummary: stand-in for tests\n".encode()),
        (f"{info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: modal-processor-deploy tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
        (f"{info}/entry_points.txt", b"[console_scripts]\nmodal = modal.__main__:main\n"),
    ]
    record = "".join(f"{name},{_digest(data)},{len(data)}\n" for name, data in entries) + f"{info}/RECORD,,\n"
    os.makedirs(out_dir, exist_ok=True)
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries + [(f"{info}/RECORD", record.encode())]:
            archive.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return wheel


if __name__ == "__main__":
    print(build(sys.argv[1]))
