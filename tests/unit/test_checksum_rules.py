"""Checksum rules of verify and sync: ETag kinds, multipart ETags, what decides a pair."""
from __future__ import annotations

import base64
import hashlib
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cloudfiles.domain.checksum_rules import (
    Checksums,
    Digester,
    DigestPlan,
    MiB,
    Verdict,
    Wanted,
    candidate_part_sizes,
    checksums_of,
    digest_plan,
    multipart_etag,
    parse_multipart_etag,
    stored_checksums,
    verdict,
)
from cloudfiles.domain.objects import ObjectInfo
from cloudfiles.domain.streams import Digests


def b64md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def s3_multipart_etag(data: bytes, part_size: int) -> str:
    """The ETag S3 gives an object uploaded in parts of part_size (written out plainly)."""
    parts = [data[i:i + part_size] for i in range(0, len(data), part_size)]
    joined = b"".join(hashlib.md5(part).digest() for part in parts)
    return f"{hashlib.md5(joined).hexdigest()}-{len(parts)}"


def test_a_multipart_etag_states_its_digest_and_number_of_parts():
    hexmd5 = hashlib.md5(b"hello").hexdigest()
    assert parse_multipart_etag(f'"{hexmd5.upper()}-12"') == (hexmd5, 12)
    for other in (None, "", hexmd5, "CJj0x7bN0/sCEAE=", "abc-1", f"{hexmd5}-0",
                  f"{hexmd5[:-1]}-2"):
        assert parse_multipart_etag(other) is None, other


def test_stored_checksums_read_what_each_protocol_states():
    hexmd5 = hashlib.md5(b"x").hexdigest()
    md5 = Digests(md5=b64md5(b"x"))
    # S3: the adapter states an md5 ETag as digests (not for encrypted objects, whose ETag
    # is no md5); a multipart ETag is read here
    assert stored_checksums("s3", ObjectInfo(size=1, etag=hexmd5, digests=md5)) == \
        Checksums(md5=b64md5(b"x"))
    assert stored_checksums("s3", ObjectInfo(size=1, etag=hexmd5)).empty
    assert stored_checksums("s3", ObjectInfo(size=1, etag=f'"{hexmd5}-2"')) == \
        Checksums(multiparts={f"{hexmd5}-2"})
    gcs = ObjectInfo(size=1, etag="CJj0x7bN0/sCEAE=",
                     digests=Digests(md5=b64md5(b"x"), crc32c="kPnUnw=="))
    assert stored_checksums("gs", gcs) == Checksums(md5=b64md5(b"x"), crc32c="kPnUnw==")
    # an ETag is no checksum elsewhere (http, GCS), even one that looks like a multipart one
    assert stored_checksums("https", ObjectInfo(size=1, etag=f"{hexmd5}-2")).empty
    assert stored_checksums("file", ObjectInfo(size=1)).empty
    assert stored_checksums("s3", None).empty


def test_multipart_etag_is_the_md5_of_the_part_md5s():
    data = os.urandom(3 * 1000 + 17)
    parts = [data[i:i + 1000] for i in range(0, len(data), 1000)]
    assert multipart_etag(hashlib.md5(p).digest() for p in parts) == \
        s3_multipart_etag(data, 1000)


