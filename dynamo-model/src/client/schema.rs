//! Schema plans: what differs between a model and its live table, and how to apply it.
//!
//! [`Dynamo::plan_table`] reads the table (`DescribeTable`, `DescribeTimeToLive`) and
//! lists every difference from the model: global indexes to add, drop or replace (a changed
//! key or projection), time to live to turn on, off or move, and, when asked for, billing,
//! table class, deletion protection and tags. What DynamoDB cannot change in place (the primary
//! key, the local indexes) is reported as needing a new table. [`TablePlan::apply`] carries
//! the plan out one change at a time, waiting for each index to become active or to be gone,
//! and refuses, before changing anything, a plan that needs a new table.

use std::fmt;
use std::future::IntoFuture;
use std::time::Duration;

use aws_sdk_dynamodb::operation::update_table;
use aws_sdk_dynamodb::types::{
    BillingMode, CreateGlobalSecondaryIndexAction, DeleteGlobalSecondaryIndexAction,
    GlobalSecondaryIndexUpdate, IndexStatus, ProvisionedThroughput, TableClass, TableDescription,
};

use super::admin::Steps;
use super::item::BoxFuture;
use super::table::{
    build_error, definitions, key_schema, live_stream, projection, sdk_tags, stream_specification,
    throughput, TtlState,
};
use super::Dynamo;
use crate::error::{Error, Result};
use crate::meta::{IndexKind, IndexMeta, StreamView};
use crate::model::Table;

/// How the table is billed, for [`PlanTable::on_demand`] and [`PlanTable::provisioned`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Billing {
    /// Pay per request.
    OnDemand,
    /// Provisioned capacity units: read, write.
    Provisioned(i64, i64),
}

impl fmt::Display for Billing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Billing::OnDemand => f.write_str("on demand"),
            Billing::Provisioned(read, write) => {
                write!(f, "provisioned ({read} read, {write} write units)")
            }
        }
    }
}

/// One difference between a model and its live table.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SchemaChange {
    /// The table does not exist: create it.
    CreateTable,
    /// A global index of the model that the table lacks.
    AddIndex {
        /// The index.
        index: &'static str,
    },
    /// A global index of the table that the model does not declare.
    DropIndex {
        /// The index.
        index: String,
    },
    /// A global index whose key or projection changed: dropped, then added again.
    ReplaceIndex {
        /// The index.
        index: &'static str,
        /// What changed.
        why: String,
    },
    /// What DynamoDB cannot change in place: the primary key or a local index.
    NeedsNewTable {
        /// What differs.
        why: String,
    },
    /// A vector index of the model that the table lacks.
    AddVectorIndex {
        /// The index.
        index: &'static str,
    },
    /// A vector index of the table that the model does not declare.
    DropVectorIndex {
        /// The index.
        index: String,
    },
    /// Turn time to live on, with this attribute.
    EnableTtl {
        /// The attribute holding the expiry time.
        attribute: &'static str,
    },
    /// Turn time to live off (the model has none, or uses another attribute).
    DisableTtl {
        /// The attribute the table uses now.
        attribute: String,
    },
    /// Turn the table's change stream on, with this view type.
    EnableStream {
        /// What the stream's records hold.
        view: StreamView,
    },
    /// Turn the change stream off (the model has none, or another view type: DynamoDB
    /// changes a view type only by turning the stream off and on again).
    DisableStream {
        /// The view type of the stream now.
        view: StreamView,
    },
    /// Change the billing mode or capacity.
    Billing {
        /// As the table is billed now.
        from: String,
        /// As asked.
        to: Billing,
    },
    /// Change the table class.
    TableClass {
        /// The class now.
        from: String,
        /// As asked.
        to: TableClass,
    },
    /// Turn deletion protection on or off.
    DeletionProtection {
        /// As asked.
        to: bool,
    },
    /// Add tags, or change their values.
    Tag {
        /// Each tag as asked: key and value.
        tags: Vec<(String, String)>,
    },
    /// Remove tags.
    Untag {
        /// The keys.
        keys: Vec<String>,
    },
}

