#!/usr/bin/env python3
"""Times N sequential GETs of one URL, each on a new connection (what a monitor or a
map viewer opening a connection sees), and prints one summary line:

    n=200 ok=200 hit=200 p50_ms=1.2 p99_ms=9.8 max_ms=14.0

`ok` counts 200 answers, `hit` answers with X-Cache: HIT (when the server shows it).
Used by test_fairness.sh; a correctness test of isolation, not a benchmark.
usage: fairness_client.py URL N [TOKEN]
"""
import http.client
import sys
import time
import urllib.parse


def main():
    url, n = sys.argv[1], int(sys.argv[2])
    token = sys.argv[3] if len(sys.argv) > 3 else None
    u = urllib.parse.urlsplit(url)
    path = u.path + ("?" + u.query if u.query else "")
    headers = {"Authorization": "Bearer " + token} if token else {}
    times, ok, hit = [], 0, 0
    for _ in range(n):
        t0 = time.perf_counter()
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        c.request("GET", path, headers=headers)
        r = c.getresponse()
        r.read()
        times.append(time.perf_counter() - t0)
        ok += r.status == 200
        hit += (r.getheader("X-Cache") or "") == "HIT"
        c.close()
    times.sort()
    p = lambda q: times[min(len(times) - 1, int(q * len(times)))] * 1e3
    print("n=%d ok=%d hit=%d p50_ms=%.1f p99_ms=%.1f max_ms=%.1f"
          % (n, ok, hit, p(0.50), p(0.99), times[-1] * 1e3))


if __name__ == "__main__":
    main()
