"""Peer for ein-lookup: the seed's stack reads organizations with Python's sqlite3.
Random EIN look-ups (SELECT * … WHERE ein = ?) on the same database file, in process.
Usage: python3 sqlite_ein_lookup.py DB [LOOKUPS]"""
import random, sqlite3, sys, time
db, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 200000
c = sqlite3.connect(db)
eins = [r[0] for r in c.execute("select ein from organizations")]
rnd = random.Random(1)
samples = []
for _ in range(n):
    e = rnd.choice(eins)
    t0 = time.perf_counter()
    row = c.execute("select * from organizations where ein = ?", (e,)).fetchone()
    samples.append((time.perf_counter() - t0) * 1e6)
    assert row is not None
samples.sort()
print(f"python sqlite3: {n} look-ups of {len(eins)} organizations: p50 {samples[n // 2]:.1f} us, p99 {samples[int(n * 0.99)]:.1f} us")