impl fmt::Display for SchemaChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SchemaChange::CreateTable => f.write_str("create the table"),
            SchemaChange::AddIndex { index } => write!(f, "add global index `{index}`"),
            SchemaChange::DropIndex { index } => write!(f, "drop global index `{index}`"),
            SchemaChange::AddVectorIndex { index } => write!(f, "add vector index `{index}`"),
            SchemaChange::DropVectorIndex { index } => write!(f, "drop vector index `{index}`"),
            SchemaChange::ReplaceIndex { index, why } => {
                write!(f, "replace global index `{index}` ({why})")
            }
            SchemaChange::NeedsNewTable { why } => {
                write!(f, "cannot be changed in place, needs a new table: {why}")
            }
            SchemaChange::EnableTtl { attribute } => {
                write!(f, "turn time to live on, with `{attribute}`")
            }
            SchemaChange::DisableTtl { attribute } => {
                write!(f, "turn time to live off (now on `{attribute}`)")
            }
            SchemaChange::EnableStream { view } => {
                write!(f, "turn the stream on, with {}", view.as_str())
            }
            SchemaChange::DisableStream { view } => {
                write!(f, "turn the stream off (now {})", view.as_str())
            }
            SchemaChange::Billing { from, to } => write!(f, "billing: {from} -> {to}"),
            SchemaChange::TableClass { from, to } => {
                write!(f, "table class: {from} -> {}", to.as_str())
            }
            SchemaChange::DeletionProtection { to } => {
                write!(f, "deletion protection {}", if *to { "on" } else { "off" })
            }
            SchemaChange::Tag { tags } => {
                let tags: Vec<String> = tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
                write!(f, "tag {}", tags.join(", "))
            }
            SchemaChange::Untag { keys } => write!(f, "untag {}", keys.join(", ")),
        }
    }
}

/// What differs between model `M` and its table, in the order [`TablePlan::apply`] carries
/// it out. Its `Display` is the dry run: one line per change.
pub struct TablePlan<M> {
    /// The table, with the client's prefix.
    pub table: String,
    /// The changes, in order.
    pub changes: Vec<SchemaChange>,
    settings: Settings,
    _model: std::marker::PhantomData<fn() -> M>,
}

// By hand: a derive would ask the model for `Debug`, `Clone` and `PartialEq`.
impl<M> fmt::Debug for TablePlan<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TablePlan")
            .field("table", &self.table)
            .field("changes", &self.changes)
            .finish_non_exhaustive()
    }
}

impl<M> Clone for TablePlan<M> {
    fn clone(&self) -> Self {
        TablePlan {
            table: self.table.clone(),
            changes: self.changes.clone(),
            settings: self.settings.clone(),
            _model: std::marker::PhantomData,
        }
    }
}

impl<M> PartialEq for TablePlan<M> {
    fn eq(&self, other: &Self) -> bool {
        (&self.table, &self.changes, &self.settings)
            == (&other.table, &other.changes, &other.settings)
    }
}

impl<M> fmt::Display for TablePlan<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.changes.is_empty() {
            return write!(f, "table `{}`: nothing to change", self.table);
        }
        writeln!(f, "table `{}`:", self.table)?;
        for change in &self.changes {
            writeln!(f, "  - {change}")?;
        }
        Ok(())
    }
}

/// The settings a plan compares besides the model's own: only those asked for.
#[derive(Debug, Clone, Default, PartialEq)]
struct Settings {
    billing: Option<Billing>,
    class: Option<TableClass>,
    deletion_protection: Option<bool>,
    /// Tags the table must carry, with these values.
    tags: std::collections::BTreeMap<String, String>,
    /// Tags the table must not carry.
    untags: std::collections::BTreeSet<String>,
}

/// What [`Dynamo::sync_tables`] did to one table.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Synced {
    /// The table, with the client's prefix.
    pub table: String,
    /// The changes applied, in order (none when it was in line).
    pub changes: Vec<SchemaChange>,
}

/// Plans the changes that bring the table of `M` in line with the model; see
/// [`Dynamo::plan_table`]. Resolves to a [`TablePlan`].
#[must_use = "an operation does nothing until awaited"]
pub struct PlanTable<'a, M> {
    db: &'a Dynamo,
    settings: Settings,
    _model: std::marker::PhantomData<fn() -> M>,
}

