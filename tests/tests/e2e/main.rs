//! The end-to-end tests: the real binaries (the functions under aws-lambda-rie, quicksight-local,
//! the admin tools) against local stand-ins (moto's SQS and Cognito, `sam local`). One test binary,
//! a module per area: each binary links the AWS SDKs, and linking them once saves most of a cold
//! build.

mod assets;
mod browser;
mod cognito_signup;
mod custom_permissions;
mod embed;
mod emulator;
mod engine;
mod governance;
mod identity_center;
mod identity_region;
mod oidc_signup;
mod qs_enqueue;
mod reconcile;
mod sam_local;
mod scim;
mod sdk_endpoint;
mod sqs_sync;
mod template;
mod tenants;
mod two_instances;
