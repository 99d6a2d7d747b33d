"""Seeds the local AWS emulator with the demo's role and a few secrets, idempotently.

Usage: seed-local-aws.py ENDPOINT_URL
"""
import json
import sys

import boto3
from botocore.config import Config

ROLE_NAME = "wisp-demo-secrets-reader"
SECRETS = {
    "demo/database-password": "correct-horse-battery-staple",
    "demo/stripe-api-key": "sk_test_demo_0000000000",
    "demo/slack-webhook": "https://hooks.slack.invalid/demo",
}


def main():
    endpoint = sys.argv[1]
    session = boto3.Session(aws_access_key_id="demo", aws_secret_access_key="demo", region_name="us-east-1")
    config = Config(retries={"max_attempts": 1})
    iam = session.client("iam", endpoint_url=endpoint, config=config)
    secrets = session.client("secretsmanager", endpoint_url=endpoint, config=config)
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Federated": "wisp-demo"},
                       "Action": "sts:AssumeRoleWithWebIdentity"}],
    }
    try:
        role = iam.create_role(RoleName=ROLE_NAME, AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    except iam.exceptions.EntityAlreadyExistsException:
        role = iam.get_role(RoleName=ROLE_NAME)["Role"]
    for name, value in SECRETS.items():
        try:
            secrets.create_secret(Name=name, SecretString=value)
        except secrets.exceptions.ResourceExistsException:
            pass
    print(f"Local AWS at {endpoint}: role {role['Arn']} (region us-east-1), {len(SECRETS)} secrets under demo/")


if __name__ == "__main__":
    main()
