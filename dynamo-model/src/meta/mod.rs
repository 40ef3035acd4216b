//! Table metadata: what `#[derive(DynamoModel)]` knows about a model's table, for table
//! creation, key handling and index queries.

pub mod template;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::error::{Error, Result};
use crate::value::decimal::Number;
use crate::value::{type_name, Item, ScalarType};
use template::KeyTemplate;

/// The table of a model: name, key schema, secondary indexes and attribute names.
///
/// `Model::meta()` returns it; the derive builds it as a constant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableMeta {
    /// The Rust name of the model.
    pub model: &'static str,
    /// The table name.
    pub table: &'static str,
    /// The partition (hash) key.
    pub hash_key: KeyMeta,
    /// The sort (range) key, if the table has one.
    pub range_key: Option<KeyMeta>,
    /// Secondary indexes: the global ones, then the local ones, each in declaration order.
    pub indexes: &'static [IndexMeta],
    /// The names of every attribute the model stores, in field order.
    pub attributes: &'static [&'static str],
    /// Reads are strongly consistent by default (`#[dynamo(consistent_read)]`).
    pub consistent_read: bool,
    /// The attributes the client maintains itself: version, timestamps, TTL, counters and
    /// generated ids.
    pub lifecycle: Lifecycle,
    /// The entity-type attribute written on every item, for tables that hold many models.
    pub entity: Option<Entity>,
    /// `#[dynamo(max_size = N)]`: the largest item, in bytes of DynamoDB's accounting, the
    /// client writes (at most 400 KB, which applies without it).
    pub max_size: Option<usize>,
    /// `#[dynamo(stream = "...")]`: the table's change stream and what its records hold.
    pub stream: Option<StreamView>,
    /// `#[dynamo(vector_index(...))]`: the table's vector indexes.
    pub vector_indexes: &'static [VectorIndexMeta],
}

/// A vector index: similarity search over a vector attribute (`SearchVectors`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VectorIndexMeta {
    /// The index name.
    pub name: &'static str,
    /// The vector attribute.
    pub attribute: &'static str,
    /// The length of every vector.
    pub dimensions: usize,
    /// How similarity is scored.
    pub distance: Distance,
    /// The search schema's partition attribute (`HASH`): a search names its value.
    pub partition: Option<&'static str>,
    /// The search schema's inline filter attributes (`INLINE_FILTER`).
    pub filters: &'static [&'static str],
}

/// The distance function of a vector index, and its score as DynamoDB documents it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Distance {
    /// `COSINE`: 1 minus the cosine similarity, from 0 (same direction) to 2 (opposite);
    /// lower is more similar.
    Cosine,
    /// `EUCLIDEAN`: the straight-line distance; lower is more similar.
    Euclidean,
    /// `DOT_PRODUCT`: the dot product; higher is more similar.
    DotProduct,
}

impl Distance {
    /// The `VectorDistanceFunction` value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Distance::Cosine => "COSINE",
            Distance::Euclidean => "EUCLIDEAN",
            Distance::DotProduct => "DOT_PRODUCT",
        }
    }

    /// The distance function named `name` (`COSINE`, `EUCLIDEAN`, `DOT_PRODUCT`).
    pub fn from_name(name: &str) -> Option<Distance> {
        [Distance::Cosine, Distance::Euclidean, Distance::DotProduct]
            .into_iter()
            .find(|d| d.as_str() == name)
    }

    /// The score of `vector` against `query` (of the same length). A zero vector has no
    /// direction: its cosine score is 1, as for orthogonal vectors.
    pub fn score(self, query: &[f32], vector: &[f32]) -> f64 {
        match self {
            Distance::DotProduct => Sums::of(query, vector).dot,
            Distance::Euclidean => Sums::of(query, vector).squared_distance.sqrt(),
            Distance::Cosine => {
                let sums = Sums::of(query, vector);
                if sums.query == 0.0 || sums.vector == 0.0 {
                    1.0
                } else {
                    1.0 - sums.dot / (sums.query.sqrt() * sums.vector.sqrt())
                }
            }
        }
    }

    /// True when score `a` is more similar than score `b`.
    pub fn better(self, a: f64, b: f64) -> bool {
        match self {
            Distance::DotProduct => a > b,
            Distance::Cosine | Distance::Euclidean => a < b,
        }
    }
}

/// What the records of a table's change stream hold (DynamoDB's `StreamViewType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StreamView {
    /// The key attributes of the changed item.
    KeysOnly,
    /// The item as it is after the change.
    NewImage,
    /// The item as it was before the change.
    OldImage,
    /// Both images.
    NewAndOldImages,
}

