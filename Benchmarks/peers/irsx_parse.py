#!/usr/bin/env python3
"""The peer of `efile-import`: irsx (the reference Python reader of IRS 990 e-file XML) parsing
returns of the same e-file year. irsx reads loose files, so a sample of SAMPLE returns, spread
evenly over the archives, is unpacked first (not timed); then each is run through irsx's
XMLRunner (every schedule parsed into its variables), which is what irsx does per return.

    irsx_parse.py ARCHIVE_DIR SAMPLE
Prints: irsx: <returns> returns in <seconds> s = <rate> returns/s
"""
import glob, os, sys, tempfile, time, zipfile

from irsx.xmlrunner import XMLRunner


def main():
    folder, sample = sys.argv[1], int(sys.argv[2])
    archives = sorted(glob.glob(os.path.join(folder, "*.zip")))
    scratch = tempfile.mkdtemp(prefix="irsx-sample-")
    files = []
    per_archive = max(1, sample // max(1, len(archives)))
    for path in archives:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.endswith(".xml")]
            step = max(1, len(names) // per_archive)
            for name in names[::step][:per_archive]:
                archive.extract(name, scratch)
                files.append(os.path.join(scratch, name))
    runner = XMLRunner()
    started = time.perf_counter()
    schedules = 0
    for path in files:
        object_id = os.path.basename(path).split("_")[0]
        schedules += len(runner.run_filing(object_id, filepath=path).get_result() or [])
    seconds = time.perf_counter() - started
    print(f"irsx: {len(files)} returns in {seconds:.2f} s = {len(files) / seconds:.1f} returns/s ({schedules} schedules)")


if __name__ == "__main__":
    main()
