"""Child-process entry of big_objects_bench.py: one big object copied into a local directory by
our transfer, timed from the first request on (imports and setup excluded).

    python big_objects_tasks.py ranged|single SOURCE KEY SIZE DEST_DIR

ranged: CloudFiles(SOURCE).transfer_to(file://DEST_DIR, [{"path": KEY, "size": SIZE}]), the
        object downloaded into its file as parallel ranged GETs (16 MiB parts by default);
single: the same transfer with a stream plan whose one part is the whole object: one GET,
        streamed into the file.
Prints one JSON line: {"seconds": s, "bytes": n}.
"""
from __future__ import annotations

import json
import os
import sys
import time


def main() -> None:
    mode, source, key, size_text, dest_dir = sys.argv[1:]
    size = int(size_text)
    from cloudfiles import CloudFiles
    from cloudfiles.app.big_objects import StreamPlan
    from cloudfiles.app.transfer import TransferOptions, transfer

    item = {"path": key, "size": size}
    source_cf, dest_cf = CloudFiles(source), CloudFiles(f"file://{dest_dir}")
    started = time.perf_counter()
    if mode == "ranged":
        source_cf.transfer_to(dest_cf, [item])
    elif mode == "single":
        options = TransferOptions(stream_plan=StreamPlan(part=size))
        for result in transfer(source_cf._store, dest_cf._store, [item], options):
            if result["error"] is not None:
                raise result["error"]
    else:
        raise SystemExit(f"unknown mode {mode!r}: ranged or single")
    seconds = time.perf_counter() - started
    written = os.path.getsize(os.path.join(dest_dir, key))
    print(json.dumps({"seconds": seconds, "bytes": written}))


if __name__ == "__main__":
    main()