impl StreamView {
    /// The `StreamViewType` value: `KEYS_ONLY`, `NEW_IMAGE`, `OLD_IMAGE`,
    /// `NEW_AND_OLD_IMAGES`.
    pub const fn as_str(self) -> &'static str {
        match self {
            StreamView::KeysOnly => "KEYS_ONLY",
            StreamView::NewImage => "NEW_IMAGE",
            StreamView::OldImage => "OLD_IMAGE",
            StreamView::NewAndOldImages => "NEW_AND_OLD_IMAGES",
        }
    }

    /// The view of a `StreamViewType` value, `None` for another text.
    pub fn from_type_name(name: &str) -> Option<StreamView> {
        [
            StreamView::KeysOnly,
            StreamView::NewImage,
            StreamView::OldImage,
            StreamView::NewAndOldImages,
        ]
        .into_iter()
        .find(|view| view.as_str() == name)
    }
}

impl TableMeta {
    /// The secondary index named `name`.
    pub fn index(&self, name: &str) -> Option<&'static IndexMeta> {
        self.indexes.iter().find(|index| index.name == name)
    }

    /// The key attributes of the table and of every index, each once, with their types
    /// (the `AttributeDefinitions` of a `CreateTable` request).
    pub fn key_attributes(&self) -> Vec<KeyMeta> {
        let mut keys: Vec<KeyMeta> = Vec::new();
        let table_keys = std::iter::once(self.hash_key).chain(self.range_key);
        let index_keys = self.indexes.iter().flat_map(IndexMeta::key_attributes);
        for key in table_keys.chain(index_keys) {
            if !keys.iter().any(|known| known.attribute == key.attribute) {
                keys.push(key);
            }
        }
        keys
    }
}

/// One key attribute: its name and scalar type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyMeta {
    /// The attribute name (after renames).
    pub attribute: &'static str,
    /// `S`, `N` or `B`, from the Rust type of the key field (`S` for a template).
    pub scalar_type: ScalarType,
    /// The template the attribute is rendered from (`USER#{user_id}`), when it is not a
    /// field of its own.
    pub template: Option<&'static KeyTemplate>,
}

/// The entity type of a model in a table shared by many: the attribute that names it on
/// every item, and its name there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Entity {
    /// The attribute name (`_type` unless the model says otherwise).
    pub attribute: &'static str,
    /// The entity's name (the model's Rust name unless it says otherwise).
    pub name: &'static str,
}

/// A global or local secondary index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexMeta {
    /// The index name.
    pub name: &'static str,
    /// Global or local.
    pub kind: IndexKind,
    /// The partition key of the index (for a local index, the table's).
    pub hash_key: KeyMeta,
    /// The sort key of the index.
    pub range_key: Option<KeyMeta>,
    /// The partition attributes after the first, for a multi-attribute partition key (a
    /// global index only: up to four attributes in all).
    pub more_hash_keys: &'static [KeyMeta],
    /// The sort attributes after the first, for a multi-attribute sort key.
    pub more_range_keys: &'static [KeyMeta],
    /// Which attributes the index holds.
    pub projection: Projection,
}

impl IndexMeta {
    /// Every partition attribute, in order.
    pub fn partition_keys(&self) -> impl Iterator<Item = KeyMeta> + '_ {
        std::iter::once(self.hash_key).chain(self.more_hash_keys.iter().copied())
    }

    /// Every sort attribute, in order.
    pub fn sort_keys(&self) -> impl Iterator<Item = KeyMeta> + '_ {
        self.range_key
            .into_iter()
            .chain(self.more_range_keys.iter().copied())
    }

    /// Every key attribute: the partition's, then the sort's.
    pub fn key_attributes(&self) -> impl Iterator<Item = KeyMeta> + '_ {
        self.partition_keys().chain(self.sort_keys())
    }

    /// True when the partition or the sort key has more than one attribute.
    pub fn is_multi_attribute(&self) -> bool {
        !self.more_hash_keys.is_empty() || !self.more_range_keys.is_empty()
    }
}

/// The kind of a secondary index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IndexKind {
    /// A global secondary index (own partition key).
    Global,
    /// A local secondary index (the table's partition key, another sort key).
    Local,
}

/// The attributes projected into a secondary index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Projection {
    /// Every attribute.
    All,
    /// Only the table and index keys.
    KeysOnly,
    /// The keys plus the listed attributes.
    Include(&'static [&'static str]),
}

/// The lifecycle attributes of a model, each declared on a field: the client writes them on
/// every put and update, so application code never does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifecycle {
    /// `#[dynamo(version)]`: optimistic locking. Writes expect the stored version to be the
    /// item's and store it plus one.
    pub version: Option<&'static str>,
    /// `#[dynamo(created_at)]`: set once, when the item is first written.
    pub created_at: Option<Generated>,
    /// `#[dynamo(updated_at)]`: set on every write.
    pub updated_at: Option<Generated>,
    /// `#[dynamo(ttl)]`: the expiry time, stored as epoch seconds; reads hide expired items.
    pub ttl: Option<&'static str>,
    /// `#[dynamo(counter)]`: incremented by one on every update.
    pub counters: &'static [&'static str],
    /// `#[dynamo(auto_id = "...")]`: filled on put when empty.
    pub auto_ids: &'static [Generated],
}

