"""Worker processes, one per library, each with the sys.path that library needs.

The published cloud-files installs a top-level package also named `cloudfiles`, so it lives in
its own `pip install --target` directory (.baseline-cloudfiles) and only its worker puts that
directory first on PYTHONPATH; every other worker (ours included) never sees it. s3fs pins its
own botocore through aiobotocore, so it and fsspec's aiohttp live in .baseline-s3fs the same way,
keeping the main environment (and so our S3 adapter's botocore) untouched.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
BASELINE_CLOUDFILES = os.path.join(HERE, ".baseline-cloudfiles")
BASELINE_S3FS = os.path.join(HERE, ".baseline-s3fs")

#: kind -> directories put first on the worker's PYTHONPATH
KINDS: dict[str, list[str]] = {
    "ours": [],
    "cloud-files": [BASELINE_CLOUDFILES],
    "raw": [],
    "boto3": [],
    "obstore": [],
    "fsspec": [BASELINE_S3FS],
}
ALT = "ours-alt"  # --alt DIR: another copy of our package (a worktree with a change), A/B

AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": "us-east-1",
    "NO_PROXY": "127.0.0.1,localhost",
    "no_proxy": "127.0.0.1,localhost",
}


def write_secrets(home: str) -> None:
    """The published cloud-files reads S3 keys from ~/.cloudfiles/secrets/aws-secret.json
    (its env fallback insists on AWS_SESSION_TOKEN); ours and the others read the env."""
    directory = os.path.join(home, ".cloudfiles", "secrets")
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "aws-secret.json"), "w") as out:
        json.dump({"AWS_ACCESS_KEY_ID": AWS_ENV["AWS_ACCESS_KEY_ID"],
                   "AWS_SECRET_ACCESS_KEY": AWS_ENV["AWS_SECRET_ACCESS_KEY"],
                   "AWS_DEFAULT_REGION": AWS_ENV["AWS_DEFAULT_REGION"]}, out)


class WorkerError(RuntimeError):
    """A worker died or answered with an error."""


class Worker:
    """A long-lived `python worker.py KIND` speaking one JSON line per request."""

    def __init__(self, kind: str, home: str, path: list[str] | None = None):
        self.kind = kind
        self.log_path = os.path.join(home, f"worker-{kind}.log")
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in close()
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("AWS_", "PYTHONPATH")) and k.lower() not in (
                   "http_proxy", "https_proxy", "all_proxy")}
        env.update(AWS_ENV)
        env["HOME"] = home  # no stray ~/.aws, ~/.cloudfiles secrets from the machine
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        path = KINDS[kind] if path is None else path
        self.path = path
        if path:
            env["PYTHONPATH"] = os.pathsep.join(path)
        self.process = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "worker.py"), kind],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log, env=env, cwd=home,
            text=True,
        )
        self.identity = self.request({"op": "hello"})

    def request(self, message: dict) -> dict:
        """Send one request and wait for its answer."""
        if self.process.poll() is not None:
            raise WorkerError(f"worker {self.kind} exited with {self.process.returncode}")
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise WorkerError(f"worker {self.kind} died (exit {self.process.wait()})")
        return json.loads(line)

    def module_file(self, name: str) -> str | None:
        """Where this worker imports `name` from (None if it cannot)."""
        return (self.identity["modules"].get(name) or {}).get("file")

    def version(self, name: str) -> str | None:
        """The version of `name` this worker imports."""
        return (self.identity["modules"].get(name) or {}).get("version")

    def close(self) -> None:
        """End the worker (EOF on its stdin), killing it if it does not exit."""
        if self.process.poll() is None:
            try:
                self.process.stdin.close()
                self.process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()
        self._log.close()


def check_isolation(workers: dict[str, Worker]) -> None:
    """Refuse to measure if ours and the published cloud-files are not who they should be."""
    ours = workers["ours"].module_file("cloudfiles") or ""
    theirs = workers["cloud-files"].module_file("cloudfiles") or ""
    if not ours.startswith(os.path.join(REPO, "cloudfiles")):
        raise WorkerError(f"'ours' imports cloudfiles from {ours!r}, not from {REPO}")
    if not theirs.startswith(BASELINE_CLOUDFILES):
        raise WorkerError(f"'cloud-files' imports cloudfiles from {theirs!r}, "
                          f"not from {BASELINE_CLOUDFILES}")
    if ALT in workers:
        alt = workers[ALT].module_file("cloudfiles") or ""
        wanted = os.path.join(workers[ALT].path[0], "cloudfiles")
        if not alt.startswith(wanted):
            raise WorkerError(f"--alt imports cloudfiles from {alt!r}, not from {wanted}")
