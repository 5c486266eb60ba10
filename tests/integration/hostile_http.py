#!/usr/bin/env python3
"""Table of hostile HTTP requests sent raw over sockets to a running `hotspot serve`
(tests/integration/test_hostile.sh starts it on the demo data).

Every row is (name, raw request bytes, expectation). Expectations:
  "4xx"      a complete response with a 4xx status;
  "NNN"      that exact status;
  "4xx|close" a 4xx, or the server closing without an answer (framing errors that
             libmicrohttpd refuses before any handler runs);
While the table runs, a good client asks /healthz and /api/meta every 50 ms on its
own connections and must always get 200 within 2 s. Slow clients (slowloris, a
reader of one byte a second) run alongside. Exit status 1 on any failure.
"""
import os
import socket
import sys
import threading
import time

HOST = "127.0.0.1"
PORT = int(sys.argv[1])
IDLE_TIMEOUT = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0  # serve --timeout
failures = []
lock = threading.Lock()


def fail(msg):
    with lock:
        failures.append(msg)
    print("FAIL -", msg, flush=True)


def read_responses(sock, want, deadline):
    """Reads up to `want` responses (status line, headers, Content-Length body).
    Returns (statuses, closed)."""
    buf = b""
    statuses = []
    closed = False
    while len(statuses) < want:
        # parse as many complete responses as buffered
        while len(statuses) < want:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                break
            head = buf[:end].decode("latin-1")
            lines = head.split("\r\n")
            try:
                status = int(lines[0].split(" ")[1])
            except (IndexError, ValueError):
                statuses.append(-1)
                return statuses, True
            clen = 0
            for ln in lines[1:]:
                k, _, v = ln.partition(":")
                if k.strip().lower() == "content-length":
                    clen = int(v.strip())
            if len(buf) < end + 4 + clen:
                break
            statuses.append(status)
            buf = buf[end + 4 + clen:]
        if len(statuses) >= want:
            break
        left = deadline - time.monotonic()
        if left <= 0:
            break
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            break
        except (ConnectionResetError, BrokenPipeError):
            closed = True
            break
        if not chunk:
            closed = True
            break
        buf += chunk
    return statuses, closed


def send_raw(raw, want=1, timeout=8.0, head=False):
    s = socket.create_connection((HOST, PORT), timeout=5)
    try:
        try:
            s.sendall(raw)
        except (BrokenPipeError, ConnectionResetError):
            return [], True
        return read_responses(s, want, time.monotonic() + timeout)
    finally:
        s.close()


# The good client is a planner (the demo fixture's token, from test_hostile.sh): the
# hostile rows go without one, so they also meet the access check first.
AUTH = (b"Authorization: Bearer " + os.environ["HS_PLANNER_TOKEN"].encode() + b"\r\n"
        if os.environ.get("HS_PLANNER_TOKEN") else b"")


def req(target, extra=b"", method=b"GET", version=b"HTTP/1.1"):
    if isinstance(target, str):
        target = target.encode("utf-8", "surrogateescape")
    return (method + b" " + target + b" " + version + b"\r\nHost: 127.0.0.1\r\n" + extra +
            b"Connection: close\r\n\r\n")


# ---------------------------------------------------------------- the table
T = []


# libmicrohttpd 0.9.75 reads these itself, before any of our code: bare LF line ends
# and obs-fold are accepted (RFC 9112 allows both), and a NUL byte ends the request
# line or header value (the rest is dropped). The request our code then sees is the
# part before the NUL, which goes through every check; a 200 for that is expected.
MHD_TOLERATES = "200|4xx|close"


def row(name, raw, expect="4xx"):
    T.append((name, raw, expect))


# overlong paths, queries and headers
row("path 9000 bytes", req("/" + "a" * 9000), "414")
row("path 70000 bytes", req("/" + "a" * 70000), "4xx|close")
row("query 8100 bytes", req("/api/analyze?from=" + "9" * 8100), "4xx")
row("query value 3000 bytes", req("/api/units?province=" + "1" * 3000))
row("query key 200 bytes", req("/api/units?" + "k" * 200 + "=1"))
row("300 query params", req("/api/analyze?" + "&".join("from=2024-01" for _ in range(300))))
row("header 60 KB", req("/healthz", b"X-Big: " + b"a" * 60000 + b"\r\n"), "4xx|close")
row("header 200 KB", req("/healthz", b"X-Big: " + b"a" * 200000 + b"\r\n"), "4xx|close")
row("2000 headers", req("/healthz", b"".join(b"X-H%d: v\r\n" % i for i in range(2000))),
    "4xx|close")
