"""Transfers on a Dask cluster: a LocalCluster of two worker processes, driven through
`client.get_executor()` by CloudFiles.transfer_to and by `cloudfiles cp --dask ADDRESS`."""
from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator

import pytest

from cloudfiles import CloudFiles
from cloudfiles.app.transfer import MissingSourceError
from cloudfiles.exceptions import BatchError
from tests.integration.s3_fixtures import free_port

distributed = pytest.importorskip("distributed")

pytest_plugins = ["tests.unit.cli_fixtures"]

MOTO_KEYS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


@pytest.fixture(scope="module")
def client() -> Iterator[distributed.Client]:
    """A client of a two-worker LocalCluster (one process, one thread each), for this module."""
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster, set_as_default=False) as dask_client:
        yield dask_client


def _workers_that_ran(task_stream) -> set[str]:
    return {record["worker"] for record in task_stream.data}


def _local_tree(root, count: int) -> tuple[CloudFiles, dict[str, bytes]]:
    """`count` local files of 0 to 4 KiB, and one gzipped; count > 250 makes several
    blocks of keys (tasks)."""
    source = CloudFiles(f"file://{root}/src")
    files = {f"d{i % 7}/f{i}": os.urandom(i * 37 % 4096) for i in range(count)}
    source.puts(files.items())
    source.puts([("z/packed", b"z" * 9000)], compress="gzip")
    files["z/packed"] = b"z" * 9000
    return source, files


@pytest.fixture
def tree(tmp_path) -> tuple[CloudFiles, dict[str, bytes]]:
    """600 local files (three blocks of keys)."""
    return _local_tree(tmp_path, 600)


def test_file_to_file_on_two_workers_arrives_byte_exact(client, tree, tmp_path):
    source, files = tree
    dest = CloudFiles(f"file://{tmp_path}/dest")
    with distributed.get_task_stream(client) as stream:
        assert source.transfer_to(dest, executor=client.get_executor()) == len(files)
    assert dest.get(list(files), return_dict=True) == files
    assert dest.head("z/packed")["Content-Encoding"] == "gzip"
    assert len(_workers_that_ran(stream)) == 2


def test_per_file_errors_come_back_from_the_workers(client, tree, tmp_path):
    source, files = tree
    dest = CloudFiles(f"file://{tmp_path}/dest")
    paths = [*files, "missing/1", "missing/2"]
    with pytest.raises(BatchError) as caught:
        dest.transfer_from(source, paths, executor=client.get_executor())
    assert sorted(caught.value.errors) == ["missing/1", "missing/2"]
    assert all(isinstance(e, MissingSourceError) for e in caught.value.errors.values())
    assert dest.get(list(files), return_dict=True) == files

    results = list(source.transfer_results(dest, ["d0/f0", "missing/1"],
                                           executor=client.get_executor()))
    by_path = {r["path"]: r for r in results}
    assert by_path["d0/f0"]["error"] is None and by_path["d0/f0"]["bytes"] == len(files["d0/f0"])
    assert isinstance(by_path["missing/1"]["error"], MissingSourceError)


def test_file_to_moto_s3_on_two_workers_arrives_byte_exact(client, tmp_path, moto_s3):
    source, files = _local_tree(tmp_path, 300)  # two blocks: moto answers slowly
    dest = CloudFiles(moto_s3.path(), secrets=MOTO_KEYS)  # the workers open it from this
    with distributed.get_task_stream(client) as stream:
        assert source.transfer_to(dest, executor=client.get_executor()) == len(files)
    assert len(_workers_that_ran(stream)) == 2
    bucket, root = moto_s3.location(dest.cloudpath)
    s3 = moto_s3.boto()
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=root)
    etags = {o["Key"][len(root):]: o["ETag"].strip('"') for p in pages for o in p["Contents"]}
    stored = dict(files, **{"z/packed": CloudFiles(source.cloudpath).get("z/packed", raw=True)})
    assert etags == {key: hashlib.md5(content).hexdigest() for key, content in stored.items()}
    assert dest.get("z/packed") == files["z/packed"]


def test_cli_cp_dask_copies_a_tree_on_the_cluster(run, client, tree, tmp_path):
    _, files = tree
    address = client.scheduler.address
    result = run("cp", "-r", "--summary", "--dask", address, f"{tmp_path}/src",
                 f"{tmp_path}/out")
    assert CloudFiles(f"file://{tmp_path}/out").get(list(files), return_dict=True) == files
    assert result.stdout == ""
    assert result.stderr.startswith(f"cloudfiles: cp: {len(files)} files, ")
    assert result.stderr.endswith(" 0 errors\n")


def test_cli_cp_dask_says_when_the_scheduler_cannot_be_reached(run, tree, tmp_path):
    import dask

    address = f"tcp://127.0.0.1:{free_port()}"
    with dask.config.set({"distributed.comm.timeouts.connect": "0.5s"}):
        result = run("cp", "-r", "--dask", address, f"{tmp_path}/src", f"{tmp_path}/out",
                     code=1)
    assert result.stderr.startswith(f"cloudfiles: cp: cannot reach the Dask scheduler at "
                                    f"'{address}': ")
    assert result.stderr.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_cli_cp_dask_refuses_a_malformed_address(run, tree, tmp_path):
    result = run("cp", "-r", "--dask", "localhost", f"{tmp_path}/src", f"{tmp_path}/out",
                 code=1)
    assert result.stderr == "cloudfiles: cp: cannot reach the Dask scheduler at 'localhost': " \
        "missing port number in address 'localhost'\n"


def test_cli_xfer_execute_dask_runs_the_job_on_both_workers(run, client, tree, tmp_path):
    _, files = tree
    db = str(tmp_path / "job.db")
    run("xfer", "init", f"{tmp_path}/src", f"{tmp_path}/job-out", "--db", db)
    with distributed.get_task_stream(client) as stream:
        result = run("xfer", "execute", db, "-b", "5", "--summary", "--dask",
                     client.scheduler.address)
    assert len(_workers_that_ran(stream)) == 2
    assert CloudFiles(f"file://{tmp_path}/job-out").get(list(files), return_dict=True) == files
    assert result.stderr.startswith(f"cloudfiles: xfer execute: {len(files)} files, ")
    assert "done " in run("xfer", "status", db).stdout
