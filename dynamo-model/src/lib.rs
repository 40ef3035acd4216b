//! A typed ODM for Amazon DynamoDB.
//!
//! Application structs become DynamoDB items with `#[derive(DynamoModel)]`. The derive writes
//! a fast, exact codec (`to_item` / `from_item` over the SDK's own `HashMap<String,
//! AttributeValue>`), the table's metadata (keys, indexes, projections), typed field
//! accessors, and Pydantic-like validation that reports every problem at once.
//!
//! # Example
//!
//! ```
//! use std::collections::BTreeSet;
//! use dynamo_model::{DynamoModel, Table};
//!
//! #[derive(Debug, Clone, PartialEq, DynamoModel)]
//! #[dynamo(table = "users", hash_key = "user_id", gsi(name = "by_email", hash_key = "email"))]
//! struct User {
//!     user_id: String,
//!     email: String,
//!     #[dynamo(rename = "fullName")]
//!     name: String,
//!     #[dynamo(default)]
//!     age: u32,
//!     #[dynamo(default, validate = "non_empty_tags")]
//!     tags: BTreeSet<String>,
//!     address: Option<Address>,
//! }
//!
//! /// Without `table`, a model is a nested document, stored as a map (M).
//! #[derive(Debug, Clone, PartialEq, DynamoModel)]
//! struct Address {
//!     city: String,
//!     zip: String,
//! }
//!
//! fn non_empty_tags(tags: &BTreeSet<String>) -> Result<(), String> {
//!     if tags.iter().any(|t| t.is_empty()) {
//!         return Err("tags must not be empty strings".into());
//!     }
//!     Ok(())
//! }
//!
//! let user = User {
//!     user_id: "u1".into(),
//!     email: "ada@example.com".into(),
//!     name: "Ada".into(),
//!     age: 36,
//!     tags: BTreeSet::from(["admin".to_string()]),
//!     address: Some(Address { city: "London".into(), zip: "N1".into() }),
//! };
//!
//! let item = user.try_to_item()?;                 // validated, ready for PutItem
//! assert!(item.contains_key("fullName"));
//! assert_eq!(User::from_item(item)?, user);
//!
//! assert_eq!(User::meta().table, "users");
//! assert_eq!(User::BY_EMAIL.name(), "by_email");
//! assert_eq!(User::fields().address().city().path().to_string(), "address.city");
//! # Ok::<(), dynamo_model::Error>(())
//! ```
//!
//! # The client
//!
//! One async [`Dynamo`] runs every operation, on DynamoDB (`Dynamo::from_env()`) or on the
//! embedded backend with DynamoDB's semantics (`Dynamo::memory()`, used here):
//!
//! ```
//! use dynamo_model::{Dynamo, DynamoModel};
//!
//! #[derive(Debug, Clone, PartialEq, DynamoModel)]
//! #[dynamo(table = "orders", hash_key = "customer_id", range_key = "order_id")]
//! struct Order {
//!     customer_id: String,
//!     order_id: String,
//!     total: f64,
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let db = Dynamo::memory_with::<Order>().await?;
//! let f = Order::fields();
//! for n in 0..5 {
//!     let order = Order { customer_id: "c1".into(), order_id: format!("o{n}"), total: n as f64 };
//!     db.put(&order).condition(f.order_id.not_exists()).await?;
//! }
//! let big: Vec<Order> = db.query::<Order>("c1").filter(f.total.ge(3.0)).await?;
//! assert_eq!(big.len(), 2);
//! let updated: Order = db
//!     .update::<Order>(("c1", "o0"))
//!     .increment(&f.total, 10.0)
//!     .return_all_new()
//!     .await?;
//! assert_eq!(updated.total, 10.0);
//! # Ok::<(), dynamo_model::Error>(())
//! # }).unwrap();
//! ```
//!
//! Lifecycle attributes (`#[dynamo(version)]`, `created_at`, `updated_at`, `ttl`, `counter`,
//! `auto_id = "uuid_v7"`) are maintained by the client on every write: see
//! [`lifecycle`] and [`Dynamo::save`]. Sync code uses [`blocking::Dynamo`]; every
//! operation's `to_request()` is a dry run.
//!
//! # Types
//!
//! | Rust | DynamoDB |
//! |---|---|
//! | `String`, `Cow<'static, str>` (and `&str` when writing) | S |
//! | every integer type (exact), `f32`/`f64` (finite only) | N |
//! | `bool` | BOOL |
//! | `Vec<u8>`, `aws_smithy_types::Blob`, `bytes::Bytes`* | B |
//! | `Vec<T>` | L |
//! | `HashSet`/`BTreeSet` of strings, integers, bytes | SS / NS / BS (empty: not written) |
//! | `HashMap`/`BTreeMap<String, T>`, nested `DynamoModel` structs | M |
//! | `Option<T>` (`None` not written; absent or NULL reads as `None`), `Box`/`Arc`/`Rc<T>` | as `T` |
//! | unit enums, newtypes (`#[derive(DynamoAttribute)]`) | S / as the inner type |
//! | enums with data (`#[derive(DynamoAttribute)]`) | M, in serde's external, internal or adjacent form |
//! | `chrono`*, `time`* date-times; `uuid::Uuid`* | S |
//! | `rust_decimal::Decimal`* | N |
//! | `serde_json::Value`* | any |
//! | `AttributeValue` | itself |
//! | `Offloaded<T, OVER>` (feature `s3`) | as `T` up to `OVER` bytes, else an S3 object and a pointer (M) |
//!
//! \* behind the cargo feature of the same name.
//!
//! # Operations and integrations
//!
//! Every operation reports what it cost with `.measured()` ([`Measure`]), and the client
//! keeps totals per table ([`Dynamo::metrics`]); the `metrics` feature records them through
//! the `metrics` facade. The `kms` feature adds an AWS KMS key provider for encrypted
//! attributes (`kms::KmsKeyProvider`), and `s3` stores large attributes in S3
//! (`S3Store`, `Offloaded`).

