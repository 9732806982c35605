"""A benchmark worker process: runs timed tasks on request, one JSON line in, one out.

Started by workers.py as `python benchmarks/worker.py KIND` with the sys.path of its kind
(the published cloud-files and s3fs live in their own --target directories, put first on
PYTHONPATH), so each library is measured in a process of its own, warm and long-lived.

Protocol: {"op": "run", "id": ..., "runner": ..., "params": {...}} -> {"seconds", "cpu",
"count", "bytes"} or {"error": traceback}; {"op": "hello"} -> what this process imports;
{"op": "profile", ...} runs once under pyinstrument -> {"text"};
{"op": "drop", "id": ...} frees a prepared task; EOF ends the worker.
"""
from __future__ import annotations

import gc
import json
import os
import sys
import time
import traceback


def _identity() -> dict:
    found = {}
    for name in ("cloudfiles", "requests", "urllib3", "boto3", "botocore", "obstore", "s3fs",
                 "fsspec", "deflate"):
        try:
            module = __import__(name)
        except Exception:  # noqa: BLE001, S112 - absent from this worker
            continue
        found[name] = {"file": getattr(module, "__file__", None),
                       "version": getattr(module, "__version__", None)}
    from importlib import metadata

    versions = {}
    for dist in ("cloud-files", "cloudfiles", "boto3", "obstore", "s3fs", "fsspec", "requests",
                 "urllib3", "deflate"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    protocols = sorted(ep.name for ep in metadata.entry_points(group="cloudfiles.adapters"))
    return {"python": sys.executable, "pid": os.getpid(), "modules": found,
            "versions": versions, "protocols": protocols}


def _cpu() -> float:
    """CPU seconds of this process and of its reaped children (parallel=N batches)."""
    times = os.times()
    return time.process_time() + times.children_user + times.children_system


def _serve(protocol_out) -> None:
    import tasks

    prepared: dict[str, tasks.Task] = {}
    for line in sys.stdin:
        message = json.loads(line)
        op = message.get("op")
        if op == "hello":
            reply = _identity()
        elif op == "drop":
            task = prepared.pop(message["id"], None)
            if task is not None:
                task.close()
            reply = {"ok": True}
        elif op == "run":
            reply = _run(prepared, message)
        elif op == "profile":
            reply = _profile(prepared, message)
        else:
            reply = {"error": f"unknown op {op!r}"}
        protocol_out.write(json.dumps(reply) + "\n")
        protocol_out.flush()


def _run(prepared: dict, message: dict) -> dict:
    import tasks

    try:
        task = prepared.get(message["id"])
        if task is None:
            task = prepared[message["id"]] = tasks.prepare(message["runner"], message["params"])
        gc.collect()
        wall, cpu = time.perf_counter(), _cpu()
        count, nbytes = task.run()
        wall, cpu = time.perf_counter() - wall, _cpu() - cpu
        task.after()
        return {"seconds": wall, "cpu": cpu, "count": count, "bytes": nbytes}
    except BaseException:  # noqa: BLE001 - reported to the parent, the worker lives on
        return {"error": traceback.format_exc(limit=8)}


def _profile(prepared: dict, message: dict) -> dict:
    """One run under pyinstrument; the report as text."""
    import tasks
    from pyinstrument import Profiler

    try:
        task = prepared.get(message["id"])
        if task is None:
            task = prepared[message["id"]] = tasks.prepare(message["runner"], message["params"])
        profiler = Profiler(interval=0.0005, async_mode="disabled")
        with profiler:
            task.run()
        task.after()
        return {"text": profiler.output_text(unicode=False, color=False, show_all=False)}
    except BaseException:  # noqa: BLE001
        return {"error": traceback.format_exc(limit=8)}


def main() -> None:
    # The protocol gets the real stdout; anything the libraries print goes to stderr.
    protocol_out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    _serve(protocol_out)


if __name__ == "__main__":
    main()