impl Dynamo {
    /// Compares the live table of `M` with the model (`DescribeTable` and
    /// `DescribeTimeToLive`) and lists what differs: `db.plan_table::<User>().await?`, then
    /// `println!("{plan}")` for a dry run, or `plan.apply(&db).await?`.
    pub fn plan_table<M: Table>(&self) -> PlanTable<'_, M> {
        PlanTable {
            db: self,
            settings: Settings::default(),
            _model: std::marker::PhantomData,
        }
    }
}

impl<'a, M: Table> PlanTable<'a, M> {
    /// Also bring billing to on-demand.
    pub fn on_demand(mut self) -> Self {
        self.settings.billing = Some(Billing::OnDemand);
        self
    }

    /// Also bring billing to these provisioned capacity units (its global indexes get the
    /// same).
    pub fn provisioned(mut self, read: i64, write: i64) -> Self {
        self.settings.billing = Some(Billing::Provisioned(read, write));
        self
    }

    /// Also bring the table class to `class`.
    pub fn table_class(mut self, class: TableClass) -> Self {
        self.settings.class = Some(class);
        self
    }

    /// Also turn deletion protection on or off.
    pub fn deletion_protection(mut self, on: bool) -> Self {
        self.settings.deletion_protection = Some(on);
        self
    }

    /// Also make the table carry tag `key` with `value` (other tags are left alone).
    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let key = key.into();
        self.settings.untags.remove(&key);
        self.settings.tags.insert(key, value.into());
        self
    }

    /// Also take tag `key` off the table.
    pub fn untag(mut self, key: impl Into<String>) -> Self {
        let key = key.into();
        self.settings.tags.remove(&key);
        self.settings.untags.insert(key);
        self
    }

    async fn send(self) -> Result<TablePlan<M>> {
        let table = self.db.table_name::<M>();
        let plan = |changes| TablePlan {
            table: table.clone(),
            changes,
            settings: self.settings.clone(),
            _model: std::marker::PhantomData,
        };
        let description = match self.db.describe_table::<M>().await {
            Ok(description) => description,
            Err(error) if error.is_not_found() => return Ok(plan(vec![SchemaChange::CreateTable])),
            Err(error) => return Err(error),
        };
        let ttl = self.db.describe::<M>().await?.ttl;
        let mut changes = differences::<M>(&description, &ttl, &self.settings);
        if !self.settings.tags.is_empty() || !self.settings.untags.is_empty() {
            let live = live_tags(self.db, &description).await?;
            changes.extend(tag_changes(&live, &self.settings));
        }
        Ok(plan(changes))
    }
}

impl<'a, M: Table + 'a> IntoFuture for PlanTable<'a, M> {
    type Output = Result<TablePlan<M>>;
    type IntoFuture = BoxFuture<'a, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

super::operation!(PlanTable<M>);

/// The key schema of a description as `(attribute, HASH|RANGE)` pairs.
fn live_keys(schema: &[aws_sdk_dynamodb::types::KeySchemaElement]) -> Vec<(String, String)> {
    schema
        .iter()
        .map(|k| {
            (
                k.attribute_name().to_owned(),
                k.key_type().as_str().to_owned(),
            )
        })
        .collect()
}

/// The key schema of an index or table of the model, in the same form.
fn model_keys(
    hash: impl IntoIterator<Item = crate::meta::KeyMeta>,
    range: impl IntoIterator<Item = crate::meta::KeyMeta>,
) -> Vec<(String, String)> {
    hash.into_iter()
        .map(|h| (h.attribute.to_owned(), "HASH".to_owned()))
        .chain(
            range
                .into_iter()
                .map(|r| (r.attribute.to_owned(), "RANGE".to_owned())),
        )
        .collect()
}

/// What a projection holds, as a comparable text: `ALL`, `KEYS_ONLY`, `INCLUDE a, b`.
fn projection_text(projection: Option<&aws_sdk_dynamodb::types::Projection>) -> String {
    let Some(projection) = projection else {
        return "ALL".to_owned();
    };
    let kind = projection
        .projection_type()
        .map_or("ALL", |kind| kind.as_str());
    let mut names: Vec<&str> = projection
        .non_key_attributes()
        .iter()
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    if names.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind} {}", names.join(", "))
    }
}

