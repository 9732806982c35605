"""A real run of cloudfiles on local storage: write, read, list, compress, transfer, clean up.

    python examples/quickstart.py [DIRECTORY]

It works in a fresh temporary directory (inside DIRECTORY when given) on file:// and in
memory (mem://), and removes both when done: nothing is left behind.
"""
from __future__ import annotations

import json
import sys
import tempfile

from cloudfiles import CloudFiles
from cloudfiles.compression import transcode


def main(directory: str) -> None:
    """Run the tour with its files under `directory` (which the caller removes)."""
    cf = CloudFiles(f"file://{directory}/images", progress=False)
    tiles = [(f"tiles/{x}_{y}", bytes([x, y]) * 2048) for x in range(8) for y in range(8)]
    cf.puts(tiles, compress="gzip")
    cf.put_json("info", {"tiles": len(tiles), "tile_bytes": 4096})

    print("wrote", len(tiles), "gzip tiles + info to", cf.cloudpath)
    print("on disk, first files:", sorted(cf.list(prefix="tiles/"))[:3], "(.gz suffix hidden)")
    print("info:", json.dumps(cf.get_json("info")))
    print("first 8 bytes of tiles/3_4:", cf["tiles/3_4", 0:8])
    stored = sum(cf.size(list(cf.list(prefix="tiles/"))).values())
    print(f"stored size of tiles: {stored} bytes for {len(tiles) * 4096} bytes of content")

    memory = CloudFiles("mem://quickstart/images")
    memory.transfer_from(cf, block_size=16)  # raw bytes travel, no decompress/recompress
    print("transferred to", memory.cloudpath, "->", len(list(memory)), "files")

    results = memory.get([p for p, _ in tiles[:4]], raw=True)
    brotli = list(transcode(results, "br"))
    print("transcoded 4 tiles gzip -> br:", [len(f["content"]) for f in brotli], "bytes")

    assert all(memory.get(p) == content for p, content in tiles)
    memory.delete(list(memory.list()))
    cf.delete(list(cf.list()))
    print("verified every byte in mem://, deleted the files of", cf.cloudpath, "and mem://")


if __name__ == "__main__":
    parent = sys.argv[1] if len(sys.argv) > 1 else None
    with tempfile.TemporaryDirectory(prefix="cloudfiles-quickstart-", dir=parent) as workdir:
        main(workdir)
