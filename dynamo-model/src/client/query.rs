//! Query and scan: one page, every page, a lazy stream of items, a count, parallel scans.

use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;

use aws_sdk_dynamodb::operation::{query, scan};
use aws_sdk_dynamodb::types::Select;
use futures_util::stream::{self, BoxStream, StreamExt, TryStreamExt};

use super::item::default_consistent_read;
use super::lifecycle::ExpiryFilter;
use super::prepare::Expressions;
use super::seal::Keys;
use super::{Dynamo, Steps};
use crate::error::{Error, Result};
use crate::expr::{
    Comparison, Condition, IntoCondition, KeyCondition, KeySchema, Projection, QueryKey, RangeKeyOf,
};
use crate::model::collection::{Collection, Load};
use crate::model::{Projected, ReadableFrom, Table};
use crate::value::Item;

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One page of a query or scan: its items and where the next page starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<M> {
    /// The items of the page (after the filter).
    pub items: Vec<M>,
    /// The key to continue from (`start_from`), `None` on the last page.
    pub last_evaluated_key: Option<Item>,
    /// Items evaluated before the filter.
    pub scanned_count: i32,
    /// What the page's cursor may resume: the table, index, model and key condition of
    /// the query (or scan) that read it. A signed cursor is bound to it.
    pub(crate) scope: String,
}

impl<M> Page<M> {
    /// What a signed cursor of this page is bound to.
    pub(crate) fn cursor_scope(&self) -> &str {
        &self.scope
    }
}

/// What a cursor of a read may resume: `table`, `index`, `model`, and the key condition
/// rendered with its values (nothing for a scan), each after a NUL.
fn scope_of(
    table: &str,
    index: Option<&str>,
    model: &str,
    key: Option<&crate::expr::Rendered>,
) -> String {
    let mut scope = format!("{table}\0{}\0{model}\0", index.unwrap_or_default());
    if let Some(key) = key {
        let mut names: Vec<_> = key.names.iter().collect();
        names.sort();
        let mut values: Vec<_> = key.values.iter().collect();
        values.sort_by(|a, b| a.0.cmp(b.0));
        scope.push_str(&format!("{}\0{names:?}\0{values:?}", key.expression));
    }
    scope
}

/// Options shared by query and scan.
struct Common<M> {
    filter: Option<Condition<M>>,
    projection: Option<Projection<M>>,
    /// DynamoDB's `Limit`: items evaluated per request.
    page_size: Option<i32>,
    /// The most items the operation returns.
    limit: Option<usize>,
    consistent_read: Option<bool>,
    start: Option<Item>,
    /// Why the cursor given to `start_from_cursor` could not be read.
    bad_cursor: Option<Error>,
    hooks: bool,
    include_expired: bool,
    /// `Select = ALL_PROJECTED_ATTRIBUTES`: every attribute the index projects.
    all_projected: bool,
}

impl<M> Common<M> {
    fn new() -> Self {
        Common {
            filter: None,
            projection: None,
            all_projected: false,
            page_size: None,
            limit: None,
            consistent_read: None,
            start: None,
            bad_cursor: None,
            hooks: true,
            include_expired: false,
        }
    }

    /// The `Limit` of each request: the page size, and without a filter (which drops
    /// items after `Limit` counted them) no more than the items still wanted.
    fn request_limit(&self) -> Option<i32> {
        let wanted = self
            .limit
            .filter(|_| self.filter.is_none())
            .map(|n| i32::try_from(n.max(1)).unwrap_or(i32::MAX));
        match (self.page_size, wanted) {
            (Some(size), Some(wanted)) => Some(size.min(wanted)),
            (size, wanted) => size.or(wanted),
        }
    }

