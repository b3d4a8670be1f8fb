#!/usr/bin/env python3
"""The ceiling of `efile-import` on this machine: how fast the year's returns can merely be taken
out of their ZIP archives (zlib's inflate and CRC-32, in C, one process per core), with no XML
parsed and nothing written. No importer can read returns faster than this, so it says how far a
target stated as a multiple of a peer is reachable here.

    inflate_ceiling.py ARCHIVE_DIR
Prints: inflate: <returns> returns (<GB> GB of XML) in <seconds> s on <n> cores = <rate> returns/s
"""
import glob, os, sys, time, zipfile
from concurrent.futures import ProcessPoolExecutor


def inflate(path):
    """Inflates every XML entry of one archive (ZipFile.read checks each entry's CRC-32); returns (entries, bytes)."""
    entries = size = 0
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if info.filename.endswith(".xml"):
                size += len(archive.read(info))
                entries += 1
    return entries, size


def main():
    archives = sorted(glob.glob(os.path.join(sys.argv[1], "*.zip")))
    cores = os.cpu_count() or 1
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=cores) as pool:
        results = list(pool.map(inflate, archives))
    seconds = time.perf_counter() - started
    returns, size = sum(r[0] for r in results), sum(r[1] for r in results)
    print(f"inflate: {returns} returns ({size / 1e9:.1f} GB of XML) in {seconds:.1f} s on {cores} cores = {returns / seconds:.0f} returns/s")


if __name__ == "__main__":
    main()
