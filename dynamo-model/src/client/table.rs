//! Table management from model metadata: create (keys, indexes, billing, tags, class),
//! wait until active, describe, delete, time to live, global-table replicas.

use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;
use std::time::Duration;

use aws_sdk_dynamodb::operation::{create_table, describe_table, update_table};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, CreateReplicationGroupMemberAction, GlobalSecondaryIndex,
    KeySchemaElement, KeyType, LocalSecondaryIndex, Projection as SdkProjection, ProjectionType,
    ProvisionedThroughput, ReplicationGroupUpdate, ScalarAttributeType, StreamSpecification,
    StreamViewType, TableClass, TableDescription, Tag,
};

use super::Dynamo;
use crate::error::{Error, Result};
use crate::meta::{IndexKind, IndexMeta, KeyMeta, Projection, StreamView, TableMeta};
use crate::model::Table;
use crate::value::ScalarType;

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The status of a table, from `DescribeTable`.
pub type TableStatus = aws_sdk_dynamodb::types::TableStatus;

/// An SDK builder's refusal, as an invalid request of model `M`.
pub(super) fn build_error<M: Table>(error: aws_sdk_dynamodb::error::BuildError) -> Error {
    Error::invalid_request(M::NAME, error.to_string())
}

/// The `AttributeDefinitions` of `keys`.
pub(super) fn definitions<M: Table>(
    keys: impl IntoIterator<Item = KeyMeta>,
) -> Result<Vec<AttributeDefinition>> {
    keys.into_iter()
        .map(|key| {
            AttributeDefinition::builder()
                .attribute_name(key.attribute)
                .attribute_type(scalar(key.scalar_type))
                .build()
                .map_err(build_error::<M>)
        })
        .collect()
}

/// Provisioned capacity of `read` and `write` units.
pub(super) fn throughput<M: Table>(read: i64, write: i64) -> Result<ProvisionedThroughput> {
    ProvisionedThroughput::builder()
        .read_capacity_units(read)
        .write_capacity_units(write)
        .build()
        .map_err(build_error::<M>)
}

/// The SDK's tags of `(key, value)` pairs.
pub(super) fn sdk_tags<'t, M: Table>(
    pairs: impl IntoIterator<Item = (&'t String, &'t String)>,
) -> Result<Vec<Tag>> {
    pairs
        .into_iter()
        .map(|(key, value)| {
            Tag::builder()
                .key(key)
                .value(value)
                .build()
                .map_err(build_error::<M>)
        })
        .collect()
}

pub(super) fn scalar(ty: ScalarType) -> ScalarAttributeType {
    match ty {
        ScalarType::S => ScalarAttributeType::S,
        ScalarType::N => ScalarAttributeType::N,
        ScalarType::B => ScalarAttributeType::B,
    }
}

/// The `KeySchema` of a table or index: its partition attributes (`HASH`, up to four for a
/// multi-attribute index key), then its sort attributes (`RANGE`).
pub(super) fn key_schema<M: Table>(
    hash: impl IntoIterator<Item = KeyMeta>,
    range: impl IntoIterator<Item = KeyMeta>,
) -> Result<Vec<KeySchemaElement>> {
    let element = |key: KeyMeta, ty: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(key.attribute)
            .key_type(ty)
            .build()
            .map_err(|e| Error::invalid_request(M::NAME, e.to_string()))
    };
    hash.into_iter()
        .map(|h| element(h, KeyType::Hash))
        .chain(range.into_iter().map(|r| element(r, KeyType::Range)))
        .collect()
}

/// A vector index of a `CreateTable` request: its attribute, dimensions, distance
/// function and search schema (partition `HASH`, then `INLINE_FILTER`s), every attribute
/// projected.
pub(super) fn vector_index<M: Table>(
    index: &crate::meta::VectorIndexMeta,
) -> Result<aws_sdk_dynamodb::types::VectorIndex> {
    let (attribute, schema, distance) = vector_parts::<M>(index)?;
    aws_sdk_dynamodb::types::VectorIndex::builder()
        .index_name(index.name)
        .vector_attribute(attribute)
        .set_search_schema((!schema.is_empty()).then_some(schema))
        .projection(projection(Projection::All))
        .dimensions(i64::try_from(index.dimensions).unwrap_or(i64::MAX))
        .distance_function(distance)
        .build()
        .map_err(build_error::<M>)
}

