#!/usr/bin/env python3
"""Sends exactly N keep-alive requests to one route of a server on 127.0.0.1 and checks each status.

Usage: client.py PORT METHOD PATH COUNT STATUS [TOKEN] [BODY]
Every request carries `Origin: http://localhost:8081` (a browser's request, so CORS work is
counted). Exits non-zero if any answer has another status. Only ever talks to 127.0.0.1.
"""
import http.client
import sys


def main() -> int:
    port, method, path, count, status = sys.argv[1:6]
    token = sys.argv[6] if len(sys.argv) > 6 and sys.argv[6] else None
    body = sys.argv[7].encode() if len(sys.argv) > 7 and sys.argv[7] else None
    headers = {"Origin": "http://localhost:8081"}
    if token:
        headers["x-access-token"] = token
    if body is not None:
        headers["Content-Type"] = "application/json"
    conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=120)
    for i in range(int(count)):
        conn.request(method, path, body=body, headers=headers)
        res = conn.getresponse()
        res.read()
        if res.status != int(status):
            print(f"request {i}: {method} {path} answered {res.status}, wanted {status}", file=sys.stderr)
            return 1
    conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
