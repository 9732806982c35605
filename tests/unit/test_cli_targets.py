"""How commands split paths into (directory, name) (cloudfiles.domain.targets)."""
from __future__ import annotations

import pytest

from cloudfiles.domain.paths import extract
from cloudfiles.domain.targets import child, common_directories, name_of, split_target


@pytest.mark.parametrize("path, directory, name", [
    ("gs://b/dir/file", "gs://b/dir", "file"),
    ("gs://b/file", "gs://b", "file"),
    ("gs://b/dir/", "gs://b/dir", ""),
    ("gs://b", "gs://b", ""),
    ("mem://bucket/x", "mem://bucket", "x"),
    ("mem://bucket", "mem://bucket", ""),  # never above the mem bucket
    ("file:///tmp/x", "file:///tmp", "x"),
    ("file:///x", "file:///", "x"),
    ("file:///", "file:///", ""),
    ("s3://http://127.0.0.1:9000/bkt/d/k", "s3://http://127.0.0.1:9000/bkt/d", "k"),
    ("https://example.com/a/b", "https://example.com/a", "b"),
])
def test_split_target(path, directory, name):
    target = split_target(extract(path))
    assert (target.directory, target.name) == (directory, name)
    assert child(target.directory, target.name) == target.cloudpath


def test_a_known_directory_is_kept_whole():
    target = split_target(extract("gs://b/dir"), is_dir=True)
    assert (target.directory, target.name, target.is_dir) == ("gs://b/dir", "", True)


def test_common_directories_group_by_store_and_keep_structure():
    paths = ["file:///a/b/c", "file:///a/b/d/e", "gs://b/x/y", "gs://b/x/z/w", "mem://m/k", "mem://n/k/l"]
    assert common_directories(extract(p) for p in paths) == [
        ("file:///a/b", ["c", "d/e"]),
        ("gs://b/x", ["y", "z/w"]),
        ("mem://m", ["k"]),
        ("mem://n/k", ["l"]),
    ]


def test_a_lone_file_keeps_its_name():
    assert common_directories([extract("file:///a/b/c")]) == [("file:///a/b", ["c"])]


@pytest.mark.parametrize("path, name", [
    ("gs://b/dir/sub", "sub"),
    ("gs://b/dir/sub/", "sub"),
    ("gs://bkt", "bkt"),            # a bucket root is named by its bucket
    ("mem://m", "m"),
    ("file:///tmp/x/", "x"),
    ("file:///", ""),
])
def test_name_of_gives_what_cp_r_names_a_copy_after(path, name):
    assert name_of(extract(path)) == name