/// The attribute definition, search schema and distance function of a vector index.
pub(super) fn vector_parts<M: Table>(
    index: &crate::meta::VectorIndexMeta,
) -> Result<(
    aws_sdk_dynamodb::types::VectorAttributeDefinition,
    Vec<aws_sdk_dynamodb::types::SearchSchemaElement>,
    aws_sdk_dynamodb::types::VectorDistanceFunction,
)> {
    use aws_sdk_dynamodb::types::{SearchSchemaElement, SearchSchemaElementType};
    let attribute = aws_sdk_dynamodb::types::VectorAttributeDefinition::builder()
        .attribute_name(index.attribute)
        .build()
        .map_err(build_error::<M>)?;
    let partition = index
        .partition
        .map(|name| (name, SearchSchemaElementType::Hash));
    let filters = index
        .filters
        .iter()
        .map(|name| (*name, SearchSchemaElementType::InlineFilter));
    let schema = partition
        .into_iter()
        .chain(filters)
        .map(|(name, kind)| {
            SearchSchemaElement::builder()
                .attribute_name(name)
                .search_schema_element_type(kind)
                .build()
                .map_err(build_error::<M>)
        })
        .collect::<Result<Vec<_>>>()?;
    let distance = aws_sdk_dynamodb::types::VectorDistanceFunction::from(index.distance.as_str());
    Ok((attribute, schema, distance))
}

pub(super) fn projection(projection: Projection) -> SdkProjection {
    match projection {
        Projection::All => SdkProjection::builder()
            .projection_type(ProjectionType::All)
            .build(),
        Projection::KeysOnly => SdkProjection::builder()
            .projection_type(ProjectionType::KeysOnly)
            .build(),
        Projection::Include(names) => SdkProjection::builder()
            .projection_type(ProjectionType::Include)
            .set_non_key_attributes(Some(names.iter().map(|n| (*n).to_owned()).collect()))
            .build(),
    }
}

/// `CreateTable` from a model's metadata: key schema, attribute definitions, GSIs, LSIs.
/// On-demand billing unless [`provisioned`](CreateTable::provisioned) is set. Resolves once
/// the table is active, with time to live enabled on the model's `#[dynamo(ttl)]` field
/// when it has one (TTL can only be enabled on an active table: after
/// [`no_wait`](CreateTable::no_wait), call [`Dynamo::enable_ttl`] yourself).
#[must_use = "an operation does nothing until awaited"]
pub struct CreateTable<'a, M> {
    pub(crate) db: &'a Dynamo,
    throughput: Option<(i64, i64)>,
    tags: Vec<(String, String)>,
    class: Option<TableClass>,
    wait: bool,
    /// A table that exists already is success, not an error.
    if_not_exists: bool,
    /// Models sharing the table whose indexes are created too.
    sharing: Vec<&'static TableMeta>,
    _model: PhantomData<fn() -> M>,
}

impl Dynamo {
    /// Creates the table of `M` (and its indexes) and waits until it is active.
    pub fn create_table<M: Table>(&self) -> CreateTable<'_, M> {
        CreateTable {
            db: self,
            throughput: None,
            tags: Vec::new(),
            class: None,
            wait: true,
            if_not_exists: false,
            sharing: Vec::new(),
            _model: PhantomData,
        }
    }

    /// True when the table of `M` exists (`DescribeTable` finds it, in any status).
    ///
    /// # Errors
    ///
    /// Service errors other than "not found".
    pub fn table_exists<M: Table>(&self) -> super::admin::Steps<'_, bool> {
        super::admin::Steps::new(self, async move {
            match self.describe_table::<M>().await {
                Ok(_) => Ok(true),
                Err(error) if error.is_not_found() => Ok(false),
                Err(error) => Err(error),
            }
        })
    }

    /// The `UpdateTable` request that adds replicas in `regions` (a global table, version
    /// 2019.11.21). Returned for sending with [`Dynamo::add_replicas`] or inspection.
    pub fn replica_request<M: Table>(
        &self,
        regions: &[&str],
    ) -> update_table::builders::UpdateTableInputBuilder {
        let updates = regions
            .iter()
            .filter_map(|region| {
                CreateReplicationGroupMemberAction::builder()
                    .region_name(*region)
                    .build()
                    .ok()
            })
            .map(|create| ReplicationGroupUpdate::builder().create(create).build())
            .collect();
        update_table::UpdateTableInput::builder()
            .table_name(self.table_name::<M>())
            .set_replica_updates(Some(updates))
    }
}

