"""Running a bit of a test in a forked child, where the at-fork hooks really ran."""
from __future__ import annotations

import os
from collections.abc import Callable


def in_child(work: Callable[[], object]) -> str:
    """Run work() in a forked child; what it returned (or its error), as text."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        try:
            os.close(read)
            outcome = str(work())
        except BaseException as error:  # noqa: BLE001 - reported to the parent
            outcome = f"error: {type(error).__name__}: {error}"
        os.write(write, outcome.encode())
        os._exit(0)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 65536):
        chunks.append(chunk)
    os.close(read)
    os.waitpid(pid, 0)
    return b"".join(chunks).decode()