/// Every difference between the model and a described table, in the order they apply.
fn differences<M: Table>(
    description: &TableDescription,
    ttl: &TtlState,
    settings: &Settings,
) -> Vec<SchemaChange> {
    let meta = M::meta();
    let mut changes = Vec::new();
    let table_keys = live_keys(description.key_schema());
    if table_keys != model_keys([meta.hash_key], meta.range_key) {
        changes.push(SchemaChange::NeedsNewTable {
            why: format!("the primary key is {table_keys:?}, the model's differs"),
        });
    }
    let model_index = |kind: IndexKind| meta.indexes.iter().filter(move |i| i.kind == kind);
    let mut live_locals: Vec<&str> = description
        .local_secondary_indexes()
        .iter()
        .filter_map(|i| i.index_name())
        .collect();
    live_locals.sort_unstable();
    let mut model_locals: Vec<&str> = model_index(IndexKind::Local).map(|i| i.name).collect();
    model_locals.sort_unstable();
    if live_locals != model_locals {
        changes.push(SchemaChange::NeedsNewTable {
            why: format!(
                "local indexes are fixed when a table is created: the table has {live_locals:?}, the model {model_locals:?}"
            ),
        });
    }
    let live_globals = description.global_secondary_indexes();
    for live in live_globals {
        let name = live.index_name().unwrap_or_default();
        if !model_index(IndexKind::Global).any(|index| index.name == name) {
            changes.push(SchemaChange::DropIndex {
                index: name.to_owned(),
            });
        }
    }
    for index in model_index(IndexKind::Global) {
        let Some(live) = live_globals
            .iter()
            .find(|live| live.index_name() == Some(index.name))
        else {
            changes.push(SchemaChange::AddIndex { index: index.name });
            continue;
        };
        let (keys, wanted_keys) = (
            live_keys(live.key_schema()),
            model_keys(index.partition_keys(), index.sort_keys()),
        );
        let wanted = projection(index.projection);
        let (held, wanted) = (
            projection_text(live.projection()),
            projection_text(Some(&wanted)),
        );
        let why = if keys != wanted_keys {
            Some(format!("key {keys:?} -> {wanted_keys:?}"))
        } else if held != wanted {
            Some(format!("projection {held} -> {wanted}"))
        } else {
            None
        };
        if let Some(why) = why {
            changes.push(SchemaChange::ReplaceIndex {
                index: index.name,
                why,
            });
        }
    }
    let live_vectors: Vec<&str> = description
        .vector_indexes()
        .iter()
        .filter_map(|v| v.index_name())
        .collect();
    for live in &live_vectors {
        if !meta.vector_indexes.iter().any(|v| v.name == *live) {
            changes.push(SchemaChange::DropVectorIndex {
                index: (*live).to_owned(),
            });
        }
    }
    for index in meta.vector_indexes {
        if !live_vectors.contains(&index.name) {
            changes.push(SchemaChange::AddVectorIndex { index: index.name });
        }
    }
    let live_ttl = match ttl {
        TtlState::Enabled { attribute } | TtlState::Enabling { attribute } => {
            Some(attribute.as_str())
        }
        _ => None,
    };
    match (live_ttl, meta.lifecycle.ttl) {
        (None, Some(attribute)) => changes.push(SchemaChange::EnableTtl { attribute }),
        (Some(live), None) => changes.push(SchemaChange::DisableTtl {
            attribute: live.to_owned(),
        }),
        (Some(live), Some(attribute)) if live != attribute => {
            changes.push(SchemaChange::DisableTtl {
                attribute: live.to_owned(),
            });
            changes.push(SchemaChange::EnableTtl { attribute });
        }
        _ => {}
    }
    match (live_stream(description), meta.stream) {
        (None, Some(view)) => changes.push(SchemaChange::EnableStream { view }),
        (Some(view), None) => changes.push(SchemaChange::DisableStream { view }),
        (Some(live), Some(view)) if live != view => {
            changes.push(SchemaChange::DisableStream { view: live });
            changes.push(SchemaChange::EnableStream { view });
        }
        _ => {}
    }
    if let Some(billing) = settings.billing {
        let live = live_billing(description);
        if live != Some(billing) {
            changes.push(SchemaChange::Billing {
                from: live.map_or_else(|| "unknown".to_owned(), |b| b.to_string()),
                to: billing,
            });
        }
    }
    if let Some(class) = &settings.class {
        let live = description
            .table_class_summary()
            .and_then(|summary| summary.table_class().cloned())
            .unwrap_or(TableClass::Standard);
        if &live != class {
            changes.push(SchemaChange::TableClass {
                from: live.as_str().to_owned(),
                to: class.clone(),
            });
        }
    }
    if let Some(on) = settings.deletion_protection {
        if description.deletion_protection_enabled().unwrap_or(false) != on {
            changes.push(SchemaChange::DeletionProtection { to: on });
        }
    }
    changes
}