impl<'a, M: Table> CreateTable<'a, M> {
    /// Provisioned billing with these read and write capacity units (also applied to GSIs).
    pub fn provisioned(mut self, read: i64, write: i64) -> Self {
        self.throughput = Some((read, write));
        self
    }

    /// Adds a tag.
    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.tags.push((key.into(), value.into()));
        self
    }

    /// The table class (`StandardInfrequentAccess`...).
    pub fn table_class(mut self, class: TableClass) -> Self {
        self.class = Some(class);
        self
    }

    /// Also creates the indexes of `N`, another model stored in this table (single-table
    /// design: each entity declares its own indexes, the table holds them all). Its table
    /// and primary key must be those of `M`.
    pub fn with_indexes_of<N: Table>(mut self) -> Self {
        self.sharing.push(N::meta());
        self
    }

    /// Succeeds when the table exists already (whatever its schema), and still waits until
    /// it is active: a service's start-up can call it every time.
    pub fn if_not_exists(mut self) -> Self {
        self.if_not_exists = true;
        self
    }

    /// Resolves as soon as the service accepts the request, without waiting for `ACTIVE`.
    pub fn no_wait(mut self) -> Self {
        self.wait = false;
        self
    }

    /// The `CreateTable` request (a dry run).
    ///
    /// # Errors
    ///
    /// Metadata the SDK refuses to build into a request.
    pub fn to_request(&self) -> Result<create_table::builders::CreateTableInputBuilder> {
        let meta = M::meta();
        let invalid = build_error::<M>;
        let throughput = self
            .throughput
            .map(|(read, write)| throughput::<M>(read, write))
            .transpose()?;
        for other in &self.sharing {
            let same_key = |a: &crate::meta::KeyMeta, b: &crate::meta::KeyMeta| {
                a.attribute == b.attribute && a.scalar_type == b.scalar_type
            };
            let keys_match = same_key(&other.hash_key, &meta.hash_key)
                && match (other.range_key, meta.range_key) {
                    (None, None) => true,
                    (Some(a), Some(b)) => same_key(&a, &b),
                    _ => false,
                };
            if other.table != meta.table || !keys_match {
                return Err(Error::invalid_request(
                    M::NAME,
                    format!(
                        "`{}` is not stored in table `{}` with the same primary key, so its indexes cannot be created with it",
                        other.model, meta.table
                    ),
                ));
            }
        }
        let metas = || std::iter::once(meta).chain(self.sharing.iter().copied());
        let mut keys: Vec<KeyMeta> = Vec::new();
        for key in metas().flat_map(TableMeta::key_attributes) {
            if !keys.iter().any(|known| known.attribute == key.attribute) {
                keys.push(key);
            }
        }
        let mut indexes: Vec<&IndexMeta> = Vec::new();
        for index in metas().flat_map(|m| m.indexes) {
            if !indexes.iter().any(|known| known.name == index.name) {
                indexes.push(index);
            }
        }
        let definitions = definitions::<M>(keys)?;
        let mut globals = Vec::new();
        let mut locals = Vec::new();
        for index in indexes {
            let schema = key_schema::<M>(index.partition_keys(), index.sort_keys())?;
            match index.kind {
                IndexKind::Global => globals.push(
                    GlobalSecondaryIndex::builder()
                        .index_name(index.name)
                        .set_key_schema(Some(schema))
                        .projection(projection(index.projection))
                        .set_provisioned_throughput(throughput.clone())
                        .build()
                        .map_err(invalid)?,
                ),
                IndexKind::Local => locals.push(
                    LocalSecondaryIndex::builder()
                        .index_name(index.name)
                        .set_key_schema(Some(schema))
                        .projection(projection(index.projection))
                        .build()
                        .map_err(invalid)?,
                ),
            }
        }
        let vector_indexes = metas()
            .flat_map(|m| m.vector_indexes)
            .map(vector_index::<M>)
            .collect::<Result<Vec<_>>>()?;
        let tags = sdk_tags::<M>(self.tags.iter().map(|(k, v)| (k, v)))?;
        Ok(create_table::CreateTableInput::builder()
            .table_name(self.db.table_name::<M>())
            .set_key_schema(Some(key_schema::<M>([meta.hash_key], meta.range_key)?))
            .set_attribute_definitions(Some(definitions))
            .set_global_secondary_indexes((!globals.is_empty()).then_some(globals))
            .set_local_secondary_indexes((!locals.is_empty()).then_some(locals))
            .set_vector_indexes((!vector_indexes.is_empty()).then_some(vector_indexes))
            .billing_mode(if throughput.is_some() {
                BillingMode::Provisioned
            } else {
                BillingMode::PayPerRequest
            })
            .set_provisioned_throughput(throughput)
            .set_tags((!tags.is_empty()).then_some(tags))
            .set_table_class(self.class.clone())
            .set_stream_specification(
                meta.stream
                    .map(|view| stream_specification(Some(view)))
                    .transpose()?,
            ))
    }

    async fn send(self) -> Result<()> {
        match self.db.backend().create_table(self.to_request()?).await {
            Ok(_) => {}
            Err(error) if self.if_not_exists && is_in_use(&error) => {
                if self.wait {
                    self.db
                        .wait_until_active::<M>(Duration::from_secs(60))
                        .await?;
                }
                return Ok(());
            }
            Err(error) => return Err(error),
        }
        if self.wait {
            self.db
                .wait_until_active::<M>(Duration::from_secs(60))
                .await?;
            if let Some(ttl) = M::meta().lifecycle.ttl {
                self.db.enable_ttl::<M>(ttl).await?;
            }
        }
        Ok(())
    }
}

