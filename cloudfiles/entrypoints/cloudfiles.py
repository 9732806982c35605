"""CloudFiles: the one-line API over every storage (the cloud-files 3.x interface)."""
from __future__ import annotations

import os
import pickle
import posixpath
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor
from functools import partial
from typing import Any

import orjson

from ..adapters.local.streams import readable_source
from ..app import inventory, reading, writing
from ..app.processes import chunk_size_for, chunked, run_chunks, run_in_processes, worker_count
from ..app.recording import NOT_RECORDING, Recorder
from ..app.retrying import Retrier
from ..app.scheduler import Schedule, progress_bar
from ..app.transfer import TransferOptions, transfer
from ..app.transmission_monitor import TransmissionMonitor
from ..domain.byteranges import ByteRange
from ..domain.errors import BatchError, StorageError
from ..domain.objects import StorageConfig
from ..domain.paths import ascloudpath, asprotocolpath, join, normalize
from ..domain.retry import RetryPolicy
from ..domain.transmission import IOEnum
from . import settings
from .wiring import open_store, parse_path


def _is_scalar_path(paths: Any) -> bool:
    return isinstance(paths, (str, dict))


_BAR_LABELS = {"_get_results": "Downloading", "_put_results": "Uploading",
               "_delete_results": "Deleting", "_transfer_results": "Transferring"}


def _compress_arg(compress: Any, compression: Any) -> Any:
    """The one encoding of `compress=` and its alias `compression=`; both at once must agree."""
    if compression is None:
        return compress
    if compress is not None and compress != compression:
        raise TypeError(
            f"compress={compress!r} and compression={compression!r} disagree: give one of them."
        )
    return compression


def _raise_first_error(results: Iterable[dict]) -> None:
    """Raise the error of the first failed result, if any."""
    for result in results:
        if result.get("error") is not None:
            raise result["error"]


def _refuse_unknown_options(adapter: type, options: dict) -> None:
    """TypeError naming each keyword option the storage's adapter does not take."""
    accepted = getattr(adapter, "OPTIONS", None)
    if accepted is None:  # a third-party adapter that does not declare its options
        return
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        offered = ", ".join(sorted(accepted)) or "none"
        raise TypeError(
            f"CloudFiles got unexpected keyword option(s) {', '.join(map(repr, unknown))} "
            f"for {adapter.protocol}:// (its extra options: {offered})."
        )


def _raise_failures(action: str, results: Iterable[dict]) -> int:
    """Count results; raise a BatchError naming every failed path after all were done."""
    errors, count = {}, 0
    for result in results:
        count += 1
        if result.get("error") is not None:
            errors[result["path"]] = result["error"]
    if errors:
        raise BatchError(action, errors)
    return count


