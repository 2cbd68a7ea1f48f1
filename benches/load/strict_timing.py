"""Usage: python3 benches/load/strict_timing.py PORT KNOWN_USERNAME N (127.0.0.1 only).
Sequential strict-profile signins with a wrong password: a known user (cost-8 $2a$ hash) vs
unknown users, alternating; prints median and range of each."""
import http.client, json, sys, time
port, known, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
def signin(user):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    t = time.time()
    c.request("POST", "/api/auth/signin", json.dumps({"username": user, "password": "wrong-password"}),
              {"Content-Type": "application/json"})
    r = c.getresponse(); r.read(); d = time.time() - t; c.close()
    assert r.status == 401, r.status
    return d * 1000
signin("warmup-ghost")
k, u = [], []
for i in range(n):
    k.append(signin(known)); u.append(signin(f"ghost{i}"))
for name, xs in (("known $2a$08$ user", k), ("unknown user", u)):
    xs.sort()
    print(f"{name}: median {xs[len(xs)//2]:.1f} ms, min {xs[0]:.1f}, max {xs[-1]:.1f} (n={len(xs)})")