impl<'a, M: Table + 'a> IntoFuture for CreateTable<'a, M> {
    type Output = Result<()>;
    type IntoFuture = BoxFuture<'a, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// True for `ResourceInUseException`: the table exists already (or is being created).
fn is_in_use(error: &Error) -> bool {
    matches!(
        error.kind(),
        crate::error::ErrorKind::Service { code: Some(code), .. } if code == "ResourceInUseException"
    )
}

/// One model or a tuple of models whose tables are created together
/// ([`Dynamo::create_tables`], [`Dynamo::memory_with`]).
pub trait TableSet {
    #[doc(hidden)]
    fn create(db: &Dynamo) -> BoxFuture<'_, Result<()>>;

    /// Plans and applies the schema of each table ([`Dynamo::sync_tables`]); what was
    /// changed, table by table.
    #[doc(hidden)]
    fn sync(db: &Dynamo) -> BoxFuture<'_, Result<Vec<super::schema::Synced>>>;
}

impl<M: Table + 'static> TableSet for M {
    fn create(db: &Dynamo) -> BoxFuture<'_, Result<()>> {
        Box::pin(db.create_table::<M>().into_future())
    }

    fn sync(db: &Dynamo) -> BoxFuture<'_, Result<Vec<super::schema::Synced>>> {
        Box::pin(async move {
            let plan = db.plan_table::<M>().await?;
            plan.apply(db).await?;
            Ok(vec![super::schema::Synced {
                table: plan.table,
                changes: plan.changes,
            }])
        })
    }
}

macro_rules! table_sets {
    ($(($($model:ident),+))*) => {$(
        impl<$($model: TableSet),+> TableSet for ($($model,)+) {
            fn create(db: &Dynamo) -> BoxFuture<'_, Result<()>> {
                Box::pin(async move {
                    $($model::create(db).await?;)+
                    Ok(())
                })
            }

            fn sync(db: &Dynamo) -> BoxFuture<'_, Result<Vec<super::schema::Synced>>> {
                Box::pin(async move {
                    let mut synced = Vec::new();
                    $(synced.extend($model::sync(db).await?);)+
                    Ok(synced)
                })
            }
        }
    )*};
}

