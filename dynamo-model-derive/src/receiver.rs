//! Stage 1, parse: darling receivers for `#[dynamo(...)]`, plus the few `#[serde(...)]` keys
//! honoured so serde models move over without edits.

use darling::util::{Flag, Override, SpannedValue};
use darling::{ast, FromDeriveInput, FromField, FromMeta, FromVariant};
use syn::{Attribute, Ident, LitStr, Type};

/// `#[derive(DynamoModel)]` on a struct.
#[derive(FromDeriveInput)]
#[darling(attributes(dynamo), forward_attrs(serde))]
pub(crate) struct ModelReceiver {
    pub(crate) ident: Ident,
    pub(crate) vis: syn::Visibility,
    pub(crate) generics: syn::Generics,
    pub(crate) data: ast::Data<darling::util::Ignored, FieldReceiver>,
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) table: Option<SpannedValue<String>>,
    pub(crate) hash_key: Option<SpannedValue<String>>,
    pub(crate) range_key: Option<SpannedValue<String>>,
    /// `pk = "USER#{user_id}"`: the partition key is a template (attribute `pk`).
    pub(crate) pk: Option<SpannedValue<String>>,
    pub(crate) sk: Option<SpannedValue<String>>,
    pub(crate) pk_attribute: Option<SpannedValue<String>>,
    pub(crate) sk_attribute: Option<SpannedValue<String>>,
    /// `entity = "order"`: the entity-type value (the struct's name by default).
    pub(crate) entity: Option<SpannedValue<String>>,
    pub(crate) entity_attribute: Option<SpannedValue<String>>,
    #[darling(multiple)]
    pub(crate) gsi: Vec<SpannedValue<IndexReceiver>>,
    #[darling(multiple)]
    pub(crate) lsi: Vec<SpannedValue<IndexReceiver>>,
    /// `vector_index(name, attribute, dimensions, distance, partition?, filters?)`.
    #[darling(multiple)]
    pub(crate) vector_index: Vec<SpannedValue<VectorIndexReceiver>>,
    pub(crate) rename_all: Option<SpannedValue<String>>,
    pub(crate) extra: Option<SpannedValue<String>>,
    pub(crate) validate: Option<syn::Path>,
    pub(crate) hooks: darling::util::Flag,
    pub(crate) consistent_read: darling::util::Flag,
    /// `max_size = 10240`: the largest item the client writes, in bytes.
    pub(crate) max_size: Option<SpannedValue<usize>>,
    /// `stream = "new_and_old_images"`: the table's change stream and its view type.
    pub(crate) stream: Option<SpannedValue<String>>,
    #[darling(rename = "crate")]
    pub(crate) krate: Option<syn::Path>,
    /// `projection_of = "User"`: a smaller struct read from `User`'s items.
    pub(crate) projection_of: Option<SpannedValue<syn::Path>>,
    /// `bound = "T: DynamoAttribute + Clone"`: the where-clause of the generated impls of a
    /// generic model, instead of the inferred one.
    pub(crate) bound: Option<SpannedValue<String>>,
}

/// One field of a model.
#[derive(FromField)]
#[darling(attributes(dynamo), forward_attrs(serde))]
pub(crate) struct FieldReceiver {
    pub(crate) ident: Option<Ident>,
    pub(crate) ty: Type,
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) rename: Option<SpannedValue<String>>,
    pub(crate) default: Option<Override<syn::Path>>,
    pub(crate) skip: Flag,
    /// `validate = "path"`, repeatable: every validator runs, and each reports.
    #[darling(multiple)]
    pub(crate) validate: Vec<syn::Path>,
    pub(crate) with: Option<syn::Path>,
    /// `compress = "zstd" | "lz4" | "gzip"`.
    pub(crate) compress: Option<SpannedValue<String>>,
    /// `compress_min = 256`: values encoding to fewer bytes stay uncompressed.
    pub(crate) compress_min: Option<SpannedValue<usize>>,
    /// `encrypt`: client-side envelope encryption.
    pub(crate) encrypt: Flag,
    /// `serde`: stored through the type's `Serialize` / `Deserialize`, in serde_dynamo's form.
    pub(crate) serde: Flag,
    /// `flatten`: the nested struct's attributes at the top level of the item.
    pub(crate) flatten: Flag,
    pub(crate) version: Flag,
    pub(crate) created_at: Flag,
    pub(crate) updated_at: Flag,
    pub(crate) ttl: Flag,
    pub(crate) counter: Flag,
    pub(crate) auto_id: Option<SpannedValue<String>>,
}

