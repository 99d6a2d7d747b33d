"""Kickoffs under AWS latency: 1, 10 and 50 secrets read through Workload Identity with 50 ms
added to every AWS call (the fault proxy's latency mode), the STS session warm and cold, and 20
workers kicking off at once. Prints the latency table, the 50-secret/1-secret ratio, Wisp's CPU
time per kickoff, and its peak RSS; beside them, one direct GetSecretValue through the same
latency, measured in the same run.

Usage:
  kickoff.py setup BASE AWS EMULATOR EMAIL PASSWORD STATE     creates the automations, deploys them
  kickoff.py warm BASE AWS PID STATE                          warm, concurrent, CPU, RSS (latency on)
  kickoff.py cold BASE STATE ROUND                            one cold kickoff of each size
  kickoff.py report STATE                                     the tables
(loopback only; every loop is bounded)"""
import http.client
import json
import multiprocessing
import os
import statistics
import sys
import time
import urllib.parse
import urllib.request

import boto3
from botocore.config import Config

SIZES = (1, 10, 50)
WARM_RUNS = 40
WORKERS, ROUNDS = 20, 10
LATENCY = 0.050


def loopback(*urls):
    for url in urls:
        assert urllib.parse.urlsplit(url).hostname.startswith("127."), "loopback only"


def aws_client(endpoint):
    session = boto3.Session(aws_access_key_id="bench", aws_secret_access_key="bench", region_name="us-east-1")
    return session.client("secretsmanager", endpoint_url=endpoint, config=Config(retries={"max_attempts": 1}))


class Client:
    """One keep-alive connection, as a worker or a browser has."""

    def __init__(self, base):
        parts = urllib.parse.urlsplit(base)
        self.base, self.connection, self.cookie = base, http.client.HTTPConnection(parts.hostname, parts.port, timeout=60), ""

    def post(self, path, body, headers):
        self.connection.request("POST", path, body, headers)
        response = self.connection.getresponse()
        payload = response.read()
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, json.loads(payload) if payload else None

    def call(self, endpoint, form):
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": self.base}
        if self.cookie:
            headers["Cookie"] = self.cookie
        return self.post(f"/api/{endpoint}", urllib.parse.urlencode(form), headers)

    def kickoff(self, token):
        started = time.perf_counter()
        status, body = self.post("/api/v1/kickoffs", "{}", {"Authorization": f"Bearer {token}",
                                                             "Content-Type": "application/json"})
        elapsed = time.perf_counter() - started
        assert status == 200, f"kickoff: {status} {body}"
        return elapsed, body


def setup(base, aws, emulator, email, password, state_file):
    loopback(base, aws, emulator)
    seeder = aws_client(emulator)
    admin = Client(base)
    assert admin.call("login", {"email": email, "password": password})[0] == 200
    state = {"sizes": {}}
    for size in SIZES:
        # A role, config and credential per size: each keeps its own STS session, so each size's
        # first kickoff after a restart is cold.
        status, config = admin.call("workload_identity/create", {
            "name": f"bench-{size}", "provider": "aws", "region": "us-east-1",
            "role_arn": f"arn:aws:iam::123456789012:role/bench-{size}"})
        assert status == 200, config
        status, credential = admin.call("secret_providers/create", {
            "name": f"bench-{size}", "provider": "aws_secrets_manager", "auth_method": "workload_identity",
            "workload_identity_config": config["id"], "access_key_id": "", "secret_access_key": "",
            "role_arn": "", "external_id": "", "region": "us-east-1"})
        assert status == 200, credential
        status, automation = admin.call("automations/create", {"name": f"bench-{size}"})
        assert status == 200, automation
        for n in range(size):
            name = f"bench/{size}/secret-{n}"
            try:
                seeder.create_secret(Name=name, SecretString=f"value-{n}")
            except seeder.exceptions.ResourceExistsException:
                pass
            status, added = admin.call("automations/variables/add", {
                "automation": automation, "key": f"SECRET_{n}", "source": "secret", "value": "",
                "sensitive": "false", "credential": credential["id"], "secret_name": name, "json_key": ""})
            assert status == 200, added
        status, deployed = admin.call("automations/deploy", {"automation": automation})
        assert status == 200, deployed
        state["sizes"][str(size)] = {"token": deployed["token"], "cold": []}
    with open(state_file, "w") as f:
        json.dump(state, f)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _worker(args):
    base, token, barrier = args
    client = Client(base)
    client.kickoff(token)  # its connection open, as a running worker's is
    barrier.wait()
    return [client.kickoff(token)[0] for _ in range(ROUNDS)]


