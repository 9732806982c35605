"""Inter-process locking of file:// (locking=True, lock_dir=...), with real processes."""
from __future__ import annotations

import multiprocessing
import os
import threading
import time

import pytest

from cloudfiles import CloudFiles
from cloudfiles.adapters.local.file import FileStorage
from cloudfiles.adapters.local.locks import LockDirectory, default_lock_dir, lock_name
from cloudfiles.domain.objects import PutOptions, StorageConfig
from cloudfiles.paths import extract

CONTEXT = multiprocessing.get_context(
    "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
PAYLOADS = {"plain": b"P" * 65536, "gzip": b"G" * 65536}


def _storage(root, lock_dir, locking=True) -> FileStorage:
    options = {"locking": locking, "lock_dir": str(lock_dir) if lock_dir else None}
    return FileStorage(extract(f"file://{root}"), StorageConfig(options=options))


def _log(log_path: str, text: str) -> None:
    fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        os.write(fd, f"{os.getpid()} {text}\n".encode())
    finally:
        os.close(fd)


def _enter_and_leave(lock_dir: str, locked_path: str, log_path: str, start, rounds: int):
    locks = LockDirectory(lock_dir)
    start.wait()
    for _ in range(rounds):
        with locks.hold(locked_path, exclusive=True):
            _log(log_path, "in")
            time.sleep(0.003)
            _log(log_path, "out")


def _run(processes, timeout=60):
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout)
    assert [p.exitcode for p in processes] == [0] * len(processes)


def test_exclusive_lock_serialises_two_processes(tmp_path):
    log = str(tmp_path / "log")
    start = CONTEXT.Event()
    workers = [CONTEXT.Process(target=_enter_and_leave,
                               args=(str(tmp_path / "locks"), "/data/chunk", log, start, 15))
               for _ in range(2)]
    start.set()  # both wait on it, so they contend from the first round
    _run(workers)
    with open(log) as handle:
        lines = [line.split() for line in handle.read().splitlines()]
    assert len(lines) == 60 and len({pid for pid, _ in lines}) == 2
    for entered, left in zip(lines[::2], lines[1::2]):
        assert entered[1] == "in" and left == [entered[0], "out"]  # nobody else inside


def _hold_for(lock_dir: str, locked_path: str, held, seconds: float):
    with LockDirectory(lock_dir).hold(locked_path, exclusive=True):
        held.set()
        time.sleep(seconds)


def test_a_writer_waits_for_another_process(tmp_path):
    held = CONTEXT.Event()
    holder = CONTEXT.Process(target=_hold_for, args=(str(tmp_path), "/x", held, 0.4))
    holder.start()
    assert held.wait(30)
    began = time.monotonic()
    with LockDirectory(str(tmp_path)).hold("/x", exclusive=True):
        waited = time.monotonic() - began
    holder.join(30)
    assert waited > 0.2
    with LockDirectory(str(tmp_path)).hold("/other", exclusive=True):
        pass  # another path is not blocked by anything


def _acquire_in_thread(locks: LockDirectory, path: str, exclusive: bool):
    entered, leave = threading.Event(), threading.Event()

    def run():
        with locks.hold(path, exclusive):
            entered.set()
            leave.wait(30)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return entered, leave, thread


def test_readers_share_and_writers_exclude_even_between_threads(tmp_path):
    locks = LockDirectory(str(tmp_path)).make()
    reader_in, reader_out, reader = _acquire_in_thread(locks, "/k", exclusive=False)
    assert reader_in.wait(10)
    other_in, other_out, other = _acquire_in_thread(locks, "/k", exclusive=False)
    assert other_in.wait(10)  # two readers at once
    writer_in, writer_out, writer = _acquire_in_thread(locks, "/k", exclusive=True)
    assert not writer_in.wait(0.2)
    reader_out.set()
    other_out.set()
    assert writer_in.wait(10)
    late_in, late_out, late = _acquire_in_thread(locks, "/k", exclusive=False)
    assert not late_in.wait(0.2)  # a reader waits for the writer
    writer_out.set()
    assert late_in.wait(10)
    late_out.set()
    for thread in (reader, other, writer, late):
        thread.join(10)


def test_a_lock_file_removed_under_a_waiter_does_not_split_the_lock(tmp_path):
    locks = LockDirectory(str(tmp_path)).make()
    lock_file = tmp_path / lock_name("/k")
    first = locks.hold("/k", exclusive=True)
    first.__enter__()
    waiter_in, waiter_out, waiter = _acquire_in_thread(locks, "/k", exclusive=True)
    time.sleep(0.1)  # the waiter has opened the old file and waits on it
    lock_file.unlink()  # what a careless clean-up would do
    second = locks.hold("/k", exclusive=True)
    second.__enter__()  # a newcomer locks a new file at the same name
    first.__exit__(None, None, None)
    assert not waiter_in.wait(0.3)  # the waiter notices and queues behind the newcomer
    second.__exit__(None, None, None)
    assert waiter_in.wait(10)
    waiter_out.set()
    waiter.join(10)


