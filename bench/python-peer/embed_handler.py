"""The benchmark's Python peer of oidc-signup with EMBED_EXPERIENCE=dashboard:<id>, for a returning
user: the calls of AWS's embedding sample (DescribeUser, GenerateEmbedUrlForRegisteredUser) in
boto3, run by the official runtime interface client (awslambdaric). It reads the ID token's claims
without verifying the signature (the sample trusts its authorizer), which favours the peer."""

import base64
import json
import os

import boto3
from botocore.config import Config

# Built once per process, like the Rust functions' client.
QUICKSIGHT = boto3.client(
    "quicksight",
    region_name=os.environ.get("QUICKSIGHT_IDENTITY_REGION") or os.environ["AWS_REGION"],
    config=Config(retries={"mode": "standard", "max_attempts": int(os.environ.get("QUICKSIGHT_MAX_ATTEMPTS", "4"))}),
)
ACCOUNT = os.environ["QUICKSIGHT_ACCOUNT_ID"]
NAMESPACE = os.environ.get("QUICKSIGHT_NAMESPACE", "default")
ROLE_NAME = os.environ["QUICKSIGHT_FEDERATED_ROLE_ARN"].rsplit("/", 1)[1]
DASHBOARD = os.environ["EMBED_EXPERIENCE"].split(":", 1)[1]
MINUTES = int(os.environ.get("EMBED_SESSION_MINUTES", "600"))


def claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def handler(event, context):
    token = event["headers"]["authorization"].split(" ", 1)[1]
    user_name = f"{ROLE_NAME}/{claims(token)['email']}"
    user = QUICKSIGHT.describe_user(AwsAccountId=ACCOUNT, Namespace=NAMESPACE, UserName=user_name)["User"]
    url = QUICKSIGHT.generate_embed_url_for_registered_user(
        AwsAccountId=ACCOUNT, UserArn=user["Arn"], SessionLifetimeInMinutes=MINUTES,
        ExperienceConfiguration={"Dashboard": {"InitialDashboardId": DASHBOARD}})["EmbedUrl"]
    body = {"user_name": user_name, "embed_url": url}
    return {"statusCode": 200, "headers": {"content-type": "application/json", "cache-control": "no-store"},
            "body": json.dumps(body)}
