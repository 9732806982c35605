"""transfer() on network storages streams through engine batches: server-side copies share one
batch, other files are fetched in one batch and each joins the destination's put batch as it
arrives, with at most block_size files held at once. All off the network: s3:// and gs:// run
on in-memory fakes handed over by the composition root."""
from __future__ import annotations

import itertools
import os
import uuid

import pytest
from attrs import define, field

from cloudfiles import CloudFiles
from cloudfiles.adapters.s3.storage import S3Storage
from cloudfiles.adapters.transport.mock import MockTransport
from cloudfiles.app.scheduler import Schedule
from cloudfiles.app.store import Store
from cloudfiles.app.transfer import MissingSourceError, TransferOptions, transfer
from cloudfiles.domain.objects import PutOptions, StorageConfig
from cloudfiles.domain.paths import extract
from cloudfiles.domain.ports import HttpRequest, HttpResponse, SerialBatch
from cloudfiles.entrypoints import wiring
from cloudfiles.exceptions import BatchError
from tests.engine_injection import open_with_engine, serve_every_cloudfiles_with
from tests.unit.fake_gcs import FakeGcs
from tests.unit.fake_s3 import ENDPOINT, KEYS, FakeS3
from tests.unit.gcs_helpers import isolate_google_env, refuse_network, reset_google_state

OTHER_KEYS = {"AWS_ACCESS_KEY_ID": "AKIDOTHER", "AWS_SECRET_ACCESS_KEY": "other-secret"}


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    """No ambient credentials, and any attempt to open a connection fails the test."""
    isolate_google_env(monkeypatch, tmp_path)
    refuse_network(monkeypatch)
    yield
    reset_google_state()


def mem_path() -> str:
    return f"mem://transfer-engine/{uuid.uuid4().hex}"