/// `gsi(...)` or `lsi(...)`.
#[derive(FromMeta)]
pub(crate) struct IndexReceiver {
    pub(crate) name: SpannedValue<String>,
    pub(crate) hash_key: Option<SpannedValue<KeyNames>>,
    pub(crate) range_key: Option<SpannedValue<KeyNames>>,
    pub(crate) pk: Option<SpannedValue<String>>,
    pub(crate) sk: Option<SpannedValue<String>>,
    pub(crate) pk_attribute: Option<SpannedValue<String>>,
    pub(crate) sk_attribute: Option<SpannedValue<String>>,
    pub(crate) projection: Option<SpannedValue<ProjectionSpec>>,
}

/// `vector_index(name = "by_embedding", attribute = "embedding", dimensions = 128,
/// distance = "cosine", partition = "tenant", filters = ["category", "price"])`.
#[derive(FromMeta)]
pub(crate) struct VectorIndexReceiver {
    pub(crate) name: SpannedValue<String>,
    pub(crate) attribute: SpannedValue<String>,
    pub(crate) dimensions: SpannedValue<usize>,
    pub(crate) distance: SpannedValue<String>,
    pub(crate) partition: Option<SpannedValue<String>>,
    pub(crate) filters: Option<SpannedValue<KeyNames>>,
}

/// An index key's fields: `hash_key = "tenant_id"`, or a multi-attribute key of up to four,
/// `hash_key = ["tenant_id", "region"]`.
pub(crate) struct KeyNames(pub(crate) Vec<LitStr>);

impl FromMeta for KeyNames {
    fn from_expr(expr: &syn::Expr) -> darling::Result<Self> {
        let literal = |expr: &syn::Expr| match expr {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(text),
                ..
            }) => Ok(text.clone()),
            other => Err(darling::Error::custom(
                "expected a field name in quotes: `\"tenant_id\"`",
            )
            .with_span(other)),
        };
        match expr {
            syn::Expr::Array(array) => {
                let names = array
                    .elems
                    .iter()
                    .map(literal)
                    .collect::<darling::Result<Vec<_>>>()?;
                if names.is_empty() {
                    return Err(
                        darling::Error::custom("an index key names one to four fields")
                            .with_span(array),
                    );
                }
                Ok(KeyNames(names))
            }
            syn::Expr::Group(group) => Self::from_expr(&group.expr),
            single => Ok(KeyNames(vec![literal(single)?])),
        }
    }
}

/// `projection = "all" | "keys_only"` or `projection(include("a", "b"))`.
pub(crate) enum ProjectionSpec {
    All,
    KeysOnly,
    Include(Vec<LitStr>),
}

impl FromMeta for ProjectionSpec {
    fn from_string(value: &str) -> darling::Result<Self> {
        match value {
            "all" => Ok(ProjectionSpec::All),
            "keys_only" => Ok(ProjectionSpec::KeysOnly),
            other => Err(darling::Error::unknown_value_with_alts(
                other,
                &["all", "keys_only"],
            )),
        }
    }

    fn from_list(items: &[darling::ast::NestedMeta]) -> darling::Result<Self> {
        let [darling::ast::NestedMeta::Meta(syn::Meta::List(list))] = items else {
            return Err(darling::Error::custom(
                "expected `projection(include(\"attribute\", ...))`",
            ));
        };
        if !list.path.is_ident("include") {
            return Err(darling::Error::custom(
                "expected `include(...)`: projections are \"all\", \"keys_only\" or include(\"attribute\", ...)",
            )
            .with_span(&list.path));
        }
        let names = list
            .parse_args_with(
                syn::punctuated::Punctuated::<LitStr, syn::Token![,]>::parse_terminated,
            )
            .map_err(darling::Error::from)?;
        Ok(ProjectionSpec::Include(names.into_iter().collect()))
    }
}

/// `#[derive(DynamoAttribute)]` on a newtype or unit enum.
#[derive(FromDeriveInput)]
#[darling(attributes(dynamo), forward_attrs(serde))]
pub(crate) struct AttributeReceiver {
    pub(crate) ident: Ident,
    pub(crate) vis: syn::Visibility,
    pub(crate) generics: syn::Generics,
    pub(crate) data: ast::Data<VariantReceiver, NewtypeFieldReceiver>,
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) rename_all: Option<SpannedValue<String>>,
    /// `tag = "type"`: internally tagged (adjacently, with `content`).
    pub(crate) tag: Option<SpannedValue<String>>,
    /// `content = "value"`: adjacently tagged, the variant's content under this attribute.
    pub(crate) content: Option<SpannedValue<String>>,
    #[darling(rename = "crate")]
    pub(crate) krate: Option<syn::Path>,
}

