"""Usage: python3 benches/load/parallel_signins.py PORT N USERNAME PASSWORD (127.0.0.1 only).
N parallel signins (one connection each) to 127.0.0.1:PORT; prints status counts and latencies."""
import http.client, json, sys, time, threading, collections
port, n, user, pw = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
body = json.dumps({"username": user, "password": pw})
results = [None] * n
start = threading.Barrier(n)
def one(i):
    start.wait()
    t = time.time()
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        c.request("POST", "/api/auth/signin", body, {"Content-Type": "application/json"})
        r = c.getresponse(); r.read(); status = r.status; ra = r.getheader("retry-after")
    except Exception as e:
        status, ra = type(e).__name__, None
    results[i] = (status, time.time() - t, ra)
ts = [threading.Thread(target=one, args=(i,)) for i in range(n)]
for t in ts: t.start()
for t in ts: t.join()
by = collections.defaultdict(list)
for s, d, ra in results: by[s].append(d)
for s, ds in sorted(by.items(), key=lambda x: str(x[0])):
    ds.sort()
    print(f"status {s}: {len(ds)}  min {ds[0]*1000:.0f} ms  median {ds[len(ds)//2]*1000:.0f} ms  max {ds[-1]*1000:.0f} ms")
ras = sorted({ra for s, d, ra in results if ra})
print("retry-after values:", ras)
print(f"max latency overall {max(d for s, d, ra in results)*1000:.0f} ms")
