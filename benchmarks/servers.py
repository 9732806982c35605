"""Server lifecycles for the benchmarks: nginx and moto's S3 server, on free 127.0.0.1 ports.

Both are started as child processes and stopped by their PID (never by name).
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Mapping

HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _wait_http(url: str, process: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode} at start")
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except urllib.error.HTTPError:
            return  # it answers; a 4xx is still an answer
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def _stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


NGINX_CONF = """\
daemon off;
master_process on;
worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {workdir}/body;
    proxy_temp_path {workdir}/proxy;
    fastcgi_temp_path {workdir}/fastcgi;
    uwsgi_temp_path {workdir}/uwsgi;
    scgi_temp_path {workdir}/scgi;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_requests 1000000;
    keepalive_timeout 300s;
    default_type application/octet-stream;
    types {{ }}
    etag off;
    map_hash_max_size 65536;
    map_hash_bucket_size 128;
    map $uri $s3_etag {{
        default "";
        include {workdir}/etags.map;
    }}
    server {{
        listen {host}:{port} reuseport backlog=1024;
        root {root};
        location /gz/ {{
            add_header Content-Encoding gzip;
        }}
        location / {{
            add_header ETag $s3_etag;
        }}
    }}
}}
"""


class Nginx:
    """nginx serving `root` as static files on a free port, with `daemon off`.

    `etags` maps URI paths to S3-style ETags (quoted md5 hex), sent as the ETag header so that
    S3 clients can verify what they read; nginx's own ETags (mtime-size, not md5) are off.
    Everything under /gz/ is served with `Content-Encoding: gzip`.
    """

    def __init__(self, root: str, etags: Mapping[str, str] | None = None):
        self.root = root
        self.etags = dict(etags or {})
        self.port = 0
        self.workdir = ""
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> Nginx:
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        self.workdir = tempfile.mkdtemp(prefix="cf-bench-nginx-")
        with open(os.path.join(self.workdir, "etags.map"), "w") as out:
            out.writelines(f"{uri} '\"{etag}\"';\n" for uri, etag in self.etags.items())
        self.port = free_port()
        conf = os.path.join(self.workdir, "nginx.conf")
        with open(conf, "w") as out:
            out.write(NGINX_CONF.format(workdir=self.workdir, host=HOST, port=self.port,
                                        root=self.root))
        self.process = subprocess.Popen(
            [binary, "-e", os.path.join(self.workdir, "error.log"), "-p", self.workdir,
             "-c", conf],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        _wait_http(self.url + "/", self.process)
        return self

    def stop(self) -> None:
        _stop(self.process)
        if self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)


class Moto:
    """moto's S3 server on a free port (moto_main.py), seeded with `seed` in-process:
    "bucket:prefix:count:size"."""

    def __init__(self, seed: str = "") -> None:
        self.seed = seed
        self.port = 0
        self.process: subprocess.Popen | None = None
        self.log = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> Moto:
        self.port = free_port()
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as moto
        env = {**os.environ, "MOTO_ALLOW_NONEXISTENT_REGION": "1",
               "CF_BENCH_MOTO_SEED": self.seed}
        main = os.path.join(os.path.dirname(os.path.abspath(__file__)), "moto_main.py")
        self.process = subprocess.Popen(
            [sys.executable, main, "-H", HOST, "-p", str(self.port)],
            stdout=self.log, stderr=subprocess.STDOUT, env=env,
        )
        _wait_http(self.url + "/moto-api/", self.process, timeout=120)
        return self

    def stop(self) -> None:
        _stop(self.process)
        if self.log is not None:
            self.log.close()