row("header name 10 KB", req("/healthz", b"X" * 10000 + b": v\r\n"), "4xx|close")
row("segment 8000 bytes in tile", req("/tiles/base/" + "1" * 8000 + "/0/0.png"))

# traversal, plain and encoded
for t in ["/web/../etc/passwd", "/web/%2e%2e/etc/passwd", "/web/%2E%2E/%2E%2E/etc/passwd",
          "/web/..%2fetc%2fpasswd", "/web/.%2e/etc/passwd", "/web/%2e./etc/passwd",
          "/web/%252e%252e/etc/passwd", "/web/..\\..\\etc\\passwd", "/web/%5c..%5cetc",
          "/web/%c0%ae%c0%ae/etc/passwd", "/web/%e0%80%ae%e0%80%ae/x", "/web/./index.html",
          "/web//etc/passwd", "/web/%2fetc%2fpasswd", "/web/....//....//etc/passwd",
          "/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/shadow", "/web/.git/config",
          "/web/.env", "/web/index.html/..", "/maps/..%2f..%2fetc.png",
          "/tiles/../../etc/passwd/0/0.png", "/web/%u002e%u002e/etc/passwd",
          "//etc/passwd", "/web/index.html%00.js"]:
    row("traversal " + t, req(t))

# NUL bytes, control bytes and invalid UTF-8
row("raw NUL in path", req(b"/healthz\x00/x"), MHD_TOLERATES)
row("%00 in path", req("/web/%00"))
row("%00 in query value", req("/api/units?level=%00"))
row("%00 in query key", req("/api/units?lev%00el=province"))
row("raw NUL in header value", req("/healthz", b"X-A: a\x00b\r\n"), MHD_TOLERATES)
row("%0d%0a in path (response splitting)", req("/web/x%0d%0aSet-Cookie:%20a=b"))
row("%0a in query", req("/api/units?province=01%0aX:%20y"))
row("raw CR in path", req(b"/healthz\rX"), "4xx|close")
row("raw DEL in path", req(b"/web/\x7f"), "4xx|close")
row("%7f in path", req("/web/%7f"))
for name, enc in [("lone continuation", "%80"), ("0xff", "%ff"), ("truncated 2-byte", "%c3"),
                  ("bad 2nd byte", "%c3%28"), ("surrogate", "%ed%a0%80"),
                  ("above U+10FFFF", "%f4%90%80%80"), ("overlong slash", "%c0%af"),
                  ("overlong NUL", "%c0%80"), ("5-byte form", "%f8%88%80%80%80")]:
    row("invalid UTF-8 in path: " + name, req("/web/a" + enc))
    row("invalid UTF-8 in query: " + name, req("/api/units?province=" + enc))
row("raw 0xff in path", req(b"/web/\xff\xfe"), "4xx|close")
row("raw 0xff in query", req(b"/api/units?province=\xff"), "4xx|close")
row("bad escape %zz in path", req("/web/%zz"))
row("bad escape % at end of query", req("/api/units?level=%"))
row("bad escape %4 in query", req("/api/units?level=%4"))

# huge, negative and hex numbers
for z, x, y in [("99999999999999999999", "0", "0"), ("-1", "0", "0"), ("0x5", "0", "0"),
                ("5", "-1", "0"), ("5", "0", "32"), ("5", "1e1", "0"), ("5", "+1", "0"),
                ("5", " 1", "0"), ("23", "0", "0"), ("5", "٣", "0"), ("5", "0x1f", "0"),
                ("5", "0", "18446744073709551617"), ("1.5", "0", "0"), ("5", "0", "0" * 50 + "1a")]:
    # a raw space splits the request line: MHD may refuse it before any handler
    row("tile z=%s x=%s y=%s" % (z, x, y), req("/tiles/base/%s/%s/%s.png" % (z, x, y)),
        "4xx|close" if " " in x else "4xx")
for k, v in [("permutations", "99999999999999999999"), ("permutations", "-1"),
             ("permutations", "0x63"), ("permutations", "1e3"), ("seed", "-1"),
             ("seed", "0x10"), ("seed", "184467440737095516160"), ("k", "-3"), ("k", "999999"),
             ("dist_km", "1e308"), ("dist_km", "-5"), ("dist_km", "nan"), ("dist_km", "inf"),
             ("dist_km", "0x1p3"), ("from", "2024-13"), ("from", "-2024-01"),
             ("from", "99999-01"), ("to", "2024-1"), ("from", "0x7e8-01")]:
    row("analyze %s=%s" % (k, v), req("/api/analyze?%s=%s" % (k, v)))