    /// The `Select` of the requests: specific attributes with a projection, all projected
    /// ones when asked for (an index only), else DynamoDB's default.
    fn select(&self, index: Option<&str>) -> Result<Option<Select>>
    where
        M: Table,
    {
        match (self.all_projected, &self.projection, index) {
            (false, None, _) => Ok(None),
            (false, Some(_), _) => Ok(Some(Select::SpecificAttributes)),
            (true, None, Some(_)) => Ok(Some(Select::AllProjectedAttributes)),
            (true, Some(_), _) => Err(Error::invalid_request(
                M::NAME,
                "`all_projected_attributes` reads every projected attribute, and a projection names some: keep one of them",
            )),
            (true, None, None) => Err(Error::invalid_request(
                M::NAME,
                "`all_projected_attributes` reads an index, and this request reads the table: choose an index with `index(..)`, or leave it out to read whole items",
            )),
        }
    }

    /// The filter and projection expressions, merged into `expressions`, after checking
    /// the start key against the key schema of the table or `index`.
    fn render(
        &self,
        expressions: &mut Expressions,
        index: Option<&str>,
    ) -> Result<(Option<String>, Option<String>)>
    where
        M: Table,
    {
        if let Some(size) = self.page_size.filter(|size| *size < 1) {
            return Err(Error::invalid_request(
                M::NAME,
                format!("a page size is 1 or more (DynamoDB's `Limit`), not {size}"),
            ));
        }
        if let Some(error) = &self.bad_cursor {
            return Err(error.clone());
        }
        if let Some(start) = &self.start {
            crate::meta::check_start_key(M::meta(), index, start)?;
        }
        let filter = self
            .filter
            .as_ref()
            .map(|f| f.render_filter().map(|r| expressions.add(r)))
            .transpose()?;
        let projection = self
            .projection
            .as_ref()
            .map(|p| p.render().map(|r| expressions.add(r)))
            .transpose()?;
        Ok((filter, projection))
    }
}

macro_rules! common_options {
    () => {
        /// Keeps only items matching `filter` (applied after `limit`, as DynamoDB does).
        pub fn filter(mut self, filter: impl IntoCondition<M>) -> Self {
            self.common.filter = Some(filter.into_condition());
            self
        }

        /// Reads only these attributes (the model must decode from them).
        pub fn projection(mut self, projection: Projection<M>) -> Self {
            self.common.projection = Some(projection);
            self
        }

        /// Reads every attribute the index projects (`Select = ALL_PROJECTED_ATTRIBUTES`);
        /// of an index only, and without a projection: both are refused before sending.
        /// With an index that projects fewer attributes than the model has, read the items
        /// [`raw`](Self::raw) or as a projection.
        pub fn all_projected_attributes(mut self) -> Self {
            self.common.all_projected = true;
            self
        }

        /// Returns at most `limit` items: awaiting, [`all`](Self::all),
        /// [`stream`](Self::stream), [`page`](Self::page) and `count` stop there (a page
        /// cut short resumes after its last item). Without a filter, requests ask for no
        /// more than that.
        pub fn limit(mut self, limit: usize) -> Self {
            self.common.limit = Some(limit);
            self
        }

        /// Evaluates at most `size` items per request (DynamoDB's `Limit`, 1 or more): the
        /// size of a page before the filter, not a cap on what the operation returns.
        pub fn page_size(mut self, size: i32) -> Self {
            self.common.page_size = Some(size);
            self
        }

        /// Reads with strong consistency (tables and local indexes only).
        pub fn consistent_read(mut self, consistent: bool) -> Self {
            self.common.consistent_read = Some(consistent);
            self
        }

        /// Starts after this key: a page's `last_evaluated_key`. It is checked against
        /// the key schema before sending.
        pub fn start_from(mut self, key: Option<Item>) -> Self {
            self.common.start = key;
            self.common.bad_cursor = None;
            self
        }

        /// Starts after the key a cursor holds, or fails the request with the reason the
        /// cursor could not be read (see the `cursor` module).
        pub(crate) fn start_from_decoded(mut self, start: Result<Item>) -> Self {
            match start {
                Ok(key) => {
                    self.common.start = Some(key);
                    self.common.bad_cursor = None;
                }
                Err(error) => self.common.bad_cursor = Some(error),
            }
            self
        }

        /// Runs no `after_load` hook on the items.
        pub fn skip_hooks(mut self) -> Self {
            self.common.hooks = false;
            self
        }

        /// Also returns items whose TTL (`#[dynamo(ttl)]`) has passed but which DynamoDB
        /// has not deleted yet; by default they are left out. (`count` counts what the
        /// server holds, expired items included.)
        pub fn include_expired(mut self) -> Self {
            self.common.include_expired = true;
            self
        }
    };
}

