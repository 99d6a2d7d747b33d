"""The command a test runs under `wisp run`: an AWS job with no key of its own.

It checks what `wisp run` gave it (no stored key; the role, session name, regions and a private
web identity token file), then for DURATION seconds writes and reads an object in S3 through a
single boto3 client. The STS sessions are shorter than botocore's refresh window, so botocore
assumes the role again before each call, reading the token file anew. It also asks for an ID
token with `wisp id-token`. What it saw goes to the JSON file SUMMARY, with the seconds (from its start) at which it first read
each new token.

Usage: run_child.py DURATION SUMMARY WISP_BINARY
"""
import base64
import hashlib
import json
import os
import stat
import subprocess
import sys
import time

import boto3


def payload(token):
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def main():
    duration, summary_path, wisp = float(sys.argv[1]), sys.argv[2], sys.argv[3]
    token_file = os.environ["AWS_WEB_IDENTITY_TOKEN_FILE"]
    seen = {
        "env": sorted(k for k in os.environ if k.startswith(("AWS_", "WISP_"))),
        "role_arn": os.environ.get("AWS_ROLE_ARN"),
        "session_name": os.environ.get("AWS_ROLE_SESSION_NAME"),
        "region": os.environ.get("AWS_REGION"),
        "default_region": os.environ.get("AWS_DEFAULT_REGION"),
        "token_file": token_file,
        "file_mode": oct(stat.S_IMODE(os.stat(token_file).st_mode)),
        "folder_mode": oct(stat.S_IMODE(os.stat(os.path.dirname(token_file)).st_mode)),
    }
    id_token = subprocess.run([wisp, "id-token", "--audience", "vault"], capture_output=True, text=True, check=True)
    seen["id_token_sub"] = payload(id_token.stdout.strip())["sub"]
    seen["id_token_aud"] = payload(id_token.stdout.strip())["aud"]

    session = boto3.session.Session()
    s3 = session.client("s3")
    s3.create_bucket(Bucket="wisp-run")
    tokens, keys, calls, failures, replaced = set(), set(), 0, [], []
    started = time.monotonic()
    while time.monotonic() - started < duration:
        with open(token_file, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        if tokens and digest not in tokens:
            replaced.append(round(time.monotonic() - started, 1))
        tokens.add(digest)
        body = f"run at {time.time():.1f}".encode()
        try:
            s3.put_object(Bucket="wisp-run", Key="proof.txt", Body=body)
            read = s3.get_object(Bucket="wisp-run", Key="proof.txt")["Body"].read()
            if read != body:
                failures.append(f"read back {read!r}")
            keys.add(session.get_credentials().get_frozen_credentials().access_key)
        except Exception as error:  # noqa: BLE001 - every failure is the finding
            failures.append(f"{time.monotonic() - started:.1f}s: {error}")
        calls += 1
        time.sleep(2)
    seen.update(calls=calls, failures=failures, tokens_read=len(tokens), access_keys=len(keys), replaced_at=replaced)
    with open(summary_path, "w") as f:
        json.dump(seen, f)


main()
