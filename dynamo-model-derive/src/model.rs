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
    /// `#[dynamo(projection_of = "User")]`: the model this one is a projection of.
    pub(crate) projection_of: Option<Path>,
    /// The struct's type parameters and where-clause (documents only).
    pub(crate) generics: syn::Generics,
    /// `#[dynamo(bound = "...")]`: the impls' where-predicates, instead of inferred ones.
    pub(crate) bound: Option<Vec<syn::WherePredicate>>,
}

/// The generics of the generated impls of a model: `impl<T> X for Model<T> where ...`.
pub(crate) struct GenericParts {
    /// `<T: Bound, U>`, or nothing.
    pub(crate) impl_generics: proc_macro2::TokenStream,
    /// `<T, U>`, or nothing.
    pub(crate) ty_generics: proc_macro2::TokenStream,
    /// `where ...` with the bounds each field's type needs, or the user's `bound`.
    pub(crate) where_clause: proc_macro2::TokenStream,
    /// The type parameters, `T, U`.
    pub(crate) params: Vec<Ident>,
}

impl Model {
    /// The generics of the generated impls, with the bounds the fields need: their codec
    /// for plain fields, serde's traits for `serde` fields, `Flatten` for flattened ones.
    pub(crate) fn generic_parts(&self, private: &proc_macro2::TokenStream) -> GenericParts {
        let (impl_generics, ty_generics, where_clause) = self.generics.split_for_impl();
        let params: Vec<Ident> = self
            .generics
            .type_params()
            .map(|p| p.ident.clone())
            .collect();
        let mut predicates: Vec<proc_macro2::TokenStream> = where_clause
            .map(|w| w.predicates.iter().map(|p| quote::quote!(#p)).collect())
            .unwrap_or_default();
        match &self.bound {
            Some(bound) => predicates.extend(bound.iter().map(|p| quote::quote!(#p))),
            None => {
                for field in self.fields.iter().filter(|f| !f.skip) {
                    if !mentions_any(&field.ty, &params) {
                        continue;
                    }
                    let ty = &field.ty;
                    let needs = if field.flatten {
                        quote::quote!(#private::Flatten)
                    } else if field.is_serde() {
                        quote::quote!(#private::serde::Serialize + #private::serde::de::DeserializeOwned)
                    } else if matches!(field.with, Some(Codec::Module(_))) {
                        continue;
                    } else {
                        quote::quote!(#private::DynamoAttribute)
                    };
                    predicates.push(quote::quote!(#ty: #needs));
                }
            }
        }
        let where_clause = if predicates.is_empty() {
            proc_macro2::TokenStream::new()
        } else {
            quote::quote!(where #(#predicates),*)
        };
        GenericParts {
            impl_generics: quote::quote!(#impl_generics),
            ty_generics: quote::quote!(#ty_generics),
            where_clause,
            params,
        }
    }
}

/// True when `ty` names one of `params` anywhere in it.
pub(crate) fn mentions_any(ty: &Type, params: &[Ident]) -> bool {
    fn walk(tokens: proc_macro2::TokenStream, params: &[Ident]) -> bool {
        tokens.into_iter().any(|token| match token {
            proc_macro2::TokenTree::Ident(ident) => params.contains(&ident),
            proc_macro2::TokenTree::Group(group) => walk(group.stream(), params),
            _ => false,
        })
    }
    !params.is_empty() && walk(quote::quote!(#ty), params)
}

/// A stored or skipped field.
pub(crate) struct Field {
    pub(crate) ident: Ident,
    pub(crate) ty: Type,
    /// The attribute name in DynamoDB (after renames).
    pub(crate) attribute: String,
    pub(crate) skip: bool,
    pub(crate) default: Option<DefaultValue>,
    pub(crate) validate: Vec<Path>,
    /// How the field is stored when not by its type's codec.
    pub(crate) with: Option<Codec>,
    /// The lifecycle attribute this field is, if any.
    pub(crate) role: Option<Role>,
    /// `flatten`: a nested struct whose attributes sit at the top level of the item.
    pub(crate) flatten: bool,
}

/// A field the client maintains itself.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Version,
    CreatedAt,
    UpdatedAt,
    Ttl,
    Counter,
    AutoId(IdKind),
}

impl Role {
    /// The option that declares the role, for messages.
    pub(crate) fn option(self) -> &'static str {
        match self {
            Role::Version => "version",
            Role::CreatedAt => "created_at",
            Role::UpdatedAt => "updated_at",
            Role::Ttl => "ttl",
            Role::Counter => "counter",
            Role::AutoId(_) => "auto_id",
        }
    }

    /// True for the roles whose value the client writes back into the model on `save`.
    pub(crate) fn is_generated(self) -> bool {
        matches!(
            self,
            Role::Version | Role::CreatedAt | Role::UpdatedAt | Role::AutoId(_)
        )
    }
}

/// `auto_id = "uuid_v4" | "uuid_v7" | "ulid"`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum IdKind {
    UuidV4,
    UuidV7,
    Ulid,
}

impl IdKind {
    pub(crate) const NAMES: [&'static str; 3] = ["uuid_v4", "uuid_v7", "ulid"];

    pub(crate) fn from_name(name: &str) -> Option<IdKind> {
        match name {
            "uuid_v4" => Some(IdKind::UuidV4),
            "uuid_v7" => Some(IdKind::UuidV7),
            "ulid" => Some(IdKind::Ulid),
            _ => None,
        }
    }

    /// The generator type in `dynamo_model::lifecycle`.
    pub(crate) fn generator(self) -> &'static str {
        match self {
            IdKind::UuidV4 => "UuidV4",
            IdKind::UuidV7 => "UuidV7",
            IdKind::Ulid => "Ulid",
        }
    }
}

pub(crate) enum DefaultValue {
    Trait,
    Function(Path),
}

/// What `table`, `hash_key`, `range_key`, `pk`, `sk`, `gsi` and `lsi` declare.
pub(crate) struct TableDef {
    pub(crate) name: String,
    /// `#[dynamo(consistent_read)]`: reads are strongly consistent unless a call says not.
    pub(crate) consistent_read: bool,
    pub(crate) hash_key: KeyDef,
    pub(crate) range_key: Option<KeyDef>,
    pub(crate) indexes: Vec<IndexDef>,
    /// The entity-type attribute and value, for models with key templates or `entity`.
    pub(crate) entity: Option<EntityDef>,
    /// `#[dynamo(max_size = N)]`: the largest item the client writes.
    pub(crate) max_size: Option<usize>,
    /// `#[dynamo(stream = "...")]`: the `StreamView` variant of the table's stream.
    pub(crate) stream: Option<&'static str>,
    /// `#[dynamo(vector_index(...))]`.
    pub(crate) vector_indexes: Vec<VectorIndexDef>,
}

/// A vector index, resolved against the fields.
pub(crate) struct VectorIndexDef {
    pub(crate) name: String,
    pub(crate) span: Span,
    /// The vector field.
    pub(crate) field: usize,
    pub(crate) dimensions: usize,
    /// The `Distance` variant.
    pub(crate) distance: &'static str,
    /// The search schema's partition field.
    pub(crate) partition: Option<usize>,
    /// The search schema's inline filter fields.
    pub(crate) filters: Vec<usize>,
}

impl VectorIndexDef {
    /// `by_embedding` -> `BY_EMBEDDING`.
    pub(crate) fn const_name(&self) -> String {
        handle_const_name(&self.name)
    }

    /// `by_embedding` -> `ByEmbedding`.
    pub(crate) fn type_name(&self) -> String {
        handle_type_name(&self.name)
    }
}

pub(crate) struct IndexDef {
    pub(crate) name: String,
    pub(crate) span: Span,
    pub(crate) local: bool,
    pub(crate) hash_key: KeyDef,
    pub(crate) range_key: Option<KeyDef>,
    /// The fields of a multi-attribute partition key after the first (a `gsi`'s
    /// `hash_key = ["a", "b"]`).
    pub(crate) more_hash: Vec<usize>,
    /// The fields of a multi-attribute sort key after the first.
    pub(crate) more_range: Vec<usize>,
    pub(crate) projection: Projection,
}

/// A key attribute: a field, or a template over fields.
#[derive(Clone)]
pub(crate) enum KeyDef {
    /// An index into `Model::fields`.
    Field(usize),
    Template(TemplateDef),
}

/// `pk = "USER#{user_id}"`, resolved against the fields.
#[derive(Clone)]
pub(crate) struct TemplateDef {
    /// The key attribute's name (`pk`, `sk`, `{index}_pk`...).
    pub(crate) attribute: String,
    pub(crate) text: String,
    pub(crate) segments: Vec<SegmentDef>,
}

#[derive(Clone)]
pub(crate) enum SegmentDef {
    Literal(String),
    Part { field: usize, width: Option<u8> },
}

pub(crate) struct EntityDef {
    pub(crate) attribute: String,
    pub(crate) name: String,
}

impl KeyDef {
    /// The field, when the key is one.
    pub(crate) fn field(&self) -> Option<usize> {
        match self {
            KeyDef::Field(position) => Some(*position),
            KeyDef::Template(_) => None,
        }
    }

    pub(crate) fn template(&self) -> Option<&TemplateDef> {
        match self {
            KeyDef::Field(_) => None,
            KeyDef::Template(template) => Some(template),
        }
    }

    /// The fields the key is made of, in order.
    pub(crate) fn parts(&self) -> Vec<usize> {
        match self {
            KeyDef::Field(position) => vec![*position],
            KeyDef::Template(template) => template.parts().collect(),
        }
    }
}

impl TemplateDef {
    /// The fields of the parts, in order.
    pub(crate) fn parts(&self) -> impl Iterator<Item = usize> + '_ {
        self.segments.iter().filter_map(|s| match s {
            SegmentDef::Part { field, .. } => Some(*field),
            SegmentDef::Literal(_) => None,
        })
    }
}

impl TableDef {
    /// True when a key of the table is a template.
    pub(crate) fn has_key_templates(&self) -> bool {
        self.hash_key.template().is_some()
            || self
                .range_key
                .as_ref()
                .is_some_and(|r| r.template().is_some())
    }

    /// The fields a key value is made of (`Table::Key`): the partition key's, then the sort
    /// key's not already named.
    pub(crate) fn key_parts(&self) -> Vec<usize> {
        let mut parts = self.hash_key.parts();
        for part in self.range_key.iter().flat_map(KeyDef::parts) {
            if !parts.contains(&part) {
                parts.push(part);
            }
        }
        parts
    }

    /// The attributes the client writes itself: templated keys and the entity type.
    pub(crate) fn managed_attributes(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        let keys = [&self.hash_key].into_iter().chain(&self.range_key).chain(
            self.indexes
                .iter()
                .flat_map(|i| [&i.hash_key].into_iter().chain(&i.range_key)),
        );
        for key in keys {
            if let Some(template) = key.template() {
                if !names.contains(&template.attribute.as_str()) {
                    names.push(&template.attribute);
                }
            }
        }
        names.extend(self.entity.as_ref().map(|e| e.attribute.as_str()));
        names
    }
}

pub(crate) enum Projection {
    All,
    KeysOnly,
    /// Attribute names.
    Include(Vec<String>),
}

/// A field stored in another form than its type's codec.
pub(crate) enum Codec {
    /// `with = "module"`: the module's `to_attribute_value` / `from_attribute_value`.
    Module(Path),
    /// `compress = "zstd" | "lz4" | "gzip"` (`compress_min = N`).
    Compress { algorithm: &'static str, min: usize },
    /// `encrypt`: AES-256-GCM envelope encryption.
    Encrypt,
    /// `serde`: the type's serde impls, through the runtime's serde bridge.
    Serde,
}

impl Codec {
    /// The option that chose the codec, for messages.
    pub(crate) fn option(&self) -> &'static str {
        match self {
            Codec::Module(_) => "with",
            Codec::Compress { .. } => "compress",
            Codec::Encrypt => "encrypt",
            Codec::Serde => "serde",
        }
    }
}

impl Field {
    /// True when the field is stored as epoch seconds (`ttl`), not by its type's codec.
    pub(crate) fn is_expiry(&self) -> bool {
        self.role == Some(Role::Ttl)
    }

    /// True when the field is stored by its type's own codec (no `with`, not a `ttl`).
    pub(crate) fn has_own_codec(&self) -> bool {
        self.with.is_none() && !self.is_expiry()
    }

    /// True when the field is stored through serde (`#[dynamo(serde)]`).
    pub(crate) fn is_serde(&self) -> bool {
        matches!(self.with, Some(Codec::Serde))
    }

    /// True when typed values of the field match what is stored, so it gets an accessor:
    /// its own codec, or serde (through `Serde<T>`).
    pub(crate) fn is_accessible(&self) -> bool {
        !self.skip && !self.flatten && (self.has_own_codec() || self.is_serde())
    }

    /// The type of the field's accessor values: the field's own, or `Serde<T>`.
    pub(crate) fn accessor_type(
        &self,
        private: &proc_macro2::TokenStream,
    ) -> proc_macro2::TokenStream {
        let ty = &self.ty;
        if self.is_serde() {
            quote::quote!(#private::Serde<#ty>)
        } else {
            quote::quote!(#ty)
        }
    }
}

impl Model {
    /// The field with lifecycle role `role` (the first, for roles a model has once).
    pub(crate) fn with_role(&self, role: Role) -> Option<&Field> {
        self.fields.iter().find(|f| f.role == Some(role))
    }

    /// True when field `position` is a key of the table or of an index: its accessor then
    /// carries a `KeyField<position>` marker, so key conditions can check it.
    pub(crate) fn is_key(&self, position: usize) -> bool {
        self.table.as_ref().is_some_and(|table| {
            let keys = |hash: &KeyDef, range: &Option<KeyDef>| {
                hash.field() == Some(position)
                    || range.as_ref().and_then(KeyDef::field) == Some(position)
            };
            keys(&table.hash_key, &table.range_key)
                || table.indexes.iter().any(|i| {
                    keys(&i.hash_key, &i.range_key)
                        || i.more_hash.contains(&position)
                        || i.more_range.contains(&position)
                })
                || table
                    .vector_indexes
                    .iter()
                    .any(|v| v.partition == Some(position) || v.filters.contains(&position))
        })
    }
}

impl IndexDef {
    /// True for a multi-attribute key: more than one partition or sort field.
    pub(crate) fn is_composite(&self) -> bool {
        !self.more_hash.is_empty() || !self.more_range.is_empty()
    }

    /// Every partition field then every sort field, in order (a composite index's keys
    /// are all fields).
    pub(crate) fn sort_fields(&self) -> Vec<usize> {
        self.range_key
            .as_ref()
            .and_then(KeyDef::field)
            .into_iter()
            .chain(self.more_range.iter().copied())
            .collect()
    }

    /// The partition fields, in order.
    pub(crate) fn partition_fields(&self) -> Vec<usize> {
        self.hash_key
            .field()
            .into_iter()
            .chain(self.more_hash.iter().copied())
            .collect()
    }

    /// `by_email` -> `BY_EMAIL`, the name of the index's `const` handle.
    pub(crate) fn const_name(&self) -> String {
        handle_const_name(&self.name)
    }

    /// `by_email` -> `ByEmail`, for the handle's type name.
    pub(crate) fn type_name(&self) -> String {
        handle_type_name(&self.name)
    }
}

/// `by_email` -> `BY_EMAIL`: the `const` handle of an index.
fn handle_const_name(index: &str) -> String {
    identifier(
        "INDEX_",
        crate::case::RenameRule::ScreamingSnake.apply(&sanitize(index)),
    )
}

/// `by_email` -> `ByEmail`: the type name of an index's handle.
fn handle_type_name(index: &str) -> String {
    identifier(
        "Index",
        crate::case::RenameRule::Pascal.apply(&sanitize(index)),
    )
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
