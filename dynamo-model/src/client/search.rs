//! `SearchVectors`: the items whose vectors are nearest a query vector on a vector index,
//! with their scores, filtered by the index's search schema.

use std::future::IntoFuture;

use aws_sdk_dynamodb::operation::search_vectors;
use aws_sdk_dynamodb::types::AttributeValue;

use super::item::BoxFuture;
use super::prepare::Expressions;
use super::Dynamo;
use crate::error::{Error, Result};
use crate::expr::{Comparison, InlineFilterOf, SearchFilter, SearchPartitionOf, ValueFor};
use crate::model::{Table, VectorIndex};
use crate::value::path::Field;
use crate::value::vector::QueryVectorFor;
use crate::value::ToAttributeValue;

/// How many items a search returns unless `top_k` says otherwise.
pub const DEFAULT_TOP_K: i32 = 10;

/// One item a search found, and its score (see [`Distance`](crate::meta::Distance): lower
/// is nearer for `COSINE` and `EUCLIDEAN`, higher for `DOT_PRODUCT`).
#[derive(Debug, Clone, PartialEq)]
pub struct Scored<M> {
    /// The item.
    pub item: M,
    /// Its score against the query vector.
    pub score: f64,
}

/// A vector search: `db.search(M::BY_EMBEDDING, &query)`. Resolves to the `top_k`
/// nearest items, nearest first.
#[must_use = "an operation does nothing until awaited"]
pub struct Search<'a, M, V> {
    db: &'a Dynamo,
    index: V,
    query: Vec<f32>,
    top_k: i32,
    filter: SearchFilter<M, V>,
    hooks: bool,
}

impl Dynamo {
    /// Searches vector index `index` for the items nearest `query`: a slice or `Vec` (its
    /// length checked before sending) or an array (checked at compile time). The model is
    /// the index's: `db.search(Doc::BY_EMBEDDING, &query)`.
    ///
    /// ```no_run
    /// # use dynamo_model::{Dynamo, DynamoModel};
    /// #[derive(DynamoModel, Debug)]
    /// #[dynamo(table = "docs", hash_key = "id",
    ///          vector_index(name = "by_embedding", attribute = "embedding", dimensions = 3,
    ///                       distance = "cosine", partition = "tenant", filters = ["year"]))]
    /// struct Doc { id: String, tenant: String, year: u32, embedding: Vec<f32> }
    ///
    /// # async fn run(db: Dynamo) -> dynamo_model::Result<()> {
    /// let f = Doc::fields();
    /// let nearest = db
    ///     .search(Doc::BY_EMBEDDING, &[0.1, 0.7, 0.2])
    ///     .partition(&f.tenant, "t1")
    ///     .filter(f.year.ge(2020))
    ///     .top_k(5)
    ///     .await?;
    /// for hit in nearest {
    ///     println!("{} {}", hit.item.id, hit.score);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn search<V: VectorIndex, Q: QueryVectorFor<V> + ?Sized>(
        &self,
        index: V,
        query: &Q,
    ) -> Search<'_, V::Model, V> {
        Search {
            db: self,
            index,
            query: query.values().to_vec(),
            top_k: DEFAULT_TOP_K,
            filter: SearchFilter::new(),
            hooks: true,
        }
    }
}

impl<'a, M: Table, V: VectorIndex<Model = M>> Search<'a, M, V> {
    /// How many items to return (`TopK`; 10 unless set).
    pub fn top_k(mut self, k: i32) -> Self {
        self.top_k = k;
        self
    }

    /// The search schema's partition attribute equals `value` (required when the index
    /// has one).
    pub fn partition<T, K: SearchPartitionOf<V>>(
        mut self,
        field: impl AsRef<Field<M, T, K>>,
        value: impl ValueFor<T>,
    ) -> Self {
        self.filter = self.filter.partition(field, value);
        self
    }

    /// An inline filter attribute of the search schema compares (`eq`, `lt`, `le`, `gt`,
    /// `ge`, `between`, `begins_with`); several are joined by `AND`.
    pub fn filter<K: InlineFilterOf<V>>(mut self, comparison: Comparison<M, K>) -> Self {
        self.filter = self.filter.and(comparison);
        self
    }

    /// Decodes the items without running `after_load`.
    pub fn skip_hooks(mut self) -> Self {
        self.hooks = false;
        self
    }

    /// The request this search sends (a dry run).
    ///
    /// # Errors
    ///
    /// A query vector of other dimensions than the index's, a `top_k` below 1, a missing
    /// partition value, or a filter value DynamoDB cannot take: before sending.
    pub fn to_request(&self) -> Result<search_vectors::builders::SearchVectorsInputBuilder> {
        let meta = self.index.meta();
        let refuse = |message: String| Err(Error::invalid_request(M::NAME, message));
        if self.query.len() != meta.dimensions {
            return refuse(format!(
                "the query vector has {} dimensions; vector index `{}` has {}",
                self.query.len(),
                meta.name,
                meta.dimensions
            ));
        }
        if let Some(bad) = self.query.iter().find(|v| !v.is_finite()) {
            return refuse(format!(
                "the query vector holds {bad}: DynamoDB takes finite numbers"
            ));
        }
        if self.top_k < 1 {
            return refuse(format!(
                "top_k is {}; a search returns at least 1 item",
                self.top_k
            ));
        }
        let rendered = self.filter.render()?;
        if let Some(partition) = meta.partition {
            if !rendered.names.values().any(|name| name == partition) {
                return refuse(format!(
                    "vector index `{}` is partitioned by `{partition}`: give its value with `.partition(&f.{partition}, value)`",
                    meta.name
                ));
            }
        }
        let mut expressions = Expressions::new();
        let condition = (!self.filter.is_empty()).then(|| expressions.add(rendered));
        let (names, values) = expressions.into_maps();
        let vector = self
            .query
            .iter()
            .map(|v| v.to_attribute_value().unwrap_or(AttributeValue::Null(true)))
            .collect();
        Ok(search_vectors::SearchVectorsInput::builder()
            .table_name(self.db.table_name::<M>())
            .index_name(meta.name)
            .set_search_vector(Some(vector))
            .top_k(self.top_k)
            .set_search_condition_expression(condition)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values))
    }

    async fn send(self) -> Result<Vec<Scored<M>>>
    where
        M: Send,
    {
        let request = self.to_request()?;
        let output = self.db.backend().search_vectors(request).await?;
        let results = output.search_results.unwrap_or_default();
        let scores: Vec<f64> = results.iter().map(|r| r.score).collect();
        let items = results
            .into_iter()
            .map(|r| r.item.unwrap_or_default())
            .collect();
        let items: Vec<M> = self.db.keys().load_all::<M>(items, self.hooks).await?;
        Ok(items
            .into_iter()
            .zip(scores)
            .map(|(item, score)| Scored { item, score })
            .collect())
    }
}

impl<'a, M: Table + Send + Sync + 'a, V: VectorIndex<Model = M> + Send + 'a> IntoFuture
    for Search<'a, M, V>
{
    type Output = Result<Vec<Scored<M>>>;
    type IntoFuture = BoxFuture<'a, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

super::operation!(Search<M, V>);
