"""The benchmark's Python peer of cognito-signup: the same QuickSight call for the same Cognito
post-confirmation event under the same environment (template.yaml's defaults), in boto3, run by
the official runtime interface client (awslambdaric). Supports only what the benchmark's event
uses: a new user, no groups, the session name from the e-mail, the login from `sub`."""

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
ROLE_ARN = os.environ["QUICKSIGHT_FEDERATED_ROLE_ARN"]


def handler(event, context):
    attributes = event["request"]["userAttributes"]
    issuer = f"https://cognito-idp.{event['region']}.amazonaws.com/{event['userPoolId']}"
    try:
        QUICKSIGHT.register_user(
            AwsAccountId=ACCOUNT, Namespace=NAMESPACE, IdentityType="IAM", IamArn=ROLE_ARN,
            SessionName=attributes["email"], Email=attributes["email"],
            UserRole=os.environ.get("QUICKSIGHT_DEFAULT_ROLE", "READER"),
            ExternalLoginFederationProviderType="CUSTOM_OIDC", CustomFederationProviderUrl=issuer,
            ExternalLoginId=attributes["sub"])
    except QUICKSIGHT.exceptions.ResourceExistsException:
        pass
    return event