table_sets! {
    (A)
    (A, B)
    (A, B, C)
    (A, B, C, D)
    (A, B, C, D, E)
    (A, B, C, D, E, F)
    (A, B, C, D, E, F, G)
    (A, B, C, D, E, F, G, H)
}

impl Dynamo {
    /// Creates the tables of `T`, a model or a tuple of models.
    ///
    /// # Errors
    ///
    /// As [`Dynamo::create_table`].
    pub fn create_tables<T: TableSet>(&self) -> super::admin::Steps<'_, ()> {
        super::admin::Steps::new(self, T::create(self))
    }

    /// Brings the tables of `T` (a model or a tuple of models) in line with their models:
    /// creates the missing ones and applies each one's [schema plan](Dynamo::plan_table), in
    /// order. Resolves to what each table needed, empty changes for those already in line.
    ///
    /// # Errors
    ///
    /// As [`TablePlan::apply`](super::schema::TablePlan::apply): a table that needs a new
    /// table stops it there, unchanged.
    pub fn sync_tables<T: TableSet>(&self) -> super::admin::Steps<'_, Vec<super::schema::Synced>> {
        super::admin::Steps::new(self, T::sync(self))
    }

    /// A test's one line: an embedded store with the tables of `T` created.
    ///
    /// ```
    /// # use dynamo_model::{Dynamo, DynamoModel};
    /// # #[derive(DynamoModel)] #[dynamo(table = "users", hash_key = "id")] struct User { id: String }
    /// # #[derive(DynamoModel)] #[dynamo(table = "orders", hash_key = "id")] struct Order { id: String }
    /// # async fn test() -> dynamo_model::Result<()> {
    /// let db = Dynamo::memory_with::<(User, Order)>().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Dynamo::create_table`].
    pub async fn memory_with<T: TableSet>() -> Result<Dynamo> {
        let db = Dynamo::memory();
        db.create_tables::<T>().await?;
        Ok(db)
    }
}

super::operation!(CreateTable<M>);

/// What `DescribeTable` and `DescribeTimeToLive` say of a model's table:
/// [`Dynamo::describe`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TableInfo {
    /// The table name, with the client's prefix.
    pub name: String,
    /// Creating, active, updating, deleting...
    pub status: TableStatus,
    /// The items in the table (DynamoDB refreshes it about every six hours).
    pub item_count: i64,
    /// The table's size in bytes, refreshed as the item count is.
    pub size_bytes: i64,
    /// The secondary indexes: global ones, then local ones.
    pub indexes: Vec<IndexInfo>,
    /// The time-to-live setting.
    pub ttl: TtlState,
    /// The change stream's view type, `None` when the table has no stream on.
    pub stream: Option<StreamView>,
}

/// One secondary index of a [`TableInfo`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct IndexInfo {
    /// The index name.
    pub name: String,
    /// Global or local.
    pub kind: IndexKind,
    /// A global index's status (creating, active...); local indexes have none.
    pub status: Option<aws_sdk_dynamodb::types::IndexStatus>,
    /// The items in the index, refreshed as the table's count is.
    pub item_count: i64,
}

/// A table's time to live, from `DescribeTimeToLive`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TtlState {
    /// Items do not expire.
    Disabled,
    /// Being turned on, with this attribute.
    Enabling {
        /// The attribute holding the expiry time.
        attribute: String,
    },
    /// Items expire at the epoch seconds of this attribute.
    Enabled {
        /// The attribute holding the expiry time.
        attribute: String,
    },
    /// Being turned off.
    Disabling {
        /// The attribute that held the expiry time.
        attribute: String,
    },
}

/// Describes a model's table: status, item count, indexes and time to live. Resolves to a
/// [`TableInfo`].
#[must_use = "an operation does nothing until awaited"]
pub struct Describe<'a, M> {
    pub(crate) db: &'a Dynamo,
    _model: std::marker::PhantomData<fn() -> M>,
}

