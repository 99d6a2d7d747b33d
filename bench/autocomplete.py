"""The Secret Name autocomplete under people typing: Wisp's answer times against a direct
ListSecrets call for the same query, in the same run, and the AWS calls Wisp made.

Every user types `team-42/service-7/key-3` in four bursts ("team-42/", "service-7/", "key-",
"3"), one character every 80 ms, pausing after each burst; like the browser, the query goes
250 ms after the burst's last keystroke. Twenty users, each a process of its own, type at once:
first all the same text in lockstep (they share Wisp's answers, and their requests land in the
same millisecond), then each a team of their own (every first query is cold).

Usage: autocomplete.py BASE_URL AWS_ENDPOINT EMULATOR_URL EMAIL PASSWORD USER_PREFIX USER_PASSWORD USERS
(loopback only; every loop is bounded)"""
import http.client
import json
import multiprocessing
import statistics
import sys
import time
import urllib.parse
import urllib.request

import boto3
from botocore.config import Config

BASE, AWS, EMULATOR, EMAIL, PASSWORD, USER_PREFIX, USER_PASSWORD, USERS = sys.argv[1:9]
USERS = int(USERS)
for url in (BASE, AWS, EMULATOR):
    assert urllib.parse.urlsplit(url).hostname.startswith("127."), "loopback only"
HOST, PORT = urllib.parse.urlsplit(BASE).hostname, urllib.parse.urlsplit(BASE).port
KEYSTROKE, DEBOUNCE, PAUSE = 0.080, 0.250, 0.300
TEAMS, SERVICES, KEYS = 100, 10, 10


def aws_client(endpoint=None):
    session = boto3.Session(aws_access_key_id="bench", aws_secret_access_key="bench", region_name="us-east-1")
    return session.client("secretsmanager", endpoint_url=endpoint or AWS, config=Config(retries={"max_attempts": 1}))


def seed():
    # Straight to the emulator: the proxy would count (and slow) ten thousand set-up calls.
    client = aws_client(EMULATOR)
    if client.list_secrets(Filters=[{"Key": "name", "Values": ["team-99/service-9/key-9"]}])["SecretList"]:
        return
    # One at a time: moto's server fails concurrent writes.
    for t in range(TEAMS):
        for s in range(SERVICES):
            for k in range(KEYS):
                name = f"team-{t}/service-{s}/key-{k}"
                client.create_secret(Name=name, SecretString="v1", Description=f"bench {name}")


class Member:
    """A signed-in browser: one keep-alive connection and its session cookie."""

    def __init__(self, email, password):
        self.connection = http.client.HTTPConnection(HOST, PORT, timeout=30)
        self.cookie = ""
        status, _ = self.call("login", {"email": email, "password": password})
        assert status == 200, f"sign-in as {email}: {status}"

    def call(self, endpoint, form):
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": BASE, "Accept": "application/json"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        self.connection.request("POST", f"/api/{endpoint}", urllib.parse.urlencode(form), headers)
        response = self.connection.getresponse()
        body = response.read()
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, json.loads(body) if body else None


def calls():
    with urllib.request.urlopen(f"{AWS}/__faults/calls") as response:
        return json.load(response).get("ListSecrets", 0)


def bursts_of(text):
    """`team-42/service-7/key-3` → the four bursts a person types it in."""
    parts = text.split("/")
    return [parts[0] + "/", parts[1] + "/", parts[2][:-1], parts[2][-1]]


def type_and_ask(member, credential, text, barrier, results):
    barrier.wait()
    typed = ""
    for index, burst in enumerate(bursts_of(text)):
        for char in burst:
            typed += char
            time.sleep(KEYSTROKE)
        time.sleep(DEBOUNCE)
        started = time.perf_counter()
        status, answer = member.call("automations/secret_names", {"credential": credential, "query": typed})
        elapsed = time.perf_counter() - started
        assert status == 200, f"{typed}: {status} {answer}"
        assert answer["problem"] is None, answer
        assert all(s["name"].startswith(typed) for s in answer["suggestions"]), answer
        results.put((index, elapsed))
        time.sleep(PAUSE)


_direct_client = None


def _ask_directly(query):
    global _direct_client
    if _direct_client is None:
        _direct_client = aws_client()
        _direct_client.list_secrets(MaxResults=1)  # connection and signer warm, as Wisp's are
    started = time.perf_counter()
    _direct_client.list_secrets(Filters=[{"Key": "name", "Values": [query]}], MaxResults=20)
    return time.perf_counter() - started


def direct(queries, at_once=True):
    """Each query once per user straight to AWS: all at once from a process each (the same load
    as Wisp's users), or one after another (AWS's own answer time, unloaded)."""
    if not at_once:
        return [_ask_directly(query) for query in queries]
    with multiprocessing.Pool(len(queries), initializer=_ask_directly, initargs=("warm",)) as pool:
        return pool.map(_ask_directly, queries, chunksize=1)