#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod backend;
pub mod blocking;
pub mod changes;
mod client;
pub mod compress;
pub mod cursor;
#[cfg(feature = "encryption")]
pub mod encryption;
mod error;
pub mod expr;
mod key;
#[cfg(feature = "kms")]
pub mod kms;
#[cfg(test)]
mod layering;
pub mod lifecycle;
pub mod lock;
pub mod meta;
mod model;
pub mod partiql;
pub mod value;

pub use meta::template;
pub use model::collection;
pub use value::path;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use backend::{MetricsTotals, OperationMetrics};
pub use client::table::{Describe, IndexInfo, TableInfo, TtlState};
#[cfg(feature = "s3")]
pub use client::S3Store;
pub use client::{
    returns, BatchGet, BatchGetOutcome, BatchWrite, BatchWriteOutcome, Billing, CreateTable,
    Delete, Dynamo, DynamoBuilder, Get, GetResults, GetStream, Measure, Operation, Page, PlanTable,
    Put, PutStream, Query, RetryPolicy, RetryQuota, SaveChanges, SaveRequest, Saved, Scan,
    SchemaChange, Scored, Search, Steps, StreamOutcome, Synced, TablePlan, TableRequest, TableSet,
    TableStatus, Tracked, TransactGet, TransactGetMany, TransactItem, TransactItems,
    TransactUpdate, TransactWrite, TtlRequest, UpdateItem, UpdateReturn, DEFAULT_BATCH_CONCURRENCY,
    DEFAULT_TOP_K, MAX_BATCH_GET, MAX_BATCH_WRITE, MAX_SEGMENTS_IN_FLIGHT, MAX_TRANSACTION_ITEMS,
};
pub use error::{BoxError, CancellationReason, Error, ErrorKind, ErrorSource, FieldError, Result};
pub use error::{OffloadProblem, RefusedWrite, UnprocessedWrite};
pub use key::{IntoKey, KeyArg};
pub use model::collection::Collection;
pub use model::{
    DynamoModel, Flatten, Hooks, Index, Projected, Projects, Readable, ReadableFrom, Table,
    VectorIndex,
};
pub use partiql::{BatchExecute, Execute, StatementPage, MAX_BATCH_STATEMENTS};
#[cfg(feature = "s3")]
pub use value::offloaded::{ObjectForm, Offloaded, S3Pointer};
pub use value::path::Field;
pub use value::{
    AttributeValue, DynamoAttribute, FromAttributeValue, IndexKeyAttribute, Item, KeyAttribute,
    Problems, ToAttributeValue,
};