/// The tags of a described table.
async fn live_tags(
    db: &Dynamo,
    description: &TableDescription,
) -> Result<std::collections::BTreeMap<String, String>> {
    let arn = description.table_arn().unwrap_or_default();
    let output = db
        .backend()
        .list_tags_of_resource(
            aws_sdk_dynamodb::operation::list_tags_of_resource::ListTagsOfResourceInput::builder()
                .resource_arn(arn),
        )
        .await?;
    Ok(output
        .tags()
        .iter()
        .map(|tag| (tag.key().to_owned(), tag.value().to_owned()))
        .collect())
}

/// The tags to set and to remove so the table carries what was asked.
fn tag_changes(
    live: &std::collections::BTreeMap<String, String>,
    settings: &Settings,
) -> Vec<SchemaChange> {
    let mut changes = Vec::new();
    let tags: Vec<(String, String)> = settings
        .tags
        .iter()
        .filter(|(key, value)| live.get(*key) != Some(*value))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    if !tags.is_empty() {
        changes.push(SchemaChange::Tag { tags });
    }
    let keys: Vec<String> = settings
        .untags
        .iter()
        .filter(|key| live.contains_key(*key))
        .cloned()
        .collect();
    if !keys.is_empty() {
        changes.push(SchemaChange::Untag { keys });
    }
    changes
}

/// How a described table is billed.
fn live_billing(description: &TableDescription) -> Option<Billing> {
    let mode = description
        .billing_mode_summary()
        .and_then(|summary| summary.billing_mode().cloned())
        .unwrap_or(BillingMode::Provisioned);
    match mode {
        BillingMode::PayPerRequest => Some(Billing::OnDemand),
        BillingMode::Provisioned => description.provisioned_throughput().map(|throughput| {
            Billing::Provisioned(
                throughput.read_capacity_units().unwrap_or(0),
                throughput.write_capacity_units().unwrap_or(0),
            )
        }),
        _ => None,
    }
}

/// How long apply waits for one index to become active or to be gone.
const INDEX_WAIT: Duration = Duration::from_secs(300);

impl<M: Table> TablePlan<M> {
    /// True when the table matches the model (and the settings asked for).
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Carries the plan out, one change at a time: each global index change waits until the
    /// index is active or gone before the next begins (DynamoDB takes one at a time).
    ///
    /// # Errors
    ///
    /// A plan that needs a new table, refused before anything is changed, naming what
    /// differs; service errors; an index not ready within five minutes.
    pub fn apply<'a>(&'a self, db: &'a Dynamo) -> Steps<'a, ()> {
        Steps::new(db, async move {
            if let Some(SchemaChange::NeedsNewTable { why }) = self
                .changes
                .iter()
                .find(|change| matches!(change, SchemaChange::NeedsNewTable { .. }))
            {
                return Err(Error::invalid_operation(
                    "ApplyPlan",
                    format!(
                        "table `{}` of `{}` cannot be changed in place ({why}); nothing was changed: create a new table and copy the items",
                        self.table,
                        M::NAME
                    ),
                ));
            }
            for change in &self.changes {
                apply_change::<M>(db, change, &self.settings).await?;
            }
            Ok(())
        })
    }
}

/// The throughput a new global index gets: the table's, when billing is provisioned.
fn index_throughput<M: Table>(
    settings: &Settings,
    description: Option<&TableDescription>,
) -> Result<Option<ProvisionedThroughput>> {
    let billing = settings
        .billing
        .or_else(|| description.and_then(live_billing));
    match billing {
        None | Some(Billing::OnDemand) => Ok(None),
        Some(Billing::Provisioned(read, write)) => throughput::<M>(read, write).map(Some),
    }
}

