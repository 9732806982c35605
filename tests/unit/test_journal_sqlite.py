"""The sqlite journal of resumable transfers: leasing, marking done, status, and refusing
files that are not (or no longer) a usable journal."""
from __future__ import annotations

import sqlite3

import pytest

from cloudfiles.adapters.journal.sqlite_journal import SqliteJournal
from cloudfiles.domain.journal import JobSpec, JournalError, Tally

SPEC = JobSpec.of("file:///src", "file:///dest")


def new_journal(path, entries, spec: JobSpec = SPEC) -> SqliteJournal:
    journal = SqliteJournal(str(path), create=True)
    journal.create(spec)
    journal.add(entries)
    journal.seal()
    return journal


@pytest.fixture
def db(tmp_path):
    return tmp_path / "job.db"


def test_status_counts_files_and_bytes_as_keys_get_leased_and_done(db):
    journal = new_journal(db, [(f"k{i}", 10) for i in range(5)] + [("nosize", None)])
    first = journal.lease(2, 1000, now_ms=100)
    status = journal.status(now_ms=100)
    assert status.spec == SPEC
    assert (status.done, status.leased, status.pending) == (Tally(0, 0), Tally(2, 20),
                                                            Tally(4, 30))
    assert status.unknown_sizes == 1 and status.total == Tally(6, 50)
    assert journal.mark_done([e.id for e in first]) == Tally(2, 20)
    status = journal.status(now_ms=100)
    assert (status.done, status.leased, status.pending) == (Tally(2, 20), Tally(0, 0),
                                                            Tally(4, 30))
    rest = journal.lease(10, 1000, now_ms=100)
    assert sorted(e.key for e in rest) == ["k2", "k3", "k4", "nosize"]
    journal.mark_done([e.id for e in rest])
    assert journal.status(now_ms=100).finished


def test_a_lease_hides_keys_from_other_executors_until_it_expires(db):
    mine = new_journal(db, [(f"k{i}", 1) for i in range(4)])
    other = SqliteJournal(str(db))
    leased = mine.lease(3, lease_msec=500, now_ms=1000)
    assert len(leased) == 3
    assert [e.key for e in other.lease(10, 500, now_ms=1200)] == ["k3"]
    assert other.lease(10, 500, now_ms=1499) == []
    expired = other.lease(10, 500, now_ms=1500)  # mine's lease ended: back in the pool
    assert sorted(e.id for e in expired) == sorted(e.id for e in leased)
    assert other.status(now_ms=1600).leased.files == 4  # k3 until 1700, the rest 2000


def test_a_handle_never_leases_a_key_twice_in_a_run_but_releasing_lets_others_take_it(db):
    mine = new_journal(db, [("a", 1), ("b", 1)])
    taken = mine.lease(10, 100, now_ms=0)
    mine.release([e.id for e in taken])  # both failed: pending again
    assert mine.lease(10, 100, now_ms=10_000) == []  # not retried within this run
    other = SqliteJournal(str(db))
    assert sorted(e.key for e in other.lease(10, 100, now_ms=1)) == ["a", "b"]
    other.release([1, 2])
    mine.start_run()  # the next run tries them again
    assert sorted(e.key for e in mine.lease(10, 100, now_ms=2)) == ["a", "b"]


def test_without_a_lease_one_executor_walks_every_pending_key_once(db):
    journal = new_journal(db, [(f"k{i}", 1) for i in range(10)])
    seen = []
    while block := journal.lease(3, 0, now_ms=5):
        seen += [e.key for e in block]
        journal.mark_done([e.id for e in block[:1]])  # the rest "failed"
    assert sorted(seen) == sorted(f"k{i}" for i in range(10))
    assert journal.status(now_ms=5).leased.files == 0  # lease 0 writes no lease
    assert journal.status(now_ms=5).done.files == 4


def test_marking_a_key_done_twice_counts_it_once(db):
    mine = new_journal(db, [("a", 7), ("b", 3)])
    other = SqliteJournal(str(db))
    ids = [e.id for e in mine.lease(10, 0, now_ms=0)]
    assert mine.mark_done(ids) == Tally(2, 10)
    assert other.mark_done(ids) == Tally(0, 0)
    assert other.status(now_ms=0).done == Tally(2, 10)


def test_a_job_is_refused_in_a_journal_that_holds_one(db):
    new_journal(db, [("a", 1)]).close()
    journal = SqliteJournal(str(db), create=True)
    with pytest.raises(JournalError, match="already holds this job"):
        journal.create(SPEC)
    with pytest.raises(JournalError, match="holds another job .*file:///src -> file:///dest.*"
                                           "not file:///src -> file:///other"):
        journal.create(JobSpec.of("file:///src", "file:///other"))
    assert journal.status(0).total.files == 1  # untouched


def test_an_interrupted_listing_is_no_job_and_can_be_listed_again(db):
    journal = SqliteJournal(str(db), create=True)
    journal.create(SPEC)
    journal.add([("a", 1)])  # no seal: init died while listing
    journal.close()
    reopened = SqliteJournal(str(db))
    with pytest.raises(JournalError, match="unfinished listing .*init was interrupted"):
        reopened.spec()
    with pytest.raises(JournalError, match="unfinished listing"):
        reopened.status(0)
    reopened.create(SPEC)
    reopened.add([("b", 2)])
    reopened.seal()
    assert [e.key for e in reopened.lease(10, 0, 0)] == ["b"]


def test_a_missing_journal_or_a_directory_is_refused(tmp_path):
    with pytest.raises(JournalError, match="No journal at .*none.db"):
        SqliteJournal(str(tmp_path / "none.db"))
    assert not (tmp_path / "none.db").exists()
    with pytest.raises(JournalError, match="is a directory"):
        SqliteJournal(str(tmp_path), create=True)


def _refused(path, match: str) -> None:
    before = path.read_bytes()
    for create in (False, True):
        with pytest.raises(JournalError, match=match):
            SqliteJournal(str(path), create=create)
    assert path.read_bytes() == before  # left as it is, never restarted


def test_a_file_that_is_not_sqlite_is_refused_untouched(db):
    db.write_bytes(b"this is a text file, not a journal\n" * 200)
    _refused(db, "corrupt or not an sqlite file")


def test_a_foreign_sqlite_database_is_refused_untouched(db):
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE people (name TEXT)")
    _refused(db, "another program, not a cloudfiles transfer journal")


def test_a_cloud_files_journal_is_named_as_such(db):
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE xfermeta (id INTEGER, source TEXT)")
        conn.execute("CREATE TABLE filelist (id INTEGER, filename TEXT)")
    _refused(db, "journal of the cloud-files `xfer` command")


def test_a_journal_of_another_schema_version_is_refused(db):
    new_journal(db, [("a", 1)]).close()
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 99")
    _refused(db, "schema version 99; this cloudfiles reads version 1")


def test_a_journal_with_damaged_pages_is_refused_not_restarted(db):
    new_journal(db, [(f"some/long/key/number/{i:06d}", i) for i in range(20_000)]).close()
    data = bytearray(db.read_bytes())
    page = 4096
    for start in range(2 * page, len(data) - page, 3 * page):  # trash many table pages
        data[start:start + page] = b"\xff" * page
    db.write_bytes(bytes(data))
    with pytest.raises(JournalError, match="corrupt"):
        journal = SqliteJournal(str(db))
        while journal.lease(5000, 0, 0):
            pass