for k, v in [("top", "-1"), ("top", "99999999999999")]:
    row("priorities %s=%s" % (k, v), req("/api/priorities?%s=%s" % (k, v)))
for k, v in [("max_pop_share", "nan"), ("max_pop_share", "2"), ("max_pop_share", "-0.1")]:
    row("scan %s=%s" % (k, v), req("/api/scan?%s=%s" % (k, v)))
for k, v in [("step_months", "0x3"), ("step_months", "-12")]:
    row("emerging %s=%s" % (k, v), req("/api/emerging?%s=%s" % (k, v)))
for k, v in [("size", "99999x99999"), ("size", "-1x5"), ("size", "0x0"), ("size", "1e3x1e3"),
             ("dpi", "1e9"), ("dpi", "-150"), ("scale", "inf"), ("scale", "nan"),
             ("scale", "0"), ("k", "0x5"), ("bbox", "nan,nan,nan,nan"),
             ("bbox", "1e400,0,1,1"), ("bbox", "110,23,102,8"), ("bbox", "-181,0,1,1"),
             ("classes", "fixed:1e400"), ("classes", "fixed:" + ",".join(["1"] * 500))]:
    row("map %s=%s" % (k, v), req("/maps/gistar.png?%s=%s" % (k, v)))

# SQL metacharacters in every parameter of every route
SQL = ["1'", "1' OR '1'='1", "1;DROP TABLE hs.unit;--", "$1", "\\'", "%27%3B--",
       "1)) UNION SELECT version()--"]
params = {
    "/api/analyze": ["indicator", "from", "to", "level", "province", "variable", "weights",
                     "k", "permutations", "seed", "fdr", "format"],
    "/api/units": ["level", "province"],
    "/maps/gistar.png": ["from", "to", "indicator", "level", "province", "bbox", "size",
                         "paper", "dpi", "scale", "classes", "k", "public"],
    "/tiles/gistar/5/25/14.png": ["from", "to", "indicator", "classes", "transparent"],
}
i = 0
for route, names in params.items():
    for n in names:
        v = SQL[i % len(SQL)]
        i += 1
        enc = "".join(c if c.isalnum() or c in "%-_." else "%%%02X" % ord(c) for c in v)
        row("sql %s %s=%s" % (route, n, v), req("%s?%s=%s" % (route, n, enc)))
row("sql in path param (map)", req("/maps/gistar'%3B--.png"))
row("sql in path param (layer)", req("/tiles/base'%20OR%201=1/0/0/0.png"))
row("sql in dashboard name", req("/dashboard/x'%3Bselect%20pg_sleep(5)--.png"))
row("sql in query key", req("/api/units?level'%3B--=province"))

# duplicate and conflicting headers, bodies
row("duplicate Content-Length 0/5", req("/healthz", b"Content-Length: 0\r\nContent-Length: 5\r\n") + b"hello",
    "400")
row("duplicate Content-Length 5/5", req("/healthz", b"Content-Length: 5\r\nContent-Length: 5\r\n") + b"hello",
    "4xx")
row("Content-Length list '0, 5'", req("/healthz", b"Content-Length: 0, 5\r\n") + b"hello", "400")
row("Content-Length -1", req("/healthz", b"Content-Length: -1\r\n"), "4xx|close")
row("Content-Length abc", req("/healthz", b"Content-Length: abc\r\n"), "4xx|close")
row("Content-Length huge", req("/healthz", b"Content-Length: 99999999999999999999999\r\n"),
    "4xx|close")
row("Content-Length with body on GET", req("/healthz", b"Content-Length: 5\r\n") + b"hello", "413")
row("Content-Length + Transfer-Encoding",
    req("/healthz", b"Content-Length: 0\r\nTransfer-Encoding: chunked\r\n") + b"0\r\n\r\n",
    "4xx|close")
row("Transfer-Encoding chunked GET", req("/healthz", b"Transfer-Encoding: chunked\r\n") + b"5\r\nhello\r\n0\r\n\r\n",
    "4xx|close")
row("Transfer-Encoding bogus", req("/healthz", b"Transfer-Encoding: gzip, identity\r\n"), "4xx|close")
row("two Host headers", b"GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n",
    "400")
