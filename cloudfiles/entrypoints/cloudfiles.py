"""CloudFiles: the one-line API over every storage (the cloud-files 3.x interface)."""
from __future__ import annotations

import json
import pickle
from collections.abc import Iterable, Iterator
from functools import partial
from typing import Any

from tqdm import tqdm

from ..app import inventory, reading, writing
from ..app.processes import chunk_size_for, run_in_processes
from ..app.scheduler import Schedule
from ..app.transfer import KEEP, transfer
from ..domain.byteranges import ByteRange
from ..domain.errors import BatchError, StorageError
from ..domain.objects import StorageConfig
from ..domain.paths import ascloudpath, join
from .wiring import open_store, parse_path


def _is_scalar_path(paths: Any) -> bool:
    return isinstance(paths, (str, dict))


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
                 request_payer: str | None = None, **options: Any):
        self._init = dict(
            cloudpath=cloudpath, progress=progress, green=green, secrets=secrets,
            num_threads=num_threads, use_https=use_https, endpoint=endpoint, parallel=parallel,
            request_payer=request_payer, **options,
        )
        self.progress = progress
        self.green = bool(green)
        self.num_threads = num_threads
        self.parallel = int(parallel or 1)
        self._epath = parse_path(cloudpath, use_https)
        self.cloudpath = ascloudpath(self._epath._replace(format=""))
        self.protocol = self._epath.protocol
        config = StorageConfig(
            secrets=secrets, num_threads=num_threads, endpoint=endpoint,
            request_payer=request_payer, green=self.green,
            **{k: options.pop(k) for k in ("connect_timeout", "read_timeout") if k in options},
            options=options,
        )
        schedule = Schedule(num_threads=num_threads, green=self.green, progress=progress)
        self._store = open_store(self._epath, config, schedule)

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

    def _fan_out(self, method: str, items: Iterable[Any], parallel: int, total: int | None,
                 progress: bool | None, **kwargs: Any) -> Iterator[dict]:
        """Results of `method` run on chunks of items in `parallel` processes."""
        state = {**self._init, "progress": False, "parallel": 1}
        task = partial(_child_batch, state, method, kwargs)
        size = len(items) if total is None and hasattr(items, "__len__") else total
        results = run_in_processes(task, items, parallel, chunk_size_for(size, parallel))
        shown = self.progress if progress is None else progress
        label = method.strip("_").removesuffix("_results")
        return iter(tqdm(results, total=total, disable=not shown, desc=label, unit="file"))

    def join(self, *paths: str) -> str:
        """Join path parts with '/'."""
        return join(*paths)

    # -- get ---------------------------------------------------------------------------------
    def get(self, paths: Any, total: int | None = None, raw: bool = False,
            progress: bool | None = None, parallel: int | None = None,
            return_dict: bool = False) -> Any:
        """Bytes of one file (None if missing), or result dicts for many (order not kept)."""
        if _is_scalar_path(paths):
            key, byte_range = reading.parse_get_request(paths)
            return reading.read(self._store, key, byte_range, raw)[0]
        parallel = self._parallel(parallel)
        if parallel > 1:
            results = list(self._fan_out("_get_results", paths, parallel, total, progress,
                                         raw=raw))
        else:
            results = list(reading.read_many(self._store, paths, raw, total, progress))
        if return_dict:
            _raise_failures("get", results)
            return {result["path"]: result["content"] for result in results}
        return results

    def _get_results(self, paths: Iterable[Any], raw: bool = False) -> list[dict]:
        return list(reading.read_many(self._store, paths, raw, progress=False))

    def get_json(self, paths: Any, total: int | None = None) -> Any:
        """Parsed JSON of one file (None if missing), or a list in input order for many."""
        if _is_scalar_path(paths):
            content = self.get(paths)
            return None if content is None else json.loads(content.decode("utf8"))
        paths = list(paths)
        results = self.get(paths, total=total)
        by_path = {}
        for result in results:
            if result["error"] is not None:
                raise result["error"]
            by_path[result["path"]] = result["content"]
        keys = [reading.parse_get_request(p)[0] for p in paths]
        return [None if by_path.get(k) is None else json.loads(by_path[k].decode("utf8"))
                for k in keys]

    # -- put ---------------------------------------------------------------------------------
    def put(self, path: str, content: Any, content_type: str | None = None,
            compress: Any = None, compression_level: int | None = None,
            cache_control: str | None = None, raw: bool = False,
            storage_class: str | None = None) -> int:
        """Store one file."""
        defaults = writing.PutDefaults(content_type, compress, compression_level, cache_control,
                                       storage_class, raw)
        writing.write(self._store, path, content, defaults)
        return 1

    def puts(self, files: Any, content_type: str | None = None, compress: Any = None,
             compression_level: int | None = None, cache_control: str | None = None,
             total: int | None = None, raw: bool = False, progress: bool | None = None,
             parallel: int | None = None, storage_class: str | None = None) -> int:
        """Store many files ((path, content) tuples or dicts); returns how many were stored.

        Every file is attempted; if any failed, a BatchError names each afterwards.
        """
        defaults = writing.PutDefaults(content_type, compress, compression_level, cache_control,
                                       storage_class, raw)
        if writing.is_single_put(files):
            files = [files]
        parallel = self._parallel(parallel)
        if parallel > 1:
            results = self._fan_out("_put_results", files, parallel, total, progress,
                                     defaults=defaults)
        else:
            results = writing.write_many(self._store, files, defaults, total, progress)
        return _raise_failures("put", results)

    def _put_results(self, files: Iterable[Any], defaults: writing.PutDefaults) -> list[dict]:
        return list(writing.write_many(self._store, files, defaults, progress=False))

    def put_json(self, path: str, content: Any, compress: Any = None,
                 compression_level: int | None = None, cache_control: str | None = None,
                 storage_class: str | None = None) -> int:
        """Store one JSON-serializable object as application/json."""
        return self.put(path, writing.as_json_bytes(content), writing.JSON_CONTENT_TYPE,
                        compress, compression_level, cache_control, False, storage_class)

    def put_jsons(self, files: Any, compress: Any = None, compression_level: int | None = None,
                  cache_control: str | None = None, total: int | None = None,
                  progress: bool | None = None, parallel: int | None = None,
                  storage_class: str | None = None) -> int:
        """Store many JSON objects, given as puts() accepts them."""
        if writing.is_single_put(files):
            files = [files]
        encoded = (_json_file(file) for file in files)
        return self.puts(encoded, writing.JSON_CONTENT_TYPE, compress, compression_level,
                         cache_control, total, False, progress, parallel, storage_class)

    # -- questions -----------------------------------------------------------------------------
    def _ask(self, method: str, paths: Any, total: int | None, progress: bool | None) -> Any:
        storage_method = getattr(self._store.storage, method)
        if isinstance(paths, str):
            return self._store.call(storage_method, paths)
        results = inventory.ask_many(self._store, storage_method, paths, total, progress, method)
        return inventory.answers(results)

    def exists(self, paths: Any, total: int | None = None, progress: bool | None = None) -> Any:
        """Whether one file exists, or {path: bool} for many."""
        return self._ask("exists", paths, total, progress)

    def size(self, paths: Any, total: int | None = None, progress: bool | None = None) -> Any:
        """Stored size in bytes of one file (None if missing), or {path: size} for many."""
        return self._ask("size", paths, total, progress)

    def head(self, paths: Any, total: int | None = None, progress: bool | None = None) -> Any:
        """Metadata dict of one file (None if missing), or {path: dict} for many."""
        if isinstance(paths, str):
            info = self._store.call(self._store.storage.head, paths)
            return None if info is None else info.as_dict()
        infos = self._ask("head", paths, total, progress)
        return {k: None if v is None else v.as_dict() for k, v in infos.items()}

    def delete(self, paths: Any, total: int | None = None, progress: bool | None = None,
               parallel: int | None = None) -> None:
        """Delete one file or many; missing files are fine, failures raise a BatchError."""
        if isinstance(paths, str):
            self._store.call(self._store.storage.delete, paths)
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
        failures = inventory.delete_many(self._store, list(paths), progress=False)
        return [{"path": key, "error": error} for key, error in failures]

    def touch(self, paths: Any, progress: bool | None = None) -> None:
        """Create empty files where files are missing."""
        paths = [paths] if isinstance(paths, str) else list(paths)
        missing = [p for p, found in self.exists(paths, progress=progress).items() if not found]
        self.puts(((p, b"") for p in missing), total=len(missing), progress=progress)

    def list(self, prefix: str = "", flat: bool = False) -> Iterator[str]:
        """Keys under this path that start with prefix, lazily; flat: one level only."""
        return inventory.list_keys(self._store, prefix, flat)

    def isdir(self, prefix: str = "") -> bool:
        """Whether any file lives below prefix taken as a directory."""
        return inventory.is_directory(self._store, prefix)

    # -- transfer --------------------------------------------------------------------------------
    def transfer_to(self, cf_dest: CloudFiles | str, paths: Any = None, block_size: int = 64,
                    reencode: Any = None, progress: bool | None = None,
                    total: int | None = None) -> int:
        """Copy files (all of them by default) from here to cf_dest; returns how many.

        Runs in `parallel` processes (this CloudFiles' setting) when both ends allow it.
        """
        dest = cf_dest if isinstance(cf_dest, CloudFiles) else CloudFiles(cf_dest)
        if paths is None:
            paths = self.list()
        elif isinstance(paths, (str, dict)):
            paths = [paths]
        parallel = self._parallel(None) if dest._store.storage.process_safe else 1
        if parallel > 1:
            results = self._fan_out("_transfer_results", paths, parallel, total, progress,
                                    dest=dest, block_size=block_size, reencode=reencode)
        else:
            results = transfer(self._store, dest._store, paths, block_size,
                               KEEP if reencode is None else reencode, total, progress)
        return _raise_failures("transfer", results)

    def _transfer_results(self, paths: Iterable[Any], dest: CloudFiles, block_size: int,
                          reencode: Any) -> list[dict]:
        return list(transfer(self._store, dest._store, paths, block_size,
                             KEEP if reencode is None else reencode, progress=False))

    def transfer_from(self, cf_src: CloudFiles | str, paths: Any = None, block_size: int = 64,
                      reencode: Any = None, progress: bool | None = None,
                      total: int | None = None) -> int:
        """Copy files (all of them by default) from cf_src to here; returns how many."""
        source = cf_src if isinstance(cf_src, CloudFiles) else CloudFiles(cf_src)
        return source.transfer_to(self, paths, block_size, reencode, progress, total)

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


def _child_batch(state: dict, method: str, kwargs: dict, chunk: list) -> list[dict]:
    """Runs one chunk of a batch in a child process with its own CloudFiles."""
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
