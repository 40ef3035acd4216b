//! Stage 2 output: the validated model, from which generation cannot fail.

use proc_macro2::Span;
use syn::{Ident, Path, Type, Visibility};

/// A validated `#[derive(DynamoModel)]` struct.
pub(crate) struct Model {
    pub(crate) ident: Ident,
    pub(crate) vis: Visibility,
    pub(crate) krate: Path,
    pub(crate) fields: Vec<Field>,
    pub(crate) table: Option<TableDef>,
    pub(crate) forbid_extra: bool,
    pub(crate) validate: Option<Path>,
    /// `#[dynamo(hooks)]`: the user implements `Hooks`.
    pub(crate) custom_hooks: bool,
}

/// A stored or skipped field.
pub(crate) struct Field {
    pub(crate) ident: Ident,
    pub(crate) ty: Type,
    /// The attribute name in DynamoDB (after renames).
    pub(crate) attribute: String,
    pub(crate) skip: bool,
    pub(crate) default: Option<DefaultValue>,
    pub(crate) validate: Option<Path>,
    pub(crate) with: Option<Path>,
}

pub(crate) enum DefaultValue {
    Trait,
    Function(Path),
}

/// What `table`, `hash_key`, `range_key`, `gsi` and `lsi` declare.
pub(crate) struct TableDef {
    pub(crate) name: String,
    /// `#[dynamo(consistent_read)]`: reads are strongly consistent unless a call says not.
    pub(crate) consistent_read: bool,
    /// Indexes into `Model::fields`.
    pub(crate) hash_key: usize,
    pub(crate) range_key: Option<usize>,
    pub(crate) indexes: Vec<IndexDef>,
}

pub(crate) struct IndexDef {
    pub(crate) name: String,
    pub(crate) span: Span,
    pub(crate) local: bool,
    pub(crate) hash_key: usize,
    pub(crate) range_key: Option<usize>,
    pub(crate) projection: Projection,
}

pub(crate) enum Projection {
    All,
    KeysOnly,
    /// Attribute names.
    Include(Vec<String>),
}

impl Model {
    /// True when field `position` is a key of the table or of an index: its accessor then
    /// carries a `KeyField<position>` marker, so key conditions can check it.
    pub(crate) fn is_key(&self, position: usize) -> bool {
        self.table.as_ref().is_some_and(|table| {
            let keys =
                |hash: usize, range: Option<usize>| hash == position || range == Some(position);
            keys(table.hash_key, table.range_key)
                || table.indexes.iter().any(|i| keys(i.hash_key, i.range_key))
        })
    }
}

impl IndexDef {
    /// `by_email` -> `BY_EMAIL`, the name of the index's `const` handle.
    pub(crate) fn const_name(&self) -> String {
        identifier(
            "INDEX_",
            crate::case::RenameRule::ScreamingSnake.apply(&sanitize(&self.name)),
        )
    }

    /// `by_email` -> `ByEmail`, for the handle's type name.
    pub(crate) fn type_name(&self) -> String {
        identifier(
            "Index",
            crate::case::RenameRule::Pascal.apply(&sanitize(&self.name)),
        )
    }
}

/// Index names may hold `-` and `.`, which identifiers cannot.
fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// Prefixes names that cannot start an identifier (empty, or starting with a digit).
fn identifier(prefix: &str, name: String) -> String {
    if name.chars().next().is_some_and(|c| c.is_alphabetic()) {
        name
    } else {
        format!("{prefix}{name}")
    }
}
