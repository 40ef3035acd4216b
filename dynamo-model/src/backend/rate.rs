//! Client-side rate limits on consumed capacity: a token bucket per direction (reads in
//! RCU, writes in WCU), fixed or adaptive.
//!
//! Each request waits until its bucket holds a unit, takes one, and settles the difference
//! when the response reports what it consumed (the limiter asks for
//! `ReturnConsumedCapacity = TOTAL`), so the long-run rate follows consumed capacity, not
//! request counts. An adaptive limit halves its rate when DynamoDB throttles (a throttling
//! error, or a batch returning unprocessed items) and climbs back to its ceiling while
//! requests succeed.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::operation::{
    batch_execute_statement, batch_get_item, batch_write_item, execute_statement,
};

use super::capacity::{Capacity, Reported};
use super::tables::Tables;
use super::{operations, Backend, BackendFuture};
use crate::error::ErrorKind;

/// A rate limit shared by every client (and clone) it is given to; see
/// [`Dynamo::with_rate_limit`](crate::Dynamo::with_rate_limit).
///
/// ```
/// use dynamo_model::backend::RateLimit;
/// // 50 RCU and 20 WCU per second, with up to 2 seconds' worth saved up for bursts.
/// let steady = RateLimit::fixed(50.0, 20.0).burst(Duration::from_secs(2));
/// // Up to 100 RCU / 100 WCU per second, halved on throttling, recovering over 10 s.
/// let adaptive = RateLimit::adaptive(100.0, 100.0);
/// assert_eq!(adaptive.write_rate(), 100.0);
/// # use std::time::Duration;
/// ```
#[derive(Clone)]
pub struct RateLimit {
    read: Arc<Mutex<Bucket>>,
    write: Arc<Mutex<Bucket>>,
}

impl fmt::Debug for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimit")
            .field("read_rate", &self.read_rate())
            .field("write_rate", &self.write_rate())
            .finish()
    }
}

/// Which bucket a request draws on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Read,
    Write,
}

#[derive(Debug)]
struct Bucket {
    /// Units per second now.
    rate: f64,
    /// The ceiling (the fixed rate, or an adaptive limit's maximum).
    ceiling: f64,
    /// An adaptive bucket's floor; `None` for a fixed rate.
    floor: Option<f64>,
    /// Seconds of rate that may be saved up.
    burst: f64,
    tokens: f64,
    refilled: Instant,
}

impl Bucket {
    fn new(rate: f64, adaptive: bool) -> Self {
        let rate = if rate.is_finite() && rate > 0.0 {
            rate
        } else {
            f64::MAX
        };
        Bucket {
            rate,
            ceiling: rate,
            floor: adaptive.then(|| (rate / 20.0).max(1.0).min(rate)),
            burst: 1.0,
            tokens: 1.0,
            refilled: Instant::now(),
        }
    }

    fn refill(&mut self) {
        let now = Instant::now();
        let elapsed = now.duration_since(self.refilled).as_secs_f64();
        self.refilled = now;
        let capacity = (self.rate * self.burst).max(1.0);
        self.tokens = (self.tokens + elapsed * self.rate).min(capacity);
        if self.floor.is_some() {
            // Adaptive: climb back to the ceiling over 10 seconds of success.
            self.rate = (self.rate + self.ceiling / 10.0 * elapsed).min(self.ceiling);
        }
    }

    /// Takes a unit, or says how long until one is there.
    fn take(&mut self) -> Option<Duration> {
        self.refill();
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            None
        } else {
            Some(Duration::from_secs_f64((1.0 - self.tokens) / self.rate))
        }
    }
}

impl RateLimit {
    /// At most `read_units` RCU and `write_units` WCU per second (a non-positive or
    /// non-finite rate does not limit).
    pub fn fixed(read_units: f64, write_units: f64) -> Self {
        RateLimit {
            read: Arc::new(Mutex::new(Bucket::new(read_units, false))),
            write: Arc::new(Mutex::new(Bucket::new(write_units, false))),
        }
    }