impl Dynamo {
    /// Describes the table of `M`, typed: `DescribeTable` and `DescribeTimeToLive`.
    pub fn describe<M: Table>(&self) -> Describe<'_, M> {
        Describe {
            db: self,
            _model: std::marker::PhantomData,
        }
    }
}

impl<M: Table> Describe<'_, M> {
    /// The first request this sends, `DescribeTable` (a dry run).
    ///
    /// # Errors
    ///
    /// None today.
    pub fn to_request(&self) -> Result<describe_table::builders::DescribeTableInputBuilder> {
        Ok(describe_table::DescribeTableInput::builder().table_name(self.db.table_name::<M>()))
    }

    async fn send(self) -> Result<TableInfo> {
        let table = self.db.table_name::<M>();
        let output = self.db.backend().describe_table(self.to_request()?).await?;
        let description = output
            .table
            .ok_or_else(|| Error::invalid_request(M::NAME, "DescribeTable returned no table"))?;
        let ttl_input =
            aws_sdk_dynamodb::operation::describe_time_to_live::DescribeTimeToLiveInput::builder()
                .table_name(&table);
        let ttl = self.db.backend().describe_time_to_live(ttl_input).await?;
        let global = description
            .global_secondary_indexes()
            .iter()
            .map(|index| IndexInfo {
                name: index.index_name().unwrap_or_default().to_owned(),
                kind: IndexKind::Global,
                status: index.index_status().cloned(),
                item_count: index.item_count().unwrap_or(0),
            });
        let local = description
            .local_secondary_indexes()
            .iter()
            .map(|index| IndexInfo {
                name: index.index_name().unwrap_or_default().to_owned(),
                kind: IndexKind::Local,
                status: None,
                item_count: index.item_count().unwrap_or(0),
            });
        Ok(TableInfo {
            name: table,
            status: description
                .table_status()
                .cloned()
                .unwrap_or(TableStatus::Active),
            item_count: description.item_count().unwrap_or(0),
            size_bytes: description.table_size_bytes().unwrap_or(0),
            indexes: global.chain(local).collect(),
            ttl: ttl_state(ttl.time_to_live_description()),
            stream: live_stream(&description),
        })
    }
}

fn ttl_state(description: Option<&aws_sdk_dynamodb::types::TimeToLiveDescription>) -> TtlState {
    use aws_sdk_dynamodb::types::TimeToLiveStatus;
    let Some(description) = description else {
        return TtlState::Disabled;
    };
    let attribute = description.attribute_name().unwrap_or_default().to_owned();
    match description.time_to_live_status() {
        Some(TimeToLiveStatus::Enabled) => TtlState::Enabled { attribute },
        Some(TimeToLiveStatus::Enabling) => TtlState::Enabling { attribute },
        Some(TimeToLiveStatus::Disabling) => TtlState::Disabling { attribute },
        _ => TtlState::Disabled,
    }
}

impl<'a, M: Table + 'a> IntoFuture for Describe<'a, M> {
    type Output = Result<TableInfo>;
    type IntoFuture = BoxFuture<'a, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

super::operation!(Describe<M>);

/// The `StreamSpecification` that turns a table's stream on with `view`, or off.
pub(crate) fn stream_specification(view: Option<StreamView>) -> Result<StreamSpecification> {
    StreamSpecification::builder()
        .stream_enabled(view.is_some())
        .set_stream_view_type(view.map(|view| StreamViewType::from(view.as_str())))
        .build()
        .map_err(|e| Error::invalid_operation("UpdateTable", e.to_string()))
}

/// The view type of a described table's stream, when it is on.
pub(crate) fn live_stream(description: &TableDescription) -> Option<StreamView> {
    let spec = description
        .stream_specification()
        .filter(|s| s.stream_enabled())?;
    Some(match spec.stream_view_type()? {
        StreamViewType::KeysOnly => StreamView::KeysOnly,
        StreamViewType::NewImage => StreamView::NewImage,
        StreamViewType::OldImage => StreamView::OldImage,
        _ => StreamView::NewAndOldImages,
    })
}
