"""A realistic CloudVolume workflow on cloudfiles: the proof that we are a drop-in.

Runs only where `cloud-volume` is installed on top of this package (see README, "Testing with
CloudVolume"). It writes and reads image and segmentation layers with gzip, meshes,
skeletons, sharded chunks, uses the local cache and copies a layer with transfer_to, on
file:// and mem://.
"""
from __future__ import annotations

import uuid

import numpy as np
import pytest

cloudvolume = pytest.importorskip("cloudvolume")
from cloudvolume import CloudVolume, Mesh, Skeleton

from cloudfiles import CloudFiles

SIZE = (128, 128, 32)
CHUNK = (64, 64, 16)
SHARDING = {
    "@type": "neuroglancer_uint64_sharded_v1", "data_encoding": "gzip",
    "hash": "murmurhash3_x86_128", "minishard_bits": 1, "minishard_index_encoding": "raw",
    "preshift_bits": 3, "shard_bits": 0,
}


@pytest.fixture(params=["file", "mem"])
def root(request, tmp_path):
    if request.param == "file":
        return f"file://{tmp_path}"
    return f"mem://cv-{uuid.uuid4().hex[:8]}"


def _layer(cloudpath: str, layer_type: str, dtype: str, encoding: str = "raw",
           **kwargs) -> CloudVolume:
    info = CloudVolume.create_new_info(
        num_channels=1, layer_type=layer_type, data_type=dtype, encoding=encoding,
        resolution=[4, 4, 40], voxel_offset=[0, 0, 0], chunk_size=CHUNK, volume_size=SIZE,
        **kwargs,
    )
    volume = CloudVolume(cloudpath, info=info, compress=compress_for(cloudpath, layer_type),
                         progress=False)
    volume.commit_info()
    return volume


def compress_for(cloudpath: str, layer_type: str) -> str | bool:
    """gzip chunks, except raw images on mem://, which CloudVolume keeps as arrays there."""
    return False if cloudpath.startswith("mem://") and layer_type == "image" else "gzip"


def _image() -> np.ndarray:
    rng = np.random.default_rng(7)
    return rng.integers(0, 255, size=(*SIZE, 1), dtype=np.uint8)


def _segmentation() -> np.ndarray:
    labels = np.zeros((*SIZE, 1), dtype=np.uint64)
    labels[10:60, 10:60, 2:20] = 7
    labels[70:120, 20:90, 5:30] = 12
    return labels


def test_image_layer_round_trips_gzip_chunks(root):
    volume = _layer(f"{root}/image", "image", "uint8")
    data = _image()
    volume[:] = data
    assert np.array_equal(volume[:], data)
    assert np.array_equal(volume[10:90, 5:70, 3:29], data[10:90, 5:70, 3:29])
    chunks = CloudFiles(f"{root}/image/4_4_40")
    names = {f"{x}-{x + 64}_{y}-{y + 64}_{z}-{z + 16}"
             for x in (0, 64) for y in (0, 64) for z in (0, 16)}
    assert set(chunks.list()) >= names
    encodings = {info["Content-Encoding"] for info in chunks.head(sorted(names)).values()}
    assert encodings == ({"gzip"} if root.startswith("file") else {None, ""} & encodings)
    reopened = CloudVolume(f"{root}/image", progress=False)
    assert reopened.info == volume.info and np.array_equal(reopened[:], data)


def test_segmentation_layer_with_meshes_and_skeletons(root):
    cloudpath = f"{root}/seg"
    volume = _layer(cloudpath, "segmentation", "uint64", "compressed_segmentation",
                    mesh="mesh", skeletons="skeletons")
    labels = _segmentation()
    volume[:] = labels
    assert np.array_equal(volume[:], labels)
    assert set(volume.unique(volume.bounds)) == {0, 7, 12}

    vertices = np.array([[0, 0, 0], [40, 0, 0], [0, 40, 0], [0, 0, 400]], dtype=np.float32)
    faces = np.array([[0, 1, 2], [0, 1, 3], [0, 2, 3], [1, 2, 3]], dtype=np.uint32)
    volume.mesh.put(Mesh(vertices, faces, segid=7), compress=True)
    mesh = volume.mesh.get(7)
    mesh = mesh[7] if isinstance(mesh, dict) else mesh
    assert np.array_equal(np.sort(mesh.vertices, axis=0), np.sort(vertices, axis=0))
    assert len(mesh.faces) == 4

    skeleton = Skeleton(vertices, edges=[[0, 1], [1, 2], [2, 3]], segid=12)
    volume.skeleton.upload(skeleton)
    fetched = volume.skeleton.get(12)
    assert np.allclose(fetched.vertices, skeleton.vertices)
    assert np.array_equal(fetched.edges, skeleton.edges)


def test_sharded_image_writes_read_back(root):
    info = CloudVolume.create_new_info(
        num_channels=1, layer_type="image", data_type="uint8", encoding="raw",
        resolution=[4, 4, 40], voxel_offset=[0, 0, 0], chunk_size=CHUNK, volume_size=SIZE,
    )
    volume = CloudVolume(f"{root}/sharded", info=info, progress=False)
    volume.scale["sharding"] = dict(SHARDING)
    volume.commit_info()
    data = _image()
    volume[:] = data
    assert np.array_equal(volume[:], data)
    files = list(CloudFiles(f"{root}/sharded/4_4_40").list())
    assert any(name.endswith(".shard") for name in files)
    reopened = CloudVolume(f"{root}/sharded", progress=False)
    assert np.array_equal(reopened[20:100, 30:110, 4:28], data[20:100, 30:110, 4:28])


def test_the_local_cache_fills_and_serves(tmp_path):
    root = f"file://{tmp_path}"  # CloudVolume's cache does not serve mem:// layers
    volume = _layer(f"{root}/cached", "image", "uint8")
    data = _image()
    volume[:] = data
    cached = CloudVolume(f"{root}/cached", cache=str(tmp_path / "cache"), progress=False)
    assert np.array_equal(cached[:], data)
    cache_files = CloudFiles(f"file://{cached.cache.path}/4_4_40")
    assert len(list(cache_files.list())) == 8
    assert np.array_equal(cached[:], data)  # now read through the filled cache
    cached.cache.flush()
    assert list(cache_files.list()) == []


def test_transfer_to_copies_a_layer(root):
    volume = _layer(f"{root}/source", "image", "uint8")
    data = _image()
    volume[:] = data
    dest = f"{root}/dest"  # raw layers on mem:// hold arrays: CloudVolume copies within a kind
    volume.transfer_to(dest, volume.bounds)
    copied = CloudVolume(dest, progress=False)
    assert np.array_equal(copied[:], data)
    assert copied.info["data_type"] == "uint8"
