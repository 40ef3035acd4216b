//! Table metadata: what `#[derive(DynamoModel)]` knows about a model's table, for table
//! creation, key handling and index queries.

use crate::value::ScalarType;

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
        let index_keys = self
            .indexes
            .iter()
            .flat_map(|index| std::iter::once(index.hash_key).chain(index.range_key));
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
    /// `S`, `N` or `B`, from the Rust type of the key field.
    pub scalar_type: ScalarType,
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
    /// Which attributes the index holds.
    pub projection: Projection,
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