def warm(base, aws, pid, state_file):
    loopback(base, aws)
    with open(state_file) as f:
        state = json.load(f)
    client = Client(base)
    for size in SIZES:
        entry = state["sizes"][str(size)]
        elapsed, body = client.kickoff(entry["token"])  # the STS session, if it was not yet
        assert len(body["env"]) == size
        before = cpu_seconds(pid)
        entry["warm"] = [client.kickoff(entry["token"])[0] for _ in range(WARM_RUNS)]
        entry["cpu_ms"] = (cpu_seconds(pid) - before) * 1000 / WARM_RUNS
    # The same latency for a direct reader of one secret: one GetSecretValue, connection warm.
    direct = aws_client(aws)
    direct.get_secret_value(SecretId="bench/1/secret-0")
    state["direct"] = []
    for _ in range(WARM_RUNS):
        started = time.perf_counter()
        direct.get_secret_value(SecretId="bench/1/secret-0")
        state["direct"].append(time.perf_counter() - started)
    # Twenty workers at once, each kicking off the 10-secret automation ROUNDS times.
    manager = multiprocessing.Manager()
    barrier = manager.Barrier(WORKERS)
    token = state["sizes"]["10"]["token"]
    before = cpu_seconds(pid)
    started = time.perf_counter()
    with multiprocessing.Pool(WORKERS) as pool:
        runs = pool.map(_worker, [(base, token, barrier)] * WORKERS)
    wall = time.perf_counter() - started
    state["concurrent"] = {"times": [t for run in runs for t in run], "wall": wall,
                           "cpu_ms": (cpu_seconds(pid) - before) * 1000 / (WORKERS * (ROUNDS + 1))}
    state["peak_rss_mib"] = peak_rss_mib(pid)
    with open(state_file, "w") as f:
        json.dump(state, f)


def cold(base, state_file, round_number):
    loopback(base)
    with open(state_file) as f:
        state = json.load(f)
    client = Client(base)
    # A different size goes first each round: the first also signs the organization's token.
    order = list(SIZES[int(round_number) % 3:] + SIZES[: int(round_number) % 3])
    for size in order:
        entry = state["sizes"][str(size)]
        entry["cold"].append(client.kickoff(entry["token"])[0])
    with open(state_file, "w") as f:
        json.dump(state, f)


def ms(values, q):
    if len(values) == 1:
        return values[0] * 1000
    cuts = statistics.quantiles(values, n=20, method="inclusive")
    return {50: statistics.median(values), 95: cuts[18]}[q] * 1000


def report(state_file):
    with open(state_file) as f:
        state = json.load(f)
    sizes = state["sizes"]
    print(f"\nKickoffs with {LATENCY * 1000:.0f} ms added to every AWS call (times in ms; "
          f"warm: {WARM_RUNS} in a row; cold: the first after a restart, {len(sizes['1']['cold'])} restarts)")
    print(f"{'secrets':>8}{'warm p50':>10}{'warm p95':>10}{'cold p50':>10}{'cold max':>10}{'CPU/kickoff':>13}")
    for size in SIZES:
        entry = sizes[str(size)]
        print(f"{size:>8}{ms(entry['warm'], 50):>10.1f}{ms(entry['warm'], 95):>10.1f}"
              f"{ms(entry['cold'], 50):>10.1f}{max(entry['cold']) * 1000:>10.1f}{entry['cpu_ms']:>11.2f}ms")
    direct = state["direct"]
    print(f"{'direct':>8}{ms(direct, 50):>10.1f}{ms(direct, 95):>10.1f}   (one GetSecretValue from boto3, same latency)")
    w1, w50 = sizes["1"]["warm"], sizes["50"]["warm"]
    print(f"\n50-secret / 1-secret, warm: p50 {ms(w50, 50) / ms(w1, 50):.2f}x, p95 {ms(w50, 95) / ms(w1, 95):.2f}x"
          " (goal <= 1.3)")
    print(f"1-secret warm / direct GetSecretValue: p50 {ms(w1, 50) / ms(direct, 50):.2f}x")
    c = state["concurrent"]
    n = len(c["times"])
    print(f"\n{WORKERS} workers at once, {ROUNDS} kickoffs each of the 10-secret automation: p50 {ms(c['times'], 50):.1f} ms, "
          f"p95 {ms(c['times'], 95):.1f} ms, {n / c['wall']:.0f} kickoffs/s, CPU {c['cpu_ms']:.2f} ms a kickoff")
    print(f"Peak RSS of wisp: {state['peak_rss_mib']:.1f} MiB")


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"setup": setup, "warm": warm, "cold": cold, "report": report}[command](*args)