class CloudFiles:
    """Files under one cloud path: gs://, s3://, file://, mem://, http(s):// or a plugin's."""

    def __init__(self, cloudpath: str, progress: bool = False, green: bool | None = None,
                 secrets: Any = None, num_threads: int = 20, use_https: bool = False,
                 endpoint: str | None = None, parallel: int = 1,
                 request_payer: str | None = None, locking: bool | None = None,
                 lock_dir: str | None = None, composite_upload_threshold: int = int(1e8),
                 no_sign_request: bool = False, retries: int | None = None, **options: Any):
        self._init = dict(
            cloudpath=cloudpath, progress=progress, green=green, secrets=secrets,
            num_threads=num_threads, use_https=use_https, endpoint=endpoint, parallel=parallel,
            request_payer=request_payer, locking=locking, lock_dir=lock_dir,
            composite_upload_threshold=composite_upload_threshold,
            no_sign_request=no_sign_request, retries=retries, **options,
        )
        self.progress = progress
        self.green = bool(green)
        self.num_threads = num_threads
        self.parallel = int(parallel or 1)
        self.secrets = secrets
        self.request_payer = request_payer
        self.locking = locking
        self.no_sign_request = bool(no_sign_request)
        self._path = parse_path(cloudpath, use_https)
        self.cloudpath = ascloudpath(self._path._replace(format=""))
        self.protocol = self._path.protocol
        timeouts = settings.timeouts(options)
        config = StorageConfig(
            secrets=secrets, num_threads=num_threads, endpoint=endpoint,
            request_payer=request_payer, green=self.green, **timeouts,
            options={**options, "locking": locking, "lock_dir": lock_dir,
                     "composite_upload_threshold": composite_upload_threshold,
                     "no_sign_request": self.no_sign_request},
        )
        schedule = Schedule(num_threads=num_threads, green=self.green, progress=progress)
        retrier = Retrier(RetryPolicy(total=settings.retries(retries)))
        self._store = open_store(self._path, config, schedule, retrier)
        _refuse_unknown_options(type(self._store.storage), options)

    # -- plumbing ---------------------------------------------------------------------------
    def __getstate__(self) -> dict:
        return self._init

    def __setstate__(self, state: dict) -> None:
        self.__init__(**state)

    def __repr__(self) -> str:
        return f"CloudFiles({self.cloudpath!r})"

    def _parallel(self, parallel: int | None) -> int:
        count = self.parallel if parallel is None else int(parallel or 1)
        return count if self._store.storage.process_safe else 1

    def _fan_out(self, method: str, items: Iterable[Any], runner: int | Executor,
                 total: int | None, progress: bool | None, **kwargs: Any) -> Iterator[dict]:
        """Results of `method` run on chunks of items, in `runner` new processes or on the
        Executor `runner`; each task rebuilds this CloudFiles (and any in kwargs) from their
        constructor state, so it carries keys and settings, never connections or contents."""
        task = self._block_task(method, **kwargs)
        size = len(items) if total is None and hasattr(items, "__len__") else total
        if isinstance(runner, Executor):
            results = run_chunks(runner, task, items, chunk_size_for(size, worker_count(runner)))
        else:
            results = run_in_processes(task, items, runner, chunk_size_for(size, runner))
        shown = self.progress if progress is None else progress
        return iter(progress_bar_over(results, shown, size, _BAR_LABELS[method]))

    def _block_task(self, method: str, **kwargs: Any) -> partial:
        """A picklable task running `method(block, **kwargs)` on a block of items wherever it
        lands, on a CloudFiles rebuilt there from this one's constructor state (as are any
        CloudFiles in kwargs); returns the per-item results with picklable errors."""
        state = {**self._init, "progress": False, "parallel": 1}
        return partial(_child_batch, pickle.dumps((state, kwargs)), method)

    # -- paths ---------------------------------------------------------------------------------
    @property
    def sep(self) -> str:
        """The key separator: os.sep on file://, '/' elsewhere."""
        return os.sep if self.protocol == "file" else "/"

    def join(self, *paths: str) -> str:
        """Join path parts with this storage's separator."""
        if self.protocol == "file":
            return os.path.join(*paths) if paths else ""
        return join(*paths)

    def dirname(self, path: str) -> str:
        """The directory part of a key (os.path rules on file://)."""
        return (os.path if self.protocol == "file" else posixpath).dirname(path)

    def basename(self, path: str) -> str:
        """The last part of a key (os.path rules on file://)."""
        return (os.path if self.protocol == "file" else posixpath).basename(path)

    def abspath(self, path: str) -> str:
        """The full cloud path of a key under this CloudFiles."""
        return self.sep.join((asprotocolpath(self._path), path))

    @property
    def lock_dir(self) -> str | None:
        """Where file:// write locks live (None where this storage takes no locks)."""
        return getattr(self._store.storage, "lock_dir", None)

    def clear_locks(self) -> None:
        """Remove leftover lock files of file:// writes."""
        clear = getattr(self._store.storage, "clear_locks", None)
        if clear is not None:
            clear()

    # -- get ---------------------------------------------------------------------------------
    def get(self, paths: Any, total: int | None = None, raw: bool = False,
            progress: bool | None = None, parallel: int | None = None,
            return_dict: bool = False, raise_errors: bool = True,
            return_recording: bool = False) -> Any:
        """Bytes of one file (None if missing), or result dicts for many (order not kept).

        raise_errors (default, as in 3.1.1): a failed file raises its error; False keeps
        errors in the results' 'error' fields. return_dict gives {path: content} and always
        raises, as a dict has no room for errors. return_recording: (the answer, a
        TransmissionMonitor timing each download); the batch then runs in this process.
        """
        if return_recording:
            recorder = Recorder(TransmissionMonitor(IOEnum.RX))
            single = _is_scalar_path(paths) and not return_dict
            got = self._get_many([paths] if single else paths, total, raw, progress, 1,
                                 return_dict, raise_errors, recorder)
            answer = (got[0]["content"] if got else None) if single else got
            return answer, recorder.monitor
        if _is_scalar_path(paths) and not return_dict:
            key, byte_range = reading.parse_get_request(paths)
            return reading.read(self._store, key, byte_range, raw)[0]
        if _is_scalar_path(paths):
            paths = [paths]
        elif isinstance(paths, (bytes, int, float)) or paths is None:
            raise TypeError(
                f"get() takes a path (str), a request dict, or an iterable of those; "
                f"got {type(paths).__name__}: {paths!r}"
            )
        return self._get_many(paths, total, raw, progress, self._parallel(parallel),
                              return_dict, raise_errors, NOT_RECORDING)

    def _get_many(self, paths: Any, total: int | None, raw: bool, progress: bool | None,
                  parallel: int, return_dict: bool, raise_errors: bool,
                  recorder: Recorder) -> Any:
        if parallel > 1:
            results = list(self._fan_out("_get_results", paths, parallel, total, progress,
                                         raw=raw))
        else:
            results = list(reading.read_many(self._store, paths, raw, total, progress,
                                             recorder))
        if raise_errors or return_dict:
            _raise_first_error(results)
        if return_dict:
            return {result["path"]: result["content"] for result in results}
        return results

    def _get_results(self, paths: Iterable[Any], raw: bool = False) -> list[dict]:
        return list(reading.read_many(self._store, paths, raw, progress=False))

    def get_json(self, paths: Any, total: int | None = None) -> Any:
        """Parsed JSON of one file (None if missing), or a list in input order for many."""
        if _is_scalar_path(paths):
            content = self.get(paths)
            return None if content is None else orjson.loads(content)
        paths = list(paths)
        by_path = {result["path"]: result["content"] for result in self.get(paths, total=total)}
        keys = [reading.parse_get_request(p)[0] for p in paths]
        return [None if by_path.get(k) is None else orjson.loads(by_path[k])
                for k in keys]

    # -- put ---------------------------------------------------------------------------------
    def put(self, path: str, content: Any, content_type: str | None = None,
            compress: Any = None, compression_level: int | None = None,
            cache_control: str | None = None, raw: bool = False,
            storage_class: str | None = None, compression: Any = None) -> int:
        """Store one file; `compression=` is an alias of `compress=`.

        content may also be a binary file object: what is left to read in it streams (S3
        multipart, GCS resumable, file:// through a temp file) unless compressed on the way.
        """
        compress = _compress_arg(compress, compression)
        defaults = writing.PutDefaults(content_type, compress, compression_level, cache_control,
                                       storage_class, raw)
        if hasattr(content, "read") and not isinstance(content, (bytes, bytearray, memoryview)):
            content = readable_source(content)
        writing.write(self._store, path, content, defaults)
        return 1

    def puts(self, files: Any, content_type: str | None = None, compress: Any = None,
             compression_level: int | None = None, cache_control: str | None = None,
             total: int | None = None, raw: bool = False, progress: bool | None = None,
             parallel: int | None = None, storage_class: str | None = None,
             compression: Any = None, return_recording: bool = False) -> Any:
        """Store many files ((path, content) tuples or dicts); returns how many were stored
        (with return_recording: that and a TransmissionMonitor timing each upload; the batch
        then runs in this process).

        Every file is attempted; if any failed, a BatchError names each afterwards.
        `compression=` is an alias of `compress=`.
        """
        compress = _compress_arg(compress, compression)
        defaults = writing.PutDefaults(content_type, compress, compression_level, cache_control,
                                       storage_class, raw)
        if writing.is_single_put(files):
            files = [files]
        recorder = Recorder(TransmissionMonitor(IOEnum.TX)) if return_recording \
            else NOT_RECORDING
        parallel = 1 if return_recording else self._parallel(parallel)
        if parallel > 1:
            results = self._fan_out("_put_results", files, parallel, total, progress,
                                     defaults=defaults)
        else:
            results = writing.write_many(self._store, files, defaults, total, progress,
                                         recorder)
        stored = _raise_failures("put", results)
        return (stored, recorder.monitor) if return_recording else stored

    def _put_results(self, files: Iterable[Any], defaults: writing.PutDefaults) -> list[dict]:
        return list(writing.write_many(self._store, files, defaults, progress=False))

    def put_json(self, path: str, content: Any, compress: Any = None,
                 compression_level: int | None = None, cache_control: str | None = None,
                 storage_class: str | None = None, compression: Any = None) -> int:
        """Store one JSON-serializable object as application/json."""
        compress = _compress_arg(compress, compression)
        return self.put(path, writing.as_json_bytes(content), writing.JSON_CONTENT_TYPE,
                        compress, compression_level, cache_control, False, storage_class)

    def put_jsons(self, files: Any, compress: Any = None, compression_level: int | None = None,
                  cache_control: str | None = None, total: int | None = None,
                  progress: bool | None = None, parallel: int | None = None,
                  storage_class: str | None = None, compression: Any = None,
                  return_recording: bool = False) -> Any:
        """Store many JSON objects, given as puts() accepts them."""
        compress = _compress_arg(compress, compression)
        if writing.is_single_put(files):
            files = [files]
        encoded = (_json_file(file) for file in files)
        return self.puts(encoded, writing.JSON_CONTENT_TYPE, compress, compression_level,
                         cache_control, total, False, progress, parallel, storage_class,
                         return_recording=return_recording)

    # -- questions -----------------------------------------------------------------------------
    def _ask(self, method: str, paths: Any, total: int | None, progress: bool | None) -> Any:
        if isinstance(paths, str):
            return inventory.ask(self._store, method, paths)
        results = inventory.ask_many(self._store, method, paths, total, progress, method)
        return inventory.answers(results)

    def exists(self, paths: Any, total: int | None = None, progress: bool | None = None) -> Any:
        """Whether one file exists, or {path: bool} for many."""
        return self._ask("exists", paths, total, progress)

    def size(self, paths: Any, total: int | None = None, progress: bool | None = None,
             return_sum: bool = False) -> Any:
        """Stored size in bytes of one file (None if missing), or {path: size} for many;
        return_sum: the total of the sizes (missing files count 0)."""
        sizes = self._ask("size", paths, total, progress)
        if not return_sum:
            return sizes
        return (sizes or 0) if isinstance(paths, str) else sum(v or 0 for v in sizes.values())

    def subtree_size(self, prefix: Any = "") -> dict[str, int]:
        """{'N': number of files, 'num_bytes': their stored bytes} below prefix(es)."""
        prefixes = [prefix] if isinstance(prefix, str) else list(prefix)
        return inventory.subtree_size(self._store, prefixes)

    def head(self, paths: Any, total: int | None = None, progress: bool | None = None) -> Any:
        """Metadata dict of one file (None if missing), or {path: dict} for many."""
        if isinstance(paths, str):
            info = inventory.ask(self._store, "head", paths)
            return None if info is None else info.as_dict()
        infos = self._ask("head", paths, total, progress)
        return {k: None if v is None else v.as_dict() for k, v in infos.items()}

    def delete(self, paths: Any, total: int | None = None, progress: bool | None = None,
               parallel: int | None = None) -> None:
        """Delete one file or many; missing files are fine, failures raise a BatchError."""
        if isinstance(paths, str):
            inventory.ask(self._store, "delete", paths)
            return
        parallel = self._parallel(parallel)
        if parallel > 1:
            results = self._fan_out("_delete_results", paths, parallel, total, progress)
            _raise_failures("delete", results)
            return
        failures = inventory.delete_many(self._store, paths, total, progress)
        if failures:
            raise BatchError("delete", dict(failures))

    def _delete_results(self, paths: Iterable[str]) -> list[dict]:
        paths = list(paths)
        failures = dict(inventory.delete_many(self._store, paths, progress=False))
        return [{"path": key, "error": failures.get(key)} for key in paths]

    def touch(self, paths: Any, progress: bool | None = None) -> None:
        """Create empty files where files are missing."""
        paths = [paths] if isinstance(paths, str) else list(paths)
        missing = [p for p, found in self.exists(paths, progress=progress).items() if not found]
        self.puts(((p, b"") for p in missing), total=len(missing), progress=progress)

    def list(self, prefix: str = "", flat: bool = False, size: bool = False,
             dirs: bool = False) -> Iterator[Any]:
        """Keys under this path that start with prefix, lazily.

        flat (as cloud-files 3.1.1): only the files at the prefix's own level, i.e. whose
        part after prefix has no '/' ('build' matches no 'build/x'; 'build/' does).
        dirs=True (with flat) also yields the sub-directories there, as 'name/'.
        size=True yields (key, stored size) pairs instead of keys.
        """
        if size:
            return inventory.list_sizes(self._store, prefix, flat, dirs)
        return inventory.list_keys(self._store, prefix, flat, dirs)

    def isdir(self, prefix: str = "") -> bool:
        """Whether any file lives below prefix taken as a directory."""
        return inventory.is_directory(self._store, prefix)

    # -- transfer --------------------------------------------------------------------------------
    def transfer_to(self, cf_dest: CloudFiles | str, paths: Any = None, block_size: int = 64,
                    reencode: Any = None, content_type: str | None = None,
                    allow_missing: bool = False, progress: bool | None = None,
                    total: int | None = None, executor: Executor | None = None) -> int:
        """Copy files (all of them by default) from here to cf_dest; returns how many.

        paths: keys, {'path', 'dest_path'} dicts or (source, dest) pairs. content_type
        overrides the stored Content-Type; allow_missing writes an empty file for each source
        that does not exist, as cloud-files does (else each is a failure in the BatchError).
        Runs in `parallel` processes (this CloudFiles' setting), or on `executor` when given
        (any concurrent.futures.Executor, e.g. a Dask client's `client.get_executor()`),
        when both ends allow it; see transfer_results.
        """
        return _raise_failures("transfer", self.transfer_results(
            cf_dest, paths, block_size, reencode, content_type, allow_missing, progress, total,
            executor))

    def transfer_results(self, cf_dest: CloudFiles | str, paths: Any = None,
                         block_size: int = 64, reencode: Any = None,
                         content_type: str | None = None, allow_missing: bool = False,
                         progress: bool | None = None, total: int | None = None,
                         executor: Executor | None = None) -> Iterator[dict]:
        """transfer_to as a lazy stream of per-file results, in the order files finish:
        {'path': source key, 'bytes': bytes written (0 for a server-side copy), 'error': the
        exception or None}, plus 'finished' (unix time) when the file was copied elsewhere.
        A failed file is a result, never raised.

        With `executor`, tasks carrying blocks of keys (never file contents) run on it and
        each builds its own CloudFiles (connections, credentials) from the constructor
        arguments of both ends; a few blocks are queued at a time, so a lazy `paths` is read
        as the transfer goes. mem:// ends, which live in this process, are copied here.
        """
        if executor is not None and not isinstance(executor, Executor):
            raise TypeError(
                "executor must be a concurrent.futures.Executor (e.g. a Dask client's "
                f"client.get_executor()), got {type(executor).__name__}."
            )
        dest = cf_dest if isinstance(cf_dest, CloudFiles) else CloudFiles(cf_dest)
        if paths is None:  # sized where free, so big objects stream into local files
            paths = self.list() if not self._store.storage.lists_sizes else \
                ({"path": key, "size": size} for key, size in self.list(size=True))
        elif isinstance(paths, (str, dict)):
            paths = [paths]
        options = TransferOptions(block_size, reencode, content_type, allow_missing)
        runner = self._transfer_runner(dest, executor)
        if runner == 1:
            return transfer(self._store, dest._store, paths, options, total, progress)
        return self._fan_out("_transfer_results", paths, runner, total, progress, dest=dest,
                             options=options)

    def _transfer_runner(self, dest: CloudFiles, executor: Executor | None) -> int | Executor:
        """Where a transfer to dest runs: the executor or the processes of `parallel` when
        both storages can be reached from other processes, else 1 (here)."""
        if not (self._store.storage.process_safe and dest._store.storage.process_safe):
            return 1
        return self._parallel(None) if executor is None else executor

    def _transfer_results(self, paths: Iterable[Any], dest: CloudFiles,
                          options: TransferOptions) -> list[dict]:
        """One block of a transfer elsewhere; each result says when its file finished."""
        return [{**result, "finished": time.time()}
                for result in transfer(self._store, dest._store, paths, options,
                                       progress=False)]

    def transfer_from(self, cf_src: CloudFiles | str, paths: Any = None, block_size: int = 64,
                      reencode: Any = None, content_type: str | None = None,
                      allow_missing: bool = False, progress: bool | None = None,
                      total: int | None = None, executor: Executor | None = None) -> int:
        """Copy files (all of them by default) from cf_src to here; returns how many."""
        source = cf_src if isinstance(cf_src, CloudFiles) else CloudFiles(cf_src)
        return source.transfer_to(self, paths, block_size, reencode, content_type,
                                  allow_missing, progress, total, executor)

    def moves(self, cf_dest: CloudFiles | str, paths: Any, block_size: int = 64,
              total: int | None = None, progress: bool | None = None) -> int:
        """Move files to cf_dest: keys, or (source, dest) pairs to rename on the way.

        Each source is deleted only after its copy succeeded; returns how many moved.
        """
        dest = cf_dest if isinstance(cf_dest, CloudFiles) else CloudFiles(cf_dest)
        pairs = ((p, p) if isinstance(p, str) else tuple(p) for p in paths)
        moved = 0
        for block in chunked(pairs, max(1, block_size)):
            requests = [{"path": src, "dest_path": dst} for src, dst in block]
            moved += self.transfer_to(dest, requests, block_size, progress=progress,
                                      total=len(requests))
            self.delete([src for src, _ in block], progress=False)
        return moved

    def move(self, src: str, dest: str) -> int:
        """Move (rename) one file to dest: a key here, or a full cloud path anywhere."""
        if "://" not in dest:
            return self.moves(self, [(src, dest)], block_size=1, progress=False)
        directory, _, name = normalize(dest).rpartition("/")
        return self.moves(directory, [(src, name)], block_size=1, progress=False)

    # -- mapping sugar -----------------------------------------------------------------------------
    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, slice):
            return self.get(sorted(self.list())[key])
        if isinstance(key, tuple) and len(key) == 2 and isinstance(key[1], slice):
            byte_range = ByteRange.from_slice(key[1])
            return self.get({"path": key[0], "start": byte_range.start, "end": byte_range.end})
        return self.get(key)

    def __setitem__(self, key: Any, value: Any) -> None:
        if isinstance(key, slice):
            if not isinstance(value, CloudFiles):
                raise TypeError("cf[:] = ... takes another CloudFiles to transfer from.")
            paths = sorted(value.list())[key] if key != slice(None) else None
            self.transfer_from(value, paths)
            return
        self.put(key, value)

    def __delitem__(self, key: Any) -> None:
        if isinstance(key, slice):
            self.delete(sorted(self.list())[key])
            return
        self.delete(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self.list())


