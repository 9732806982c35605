"""CLI progress bars with their totals; --retries and timeouts reach every CloudFiles; -q."""
from __future__ import annotations

import logging
import re

import pytest

from cloudfiles import CloudFiles
from cloudfiles.adapters.local.mem import MemStorage
from cloudfiles.domain.errors import TransientStorageError
from cloudfiles.entrypoints import cli_common
from tests.unit.test_progress import _final_count as final_count

pytest_plugins = ["tests.unit.cli_fixtures"]


@pytest.fixture
def tree(mem):
    """A mem:// directory of 12 files, 5 of them in sub/."""
    CloudFiles(f"{mem}/src").puts(
        [(f"f{i}", b"x" * i) for i in range(7)] + [(f"sub/g{i}", b"y") for i in range(5)])
    return f"{mem}/src"


def test_cp_of_listed_files_shows_their_total(run, tree, mem):
    files = [f"{tree}/f{i}" for i in range(7)]
    result = run("cp", "--progress", *files, f"{mem}/out/")
    assert final_count(result.stderr, "Transferring") == "7/7"
    assert sorted(CloudFiles(f"{mem}/out").list()) == [f"f{i}" for i in range(7)]


def test_cp_r_counts_a_lazy_listing(run, tree, mem):
    result = run("cp", "-r", "--progress", tree, f"{mem}/copy")
    assert re.search(r"Transferring: 12file", result.stderr), result.stderr


def test_mv_shows_totals_for_the_copy_and_the_delete(run, tree, mem):
    result = run("mv", "--progress", tree, f"{mem}/moved")
    assert final_count(result.stderr, "Transferring") == "12/12"
    assert final_count(result.stderr, "Deleting") == "12/12"
    assert list(CloudFiles(tree).list()) == []


def test_du_progress_counts_the_files_sized(run, tree):
    result = run("du", "-s", "--progress", tree, f"{tree}/sub/")
    assert re.findall(r"size:[^\r\n]*?(\d+/\d+)", result.stderr)[-1] == "5/5"
    assert "12/12" in result.stderr
    assert result.stdout == f"26\t{tree}\n5\t{tree}/sub/\n"
    assert run("du", "-s", tree).stderr == ""  # no bar unless asked


def test_rm_r_progress_shows_its_total(run, tree):
    result = run("rm", "-r", "--progress", tree)
    assert final_count(result.stderr, "Deleting") == "13/13"  # and the key 'src' itself
    assert list(CloudFiles(tree).list()) == []


@pytest.fixture
def opened(monkeypatch):
    """The keyword arguments of every CloudFiles the commands open."""
    calls = []

    class Recording(CloudFiles):
        def __init__(self, cloudpath, **kwargs):
            calls.append(kwargs)
            super().__init__(cloudpath, **kwargs)
    monkeypatch.setattr(cli_common, "CloudFiles", Recording)
    return calls


@pytest.mark.parametrize("command", [["cp"], ["mv"], ["cp", "-r"], ["du"], ["ls"], ["cat"],
                                     ["rm", "-r"], ["head"], ["touch"]])
def test_retries_reach_every_cloudfiles_a_command_opens(run, tree, mem, opened, command):
    dest = [f"{mem}/dest/"] if command[0] in ("cp", "mv") else []
    run("--retries", "3", *command, f"{tree}/f1", *dest)
    assert opened and all(kwargs.get("retries") == 3 for kwargs in opened)


def test_without_retries_cloudfiles_picks_its_default(run, tree, opened):
    run("cp", f"{tree}/f1", f"{tree}/f1-copy")
    assert opened and all("retries" not in kwargs for kwargs in opened)


def test_timeouts_reach_every_cloudfiles_and_its_storage(run, tree, mem, opened):
    run("--connect-timeout", "0.5", "--read-timeout", "7", "cp", "-r", tree, f"{mem}/copy")
    assert opened and all(kwargs.get("connect_timeout") == 0.5 and
                          kwargs.get("read_timeout") == 7 for kwargs in opened)
    assert "x>=0" in run("--read-timeout", "-1", "ls", tree, code=2).stderr


def test_bad_retries_are_a_usage_error(run):
    result = run("--retries", "-1", "ls", "mem://b/", code=2)
    assert "--retries" in result.stderr


@pytest.fixture
def failing_reads(monkeypatch):
    """mem:// reads that always fail as a dropped connection would."""
    def refuse(self, key, byte_range=None):
        raise TransientStorageError(f"GET mem://{key}: connection refused\n(second line)")
    monkeypatch.setattr(MemStorage, "get", refuse)


def test_each_retry_is_one_warning_line_and_q_hides_them(run, tree, failing_reads):
    result = run("--retries", "2", "cat", f"{tree}/f1", code=1)
    lines = result.stderr.splitlines()
    assert [line.split(" in ")[0] for line in lines[:2]] == [
        "cloudfiles: warning: retry 1 of 2", "cloudfiles: warning: retry 2 of 2"]
    assert all(line.endswith("connection refused (second line)") for line in lines[:2])
    assert lines[2:] == ["cloudfiles: cat: GET mem://f1: connection refused"]
    quiet = run("-q", "--retries", "2", "cat", f"{tree}/f1", code=1)
    assert quiet.stderr == "cloudfiles: cat: GET mem://f1: connection refused\n"
    assert run("--retries", "0", "cat", f"{tree}/f1", code=1).stderr == quiet.stderr


def test_the_cli_leaves_logging_as_it_found_it(run, tree):
    logger = logging.getLogger("cloudfiles")
    handlers, level = list(logger.handlers), logger.level
    run("-q", "ls", tree)
    run("ls", tree)
    assert logger.handlers == handlers and logger.level == level
