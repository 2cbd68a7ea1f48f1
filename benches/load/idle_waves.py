"""Usage: python3 benches/load/idle_waves.py AUTHD_PID PORT CONNECTIONS WAVES [HOLD_S] (127.0.0.1 only).
RSS of a server across waves of idle connections: open N sockets to 127.0.0.1:PORT, hold them,
close them, wait, read VmRSS of PID. Also times a probe GET while the wave is open."""
import socket, sys, time, http.client
pid, port, n, waves = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
hold = float(sys.argv[5]) if len(sys.argv) > 5 else 2.0
def rss():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
def probe():
    t = time.time()
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        c.request("GET", "/api/test/all"); r = c.getresponse(); r.read(); status = r.status
        c.close()
    except Exception as e:
        status = type(e).__name__
    return status, time.time() - t
import threading
probes, stop = [], threading.Event()
def prober():
    while not stop.is_set():
        probes.append(probe()); time.sleep(0.2)
print(f"start RSS {rss():.1f} MiB", flush=True)
for w in range(1, waves + 1):
    socks, failed = [], 0
    probes.clear(); stop.clear(); th = threading.Thread(target=prober); th.start()
    for _ in range(n):
        s = socket.socket(); s.settimeout(5)
        try:
            s.connect(("127.0.0.1", port)); socks.append(s)
        except Exception:
            failed += 1; s.close()
    time.sleep(hold)
    stop.set(); th.join()
    status, took = max(probes, key=lambda p: p[1])
    open_rss = rss()
    for s in socks: s.close()
    time.sleep(hold)
    closed_rss = rss()
    for _ in range(10):
        probe(); time.sleep(0.1)
    print(f"wave {w}: {len(socks)} open ({failed} failed); {len(probes)} probes during the wave, slowest {status} in {took*1000:.0f} ms; "
          f"RSS open {open_rss:.1f} MiB, after close {closed_rss:.1f} MiB, after 10 more requests {rss():.1f} MiB", flush=True)