impl Lifecycle {
    /// A model without lifecycle attributes.
    pub const NONE: Lifecycle = Lifecycle {
        version: None,
        created_at: None,
        updated_at: None,
        ttl: None,
        counters: &[],
        auto_ids: &[],
    };

    /// True when the model declares no lifecycle attribute.
    pub fn is_empty(&self) -> bool {
        *self == Lifecycle::NONE
    }
}

/// An attribute whose value the client generates (a timestamp, an id), in the field's own
/// encoding.
#[derive(Clone, Copy)]
pub struct Generated {
    /// The attribute name.
    pub attribute: &'static str,
    /// A fresh value: now, or a new id.
    pub generate: fn() -> crate::value::AttributeValue,
    /// True when a stored value counts as empty (absent, `None`, `""`, zero, the epoch, the
    /// nil UUID), so a put fills it.
    pub is_empty: fn(Option<&crate::value::AttributeValue>) -> bool,
}

impl std::fmt::Debug for Generated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Generated")
            .field("attribute", &self.attribute)
            .finish_non_exhaustive()
    }
}

/// The sums a score is made of, in f64, over eight independent lanes (so that the
/// compiler can keep them in vector registers).
struct Sums {
    dot: f64,
    query: f64,
    vector: f64,
    squared_distance: f64,
}

impl Sums {
    fn of(query: &[f32], vector: &[f32]) -> Sums {
        const LANES: usize = 8;
        let mut dot = [0.0f64; LANES];
        let mut qq = [0.0f64; LANES];
        let mut vv = [0.0f64; LANES];
        let mut dd = [0.0f64; LANES];
        let (q_chunks, v_chunks) = (query.chunks_exact(LANES), vector.chunks_exact(LANES));
        let (q_rest, v_rest) = (q_chunks.remainder(), v_chunks.remainder());
        for (q, v) in q_chunks.zip(v_chunks) {
            for lane in 0..LANES {
                let (a, b) = (f64::from(q[lane]), f64::from(v[lane]));
                dot[lane] += a * b;
                qq[lane] += a * a;
                vv[lane] += b * b;
                dd[lane] += (a - b) * (a - b);
            }
        }
        for (lane, (a, b)) in q_rest.iter().zip(v_rest).enumerate() {
            let (a, b) = (f64::from(*a), f64::from(*b));
            dot[lane] += a * b;
            qq[lane] += a * a;
            vv[lane] += b * b;
            dd[lane] += (a - b) * (a - b);
        }
        Sums {
            dot: dot.iter().sum(),
            query: qq.iter().sum(),
            vector: vv.iter().sum(),
            squared_distance: dd.iter().sum(),
        }
    }
}

/// Two generated attributes are the same when they name the same attribute.
impl PartialEq for Generated {
    fn eq(&self, other: &Self) -> bool {
        self.attribute == other.attribute
    }
}

impl Eq for Generated {}

/// The key attributes of a page's position when reading the table or `index`: the
/// table's, plus the index's (DynamoDB's `LastEvaluatedKey`).
fn page_key(meta: &TableMeta, index: Option<&str>) -> Vec<KeyMeta> {
    let mut keys: Vec<KeyMeta> = std::iter::once(meta.hash_key)
        .chain(meta.range_key)
        .collect();
    if let Some(index) = index.and_then(|name| meta.index(name)) {
        for key_meta in index.key_attributes() {
            if !keys.iter().any(|k| k.attribute == key_meta.attribute) {
                keys.push(key_meta);
            }
        }
    }
    keys
}

/// The names of [`page_key`]'s attributes.
pub(crate) fn key_attributes(meta: &TableMeta, index: Option<&str>) -> Vec<&'static str> {
    page_key(meta, index).iter().map(|k| k.attribute).collect()
}

/// Checks a start key (or a decoded cursor) against a model's key schema, before sending:
/// exactly the table's key attributes, plus the index's when reading an index, each of its
/// declared type and not empty.
pub(crate) fn check_start_key(meta: &TableMeta, index: Option<&str>, key: &Item) -> Result<()> {
    let expected = page_key(meta, index);
    let refuse = |message: String| Err(Error::invalid_request(meta.model, message));
    for key_meta in &expected {
        let name = key_meta.attribute;
        let Some(value) = key.get(name) else {
            return refuse(format!("the start key has no `{name}`"));
        };
        let fits = match (key_meta.scalar_type, value) {
            (ScalarType::S, AttributeValue::S(s)) => !s.is_empty(),
            (ScalarType::N, AttributeValue::N(n)) => Number::parse(n).is_some(),
            (ScalarType::B, AttributeValue::B(b)) => !b.as_ref().is_empty(),
            _ => false,
        };
        if !fits {
            return refuse(format!(
                "the start key's `{name}` is {} where the key schema has a non-empty {:?}",
                type_name(value),
                key_meta.scalar_type
            ));
        }
    }
    if let Some(extra) = key
        .keys()
        .find(|name| !expected.iter().any(|k| k.attribute == name.as_str()))
    {
        return refuse(format!(
            "the start key has `{extra}`, which is not a key attribute here"
        ));
    }
    Ok(())
}