#[doc = include_str!("../docs/derive.md")]
#[cfg(feature = "derive")]
pub use dynamo_model_derive::DynamoModel;

/// Derives the codec of a newtype (stored as its inner value), a unit enum (stored as S), or
/// an enum whose variants hold data (stored as a map in one of serde's tagged forms, as
/// serde_dynamo writes it).
///
/// | attribute | meaning |
/// |---|---|
/// | `rename_all = "..."` (on the enum) | the variants' stored names |
/// | `rename = "..."` (on a variant, or a field of a struct variant) | its stored name |
/// | `tag = "kind"` | internally tagged: `{"kind": "Circle", <fields>}` (struct, unit, and newtype-of-a-map variants) |
/// | `tag = "t", content = "c"` | adjacently tagged: `{"t": "Circle", "c": <content>}` |
/// | (neither) | externally tagged: `{"Circle": <content>}`, a unit variant as its name (S) |
///
/// serde's `#[serde(rename_all, rename, tag, content)]` are honoured the same way; untagged
/// enums are refused (a stored value must say its variant). A variant's content is its value
/// (newtype), a list (tuple) or a map of its fields (struct).
///
/// Typed paths reach inside, where the form puts each part: `f.payment().variant_tag()` (the
/// tag, internal and adjacent forms), `f.payment().card().last4` (a struct variant's field),
/// `f.shape().circle()` (a newtype variant's value and the paths inside it), and
/// `f.payment().value()` or `f.payment` for the whole value.
///
/// ```
/// use dynamo_model::{AttributeValue, DynamoAttribute, ToAttributeValue};
///
/// #[derive(Debug, PartialEq, DynamoAttribute)]
/// #[dynamo(tag = "kind", rename_all = "snake_case")]
/// enum Payment { Card { last4: String }, Cash }
///
/// let stored = Payment::Cash.to_attribute_value().unwrap();
/// let AttributeValue::M(map) = stored else { panic!() };
/// assert_eq!(map["kind"], AttributeValue::S("cash".into()));
/// ```
///
/// ```
/// use dynamo_model::{DynamoAttribute, ToAttributeValue, AttributeValue};
///
/// #[derive(Debug, Clone, PartialEq, DynamoAttribute)]
/// struct UserId(String);
///
/// #[derive(Debug, Clone, Copy, PartialEq, DynamoAttribute)]
/// #[dynamo(rename_all = "SCREAMING_SNAKE_CASE")]
/// enum Status { Active, OnHold }
///
/// assert_eq!(UserId("u1".into()).to_attribute_value(), Some(AttributeValue::S("u1".into())));
/// assert_eq!(Status::OnHold.to_attribute_value(), Some(AttributeValue::S("ON_HOLD".into())));
/// ```
#[cfg(feature = "derive")]
pub use dynamo_model_derive::DynamoAttribute;

/// Derives [`Collection`] for an enum whose variants each hold one table model with an
/// entity type: items decode into the variant their entity-type attribute names. See
/// [`collection`].
#[cfg(feature = "derive")]
pub use dynamo_model_derive::DynamoCollection;