row("no Host on HTTP/1.1", b"GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n", "400")
row("duplicate Authorization",
    req("/healthz", b"Authorization: Bearer a\r\nAuthorization: Bearer b\r\n"), "400")
row("POST with body", req("/api/analyze", b"Content-Length: 3\r\n", method=b"POST") + b"a=b",
    "405")
row("Expect: 100-continue with body", req("/healthz", b"Expect: 100-continue\r\nContent-Length: 10\r\n"),
    "4xx|close")

# bad tokens: methods, versions, header syntax, credentials
row("method GET NUL", req("/healthz", method=b"GET\x00"), MHD_TOLERATES)
for m in [b"DELETE", b"PUT", b"PATCH", b"OPTIONS", b"TRACE", b"CONNECT", b"get", b"G ET",
          b"G\x01T", b"M" * 300]:
    row("method %r" % m[:20], req("/healthz", method=m), "4xx|close")
for v in [b"HTTP/9.9", b"HTTP/1.1x", b"HTTP/1", b"http/1.1", b"HTTP/1.1 extra", b"FOO/1.0"]:
    # 505 HTTP Version Not Supported is the protocol's own answer here (from MHD).
    row("version %r" % v, req("/healthz", version=v), "4xx|505|close")
row("HTTP/0.9 request line", b"GET /healthz\r\n\r\n", "4xx|close")
row("header without colon", req("/healthz", b"NoColonHere\r\n"), "4xx|close")
row("header name with space", req("/healthz", b"X Bad: 1\r\n"), "4xx|close")
row("space before colon", req("/healthz", b"Host : x\r\n"), "4xx|close")
row("obs-fold continuation", req("/healthz", b"X-A: a\r\n  folded\r\n"), MHD_TOLERATES)
row("bare LF lines", b"GET /healthz HTTP/1.1\nHost: x\nConnection: close\n\n", MHD_TOLERATES)
row("empty request line", b"\r\n\r\n", "4xx|close")
row("garbage bytes", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64, "4xx|close")
row("absolute-form target", req("http://evil.example/healthz"), "4xx")
row("asterisk target", req("*", method=b"OPTIONS"), "4xx|close")
row("target without slash", req("healthz"), "4xx|close")
row("fragment in target", req("/web/%23/../x"), "4xx")
for a in [b"Bearer", b"Bearer ", b"Bearer " + b"A" * 5000, b"Bearer \xff\xfe", b"Basic !!!",
          b"Basic " + b"QQ==" * 3, b"Bearer a b c", b"Negotiate abc", b"bearer 123"]:
    row("bad Authorization %r on /api/units?level=bad" % a[:24],
        req("/api/units?level=bad", b"Authorization: " + a + b"\r\n"), "4xx|close")

# pipelining
good = b"GET /api/meta HTTP/1.1\r\nHost: x\r\n" + AUTH + b"\r\n"
row("pipelined 3 good + 1 bad", good * 3 + req("/web/%00"), "200,200,200,4xx")
row("pipelined good, bad, good", good + b"GET /web/%ff HTTP/1.1\r\nHost: x\r\n\r\n" +
    req("/healthz"), "200,4xx,200")
row("pipelined 50 requests", good * 49 + req("/healthz"), ",".join(["200"] * 50))
row("pipelined bad framing after good", good + b"GARBAGE\r\n\r\n", "200,4xx|close")


def check_row(name, raw, expect):
    want = expect.split(",")
    statuses, closed = send_raw(raw, want=len(want))
    ok = True
    for k, w in enumerate(want):
        got = statuses[k] if k < len(statuses) else None
        alts = w.split("|")
        good_one = False
        for a in alts:
            if a == "close" and got is None and closed:
                good_one = True
            elif a == "505" and got == 505:
                good_one = True
            elif a == "4xx" and got is not None and 400 <= got < 500:
                good_one = True
            elif a.isdigit() and got == int(a):
                good_one = True
        if not good_one:
            ok = False
    if ok:
        print("ok   - %s -> %s" % (name, statuses if statuses else "closed"), flush=True)
    else:
        fail("%s: want %s, got %s%s" % (name, expect, statuses, " (closed)" if closed else ""))


# ---------------------------------------------------------------- the good client
stop = threading.Event()
good_stats = {"n": 0, "max": 0.0}