async fn apply_change<M: Table>(
    db: &Dynamo,
    change: &SchemaChange,
    settings: &Settings,
) -> Result<()> {
    let update = || update_table::UpdateTableInput::builder().table_name(db.table_name::<M>());
    match change {
        SchemaChange::CreateTable => {
            let mut create = db.create_table::<M>();
            if let Some(Billing::Provisioned(read, write)) = settings.billing {
                create = create.provisioned(read, write);
            }
            if let Some(class) = &settings.class {
                create = create.table_class(class.clone());
            }
            for (key, value) in &settings.tags {
                create = create.tag(key, value);
            }
            create.await?;
            if let Some(on) = settings.deletion_protection.filter(|on| *on) {
                db.backend()
                    .update_table(update().deletion_protection_enabled(on))
                    .await?;
            }
        }
        SchemaChange::NeedsNewTable { .. } => {}
        SchemaChange::DropIndex { index } => drop_index::<M>(db, index).await?,
        SchemaChange::AddVectorIndex { index } => {
            let vector_update = add_vector_index::<M>(index)?;
            db.backend()
                .update_table(update().vector_index_updates(vector_update))
                .await?;
            db.wait_until_active::<M>(INDEX_WAIT).await?;
        }
        SchemaChange::DropVectorIndex { index } => {
            let delete = aws_sdk_dynamodb::types::DeleteVectorIndexAction::builder()
                .index_name(index)
                .build()
                .map_err(build_error::<M>)?;
            let vector_update = aws_sdk_dynamodb::types::VectorIndexUpdate::builder()
                .delete(delete)
                .build();
            db.backend()
                .update_table(update().vector_index_updates(vector_update))
                .await?;
            db.wait_until_active::<M>(INDEX_WAIT).await?;
        }
        SchemaChange::AddIndex { index } => add_index::<M>(db, index, settings).await?,
        SchemaChange::ReplaceIndex { index, .. } => {
            drop_index::<M>(db, index).await?;
            add_index::<M>(db, index, settings).await?;
        }
        SchemaChange::EnableTtl { attribute } => db.enable_ttl::<M>(attribute).await?,
        SchemaChange::DisableTtl { attribute } => db.disable_ttl::<M>(attribute).await?,
        SchemaChange::EnableStream { view } => {
            let stream = stream_specification(Some(*view))?;
            db.backend()
                .update_table(update().stream_specification(stream))
                .await?;
            db.wait_until_active::<M>(INDEX_WAIT).await?;
        }
        SchemaChange::DisableStream { .. } => {
            let stream = stream_specification(None)?;
            db.backend()
                .update_table(update().stream_specification(stream))
                .await?;
            db.wait_until_active::<M>(INDEX_WAIT).await?;
        }
        SchemaChange::Billing { to, .. } => {
            let request = match to {
                Billing::OnDemand => update().billing_mode(BillingMode::PayPerRequest),
                Billing::Provisioned(read, write) => update()
                    .billing_mode(BillingMode::Provisioned)
                    .provisioned_throughput(throughput::<M>(*read, *write)?),
            };
            db.backend().update_table(request).await?;
            db.wait_until_active::<M>(INDEX_WAIT).await?;
        }
        SchemaChange::TableClass { to, .. } => {
            db.backend()
                .update_table(update().table_class(to.clone()))
                .await?;
            db.wait_until_active::<M>(INDEX_WAIT).await?;
        }
        SchemaChange::DeletionProtection { to } => {
            db.backend()
                .update_table(update().deletion_protection_enabled(*to))
                .await?;
        }
        SchemaChange::Tag { tags } => {
            let arn = table_arn::<M>(db).await?;
            let tags = sdk_tags::<M>(tags.iter().map(|(key, value)| (key, value)))?;
            db.backend()
                .tag_resource(
                    aws_sdk_dynamodb::operation::tag_resource::TagResourceInput::builder()
                        .resource_arn(arn)
                        .set_tags(Some(tags)),
                )
                .await?;
        }
        SchemaChange::Untag { keys } => {
            let arn = table_arn::<M>(db).await?;
            db.backend()
                .untag_resource(
                    aws_sdk_dynamodb::operation::untag_resource::UntagResourceInput::builder()
                        .resource_arn(arn)
                        .set_tag_keys(Some(keys.clone())),
                )
                .await?;
        }
    }
    Ok(())
}

