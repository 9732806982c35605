"""The two transport engines side by side on the same loopback server, in one process.

    python benchmarks/curl_engine_bench.py [--files 2000] [--size 4096] [--repeats 5]
                                           [--large 0] [--server nginx|python]

(a) `CurlTransport`: one batch of concurrency 20, driven from this thread;
(b) `PooledTransport` (requests/urllib3): 20 threads each calling `send`.
Prints files/s per round (rows interleaved, order alternating), the medians and the ratio
curl / requests. With --large N it also times N GETs of 8 MiB (MB/s). The server is nginx
(benchmarks/servers.py; `benchmarks/run` installs it) or, when nginx cannot start or with
--server python, a ThreadingHTTPServer in this process, which is far slower and shares the
GIL with the clients: its numbers measure the server, and are labelled so.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import servers

from cloudfiles.adapters.transport.curl_engine import CurlTransport, curl_available
from cloudfiles.adapters.transport.requests_engine import PooledTransport
from cloudfiles.domain.ports import HttpRequest

CONCURRENCY = 20
LARGE_SIZE = 8 << 20


def _write_files(root: str, count: int, size: int, large: int) -> dict[str, bytes]:
    """count small files under root/small/ and `large` big ones under root/large/."""
    expected = {}
    for folder, number, length in (("small", count, size), ("large", large, LARGE_SIZE)):
        os.makedirs(os.path.join(root, folder), exist_ok=True)
        for index in range(number):
            path = f"/{folder}/f{index:05d}"
            data = os.urandom(length)
            with open(root + path, "wb") as out:
                out.write(data)
            expected[path] = data
    return expected


class _Quiet(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass


class _PythonServer:
    """A ThreadingHTTPServer serving root (the fallback when nginx cannot start)."""

    label = "python ThreadingHTTPServer (in-process: slow, shares the GIL)"

    def __init__(self, root: str):
        handler = partial(_Quiet, directory=root)
        self.server = ThreadingHTTPServer((servers.HOST, 0), handler)
        self.server.daemon_threads = True
        self.url = f"http://{servers.HOST}:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> _PythonServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _start_server(root: str, choice: str):
    if choice == "nginx":
        try:
            server = servers.Nginx(root).start()
            server.label = "nginx"
            return server
        except (OSError, RuntimeError) as error:
            print(f"nginx did not start ({error}); falling back to Python's server")
    return _PythonServer(root).start()


def _curl_batch(transport: CurlTransport, urls: list[str]) -> dict[str, bytes]:
    batch = transport.batch(CONCURRENCY)
    for url in urls:
        batch.submit(url, HttpRequest("GET", url))
    bodies = {}
    while batch.in_flight:
        for url, response in batch.collect():
            if isinstance(response, Exception):
                raise response
            bodies[url] = response.content
    return bodies


def _threaded_sends(transport: PooledTransport, pool: ThreadPoolExecutor,
                    urls: list[str]) -> dict[str, bytes]:
    responses = pool.map(lambda url: transport.send(HttpRequest("GET", url)), urls)
    return {url: response.content for url, response in zip(urls, responses, strict=True)}


def _measure(rows: dict[str, Callable[[], dict]], urls: list[str], expected: dict[str, bytes],
             base: str, repeats: int, unit: Callable[[float], float]) -> dict[str, list[float]]:
    """Run every row `repeats` times, interleaved; check every body; rates per row."""
    rates: dict[str, list[float]] = {name: [] for name in rows}
    order = list(rows)
    for round_ in range(repeats):
        for name in order if round_ % 2 == 0 else order[::-1]:
            start = time.perf_counter()
            bodies = rows[name]()
            seconds = time.perf_counter() - start
            wrong = [url for url in urls if bodies.get(url) != expected[url[len(base):]]]
            if wrong:
                raise SystemExit(f"{name}: {len(wrong)} wrong bodies, e.g. {wrong[0]}: "
                                 f"{bodies.get(wrong[0], b'(none)')[:80]!r}")
            rates[name].append(unit(seconds))
    return rates


def _report(title: str, rates: dict[str, list[float]], unit: str) -> None:
    print(f"\n{title}")
    medians = {}
    for name, samples in rates.items():
        medians[name] = statistics.median(samples)
        shown = " ".join(f"{rate:,.0f}" for rate in samples)
        print(f"  {name:36s} median {medians[name]:>9,.0f} {unit}   (rounds: {shown})")
    curl, pooled = medians["curl batch"], medians["requests, 20 threads"]
    print(f"  ratio curl / requests: {curl / pooled:.2f}x")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=2000, help="small files (default 2000)")
    parser.add_argument("--size", type=int, default=4096, help="small file size (4 KiB)")
    parser.add_argument("--repeats", type=int, default=5, help="timed rounds per row")
    parser.add_argument("--large", type=int, default=0, help="also GET this many 8 MiB files")
    parser.add_argument("--server", choices=("nginx", "python"), default="nginx")
    args = parser.parse_args(argv)
    if not curl_available():
        raise SystemExit("pycurl (libcurl >= 7.68) is not installed: pip install pycurl")

    root = tempfile.mkdtemp(prefix="cf-curl-bench-", dir="/dev/shm" if os.path.isdir(
        "/dev/shm") else None)
    os.chmod(root, 0o755)  # nginx's workers may run as another user
    expected = _write_files(root, args.files, args.size, args.large)
    server = _start_server(root, args.server)
    curl = CurlTransport(CONCURRENCY, connect_timeout=10.0, read_timeout=60.0)
    pooled = PooledTransport(CONCURRENCY, connect_timeout=10.0, read_timeout=60.0)
    try:
        print(f"server: {server.label} at {server.url}; {os.cpu_count()} cores; "
              f"concurrency {CONCURRENCY}")
        with ThreadPoolExecutor(CONCURRENCY) as pool:
            for size, count, folder, unit, per in (
                    (args.size, args.files, "small", "files/s", lambda s, n: n / s),
                    (LARGE_SIZE, args.large, "large", "MB/s",
                     lambda s, n: n * LARGE_SIZE / s / 1e6)):
                if not count:
                    continue
                urls = [f"{server.url}/{folder}/f{index:05d}" for index in range(count)]
                rows = {"curl batch": partial(_curl_batch, curl, urls),
                        "requests, 20 threads": partial(_threaded_sends, pooled, pool, urls)}
                for row in rows.values():  # warm: connections open, caches hot
                    row()
                rates = _measure(rows, urls, expected, server.url, args.repeats,
                                 partial(lambda seconds, n, f: f(seconds, n), n=count, f=per))
                _report(f"GET {count:,} x {size:,} bytes ({server.label})", rates, unit)
    finally:
        curl.close()
        pooled.close()
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