def _write_many(root: str, lock_dir: str, encoding: str | None, rounds: int):
    cf = CloudFiles(f"file://{root}", locking=True, lock_dir=lock_dir)
    payload = PAYLOADS["gzip" if encoding else "plain"]
    for _ in range(rounds):
        cf.put("chunk", payload, compress=encoding)


def _read_until(root: str, lock_dir: str, stop, bad):
    cf = CloudFiles(f"file://{root}", locking=True, lock_dir=lock_dir)
    while not stop.is_set():
        content = cf.get("chunk")
        if content not in PAYLOADS.values():
            bad.value += 1


def test_locked_writers_never_tear_or_lose_a_key(tmp_path):
    root, lock_dir = str(tmp_path / "data"), str(tmp_path / "locks")
    CloudFiles(f"file://{root}").put("chunk", PAYLOADS["plain"])
    stop, bad = CONTEXT.Event(), CONTEXT.Value("i", 0)
    reader = CONTEXT.Process(target=_read_until, args=(root, lock_dir, stop, bad))
    reader.start()
    writers = [CONTEXT.Process(target=_write_many, args=(root, lock_dir, encoding, 60))
               for encoding in (None, "gzip")]
    _run(writers)
    stop.set()
    reader.join(60)
    assert reader.exitcode == 0 and bad.value == 0  # never missing, never a mix of both
    assert len(os.listdir(root)) == 1  # exactly one of chunk / chunk.gz
    assert CloudFiles(f"file://{root}").get("chunk") in PAYLOADS.values()
    assert os.listdir(lock_dir) == [lock_name(os.path.join(root, "chunk"))]


def test_lock_files_live_in_lock_dir_one_per_key(tmp_path):
    storage = _storage(tmp_path / "data", tmp_path / "locks")
    assert storage.locking is True and storage.lock_dir == str(tmp_path / "locks")
    storage.put("a/chunk", b"x", PutOptions(encoding=None))
    storage.put("a/chunk", b"\x1f\x8b...", PutOptions(encoding="gzip"))
    assert storage.get("a/chunk").encoding == "gzip" and storage.exists("a/chunk")
    assert storage.head("a/chunk").size == 5
    storage.delete("a/chunk")
    path = os.path.join(str(tmp_path / "data"), "a", "chunk")
    assert os.listdir(tmp_path / "locks") == [lock_name(path)]
    assert lock_name(path).startswith("chunk.")


def test_clear_locks_removes_only_unheld_lock_files(tmp_path):
    storage = _storage(tmp_path / "data", tmp_path / "locks")
    for key in ("a", "b", "c"):
        storage.put(key, b"x", PutOptions())
    locks = LockDirectory(storage.lock_dir)
    with locks.hold(os.path.join(storage.root, "b"), exclusive=False):
        storage.clear_locks()
        assert os.listdir(storage.lock_dir) == [lock_name(os.path.join(storage.root, "b"))]
    storage.clear_locks()
    assert os.listdir(storage.lock_dir) == []
    storage.put("a", b"again", PutOptions())  # locking still works after a clear
    assert storage.get("a").content == b"again"


@pytest.mark.parametrize("locking", [None, False])
def test_no_locks_unless_asked(tmp_path, locking):
    storage = _storage(tmp_path / "data", tmp_path / "locks", locking)
    storage.put("a", b"x", PutOptions())
    assert storage.get("a").content == b"x"
    assert storage.locking is False and storage.lock_dir == str(tmp_path / "locks")
    assert not (tmp_path / "locks").exists()
    storage.clear_locks()  # nothing to clear is fine


def test_lock_dir_defaults(tmp_path, monkeypatch):
    monkeypatch.delenv("CLOUD_FILES_LOCK_DIR", raising=False)
    monkeypatch.delenv("CLOUD_FILES_DIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_lock_dir() == str(tmp_path / "home" / ".cloudfiles" / "locks")
    monkeypatch.setenv("CLOUD_FILES_DIR", str(tmp_path / "cfdir"))
    assert default_lock_dir() == str(tmp_path / "cfdir" / "locks")
    monkeypatch.setenv("CLOUD_FILES_LOCK_DIR", str(tmp_path / "explicit"))
    assert default_lock_dir() == str(tmp_path / "explicit")
    storage = _storage(tmp_path / "data", None)
    assert storage.lock_dir == str(tmp_path / "explicit") and (tmp_path / "explicit").is_dir()
    assert _storage(tmp_path / "data", tmp_path / "mine").lock_dir == str(tmp_path / "mine")


def test_an_unusable_lock_dir_is_named(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_bytes(b"")
    with pytest.raises(PermissionError) as info:
        _storage(tmp_path / "data", blocker / "locks")
    assert str(blocker / "locks") in str(info.value)


def test_cloudfiles_passes_locking_options_to_file_storage(tmp_path):
    cf = CloudFiles(f"file://{tmp_path / 'data'}", locking=True, lock_dir=str(tmp_path / "l"))
    cf.put("chunk", b"payload", compress="bz2")
    assert cf.get("chunk") == b"payload"
    assert os.listdir(tmp_path / "l") == [lock_name(str(tmp_path / "data" / "chunk"))]
