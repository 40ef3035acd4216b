//! Retries of what the SDK does not retry: unprocessed batch items, and transactions
//! cancelled only by conflicts. Jittered exponential backoff within a budget.

use std::time::Duration;

/// How often and how long to retry unprocessed batch items and conflicting transactions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// The first delay; each retry doubles it, up to `max_delay`.
    pub base_delay: Duration,
    /// The longest delay.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 10,
            base_delay: Duration::from_millis(25),
            max_delay: Duration::from_secs(2),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// The delay before retry `attempt` (1-based): full jitter over an exponential cap.
    pub fn delay(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(20);
        let cap = self
            .base_delay
            .saturating_mul(1 << exponent)
            .min(self.max_delay);
        let millis = u64::try_from(cap.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(fastrand::u64(0..=millis))
    }

    /// Waits before retry `attempt` of `operation`, which still has `pending` items (a
    /// `retry` event with the `tracing` feature).
    pub(crate) async fn back_off(&self, operation: &'static str, attempt: u32, pending: usize) {
        let delay = self.delay(attempt);
        crate::backend::record_retry(operation);
        #[cfg(feature = "tracing")]
        tracing::Span::current().record("retries", attempt);
        #[cfg(feature = "tracing")]
        tracing::warn!(
            operation,
            attempt,
            pending,
            delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            "retry"
        );
        #[cfg(not(feature = "tracing"))]
        let _ = pending;
        tokio::time::sleep(delay).await;
    }
}

/// Runs `future`, an operation the client may retry itself, in a `dynamo_model` span whose
/// `retries` field counts its retries (feature `tracing`; otherwise the future as is).
#[cfg(feature = "tracing")]
pub(crate) fn retrying<F: std::future::Future>(
    operation: &'static str,
    future: F,
) -> tracing::instrument::Instrumented<F> {
    use tracing::Instrument;
    future.instrument(tracing::info_span!(
        "dynamo_model",
        operation,
        retries = 0_u32
    ))
}

/// Without the `tracing` feature, the future as is.
#[cfg(not(feature = "tracing"))]
pub(crate) fn retrying<F: std::future::Future>(_operation: &'static str, future: F) -> F {
    future
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_stay_under_the_cap() {
        let policy = RetryPolicy::default();
        for attempt in 1..30 {
            let cap = policy
                .base_delay
                .saturating_mul(1 << (attempt - 1).min(20))
                .min(policy.max_delay);
            assert!(policy.delay(attempt) <= cap);
        }
    }
}