@pytest.mark.parametrize(("size", "part_size"), [
    (20 * MiB + 1, 8 * MiB),       # aws cli / boto3 / ours
    (11 * MiB, 5 * MiB),           # S3's minimum
    (40 * MiB, 15 * MiB),          # s3cmd
    (23 * MiB + 512 * 1024, 6 * MiB),  # an odd size, found from size/parts rounded up to MiB
    (10_000 * 8 * MiB + 5, 8 * MiB + 1),  # grown to fit 10,000 parts
])
def test_candidate_part_sizes_find_the_uploaders_part_size(size, part_size):
    parts = -(-size // part_size)
    assert part_size in candidate_part_sizes(size, parts)


def test_candidate_part_sizes_cut_the_size_into_exactly_that_many_parts():
    size = 30 * MiB
    for parts in (2, 3, 4, 6):
        found = candidate_part_sizes(size, parts)
        assert found, parts
        assert all(-(-size // part) == parts for part in found)
    assert candidate_part_sizes(30 * MiB, 4, hints=(9 * MiB,))[0] == 9 * MiB
    assert candidate_part_sizes(5, 1) == (5,)  # one part: the object itself
    assert candidate_part_sizes(5, 0) == ()


def test_verdict_prefers_md5_then_crc32c_then_a_shared_multipart_etag():
    md5a, md5b = Checksums(md5="a"), Checksums(md5="b")
    assert verdict(md5a, Checksums(md5="a")) is Verdict.EQUAL
    assert verdict(md5a, md5b) is Verdict.DIFFERENT
    assert verdict(Checksums(crc32c="c"), Checksums(crc32c="c")) is Verdict.EQUAL
    assert verdict(Checksums(crc32c="c"), Checksums(crc32c="d")) is Verdict.DIFFERENT
    # md5s decide before crc32cs
    assert verdict(Checksums(md5="a", crc32c="c"), Checksums(md5="a", crc32c="d")) \
        is Verdict.EQUAL
    shared = Checksums(multiparts={"e-2"})
    assert verdict(shared, Checksums(multiparts={"e-2", "f-2"})) is Verdict.EQUAL
    # the same bytes may be cut into other parts: different ETags do not decide
    assert verdict(shared, Checksums(multiparts={"f-2"})) is Verdict.UNKNOWN
    assert verdict(md5a, Checksums(crc32c="c")) is Verdict.UNKNOWN
    assert verdict(Checksums(), md5a) is Verdict.UNKNOWN


def test_digest_plan_reads_one_side_where_the_other_states_a_checksum():
    md5 = Checksums(md5="a")
    assert digest_plan(md5, Checksums(), 10) == DigestPlan(None, Wanted(md5=True))
    assert digest_plan(Checksums(), md5, 10) == DigestPlan(Wanted(md5=True), None)
    etag = Checksums(multiparts={f"{'0' * 32}-3"})
    plan = digest_plan(Checksums(), etag, 20 * MiB)
    assert plan.dest is None and plan.source.md5  # md5 too, for a second look
    assert 8 * MiB in plan.source.part_sizes
    # no candidate part size was the uploader's: the md5 of the side left unread
    assert plan.unread() == DigestPlan(None, Wanted(md5=True))
    assert digest_plan(etag, Checksums(), 20 * MiB, [7 * MiB]).dest.part_sizes[0] == 7 * MiB
    # nothing stated (file:// against file://, or only crc32c, which we do not compute)
    both = DigestPlan(Wanted(md5=True), Wanted(md5=True))
    assert digest_plan(Checksums(), Checksums(), 10) == both
    assert both.unread() is None
    assert digest_plan(Checksums(crc32c="c"), Checksums(), 10) == both
    # a multipart ETag no part size explains: md5 of both sides
    impossible = Checksums(multiparts={f"{'0' * 32}-9"})
    assert digest_plan(impossible, Checksums(), 3) == both


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=300), st.lists(st.integers(1, 70), max_size=8),
       st.sampled_from([1, 7, 64, 100]))
def test_digester_gives_the_same_checksums_whatever_the_chunks(data, cuts, part_size):
    digester = Digester(Wanted(md5=True, part_sizes=(part_size,)))
    start = 0
    for cut in cuts:
        digester.update(data[start:start + cut])
        start += cut
    digester.update(memoryview(data)[start:])
    found = digester.result()
    assert found.md5 == b64md5(data)
    expected = s3_multipart_etag(data, part_size) if data else multipart_etag(
        [hashlib.md5(b"").digest()])
    assert found.multiparts == {expected}


def test_a_size_that_is_a_multiple_of_the_part_size_has_no_empty_last_part():
    data = b"x" * 30
    digester = Digester(Wanted(part_sizes=(10,)))
    digester.update(data)
    assert digester.result() == Checksums(multiparts={s3_multipart_etag(data, 10)})
    assert digester.result().multiparts == {s3_multipart_etag(data, 10)}  # asked twice
    assert s3_multipart_etag(data, 10).endswith("-3")


def test_checksums_of_whole_bytes_match_the_digester():
    data = os.urandom(2500)
    assert checksums_of(data, Wanted(md5=True)) == Checksums(md5=b64md5(data))
    wanted = Wanted(md5=True, part_sizes=(1000, 2500))
    assert checksums_of(memoryview(data), wanted) == Checksums(
        md5=b64md5(data),
        multiparts={s3_multipart_etag(data, 1000), s3_multipart_etag(data, 2500)})
