"""Floods Wisp's sign-in from one loopback address while a legitimate user signs in from another,
and prints the legitimate sign-in's p95 and the server's peak memory, with and without the flood.
Usage: sign_in_flood.py BASE_URL WISP_PID EMAIL PASSWORD   (loopback only; every loop is bounded)"""
import http.client
import statistics
import sys
import threading
import time
import urllib.parse

BASE, PID, EMAIL, PASSWORD = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
HOST, PORT = urllib.parse.urlsplit(BASE).hostname, urllib.parse.urlsplit(BASE).port
assert HOST.startswith("127."), "loopback only"
FLOOD_REQUESTS, FLOOD_THREADS, LEGIT_SIGN_INS = 600, 200, 30


def sign_in(email, password, source):
    body = urllib.parse.urlencode({"email": email, "password": password})
    connection = http.client.HTTPConnection(HOST, PORT, timeout=60, source_address=(source, 0))
    started = time.monotonic()
    connection.request("POST", "/api/login", body, {
        "Content-Type": "application/x-www-form-urlencoded", "Origin": BASE, "Accept": "application/json"})
    status = connection.getresponse().status
    connection.close()
    return status, time.monotonic() - started


def memory(field):
    with open(f"/proc/{PID}/status") as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1]) // 1024
    return 0


def legit_p95():
    times = []
    for _ in range(LEGIT_SIGN_INS):
        status, seconds = sign_in(EMAIL, PASSWORD, "127.0.0.1")
        assert status == 200, f"the legitimate sign-in answered {status}"
        times.append(seconds)
    return statistics.quantiles(times, n=20)[18] * 1000


quiet_p95 = legit_p95()
quiet_rss = memory("VmRSS:")

statuses = {}
lock = threading.Lock()
remaining = [FLOOD_REQUESTS]


def flood():
    while True:
        with lock:
            if remaining[0] == 0:
                return
            remaining[0] -= 1
            n = remaining[0]
        status, _ = sign_in(f"nobody{n}@flood.test", "wrong password, again", "127.0.0.2")
        with lock:
            statuses[status] = statuses.get(status, 0) + 1


threads = [threading.Thread(target=flood) for _ in range(FLOOD_THREADS)]
for thread in threads:
    thread.start()
flood_p95 = legit_p95()
for thread in threads:
    thread.join()
peak = memory("VmHWM:")

print(f"legitimate sign-in p95: {quiet_p95:.0f} ms quiet, {flood_p95:.0f} ms during the flood "
      f"(ratio {flood_p95 / quiet_p95:.2f})")
print(f"memory: {quiet_rss} MB resident before the flood, {peak} MB peak (VmHWM) after it")
print(f"flood of {FLOOD_REQUESTS} bad sign-ins, {FLOOD_THREADS} at a time, from 127.0.0.2: "
      + ", ".join(f"{count} x {status}" for status, count in sorted(statuses.items())))