    /// Up to `max_read_units` RCU and `max_write_units` WCU per second: the rate halves
    /// on each throttled request (down to a twentieth) and climbs back while requests
    /// succeed.
    pub fn adaptive(max_read_units: f64, max_write_units: f64) -> Self {
        RateLimit {
            read: Arc::new(Mutex::new(Bucket::new(max_read_units, true))),
            write: Arc::new(Mutex::new(Bucket::new(max_write_units, true))),
        }
    }

    /// Lets unused capacity accumulate for up to `window` (1 second by default), to be
    /// spent in a burst.
    pub fn burst(self, window: Duration) -> Self {
        for bucket in [&self.read, &self.write] {
            lock(bucket).burst = window.as_secs_f64().max(0.0);
        }
        self
    }

    /// The read rate now, in RCU per second.
    pub fn read_rate(&self) -> f64 {
        let mut bucket = lock(&self.read);
        bucket.refill();
        bucket.rate
    }

    /// The write rate now, in WCU per second.
    pub fn write_rate(&self) -> f64 {
        let mut bucket = lock(&self.write);
        bucket.refill();
        bucket.rate
    }

    fn bucket(&self, direction: Direction) -> &Mutex<Bucket> {
        match direction {
            Direction::Read => &self.read,
            Direction::Write => &self.write,
        }
    }

    async fn acquire(&self, direction: Direction) {
        loop {
            let wait = lock(self.bucket(direction)).take();
            match wait {
                None => return,
                Some(wait) => tokio::time::sleep(wait).await,
            }
        }
    }

    /// Charges what a request consumed beyond the unit it took.
    fn settle(&self, direction: Direction, consumed: Option<f64>) {
        if let Some(units) = consumed {
            let mut bucket = lock(self.bucket(direction));
            bucket.tokens -= units - 1.0;
        }
    }

    fn throttled(&self, direction: Direction) {
        let mut bucket = lock(self.bucket(direction));
        if let Some(floor) = bucket.floor {
            bucket.refill();
            bucket.rate = (bucket.rate / 2.0).max(floor);
            bucket.tokens = bucket.tokens.min(0.0);
        }
    }
}

fn lock(bucket: &Mutex<Bucket>) -> std::sync::MutexGuard<'_, Bucket> {
    bucket
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A backend whose data operations wait for a [`RateLimit`]: on every table, or on the
/// tables named.
pub struct RateLimitedBackend {
    inner: Arc<dyn Backend>,
    limit: RateLimit,
    /// Only requests to these tables are limited (all when empty).
    tables: Vec<String>,
}

impl RateLimitedBackend {
    /// Limits every data operation of `inner`, or only those on `tables` when it is not
    /// empty.
    pub fn new(inner: Arc<dyn Backend>, limit: RateLimit, tables: Vec<String>) -> Self {
        RateLimitedBackend {
            inner,
            limit,
            tables,
        }
    }

    /// True when the request is limited: always for a client-wide limit (without asking
    /// the request its tables), otherwise when it names one of the limited tables.
    fn applies(&self, request: &impl Tables) -> bool {
        self.tables.is_empty()
            || request
                .tables()
                .split(',')
                .any(|t| self.tables.iter().any(|own| own == t))
    }
}

impl fmt::Debug for RateLimitedBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimitedBackend")
            .field("inner", &self.inner)
            .field("limit", &self.limit)
            .field("tables", &self.tables)
            .finish()
    }
}

/// The bucket a request draws on (`None`: table operations, never limited).
trait Draws {
    fn direction(&self) -> Option<Direction>;
}

/// Whether a response pushed back (unprocessed batch items).
trait Pushback {
    fn pushed_back(&self) -> bool {
        false
    }
}

macro_rules! draws {
    ($direction:expr => $($input:ty),*) => {$(
        impl Draws for $input {
            fn direction(&self) -> Option<Direction> {
                $direction
            }
        }
    )*};
}