def good_client():
    targets = [b"/healthz", b"/api/meta", b"/tiles/base/5/25/14.png"]
    i = 0
    while not stop.is_set():
        t0 = time.monotonic()
        try:
            statuses, _ = send_raw(req(targets[i % len(targets)], AUTH), timeout=2.0)
        except OSError as e:
            statuses = ["error %s" % e]
        dt = time.monotonic() - t0
        if statuses != [200]:
            fail("good client: %s got %s after %.2fs" % (targets[i % len(targets)], statuses, dt))
        good_stats["n"] += 1
        good_stats["max"] = max(good_stats["max"], dt)
        i += 1
        time.sleep(0.05)


# ---------------------------------------------------------------- slow clients
slow_results = {}


def slowloris(idx, seconds):
    """Sends a request one byte every 0.5 s, never finishing the headers."""
    s = socket.create_connection((HOST, PORT), timeout=5)
    data = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 1000
    t0 = time.monotonic()
    outcome = "still open (we closed it)"
    try:
        for b in data:
            if time.monotonic() - t0 > seconds:
                break
            s.sendall(bytes([b]))
            time.sleep(0.5)
    except (BrokenPipeError, ConnectionResetError):
        outcome = "closed by the server after %.1fs" % (time.monotonic() - t0)
    s.close()
    slow_results["slowloris %d" % idx] = outcome


def idle_half_request(idx):
    """Sends half a request line then goes silent: the idle timeout must close it."""
    s = socket.create_connection((HOST, PORT), timeout=IDLE_TIMEOUT * 4)
    s.sendall(b"GET /hea")
    t0 = time.monotonic()
    try:
        d = s.recv(1)
        outcome = ("closed" if not d else "answered") + " after %.1fs" % (time.monotonic() - t0)
        if time.monotonic() - t0 > IDLE_TIMEOUT + 3:
            fail("idle half request %d closed only after %.1fs" % (idx, time.monotonic() - t0))
    except socket.timeout:
        outcome = "not closed"
        fail("idle half request %d: not closed within %.0fs" % (idx, IDLE_TIMEOUT * 4))
    except ConnectionResetError:
        outcome = "reset after %.1fs" % (time.monotonic() - t0)
    s.close()
    slow_results["idle %d" % idx] = outcome


def slow_reader(seconds):
    """Asks for a large body with a tiny receive buffer and reads a byte a second."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    s.connect((HOST, PORT))
    s.sendall(req("/maps/gistar.png?size=1200x1600", AUTH))
    t0 = time.monotonic()
    got = b""
    s.settimeout(30)
    try:
        while time.monotonic() - t0 < seconds:
            d = s.recv(1)
            if not d:
                break
            got += d
            time.sleep(1.0)
    except (socket.timeout, ConnectionResetError) as e:
        slow_results["slow reader"] = "error %s" % e
    s.close()
    slow_results.setdefault("slow reader", "read %d bytes in %.0fs (%r)" %
                            (len(got), time.monotonic() - t0, got[:12]))
    if not got.startswith(b"HTTP/1.1 200"[:len(got)]):
        fail("slow reader: unexpected start %r" % got[:20])


def main():
    # Warm the good client's targets so it measures serving, not the first render.
    for t in [b"/healthz", b"/api/meta", b"/tiles/base/5/25/14.png", b"/maps/gistar.png?size=1200x1600"]:
        send_raw(req(t, AUTH), timeout=120)
    gc = threading.Thread(target=good_client, daemon=True)
    gc.start()
    slow = [threading.Thread(target=slowloris, args=(i, 8), daemon=True) for i in range(40)]
    slow += [threading.Thread(target=idle_half_request, args=(i,), daemon=True) for i in range(5)]
    slow.append(threading.Thread(target=slow_reader, args=(8,), daemon=True))
    for t in slow:
        t.start()
    t0 = time.monotonic()
    for name, raw, expect in T:
        check_row(name, raw, expect)
    for t in slow:
        t.join(timeout=60)
    stop.set()
    gc.join(timeout=5)
    for k in sorted(slow_results):
        print("info - %s: %s" % (k, slow_results[k]))
    print("info - %d hostile rows in %.1fs; good client: %d requests, slowest %.3fs" %
          (len(T), time.monotonic() - t0, good_stats["n"], good_stats["max"]))
    if len(T) < 150:
        fail("only %d rows; the table must have at least 150" % len(T))
    if good_stats["n"] < 20:
        fail("good client made only %d requests" % good_stats["n"])
    print("%d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