/// A variant of an enum: a unit variant, or one holding data.
#[derive(FromVariant)]
#[darling(attributes(dynamo), forward_attrs(serde))]
pub(crate) struct VariantReceiver {
    pub(crate) ident: Ident,
    pub(crate) fields: ast::Fields<VariantFieldReceiver>,
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) rename: Option<SpannedValue<String>>,
}

/// A field of an enum variant.
#[derive(FromField)]
#[darling(attributes(dynamo), forward_attrs(serde))]
pub(crate) struct VariantFieldReceiver {
    pub(crate) ident: Option<Ident>,
    pub(crate) ty: Type,
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) rename: Option<SpannedValue<String>>,
}

/// The field of a newtype.
#[derive(FromField)]
pub(crate) struct NewtypeFieldReceiver {
    pub(crate) ty: Type,
}

/// What `#[serde(...)]` says that we honour: `rename`, `skip` (fields, variants) and
/// `rename_all` (containers). Everything else in serde's attributes is left to serde.
#[derive(Default)]
pub(crate) struct SerdeHints {
    pub(crate) rename: Option<LitStr>,
    pub(crate) skip: bool,
    pub(crate) rename_all: Option<LitStr>,
    /// `tag = "type"` (enums): internally or adjacently tagged.
    pub(crate) tag: Option<LitStr>,
    /// `content = "c"` (enums): adjacently tagged.
    pub(crate) content: Option<LitStr>,
    /// `untagged` (enums).
    pub(crate) untagged: bool,
    /// `flatten` (fields).
    pub(crate) flatten: bool,
}

impl SerdeHints {
    pub(crate) fn from_attrs(attrs: &[Attribute]) -> darling::Result<Self> {
        let mut hints = SerdeHints::default();
        for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename") || meta.path.is_ident("rename_all") {
                    let is_all = meta.path.is_ident("rename_all");
                    // `rename = "x"`; serde's `rename(serialize = "..")` form is left alone.
                    if let Ok(value) = meta.value() {
                        let lit: LitStr = value.parse()?;
                        if is_all {
                            hints.rename_all = Some(lit);
                        } else {
                            hints.rename = Some(lit);
                        }
                    } else {
                        skip_rest(&meta)?;
                    }
                } else if meta.path.is_ident("skip") {
                    hints.skip = true;
                } else if meta.path.is_ident("tag") || meta.path.is_ident("content") {
                    let is_tag = meta.path.is_ident("tag");
                    let lit: LitStr = meta.value()?.parse()?;
                    if is_tag {
                        hints.tag = Some(lit);
                    } else {
                        hints.content = Some(lit);
                    }
                } else if meta.path.is_ident("untagged") {
                    hints.untagged = true;
                } else if meta.path.is_ident("flatten") {
                    hints.flatten = true;
                } else {
                    skip_rest(&meta)?;
                }
                Ok(())
            })?;
        }
        Ok(hints)
    }
}

/// Consumes whatever follows a serde key we do not read (`= value` or `(...)`).
fn skip_rest(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) {
        let _: syn::Expr = meta.value()?.parse()?;
    } else if meta.input.peek(syn::token::Paren) {
        let _content;
        syn::parenthesized!(_content in meta.input);
    }
    Ok(())
}

/// `#[derive(DynamoCollection)]` on an enum of models.
#[derive(FromDeriveInput)]
#[darling(attributes(dynamo))]
pub(crate) struct CollectionReceiver {
    pub(crate) ident: Ident,
    pub(crate) generics: syn::Generics,
    pub(crate) data: ast::Data<CollectionVariant, darling::util::Ignored>,
    #[darling(rename = "crate")]
    pub(crate) krate: Option<syn::Path>,
}

/// A variant of a collection: one unnamed field holding a model.
#[derive(FromVariant)]
#[darling(attributes(dynamo))]
pub(crate) struct CollectionVariant {
    pub(crate) ident: Ident,
    pub(crate) fields: ast::Fields<NewtypeFieldReceiver>,
}