/// The bucket of each class: reads, writes, or none (table administration). Statements
/// are read or written by their text, below.
macro_rules! draws_of {
    (item_read, $input:ty) => { draws!(Some(Direction::Read) => $input); };
    (vector_read, $input:ty) => { draws!(Some(Direction::Read) => $input); };
    (batch_read, $input:ty) => { draws!(Some(Direction::Read) => $input); };
    (transact_read, $input:ty) => { draws!(Some(Direction::Read) => $input); };
    (item_write, $input:ty) => { draws!(Some(Direction::Write) => $input); };
    (batch_write, $input:ty) => { draws!(Some(Direction::Write) => $input); };
    (transact_write, $input:ty) => { draws!(Some(Direction::Write) => $input); };
    (table, $input:ty) => { draws!(None => $input); };
    (resource, $input:ty) => { draws!(None => $input); };
    ($class:ident, $input:ty) => {};
}

/// Batches push back with unprocessed items (written out below); nothing else does.
macro_rules! pushback_of {
    (batch_read, $output:ty) => {};
    (batch_write, $output:ty) => {};
    ($class:ident, $output:ty) => {
        impl Pushback for $output {}
    };
}

macro_rules! rate_by_class {
    ($($(#[$doc:meta])* $method:ident($name:literal, $class:ident): $input:ty => $output:ty, $error:ty;)*) => {$(
        draws_of!($class, $input);
        pushback_of!($class, $output);
    )*};
}

operations!(rate_by_class);

/// A `SELECT` reads; every other statement writes.
fn statement_direction(statement: &str) -> Direction {
    let select = statement
        .trim_start()
        .get(..6)
        .is_some_and(|word| word.eq_ignore_ascii_case("select"));
    if select {
        Direction::Read
    } else {
        Direction::Write
    }
}

impl Draws for execute_statement::builders::ExecuteStatementInputBuilder {
    fn direction(&self) -> Option<Direction> {
        Some(statement_direction(
            self.get_statement().as_deref().unwrap_or_default(),
        ))
    }
}

impl Draws for batch_execute_statement::builders::BatchExecuteStatementInputBuilder {
    fn direction(&self) -> Option<Direction> {
        let first = self.get_statements().iter().flatten().next();
        Some(first.map_or(Direction::Write, |s| statement_direction(s.statement())))
    }
}

impl Pushback for batch_write_item::BatchWriteItemOutput {
    fn pushed_back(&self) -> bool {
        self.unprocessed_items
            .as_ref()
            .is_some_and(|u| !u.is_empty())
    }
}

impl Pushback for batch_get_item::BatchGetItemOutput {
    fn pushed_back(&self) -> bool {
        self.unprocessed_keys
            .as_ref()
            .is_some_and(|u| !u.is_empty())
    }
}

macro_rules! implement_rate_limited {
    ($($(#[$doc:meta])* $method:ident($name:literal, $class:ident): $input:ty => $output:ty, $error:ty;)*) => {
        impl Backend for RateLimitedBackend {
            $(
                fn $method(&self, input: $input) -> BackendFuture<'_, $output> {
                    Box::pin(async move {
                        let direction = match input.direction() {
                            Some(direction) if self.applies(&input) => direction,
                            _ => return self.inner.$method(input).await,
                        };
                        self.limit.acquire(direction).await;
                        let result = self.inner.$method(input.ask()).await;
                        match &result {
                            Ok(output) => {
                                let units: Option<f64> = (!output.consumed().is_empty()).then(|| {
                                    output.consumed().iter().filter_map(|c| c.capacity_units()).sum()
                                });
                                self.limit.settle(direction, units);
                                if output.pushed_back() {
                                    self.limit.throttled(direction);
                                }
                            }
                            Err(error) if matches!(error.kind(), ErrorKind::Throttled { .. }) => {
                                self.limit.throttled(direction);
                            }
                            Err(_) => {}
                        }
                        result
                    })
                }
            )*
        }
    };
}

operations!(implement_rate_limited);