/// Decodes the items of a page, leaving out expired ones. A page over the limit is cut
/// there, and then resumes after its last item kept.
async fn decode_page<M: Table, O: Load>(
    keys: &Keys,
    common: &Common<M>,
    index: Option<&str>,
    items: Option<Vec<Item>>,
    last: Option<Item>,
    scanned: i32,
    scope: String,
) -> Result<Page<O>> {
    let expiry = ExpiryFilter::of::<M>(common.include_expired);
    let mut items: Vec<Item> = items
        .unwrap_or_default()
        .into_iter()
        .filter(|item| !expiry.is_expired(item))
        .collect();
    let mut last = last.filter(|k| !k.is_empty());
    if let Some(limit) = common.limit.filter(|limit| items.len() > *limit) {
        items.truncate(limit);
        let keys = crate::meta::key_attributes(M::meta(), index);
        last = items.last().map(|item| {
            item.iter()
                .filter(|(name, _)| keys.contains(&name.as_str()))
                .map(|(name, value)| (name.clone(), value.clone()))
                .collect()
        });
    }
    let items = keys.load_all::<O>(items, common.hooks).await?;
    Ok(Page {
        items,
        last_evaluated_key: last,
        scanned_count: scanned,
        scope,
    })
}

/// `Query` of model `M` on key schema `S` (the table, or an index handle), decoding its
/// items as `O`: the model, or a [`Collection`] of the models sharing the table.
#[must_use = "an operation does nothing until awaited"]
pub struct Query<'a, M, S = M, O = M> {
    pub(crate) db: &'a Dynamo,
    key: KeyCondition<S>,
    index_name: Option<&'static str>,
    common: Common<M>,
    scan_forward: Option<bool>,
    _model: PhantomData<fn() -> (M, O)>,
}

impl Dynamo {
    /// Queries a partition: the one entry point for every query. What `key` is picks the
    /// key schema and so the index:
    ///
    /// - the table's partition key value: `db.query::<Order>("c1")`;
    /// - an index and its partition key value: `db.query((Order::BY_STATUS, "open"))`;
    /// - a key condition built beforehand, an access pattern of a model with key
    ///   templates: `db.query(Order::query_by_user_id("u1"))` (without a sort-key
    ///   condition, a templated sort key that starts with text keeps the query to that
    ///   entity's items).
    ///
    /// Awaiting it returns every matching item (or the first [`limit`](Query::limit));
    /// [`page`](Query::page) sends one request. Items decode as the model, or as a
    /// [`Collection`] after [`collection`](Query::collection).
    pub fn query<S>(&self, key: impl QueryKey<S>) -> Query<'_, S::Model, S>
    where
        S: KeySchema,
        S::Model: Table,
    {
        Query {
            db: self,
            key: key.into_key_condition(),
            index_name: S::index_name(),
            common: Common::new(),
            scan_forward: None,
            _model: PhantomData,
        }
    }

    /// Scans the table of `M`.
    pub fn scan<M: Table>(&self) -> Scan<'_, M> {
        Scan {
            db: self,
            index_name: None,
            common: Common::new(),
            segments: None,
            _output: PhantomData,
        }
    }
}

impl<'a, M: Table, S: KeySchema<Model = M>, O: Load> Query<'a, M, S, O> {
    /// Adds the sort-key comparison (of this table's or index's sort key only).
    pub fn range<K: RangeKeyOf<S>>(mut self, comparison: Comparison<M, K>) -> Self {
        self.key = self.key.range(comparison);
        self
    }