def quantiles(seconds):
    cuts = statistics.quantiles(seconds, n=20, method="inclusive")
    return statistics.median(seconds) * 1000, cuts[18] * 1000


def scenario(title, members, credential, texts):
    # A process per user: one interpreter's lock would otherwise queue the users' requests and
    # add its waits to the times measured.
    barrier, results = multiprocessing.Barrier(len(members)), multiprocessing.Queue()
    before = calls()
    users = [multiprocessing.Process(target=type_and_ask, args=(m, credential, t, barrier, results))
             for m, t in zip(members, texts)]
    for user in users:
        user.start()
    timings = [[] for _ in range(4)]
    for _ in range(4 * len(users)):
        index, elapsed = results.get(timeout=120)
        timings[index].append(elapsed)
    for user in users:
        user.join(timeout=30)
        assert user.exitcode == 0, "a typist failed"
    wisp_calls = calls() - before
    rows = []
    for index in range(4):
        queries = ["".join(bursts_of(t)[: index + 1]) for t in texts]
        # A burst is cold when no shorter query's complete answer holds it: the first two here.
        kind = "cold" if index < 2 else "narrowed"
        loaded, quiet = direct(queries), direct(queries, at_once=False)
        rows.append((index, queries[0], kind, quantiles(timings[index]), quantiles(loaded), quantiles(quiet),
                     len(set(queries))))
    print(f"\n{title}: {len(members)} users, {wisp_calls} ListSecrets call(s) by Wisp "
          f"for {sum(r[6] for r in rows)} distinct debounced queries (times in ms)")
    print(f"{'burst':<6}{'query (user 1)':<25}{'kind':<9}{'Wisp p50':>9}{'p95':>7}"
          f"{'direct@20 p50':>14}{'p95':>7}{'ratio':>7}{'direct@1 p50':>13}{'p95':>7}{'ratio':>7}")
    for index, query, kind, (w50, w95), (l50, l95), (q50, q95), _ in rows:
        print(f"{index + 1:<6}{query:<25}{kind:<9}{w50:>9.1f}{w95:>7.1f}{l50:>14.1f}{l95:>7.1f}{w95 / l95:>6.2f}x"
              f"{q50:>13.1f}{q95:>7.1f}{w95 / q95:>6.2f}x")
    return rows, wisp_calls


def main():
    started = time.monotonic()
    seed()
    print(f"{TEAMS * SERVICES * KEYS} secrets in the local AWS ({time.monotonic() - started:.0f} s to seed or find)")
    admin = Member(EMAIL, PASSWORD)
    status, config = admin.call("workload_identity/create", {
        "name": "bench", "provider": "aws", "role_arn": "arn:aws:iam::123456789012:role/bench", "region": "us-east-1"})
    assert status == 200, config
    status, credential = admin.call("secret_providers/create", {
        "name": "bench", "provider": "aws_secrets_manager", "auth_method": "workload_identity",
        "workload_identity_config": config["id"], "access_key_id": "", "secret_access_key": "", "role_arn": "",
        "external_id": "", "region": "us-east-1"})
    assert status == 200, credential
    # An admin tests the credential before anyone uses it: that keeps its STS session warm.
    status, report = admin.call("secret_providers/test_connection", {"id": credential["id"]})
    assert status == 200 and report["passed"], report
    members = [Member(f"{USER_PREFIX}{n}@bench.test", USER_PASSWORD) for n in range(USERS)]

    same, same_calls = scenario("All type the same", members, credential["id"], ["team-42/service-7/key-3"] * USERS)
    own, own_calls = scenario("Each types their own team", members, credential["id"],
                              [f"team-{n}/service-{n % SERVICES}/key-3" for n in range(USERS)])

    cold = [r for r in same + own if r[2] == "cold"]
    narrowed = [r for r in same + own if r[2] == "narrowed"]
    worst_cold = max(r[3][1] / r[4][1] for r in cold)
    worst_cold_quiet = max(r[3][1] / r[5][1] for r in cold)
    worst_narrowed = max(r[3][1] for r in narrowed)
    distinct = sum(r[6] for r in same + own)
    print("\nGoals")
    print(f"  cold queries: Wisp p95 / direct p95 at most {worst_cold:.2f}x under the same load, "
          f"{worst_cold_quiet:.2f}x against one direct call at a time (goal <= 1.2x)")
    print(f"  narrowed queries: Wisp p95 at most {worst_narrowed:.1f} ms (goal <= 5 ms)")
    print(f"  AWS calls: {same_calls + own_calls} for {distinct} distinct debounced queries (goal <= one each)")


if __name__ == "__main__":
    main()
