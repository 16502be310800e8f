//! qs-observe: the functions' log lines ([`logging`]: one flat JSON object per line) and their
//! CloudWatch metrics ([`metrics`]: EMF, named once in [`metrics::Metric`]).

pub mod logging;
pub mod metrics;