    /// Queries an index with the same partition key type instead (a local index, or a
    /// global one keyed alike): `db.query::<Order>("c1").index(Order::BY_CREATED)`. Call it
    /// before [`range`](Query::range): a sort-key comparison set earlier is dropped.
    pub fn index<I>(self, index: I) -> Query<'a, M, I, O>
    where
        I: KeySchema<Model = M, HashKey = S::HashKey>,
    {
        let _ = index;
        Query {
            db: self.db,
            key: self.key.with_schema(),
            index_name: I::index_name(),
            common: self.common,
            scan_forward: self.scan_forward,
            _model: PhantomData,
        }
    }

    /// Decodes nothing: the items as DynamoDB returned them (every projected attribute of
    /// an index, say), expired ones still left out.
    pub fn raw(self) -> Query<'a, M, S, Item> {
        self.decoding_as()
    }

    /// The same query, its items decoded as `O2`.
    fn decoding_as<O2>(self) -> Query<'a, M, S, O2> {
        Query {
            db: self.db,
            key: self.key,
            index_name: self.index_name,
            common: self.common,
            scan_forward: self.scan_forward,
            _model: PhantomData,
        }
    }

    /// Reads only the attributes of the projection `P` and decodes the items as it:
    /// `db.query::<User>("u1").project::<UserCard>()`. See [`Projected`].
    ///
    /// From an index that does not project every field of `P`, this does not compile: the
    /// index could not return them.
    pub fn project<P: Projected<Of = M> + ReadableFrom<S>>(mut self) -> Query<'a, M, S, P> {
        self.common.projection = Some(P::projection());
        self.decoding_as()
    }

    /// Decodes the items into collection `C` (an enum of the models sharing the table), each
    /// into the variant its entity type names: `db.query(User::query_by_user_id("u1"))
    /// .collection::<Account>()`.
    pub fn collection<C: Collection>(mut self) -> Query<'a, M, S, C> {
        self.key = self.key.without_implied_range();
        self.decoding_as()
    }

    /// Ascending (`true`, the default) or descending sort-key order.
    pub fn scan_forward(mut self, forward: bool) -> Self {
        self.scan_forward = Some(forward);
        self
    }

    common_options!();

    /// The request of the first page (a dry run).
    ///
    /// # Errors
    ///
    /// Expression errors, as the send would report them.
    pub fn to_request(&self) -> Result<query::builders::QueryInputBuilder> {
        let mut expressions = Expressions::new();
        let key = expressions.add(self.key.render()?);
        let (filter, projection) = self.common.render(&mut expressions, self.index_name)?;
        let (names, values) = expressions.into_maps();
        Ok(query::QueryInput::builder()
            .table_name(self.db.table_name::<M>())
            .set_index_name(self.index_name.map(str::to_owned))
            .key_condition_expression(key)
            .set_filter_expression(filter)
            .set_projection_expression(projection)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .set_limit(self.common.request_limit())
            .set_consistent_read(
                self.common
                    .consistent_read
                    .or_else(|| default_consistent_read::<M>(self.index_name)),
            )
            .set_scan_index_forward(self.scan_forward)
            .set_exclusive_start_key(self.common.start.clone())
            .set_select(self.common.select(self.index_name)?))
    }

    /// One page.
    ///
    /// # Errors
    ///
    /// Expression, service and decode errors.
    pub fn page(self) -> Steps<'a, Page<O>>
    where
        M: Send + 'a,
        S: 'a,
        O: Send + 'a,
    {
        let db = self.db;
        Steps::new(db, self.page_now())
    }

    async fn page_now(self) -> Result<Page<O>> {
        let output = self.db.backend().query(self.to_request()?).await?;
        decode_page(
            self.db.keys(),
            &self.common,
            self.index_name,
            output.items,
            output.last_evaluated_key,
            output.scanned_count,
            self.cursor_scope(),
        )
        .await
    }

    /// What a cursor of this query may resume (see [`Page::cursor_scope`]).
    pub(crate) fn cursor_scope(&self) -> String {
        let key = self.key.render().ok();
        scope_of(
            &self.db.table_name::<M>(),
            self.index_name,
            M::NAME,
            key.as_ref(),
        )
    }

    /// Every matching item, following pages lazily as the stream is read.
    pub fn stream(self) -> BoxStream<'a, Result<O>>
    where
        O: Send + 'a,
        S: 'a,
    {
        let db = self.db;
        let first = self.to_request();
        let items = paginate(
            db.keys().clone(),
            first,
            self.common.hooks,
            ExpiryFilter::of::<M>(self.common.include_expired),
            move |request| async move {
                let output = db.backend().query(request).await?;
                Ok((output.items, output.last_evaluated_key))
            },
            query::builders::QueryInputBuilder::set_exclusive_start_key,
        );
        at_most(items, self.common.limit)
    }

    /// Every matching item, in order, following every page.
    ///
    /// # Errors
    ///
    /// Expression, service and decode errors.
    pub async fn all(self) -> Result<Vec<O>>
    where
        O: Send + 'a,
        S: 'a,
    {
        self.stream().try_collect().await
    }

    /// How many items match (`Select = COUNT`, every page).
    ///
    /// # Errors
    ///
    /// Expression and service errors.
    pub fn count(self) -> Steps<'a, u64>
    where
        M: Send + 'a,
        S: 'a,
        O: 'a,
    {
        let db = self.db;
        Steps::new(db, self.count_now())
    }

    async fn count_now(mut self) -> Result<u64> {
        // A count returns no attributes: a projection (and its names) would be unused.
        self.common.projection = None;
        let mut request = self.to_request()?.select(Select::Count);
        let cap = self.common.limit.map_or(u64::MAX, |n| n as u64);
        let mut total = 0_u64;
        loop {
            let output = self.db.backend().query(request.clone()).await?;
            total += u64::try_from(output.count).unwrap_or(0);
            match output.last_evaluated_key.filter(|k| !k.is_empty()) {
                Some(key) if total < cap => request = request.set_exclusive_start_key(Some(key)),
                _ => return Ok(total.min(cap)),
            }
        }
    }
}