def payloads(count: int, size: int = 300) -> dict[str, bytes]:
    """count distinct files, compressible enough for encodings to show."""
    return {f"d{i % 3}/f{i}": os.urandom(size // 3) + b"z" * size for i in range(count)}


def other_account() -> FakeS3:
    """A fake S3 serving the other keys: no server-side copy from a KEYS store to it."""
    return FakeS3(secrets={OTHER_KEYS["AWS_ACCESS_KEY_ID"]: OTHER_KEYS["AWS_SECRET_ACCESS_KEY"]})


def s3_store(server: FakeS3, path: str, keys: dict = KEYS) -> Store:
    """A Store on an s3:// path of the fake server."""
    return Store(S3Storage(extract(path), StorageConfig(secrets=keys), server), wiring.codecs())


def mem_store(path: str) -> Store:
    """A Store on a mem:// path, as the composition root builds it."""
    return wiring.open_store(wiring.parse_path(path), StorageConfig(), Schedule())


def by_path(results) -> dict:
    return {result["path"]: result for result in results}


class RecordingBatch(SerialBatch):
    """A serial batch that records what is submitted to it."""

    def __init__(self, transport, log: list[list[HttpRequest]]):
        super().__init__(transport)
        self.sent: list[HttpRequest] = []
        log.append(self.sent)

    def submit(self, tag, request: HttpRequest) -> None:
        self.sent.append(request)
        super().submit(tag, request)


@define
class SpiedS3(FakeS3):
    """The fake S3, with the requests of each engine batch recorded apart."""

    batches: list[list[HttpRequest]] = field(factory=list)

    def batch(self, concurrency: int) -> RecordingBatch:
        return RecordingBatch(self, self.batches)

    def batches_used(self) -> list[list[HttpRequest]]:
        return [sent for sent in self.batches if sent]


# -- server-side copies ------------------------------------------------------------------------


def test_s3_to_s3_copies_are_server_side_and_share_one_batch(monkeypatch):
    server = SpiedS3()
    serve_every_cloudfiles_with(monkeypatch, server)
    source = CloudFiles(f"s3://{ENDPOINT}/bkt/src", secrets=KEYS)
    files = payloads(30)
    source.puts(files.items(), compress="gzip", content_type="text/plain")
    server.batches.clear()

    dest = CloudFiles(f"s3://{ENDPOINT}/bkt/dst", secrets=KEYS)
    assert source.transfer_to(dest, paths=list(files)) == 30

    used = server.batches_used()
    assert len(used) == 1 and len(used[0]) == 30  # every copy in one engine batch
    assert all(request.method == "PUT" and "x-amz-copy-source" in request.headers
               for request in used[0])
    assert dest.get(list(files), return_dict=True) == files
    assert all(info["Content-Encoding"] == "gzip" and info["Content-Type"] == "text/plain"
               for info in dest.head(list(files)).values())


def test_a_source_missing_for_a_server_side_copy_is_reported_or_made_an_empty_file():
    server = FakeS3()
    source = s3_store(server, f"s3://{ENDPOINT}/bkt/src")
    source.do("put", "here", b"data", PutOptions())
    dest = s3_store(server, f"s3://{ENDPOINT}/bkt/dst")

    results = by_path(transfer(source, dest, ["here", "gone"]))
    assert results["here"] == {"path": "here", "bytes": 0, "error": None}  # copied, not sent
    assert isinstance(results["gone"]["error"], MissingSourceError)
    assert "dst/gone" not in server.buckets["bkt"]

    results = by_path(transfer(source, dest, ["here", "gone"],
                               TransferOptions(allow_missing=True)))
    assert [results[key]["error"] for key in ("here", "gone")] == [None, None]
    assert server.buckets["bkt"]["dst/gone"].content == b""
    assert server.buckets["bkt"]["dst/here"].content == b"data"


# -- fetched and stored --------------------------------------------------------------------------


def gcs_and_s3(monkeypatch, gcs: FakeGcs, s3: FakeS3) -> tuple[CloudFiles, CloudFiles]:
    """CloudFiles on gs://bkt/src served by gcs, and on s3://.../bkt/dst served by s3."""
    source, _ = open_with_engine(monkeypatch, "gs://bkt/src", lambda engine: MockTransport(gcs))
    dest, _ = open_with_engine(monkeypatch, f"s3://{ENDPOINT}/bkt/dst", lambda engine: s3,
                               secrets=KEYS)
    return source, dest


def test_gs_to_mem_keeps_the_stored_bytes_or_recodes_them(monkeypatch):
    source, _ = gcs_and_s3(monkeypatch, FakeGcs(), FakeS3())
    files = payloads(25)
    source.puts(files.items(), compress="gzip")

    kept = CloudFiles(mem_path())
    assert source.transfer_to(kept, block_size=4) == 25
    assert kept.get(list(files), raw=True, return_dict=True) == \
        source.get(list(files), raw=True, return_dict=True)  # the stored bytes, untouched
    assert {info["Content-Encoding"] for info in kept.head(list(files)).values()} == {"gzip"}

    recoded = CloudFiles(mem_path())
    assert source.transfer_to(recoded, reencode="br", content_type="application/x-test") == 25
    assert recoded.get(list(files), return_dict=True) == files
    assert {info["Content-Encoding"] for info in recoded.head(list(files)).values()} == {"br"}


def test_gs_to_s3_keeps_or_overrides_the_content_type(monkeypatch):
    gcs, s3 = FakeGcs(), FakeS3()
    source, dest = gcs_and_s3(monkeypatch, gcs, s3)
    files = payloads(10)
    source.puts(files.items(), compress="gzip", content_type="text/plain")

    assert source.transfer_to(dest) == 10
    assert dest.get(list(files), return_dict=True) == files
    assert {(obj.headers["Content-Encoding"], obj.headers["Content-Type"])
            for obj in s3.buckets["bkt"].values()} == {("gzip", "text/plain")}
    assert all(s3.buckets["bkt"][f"dst/{key}"].content == gcs.buckets["bkt"][f"src/{key}"].data
               for key in files)  # raw bytes travelled as stored

    assert source.transfer_to(dest, content_type="application/x-test", reencode="none") == 10
    assert {(obj.headers.get("Content-Encoding"), obj.headers["Content-Type"])
            for obj in s3.buckets["bkt"].values()} == {(None, "application/x-test")}
    assert {key.removeprefix("dst/"): obj.content for key, obj in s3.buckets["bkt"].items()} \
        == files


def test_mem_to_s3_recodes_sets_the_content_type_and_reports_bytes():
    server = FakeS3()
    source, dest = mem_store(mem_path()), s3_store(server, f"s3://{ENDPOINT}/bkt/dst")
    files = payloads(20)
    for key, content in files.items():
        source.do("put", key, source.codecs.encode(content, "gzip", None),
                  PutOptions(encoding="gzip"))

    options = TransferOptions(reencode="zstd", content_type="application/x-test")
    results = by_path(transfer(source, dest, list(files), options))
    assert [r["error"] for r in results.values()] == [None] * 20
    stored = {key.removeprefix("dst/"): obj for key, obj in server.buckets["bkt"].items()}
    assert {key: r["bytes"] for key, r in results.items()} == \
        {key: len(obj.content) for key, obj in stored.items()}
    assert all(obj.headers["Content-Encoding"] == "zstd" and
               obj.headers["Content-Type"] == "application/x-test" for obj in stored.values())
    assert {key: dest.codecs.decode(obj.content, "zstd", key) for key, obj in stored.items()} \
        == files


def test_allow_missing_writes_an_empty_file_between_network_storages(monkeypatch):
    source_server, dest_server = FakeS3(), other_account()
    source, _ = open_with_engine(monkeypatch, f"s3://{ENDPOINT}/bkt/src",
                                 lambda engine: source_server, secrets=KEYS)
    dest, _ = open_with_engine(monkeypatch, f"s3://{ENDPOINT}/bkt/dst",
                               lambda engine: dest_server, secrets=OTHER_KEYS)
    source.put("a", b"alpha")
    with pytest.raises(BatchError) as caught:
        source.transfer_to(dest, ["a", "missing"])
    assert list(caught.value.errors) == ["missing"]
    assert isinstance(caught.value.errors["missing"], FileNotFoundError)

    assert source.transfer_to(dest, ["a", "missing"], allow_missing=True,
                              content_type="text/x-empty") == 2
    assert dest.get(["a", "missing"], return_dict=True) == {"a": b"alpha", "missing": b""}
    assert dest.head("missing")["Content-Type"] == "text/x-empty"
    assert not any("x-amz-copy-source" in request.headers
                   for request in dest_server.requests)  # other account: fetched and put


def test_a_failing_put_is_reported_for_its_file_while_the_others_land():
    def refuse_bad(request: HttpRequest) -> HttpResponse | None:
        if request.method == "PUT" and request.url.endswith("/dst/bad"):
            return HttpResponse(403, {}, b"<Error><Code>AccessDenied</Code>"
                                         b"<Message>no</Message></Error>")
        return None

    server = FakeS3(fault=refuse_bad)
    source, dest = mem_store(mem_path()), s3_store(server, f"s3://{ENDPOINT}/bkt/dst")
    files = {**payloads(12), "bad": b"refused"}
    for key, content in files.items():
        source.do("put", key, content, PutOptions())

    results = by_path(transfer(source, dest, [*files, 42]))
    assert {key for key, r in results.items() if r["error"] is not None} == {"bad", 42}
    assert "403" in str(results["bad"]["error"]) or "AccessDenied" in str(results["bad"]["error"])
    assert isinstance(results[42]["error"], TypeError)
    good = [key for key in files if key != "bad"]
    assert all(results[key]["bytes"] == len(files[key]) for key in good)
    assert {key: obj.content for key, obj in server.buckets["bkt"].items()} == \
        {f"dst/{key}": files[key] for key in good}


def test_progress_counts_files_with_the_total(monkeypatch, capsys):
    serve_every_cloudfiles_with(monkeypatch, FakeS3())
    source = CloudFiles(mem_path())
    source.puts(payloads(7).items())
    dest = CloudFiles(f"s3://{ENDPOINT}/bkt/dst", secrets=KEYS)
    assert source.transfer_to(dest, list(payloads(7)), progress=True) == 7
    shown = capsys.readouterr().err
    assert "Transferring" in shown and "7/7" in shown


# -- bounded memory, streamed results --------------------------------------------------------


@define
class Holding:
    """Files fetched (from the request for them) and not yet stored, now and at most."""

    now: int = 0
    most: int = 0

    def change(self, by: int) -> None:
        self.now += by
        self.most = max(self.most, self.now)


class HoldingBatch(SerialBatch):
    """Counts a file held from the moment its GET is submitted until its PUT is answered."""

    def __init__(self, transport, holding: Holding):
        super().__init__(transport)
        self.holding = holding
        self.puts: set = set()

    def submit(self, tag, request: HttpRequest) -> None:
        if request.method == "GET" and "list-type" not in request.url:
            self.holding.change(+1)
        if request.method == "PUT":
            self.puts.add(tag)
        super().submit(tag, request)

    def collect(self, timeout: float | None = None):
        done = super().collect(timeout)
        for tag, _ in done:
            if tag in self.puts:
                self.puts.discard(tag)
                self.holding.change(-1)
        return done


@define
class HoldingS3(FakeS3):
    """The fake S3, counting in `holding` the files a transfer holds."""

    holding: Holding = field(factory=Holding)

    def batch(self, concurrency: int) -> HoldingBatch:
        return HoldingBatch(self, self.holding)


@pytest.mark.parametrize("count", [40, 400])
@pytest.mark.parametrize("block_size", [1, 6])
def test_at_most_block_size_files_are_held_whatever_their_number(count, block_size):
    holding = Holding()
    source_server = HoldingS3(holding=holding)
    dest_server = HoldingS3(secrets=other_account().secrets, holding=holding)
    source = s3_store(source_server, f"s3://{ENDPOINT}/bkt/src")
    dest = s3_store(dest_server, f"s3://{ENDPOINT}/bkt/dst", OTHER_KEYS)
    files = {f"f{i}": b"%d" % i for i in range(count)}
    for key, content in files.items():
        source.do("put", key, content, PutOptions())

    results = list(transfer(source, dest, list(files), TransferOptions(block_size)))
    assert [r["error"] for r in results] == [None] * count
    assert {key: obj.content for key, obj in dest_server.buckets["bkt"].items()} == \
        {f"dst/{key}": content for key, content in files.items()}
    assert holding.now == 0
    assert holding.most <= block_size
    # and the budget is used (fetches overlap puts); on two threads one slot is kept for the
    # file passing from the fetch thread to the upload batch
    assert holding.most >= block_size - 1


def test_results_stream_from_an_endless_list_of_paths():
    server = FakeS3()
    source = s3_store(server, f"s3://{ENDPOINT}/bkt/src")
    source.do("put", "same", b"content", PutOptions())
    dest = mem_store(mem_path())
    endless = ({"path": "same", "dest_path": f"copy{i}"} for i in itertools.count())

    results = transfer(source, dest, endless, TransferOptions(block_size=8))
    first = list(itertools.islice(results, 50))
    results.close()
    assert [r["error"] for r in first] == [None] * 50
    assert sum(1 for request in server.requests if request.method == "GET") < 50 + 16
