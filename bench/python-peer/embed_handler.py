"""The benchmark's Python peer of oidc-signup with EMBED_EXPERIENCE=dashboard:<id>, for a returning
user: the calls of AWS's embedding sample (DescribeUser, GenerateEmbedUrlForRegisteredUser) in
boto3, run by the official runtime interface client (awslambdaric). It reads the ID token's claims
without verifying the signature (the sample trusts its authorizer), which favours the peer."""

import base64
import json
import os

# The sign-up peer's client and settings, built once per process.
from handler import ACCOUNT, NAMESPACE, QUICKSIGHT, ROLE_ARN

ROLE_NAME = ROLE_ARN.rsplit("/", 1)[1]
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