/// The ARN of the table of `M`, which tags are set on.
async fn table_arn<M: Table>(db: &Dynamo) -> Result<String> {
    let description = db.describe_table::<M>().await?;
    description.table_arn().map(str::to_owned).ok_or_else(|| {
        Error::invalid_operation("DescribeTable", "the table's description has no ARN")
    })
}

/// The update that creates vector index `name` of the model.
fn add_vector_index<M: Table>(name: &str) -> Result<aws_sdk_dynamodb::types::VectorIndexUpdate> {
    let Some(index) = M::meta().vector_indexes.iter().find(|v| v.name == name) else {
        return Err(Error::invalid_request(
            M::NAME,
            format!("the model has no vector index `{name}`"),
        ));
    };
    let (attribute, schema, distance) = super::table::vector_parts::<M>(index)?;
    let create = aws_sdk_dynamodb::types::CreateVectorIndexAction::builder()
        .index_name(index.name)
        .vector_attribute(attribute)
        .set_search_schema((!schema.is_empty()).then_some(schema))
        .projection(projection(crate::meta::Projection::All))
        .dimensions(i64::try_from(index.dimensions).unwrap_or(i64::MAX))
        .distance_function(distance)
        .build()
        .map_err(build_error::<M>)?;
    Ok(aws_sdk_dynamodb::types::VectorIndexUpdate::builder()
        .create(create)
        .build())
}

async fn drop_index<M: Table>(db: &Dynamo, index: &str) -> Result<()> {
    let delete = GlobalSecondaryIndexUpdate::builder()
        .delete(
            DeleteGlobalSecondaryIndexAction::builder()
                .index_name(index)
                .build()
                .map_err(build_error::<M>)?,
        )
        .build();
    db.backend()
        .update_table(
            update_table::UpdateTableInput::builder()
                .table_name(db.table_name::<M>())
                .global_secondary_index_updates(delete),
        )
        .await?;
    wait_for_index::<M>(db, index, false).await
}

async fn add_index<M: Table>(db: &Dynamo, name: &str, settings: &Settings) -> Result<()> {
    let Some(index): Option<&IndexMeta> = M::meta().index(name) else {
        return Err(Error::invalid_request(
            M::NAME,
            format!("the model has no index `{name}`"),
        ));
    };
    let description = db.describe_table::<M>().await.ok();
    let definitions = definitions::<M>(index.key_attributes())?;
    let create = CreateGlobalSecondaryIndexAction::builder()
        .index_name(index.name)
        .set_key_schema(Some(key_schema::<M>(
            index.partition_keys(),
            index.sort_keys(),
        )?))
        .projection(projection(index.projection))
        .set_provisioned_throughput(index_throughput::<M>(settings, description.as_ref())?)
        .build()
        .map_err(build_error::<M>)?;
    db.backend()
        .update_table(
            update_table::UpdateTableInput::builder()
                .table_name(db.table_name::<M>())
                .set_attribute_definitions(Some(definitions))
                .global_secondary_index_updates(
                    GlobalSecondaryIndexUpdate::builder().create(create).build(),
                ),
        )
        .await?;
    wait_for_index::<M>(db, index.name, true).await
}

/// Waits until the global index `name` is active and backfilled (`present`), or gone.
async fn wait_for_index<M: Table>(db: &Dynamo, name: &str, present: bool) -> Result<()> {
    let deadline = tokio::time::Instant::now() + INDEX_WAIT;
    loop {
        let description = db.describe_table::<M>().await?;
        let index = description
            .global_secondary_indexes()
            .iter()
            .find(|index| index.index_name() == Some(name));
        let ready = match index {
            None => !present,
            Some(index) => {
                present
                    && index.index_status() == Some(&IndexStatus::Active)
                    && !index.backfilling().unwrap_or(false)
            }
        };
        if ready {
            return Ok(());
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(Error::invalid_request(
                M::NAME,
                format!(
                    "index `{name}` of table `{}` was not {} after {INDEX_WAIT:?}",
                    db.table_name::<M>(),
                    if present { "active" } else { "gone" }
                ),
            ));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