def progress_bar_over(results: Iterable[dict], progress: Any, total: int | None,
                      desc: str) -> Iterator[dict]:
    """results, counted on the one progress bar style as they arrive."""
    bar = progress_bar(progress, total, desc)
    try:
        for result in results:
            bar.update(1)
            yield result
    finally:
        bar.close()


def _json_file(file: Any) -> Any:
    if isinstance(file, dict):
        return {**file, "content": writing.as_json_bytes(file["content"])}
    path, content = file
    return path, writing.as_json_bytes(content)


def _picklable(error: BaseException | None) -> BaseException | None:
    """The error itself if it survives the trip back from a child process, else a copy."""
    if error is None:
        return None
    try:
        pickle.loads(pickle.dumps(error))
        return error
    except (pickle.PickleError, TypeError, AttributeError, ValueError):
        return StorageError(f"{type(error).__name__}: {error}")


def _child_batch(payload: bytes, method: str, chunk: list) -> list[dict]:
    """Runs one chunk of a batch where a task lands (a child process, a thread, a Dask
    worker) on its own CloudFiles, built from the pickled (state, kwargs) payload."""
    state, kwargs = pickle.loads(payload)
    results = getattr(CloudFiles(**state), method)(chunk, **kwargs)
    return [{**r, "error": _picklable(r["error"])} if r.get("error") else r for r in results]


def dl(cloudpaths: Any, raw: bool = False, **kwargs: Any) -> Any:
    """Download full cloud paths from any number of buckets; one path gives its bytes."""
    if isinstance(cloudpaths, str):
        directory, _, name = cloudpaths.rpartition("/")
        return CloudFiles(directory or ".", **kwargs).get(name, raw=raw)
    by_root: dict[str, list[str]] = {}
    for cloudpath in cloudpaths:
        directory, _, name = cloudpath.rpartition("/")
        by_root.setdefault(directory, []).append(name)
    results = []
    for directory, names in by_root.items():
        for result in CloudFiles(directory, **kwargs).get(names, raw=raw):
            result["path"] = f"{directory}/{result['path']}"
            results.append(result)
    return results


__all__ = ["CloudFiles", "dl"]
