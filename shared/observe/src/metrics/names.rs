//! Every metric the functions emit, named once: a misspelt name is a compile error, not a new
//! metric nobody alarms on. The CloudWatch name is the variant's own name.

macro_rules! metrics {
    ($($(#[$doc:meta])* $name:ident,)*) => {
        /// A CloudWatch metric (a `Count` in the `qs-provision` namespace). Declared in alphabetical
        /// order, so a document lists its metrics by name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Metric {
            $($(#[$doc])* $name,)*
        }

        impl Metric {
            pub const ALL: &'static [Metric] = &[$(Metric::$name,)*];

            /// The name CloudWatch shows (and the template's alarms use).
            pub fn name(self) -> &'static str {
                match self {
                    $(Metric::$name => stringify!($name),)*
                }
            }
        }
    };
}

metrics! {
    /// sqs-sync: assets a leaver owned, handed over before the deletion.
    AssetsHandedOver,
    /// sqs-sync: not started, too little time left in the invocation.
    ChangesFailedDeadlineNear,
    /// sqs-sync: held back because an earlier message of its FIFO group failed.
    ChangesFailedEarlierInGroup,
    /// sqs-sync: not valid JSON or not valid values.
    ChangesFailedInvalid,
    /// sqs-sync: QuickSight refused or failed.
    ChangesFailedQuickSight,
    /// sqs-sync: a change this deployment must not apply.
    ChangesFailedRefused,
    /// oidc-signup: ID token claims QuickSight would refuse.
    ClaimsInvalid,
    /// oidc-signup: embed URLs returned with a login.
    EmbedUrlsIssued,
    /// oidc-signup: users provisioned whose embed URL QuickSight did not give (503).
    EmbedUrlsUnavailable,
    /// oidc-signup: the provider's key set fetched again.
    JwksRefetches,
    /// oidc-signup: the provider's keys could not be fetched.
    KeysUnavailable,
    /// oidc-signup: a login another identity holds.
    LoginConflicts,
    MembershipsAdded,
    MembershipsRemoved,
    /// Tenants' namespaces created on demand (TENANT_CREATE_NAMESPACE).
    NamespacesCreated,
    /// reconcile: changes the queue did not take.
    ReconcileChangesNotSent,
    ReconcileChangesSent,
    /// reconcile: deletions a guard held back.
    ReconcileDeletionsHeld,
    /// reconcile: a run that read QuickSight or the directory only in part, or sent only part of
    /// its plan; its line names the `Phase` (`quicksight`, `directory`, `queue`, `configuration`).
    ReconcileFailed,
    /// reconcile: role memberships created and deleted (ROLE_MEMBERSHIPS).
    ReconcileRoleMembershipsAdded,
    ReconcileRoleMembershipsRemoved,
    /// reconcile: pending self-upgrades approved and denied by the directory (SELF_UPGRADE=directory).
    ReconcileSelfUpgradesApproved,
    ReconcileSelfUpgradesDenied,
    /// reconcile: users the plan reports and leaves alone.
    ReconcileUsersLeftAlone,
    /// oidc-signup: a request asking for what the deployment does not allow (a `dashboard_id`, 400).
    RequestsInvalid,
    /// scim: every request answered.
    ScimRequests,
    /// scim: answered 5xx or 429 (QuickSight, the table or the token secret failed or throttled).
    ScimRequestsFailed,
    /// scim: answered 4xx other than 401 and 429 (a request this service refuses).
    ScimRequestsInvalid,
    /// scim: no bearer token, or a wrong one (401).
    ScimRequestsUnauthorized,
    /// oidc-signup: QuickSight failed (503).
    SignupsFailedQuickSight,
    /// cognito-signup: neither provisioned nor queued.
    SignupsNotProvisioned,
    /// cognito-signup: QuickSight failed; the change is on the retry queue.
    SignupsQueued,
    /// oidc-signup: a tenant without a namespace, with TENANT_CREATE_NAMESPACE off (403).
    TenantsUnknown,
    /// QuickSight calls answered 429, every one (the admission layer sends them again).
    ThrottledCalls,
    /// oidc-signup: tokens refused (401).
    TokensRefused,
    UsersDeleted,
    UsersNotFound,
    UsersRecreated,
    UsersRegistered,
    UsersUnchanged,
    UsersUpdated,
}

#[cfg(test)]
mod tests {
    use super::Metric;

    #[test]
    fn metrics_are_declared_in_name_order() {
        let names: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
    }
}