/// Pages through requests: sends `first`, decodes its items, and continues from each
/// `LastEvaluatedKey` until there is none.
fn paginate<'a, O, R, F, Fut>(
    keys: Keys,
    first: Result<R>,
    hooks: bool,
    expiry: ExpiryFilter,
    send: F,
    set_start: fn(R, Option<Item>) -> R,
) -> BoxStream<'a, Result<O>>
where
    O: Load + Send + 'a,
    R: Clone + Send + 'a,
    F: Fn(R) -> Fut + Send + Sync + 'a,
    Fut: Future<Output = Result<(Option<Vec<Item>>, Option<Item>)>> + Send + 'a,
{
    let send = std::sync::Arc::new(send);
    let pages = stream::try_unfold(Some(first), move |next| {
        let send = std::sync::Arc::clone(&send);
        async move {
            let Some(request) = next else { return Ok(None) };
            let request = request?;
            let (items, last) = send(request.clone()).await?;
            let next = last
                .filter(|k| !k.is_empty())
                .map(|key| Ok(set_start(request, Some(key))));
            Ok::<_, Error>(Some((items.unwrap_or_default(), next)))
        }
    });
    pages
        .and_then(move |items| {
            let keys = keys.clone();
            async move {
                let live: Vec<Item> = items
                    .into_iter()
                    .filter(|item| !expiry.is_expired(item))
                    .collect();
                // Each page's objects are read and data keys unwrapped before its items
                // are decoded.
                let loaded = keys.load_each::<O>(live, hooks).await?;
                Ok(stream::iter(loaded))
            }
        })
        .try_flatten()
        .boxed()
}

/// The first `limit` items of `items` (all of them without a limit); the pages after the
/// limit are never requested.
fn at_most<'a, O: Send + 'a>(
    items: BoxStream<'a, Result<O>>,
    limit: Option<usize>,
) -> BoxStream<'a, Result<O>> {
    match limit {
        Some(limit) => items.take(limit).boxed(),
        None => items,
    }
}

impl<'a, M, S, O> IntoFuture for Query<'a, M, S, O>
where
    M: Table + Send + 'a,
    S: KeySchema<Model = M> + 'a,
    O: Load + Send + 'a,
{
    type Output = Result<Vec<O>>;
    type IntoFuture = BoxFuture<'a, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.all())
    }
}

/// Segments of a parallel scan read at once.
pub const MAX_SEGMENTS_IN_FLIGHT: usize = 16;

/// `Scan` of the table of `M` (or one of its indexes), optionally in parallel segments,
/// decoding its items as `O`: the model, or a [projection](Scan::project) of it.
#[must_use = "an operation does nothing until awaited"]
pub struct Scan<'a, M, O = M> {
    pub(crate) db: &'a Dynamo,
    index_name: Option<&'static str>,
    common: Common<M>,
    segments: Option<i32>,
    _output: PhantomData<fn() -> O>,
}

impl<'a, M: Table, O: Load> Scan<'a, M, O> {
    /// Decodes nothing: the items as DynamoDB returned them, expired ones still left out.
    pub fn raw(self) -> Scan<'a, M, Item> {
        self.decoding_as()
    }

    /// The same scan, its items decoded as `O2`.
    fn decoding_as<O2>(self) -> Scan<'a, M, O2> {
        Scan {
            db: self.db,
            index_name: self.index_name,
            common: self.common,
            segments: self.segments,
            _output: PhantomData,
        }
    }

    /// Reads only the attributes of the projection `P` and decodes the items as it. See
    /// [`Projected`].
    pub fn project<P: Projected<Of = M>>(mut self) -> Scan<'a, M, P> {
        self.common.projection = Some(P::projection());
        self.decoding_as()
    }

    /// Scans an index of the model instead of the table.
    pub fn index<I: KeySchema<Model = M>>(mut self, index: I) -> Self {
        let _ = index;
        self.index_name = I::index_name();
        self
    }

    /// Splits the scan into `segments` (1 or more), read concurrently ([`Scan::all`],
    /// [`Scan::stream`]), at most [`MAX_SEGMENTS_IN_FLIGHT`] at a time. `0` fails the scan
    /// before sending.
    pub fn segments(mut self, segments: u16) -> Self {
        self.segments = Some(i32::from(segments));
        self
    }

    common_options!();

    fn request(&self, segment: Option<(i32, i32)>) -> Result<scan::builders::ScanInputBuilder> {
        if self.segments == Some(0) {
            return Err(Error::invalid_request(
                M::NAME,
                "a parallel scan has 1 or more segments, not 0",
            ));
        }
        let mut expressions = Expressions::new();
        let (filter, projection) = self.common.render(&mut expressions, self.index_name)?;
        let (names, values) = expressions.into_maps();
        Ok(scan::ScanInput::builder()
            .table_name(self.db.table_name::<M>())
            .set_index_name(self.index_name.map(str::to_owned))
            .set_filter_expression(filter)
            .set_projection_expression(projection)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .set_limit(self.common.request_limit())
            .set_consistent_read(
                self.common
                    .consistent_read
                    .or_else(|| default_consistent_read::<M>(self.index_name)),
            )
            .set_exclusive_start_key(self.common.start.clone())
            .set_select(self.common.select(self.index_name)?)
            .set_segment(segment.map(|s| s.0))
            .set_total_segments(segment.map(|s| s.1)))
    }

    /// The request of the first page (of the first segment, for a parallel scan).
    ///
    /// # Errors
    ///
    /// Expression errors, as the send would report them.
    pub fn to_request(&self) -> Result<scan::builders::ScanInputBuilder> {
        self.request(self.segments.map(|total| (0, total)))
    }

    /// One page (of a non-parallel scan).
    ///
    /// # Errors
    ///
    /// Expression, service and decode errors.
    pub fn page(self) -> Steps<'a, Page<O>>
    where
        M: Send + 'a,
        O: Send + 'a,
    {
        let db = self.db;
        Steps::new(db, self.page_now())
    }

    async fn page_now(self) -> Result<Page<O>> {
        let output = self.db.backend().scan(self.request(None)?).await?;
        decode_page(
            self.db.keys(),
            &self.common,
            self.index_name,
            output.items,
            output.last_evaluated_key,
            output.scanned_count,
            self.cursor_scope(),
        )
        .await
    }

    /// What a cursor of this scan may resume (see [`Page::cursor_scope`]).
    pub(crate) fn cursor_scope(&self) -> String {
        scope_of(&self.db.table_name::<M>(), self.index_name, M::NAME, None)
    }

    /// Every matching item; with segments, the segments' streams run concurrently and
    /// are merged as items arrive.
    pub fn stream(self) -> BoxStream<'a, Result<O>>
    where
        M: Send + 'a,
        O: Send + 'a,
    {
        let db = self.db;
        let hooks = self.common.hooks;
        let expiry = ExpiryFilter::of::<M>(self.common.include_expired);
        let segment_stream = move |request: Result<scan::builders::ScanInputBuilder>| {
            paginate(
                db.keys().clone(),
                request,
                hooks,
                expiry,
                move |request: scan::builders::ScanInputBuilder| async move {
                    let output = db.backend().scan(request).await?;
                    Ok((output.items, output.last_evaluated_key))
                },
                scan::builders::ScanInputBuilder::set_exclusive_start_key,
            )
        };
        let items = match self.segments {
            None => segment_stream(self.request(None)),
            Some(0) => segment_stream(self.request(None)),
            Some(total) => {
                let streams: Vec<_> = (0..total)
                    .map(|segment| segment_stream(self.request(Some((segment, total)))))
                    .collect();
                // Each segment's stream sends nothing until polled: this bounds the requests
                // in flight.
                stream::iter(streams)
                    .flatten_unordered(MAX_SEGMENTS_IN_FLIGHT)
                    .boxed()
            }
        };
        at_most(items, self.common.limit)
    }

    /// Every matching item, from every page (and segment).
    ///
    /// # Errors
    ///
    /// Expression, service and decode errors.
    pub async fn all(self) -> Result<Vec<O>>
    where
        M: Send + 'a,
        O: Send + 'a,
    {
        self.stream().try_collect().await
    }

    /// How many items match (`Select = COUNT`, every page and segment).
    ///
    /// # Errors
    ///
    /// Expression and service errors.
    pub fn count(self) -> Steps<'a, u64>
    where
        M: Send + 'a,
        O: 'a,
    {
        let db = self.db;
        Steps::new(db, self.count_now())
    }

    async fn count_now(mut self) -> Result<u64> {
        // A count returns no attributes: a projection (and its names) would be unused.
        self.common.projection = None;
        let segments = self.segments.unwrap_or(1);
        if segments == 0 {
            // The same refusal as every other read of a scan of 0 segments.
            self.request(None)?;
        }
        let cap = self.common.limit.map_or(u64::MAX, |n| n as u64);
        let mut total = 0_u64;
        for segment in 0..segments {
            if total >= cap {
                break;
            }
            let mut request = self
                .request(self.segments.map(|t| (segment, t)))?
                .select(Select::Count);
            loop {
                let output = self.db.backend().scan(request.clone()).await?;
                total += u64::try_from(output.count).unwrap_or(0);
                match output.last_evaluated_key.filter(|k| !k.is_empty()) {
                    Some(key) if total < cap => {
                        request = request.set_exclusive_start_key(Some(key));
                    }
                    _ => break,
                }
            }
        }
        Ok(total.min(cap))
    }
}

impl<'a, M: Table + Send + 'a, O: Load + Send + 'a> IntoFuture for Scan<'a, M, O> {
    type Output = Result<Vec<O>>;
    type IntoFuture = BoxFuture<'a, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.all())
    }
}

super::operation!(Query<M, S, O>);
super::operation!(Scan<M, O>);
