//! Stage 2, validate: receivers -> [`Model`], collecting every error with its span.
//!
//! Single keys are checked where they are read; this module checks the relations between
//! them (does `hash_key` name a field? is an index defined twice?).

use std::collections::HashMap;

use darling::error::Accumulator;
use darling::util::{Override, SpannedValue};
use darling::{Error, Result};

use crate::case::{RenameRule, RULE_NAMES};
use crate::model::{
    Codec, DefaultValue, EntityDef, Field, IdKind, IndexDef, KeyDef, Model, Projection, Role,
    SegmentDef, TableDef, TemplateDef, VectorIndexDef,
};
use crate::receiver::{
    FieldReceiver, IndexReceiver, KeyNames, ModelReceiver, ProjectionSpec, SerdeHints,
    VectorIndexReceiver,
};
use crate::template::RawSegment;

/// `did you mean` for `value` among `candidates`, when one is close.
pub(crate) fn suggestion<'a>(value: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(value, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| format!(", did you mean `{c}`?"))
        .unwrap_or_default()
}

/// The `rename_all` rule of a container: `#[dynamo(rename_all)]`, else `#[serde(rename_all)]`;
/// an unknown rule is reported.
pub(crate) fn rename_rule(
    errors: &mut Accumulator,
    dynamo: Option<&SpannedValue<String>>,
    serde: &SerdeHints,
) -> Option<RenameRule> {
    let (name, span) = match (dynamo, &serde.rename_all) {
        (Some(rule), _) => (rule.as_str().to_owned(), rule.span()),
        (None, Some(rule)) => (rule.value(), rule.span()),
        (None, None) => return None,
    };
    let rule = RenameRule::from_name(&name);
    if rule.is_none() {
        errors.push(
            Error::custom(format!(
                "unknown `rename_all` rule `{name}`{}",
                suggestion(&name, RULE_NAMES.iter().copied())
            ))
            .with_span(&span),
        );
    }
    rule
}

/// DynamoDB's rule for table and index names: 3 to 255 of `a-z A-Z 0-9 _ - .`.
fn check_resource_name(errors: &mut Accumulator, what: &str, name: &SpannedValue<String>) {
    let valid_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !(3..=255).contains(&name.len()) || !valid_chars {
        errors.push(
            Error::custom(format!(
                "{what} name `{}` is not valid in DynamoDB: use 3 to 255 letters, digits, `_`, `-` or `.`",
                name.as_str()
            ))
            .with_span(&name.span()),
        );
    }
}

impl Model {
    pub(crate) fn from_receiver(input: ModelReceiver) -> Result<Model> {
        let mut errors = Error::accumulator();
        let container_serde = errors
            .handle(SerdeHints::from_attrs(&input.attrs))
            .unwrap_or_default();

        check_generics(&mut errors, &input);
        let bound = input.bound.as_ref().and_then(|bound| {
            let parsed = syn::parse_str::<syn::WhereClause>(&format!("where {}", bound.as_str()));
            match parsed {
                Ok(clause) => Some(clause.predicates.into_iter().collect()),
                Err(error) => {
                    errors.push(
                        Error::custom(format!(
                            "`bound` is not a where-clause (`T: DynamoAttribute + Clone`): {error}"
                        ))
                        .with_span(&bound.span()),
                    );
                    None
                }
            }
        });
        let mut wrong_shape = true;
        let received_fields = match input.data {
            darling::ast::Data::Struct(fields) if fields.style.is_struct() => {
                wrong_shape = false;
                fields.fields
            }
            darling::ast::Data::Struct(_) => {
                errors.push(
                    Error::custom(
                        "`DynamoModel` needs a struct with named fields; derive `DynamoAttribute` for a newtype",
                    )
                    .with_span(&input.ident),
                );
                Vec::new()
            }
            darling::ast::Data::Enum(_) => {
                errors.push(
                    Error::custom(
                        "`DynamoModel` needs a struct with named fields; derive `DynamoAttribute` to store a unit enum as a string",
                    )
                    .with_span(&input.ident),
                );
                Vec::new()
            }
        };

        let rule = rename_rule(&mut errors, input.rename_all.as_ref(), &container_serde);

        let forbid_extra = match input.extra.as_ref().map(|e| (e.as_str(), e.span())) {
            None | Some(("ignore", _)) => false,
            Some(("forbid", _)) => true,
            Some((other, span)) => {
                errors.push(
                    Error::custom(format!(
                        "unknown `extra` value `{other}`: expected \"ignore\" or \"forbid\"{}",
                        suggestion(other, ["ignore", "forbid"])
                    ))
                    .with_span(&span),
                );
                false
            }
        };

        let fields: Vec<Field> = received_fields
            .into_iter()
            .filter_map(|f| errors.handle(Field::from_receiver(f, rule)))
            .collect();
        check_unique_attributes(&mut errors, &fields);
        check_roles(&mut errors, &fields, input.table.is_some());

        // With the wrong shape there are no fields to check keys against: report only that.
        let table = if wrong_shape {
            None
        } else {
            TableBuilder {
                errors: &mut errors,
                fields: &fields,
                ident: &input.ident,
            }
            .build(
                &input.table,
                KeyOptions {
                    hash_key: &input.hash_key,
                    range_key: &input.range_key,
                    pk: &input.pk,
                    sk: &input.sk,
                    pk_attribute: &input.pk_attribute,
                    sk_attribute: &input.sk_attribute,
                },
                (&input.entity, &input.entity_attribute),
                &input.gsi,
                &input.lsi,
                &input.vector_index,
            )
        };
        let stream = input.stream.as_ref().and_then(|view| {
            const VIEWS: [(&str, &str); 4] = [
                ("keys_only", "KeysOnly"),
                ("new_image", "NewImage"),
                ("old_image", "OldImage"),
                ("new_and_old_images", "NewAndOldImages"),
            ];
            let wanted = view.as_str().to_ascii_lowercase();
            let found = VIEWS.iter().find(|(name, _)| *name == wanted).map(|(_, v)| *v);
            if found.is_none() {
                errors.push(
                    Error::custom(format!(
                        "unknown stream view `{}`: expected \"keys_only\", \"new_image\", \"old_image\" or \"new_and_old_images\"",
                        view.as_str()
                    ))
                    .with_span(&view.span()),
                );
            } else if input.table.is_none() && !wrong_shape {
                errors.push(
                    Error::custom("`stream` needs `table`: a nested document has no stream")
                        .with_span(&view.span()),
                );
            }
            found
        });
        let table = table.map(|table| TableDef {
            consistent_read: input.consistent_read.is_present(),
            max_size: input.max_size.as_ref().map(|size| **size),
            stream,
            ..table
        });
        if let Some(size) = &input.max_size {
            if input.table.is_none() && !wrong_shape {
                errors.push(
                    Error::custom("`max_size` needs `table`: a nested document is not an item")
                        .with_span(&size.span()),
                );
            } else if **size == 0 || **size > 400 * 1024 {
                errors.push(
                    Error::custom(format!(
                        "`max_size = {}`: DynamoDB items are 1 to 409600 bytes (400 KB)",
                        **size
                    ))
                    .with_span(&size.span()),
                );
            }
        }
        for (flag, name) in [
            (&input.hooks, "hooks"),
            (&input.consistent_read, "consistent_read"),
        ] {
            if flag.is_present() && table.is_none() && !wrong_shape && input.table.is_none() {
                errors.push(
                    Error::custom(format!(
                        "`{name}` needs `table`: a nested document has no item operations"
                    ))
                    .with_span(&flag.span()),
                );
            }
        }

        if let (true, Some(flattened)) = (forbid_extra, fields.iter().find(|f| f.flatten)) {
            errors.push(
                Error::custom(
                    "`extra = \"forbid\"` cannot be used with a flattened field: the attributes of the flattened struct are not the model's own",
                )
                .with_span(&flattened.ident),
            );
        }
        if let Some(parent) = &input.projection_of {
            let conflict = if input.table.is_some() {
                Some("`table`: a projection reads its parent's table")
            } else if forbid_extra {
                Some("`extra = \"forbid\"`: its reads also return the table's key attributes")
            } else {
                None
            };
            if let Some(conflict) = conflict {
                errors.push(
                    Error::custom(format!("`projection_of` cannot be used with {conflict}"))
                        .with_span(&parent.span()),
                );
            }
        }

        let model = Model {
            ident: input.ident,
            vis: input.vis,
            krate: input
                .krate
                .unwrap_or_else(|| syn::parse_quote!(::dynamo_model)),
            fields,
            table,
            forbid_extra,
            validate: input.validate,
            custom_hooks: input.hooks.is_present(),
            projection_of: input.projection_of.map(|parent| (*parent).clone()),
            generics: input.generics,
            bound,
        };
        check_generic_table(&mut errors, &model);
        errors.finish_with(model)
    }

    /// The fields stored as an attribute of their own (not skipped, not flattened).
    pub(crate) fn stored(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| !f.skip && !f.flatten)
    }

    /// The flattened fields: nested structs whose attributes sit at the top level.
    pub(crate) fn flattened(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| f.flatten)
    }
}

/// Generic models: documents with type parameters only.
fn check_generics(errors: &mut Accumulator, input: &ModelReceiver) {
    let generics = &input.generics;
    if generics.params.is_empty() {
        if let Some(bound) = &input.bound {
            errors.push(
                Error::custom("`bound` is for generic structs: this one has no type parameter")
                    .with_span(&bound.span()),
            );
        }
        return;
    }
    if generics.lifetimes().next().is_some() || generics.const_params().next().is_some() {
        errors.push(
            Error::custom("a model's generics are type parameters only: a stored value owns its data, so it takes no lifetime, and const parameters are not supported")
                .with_span(generics),
        );
    }
    if input.projection_of.is_some() {
        errors.push(
            Error::custom("a projection (`projection_of`) cannot be generic: it reads the attributes of one concrete model")
                .with_span(generics),
        );
    }
}

/// A generic table model: its metadata is one static for every instance, so what the
/// metadata holds must not depend on the type parameters: keys, lifecycle attributes. And
/// it declares no index, key template or entity type (their handles are not generic yet).
fn check_generic_table(errors: &mut Accumulator, model: &Model) {
    let Some(table) = &model.table else {
        return;
    };
    let params: Vec<syn::Ident> = model
        .generics
        .type_params()
        .map(|p| p.ident.clone())
        .collect();
    if params.is_empty() {
        return;
    }
    let unsupported = if !table.indexes.is_empty() {
        Some("indexes")
    } else if table.hash_key.template().is_some()
        || table
            .range_key
            .as_ref()
            .is_some_and(|k| k.template().is_some())
    {
        Some("key templates")
    } else if table.entity.is_some() {
        Some("an entity type")
    } else {
        None
    };
    if let Some(unsupported) = unsupported {
        errors.push(
            Error::custom(format!(
                "a generic table model cannot declare {unsupported} yet: make the generic part a document (`#[derive(DynamoModel)] struct Body<T>`) held by a concrete model"
            ))
            .with_span(&model.generics),
        );
    }
    let keys = [Some(&table.hash_key), table.range_key.as_ref()];
    let key_positions: Vec<usize> = keys
        .into_iter()
        .flatten()
        .filter_map(KeyDef::field)
        .collect();
    for (position, field) in model.fields.iter().enumerate() {
        let what = if key_positions.contains(&position) {
            "a key"
        } else if field.role.is_some() {
            "a lifecycle attribute"
        } else {
            continue;
        };
        if crate::model::mentions_any(&field.ty, &params) {
            errors.push(
                Error::custom(format!(
                    "`{}` is {what}, so its type must not depend on the type parameters: one table holds every instance of the model",
                    field.ident
                ))
                .with_span(&field.ty),
            );
        }
    }
}

/// The codec a field asks for: `with`, `compress` or `encrypt` (one of them).
fn codec(errors: &mut Accumulator, input: &FieldReceiver) -> Option<Codec> {
    let compress = input.compress.as_ref().and_then(|algorithm| {
        let known = ["zstd", "lz4", "gzip"];
        match known.iter().find(|k| **k == algorithm.as_str()) {
            Some(name) => Some(*name),
            None => {
                errors.push(
                    Error::custom(format!(
                        "unknown compression `{}`: expected \"zstd\", \"lz4\" or \"gzip\"",
                        algorithm.as_str()
                    ))
                    .with_span(&algorithm.span()),
                );
                None
            }
        }
    });
    if let (Some(min), None) = (&input.compress_min, &input.compress) {
        errors.push(Error::custom("`compress_min` needs `compress`").with_span(&min.span()));
    }
    let chosen = usize::from(input.with.is_some())
        + usize::from(input.compress.is_some())
        + usize::from(input.encrypt.is_present())
        + usize::from(input.serde.is_present());
    if chosen > 1 {
        errors.push(
            Error::custom("a field takes one of `with`, `compress`, `encrypt` and `serde`")
                .with_span(&input.ty),
        );
        return None;
    }
    if input.serde.is_present() {
        return Some(Codec::Serde);
    }
    if let Some(module) = &input.with {
        return Some(Codec::Module(module.clone()));
    }
    if input.encrypt.is_present() {
        return Some(Codec::Encrypt);
    }
    compress.map(|algorithm| Codec::Compress {
        algorithm,
        min: input.compress_min.as_ref().map_or(256, |min| **min),
    })
}

impl Field {
    fn from_receiver(input: FieldReceiver, rule: Option<RenameRule>) -> Result<Field> {
        let mut errors = Error::accumulator();
        let serde = errors
            .handle(SerdeHints::from_attrs(&input.attrs))
            .unwrap_or_default();
        let ident = input
            .ident
            .clone()
            .ok_or_else(|| Error::custom("expected a named field").with_span(&input.ty))?;
        let rust_name = ident.to_string().trim_start_matches("r#").to_owned();
        let attribute = match (&input.rename, &serde.rename) {
            (Some(rename), _) => rename.as_str().to_owned(),
            (None, Some(rename)) => rename.value(),
            (None, None) => rule.map_or(rust_name.clone(), |r| r.apply(&rust_name)),
        };
        if let Some(rename) = &input.rename {
            if rename.is_empty() {
                errors.push(Error::custom("`rename` must not be empty").with_span(&rename.span()));
            }
        }
        let skip = input.skip.is_present() || serde.skip;
        let with = codec(&mut errors, &input);
        if let (true, Some(codec)) = (skip, &with) {
            errors.push(
                Error::custom(format!(
                    "a skipped field is not stored, so it cannot take `{}`",
                    codec.option()
                ))
                .with_span(&input.skip.span()),
            );
        }
        let flatten = input.flatten.is_present() || serde.flatten;
        if flatten {
            let conflict = if skip {
                Some("`skip`")
            } else if let Some(codec) = &with {
                Some(codec.option())
            } else if input.default.is_some() {
                Some("`default`")
            } else if input.rename.is_some() {
                Some("`rename` (its fields keep their own names)")
            } else {
                None
            };
            if let Some(conflict) = conflict {
                errors.push(
                    Error::custom(format!(
                        "a flattened field stores its struct's attributes at the top level, so it takes no {conflict}"
                    ))
                    .with_span(&ident),
                );
            }
        }
        let role = field_role(&mut errors, &input);
        if let Some(role) = role {
            let conflict = if skip {
                Some("is skipped, so it is not stored")
            } else if let Some(codec) = &with {
                Some(match codec {
                    Codec::Module(_) => "has a `with` codec",
                    Codec::Compress { .. } => "is compressed",
                    Codec::Encrypt => "is encrypted",
                    Codec::Serde => "is stored with `serde`",
                })
            } else if role == Role::Ttl && input.default.is_some() {
                Some("is a `ttl` (absent means never expires), so it takes no `default`")
            } else {
                None
            };
            if let Some(conflict) = conflict {
                errors.push(
                    Error::custom(format!(
                        "`{}` cannot be used on `{ident}`: the field {conflict}",
                        role.option()
                    ))
                    .with_span(&ident),
                );
            }
        }
        let default = input.default.map(|d| match d {
            Override::Inherit => DefaultValue::Trait,
            Override::Explicit(path) => DefaultValue::Function(path),
        });
        errors.finish_with(Field {
            ident,
            ty: input.ty,
            attribute,
            skip,
            default,
            validate: input.validate,
            with,
            role,
            flatten,
        })
    }
}

/// The lifecycle role a field declares; more than one is an error.
fn field_role(errors: &mut Accumulator, input: &FieldReceiver) -> Option<Role> {
    let mut declared: Vec<(Role, proc_macro2::Span)> = [
        (&input.version, Role::Version),
        (&input.created_at, Role::CreatedAt),
        (&input.updated_at, Role::UpdatedAt),
        (&input.ttl, Role::Ttl),
        (&input.counter, Role::Counter),
    ]
    .into_iter()
    .filter(|(flag, _)| flag.is_present())
    .map(|(flag, role)| (role, flag.span()))
    .collect();
    if let Some(kind) = &input.auto_id {
        match IdKind::from_name(kind) {
            Some(id) => declared.push((Role::AutoId(id), kind.span())),
            None => errors.push(
                Error::custom(format!(
                    "unknown `auto_id` kind `{}`: expected \"uuid_v4\", \"uuid_v7\" or \"ulid\"{}",
                    kind.as_str(),
                    suggestion(kind, IdKind::NAMES)
                ))
                .with_span(&kind.span()),
            ),
        }
    }
    if let [(first, _), (second, span), ..] = declared.as_slice() {
        errors.push(
            Error::custom(format!(
                "a field has one lifecycle role: `{}` and `{}` cannot be combined",
                first.option(),
                second.option()
            ))
            .with_span(span),
        );
    }
    declared.first().map(|(role, _)| *role)
}

/// Roles a model has at most once, and roles that need a table.
fn check_roles(errors: &mut Accumulator, fields: &[Field], has_table: bool) {
    for role in [Role::Version, Role::CreatedAt, Role::UpdatedAt, Role::Ttl] {
        let mut holders = fields.iter().filter(|f| f.role == Some(role));
        if let (Some(first), Some(second)) = (holders.next(), holders.next()) {
            errors.push(
                Error::custom(format!(
                    "a model has one `{}` field: `{}` and `{}` both declare it",
                    role.option(),
                    first.ident,
                    second.ident
                ))
                .with_span(&second.ident),
            );
        }
    }
    if !has_table {
        if let Some(field) = fields.iter().find(|f| f.role.is_some()) {
            let role = field.role.map_or("", Role::option);
            errors.push(
                Error::custom(format!(
                    "`{role}` needs `table`: the client maintains it on item writes, which a nested document has none of"
                ))
                .with_span(&field.ident),
            );
        }
    }
}

fn check_unique_attributes(errors: &mut Accumulator, fields: &[Field]) {
    let mut seen: HashMap<&str, &Field> = HashMap::new();
    for field in fields.iter().filter(|f| !f.skip && !f.flatten) {
        if let Some(first) = seen.insert(&field.attribute, field) {
            errors.push(
                Error::custom(format!(
                    "fields `{}` and `{}` are both stored as attribute `{}`",
                    first.ident, field.ident, field.attribute
                ))
                .with_span(&field.ident),
            );
        }
    }
}

/// An index key's first field, and its other fields (a multi-attribute key).
fn split_key_names(
    names: Option<&SpannedValue<KeyNames>>,
) -> (Option<SpannedValue<String>>, Vec<SpannedValue<String>>) {
    let mut fields = names
        .into_iter()
        .flat_map(|names| names.0.iter())
        .map(|name| SpannedValue::new(name.value(), name.span()));
    (fields.next(), fields.collect())
}

/// The key options of a table or an index.
struct KeyOptions<'a> {
    hash_key: &'a Option<SpannedValue<String>>,
    range_key: &'a Option<SpannedValue<String>>,
    pk: &'a Option<SpannedValue<String>>,
    sk: &'a Option<SpannedValue<String>>,
    pk_attribute: &'a Option<SpannedValue<String>>,
    sk_attribute: &'a Option<SpannedValue<String>>,
}

struct TableBuilder<'a> {
    errors: &'a mut Accumulator,
    fields: &'a [Field],
    ident: &'a syn::Ident,
}

impl TableBuilder<'_> {
    fn build(
        &mut self,
        table: &Option<SpannedValue<String>>,
        keys: KeyOptions<'_>,
        (entity, entity_attribute): (&Option<SpannedValue<String>>, &Option<SpannedValue<String>>),
        gsis: &[SpannedValue<IndexReceiver>],
        lsis: &[SpannedValue<IndexReceiver>],
        vectors: &[SpannedValue<VectorIndexReceiver>],
    ) -> Option<TableDef> {
        let Some(table) = table else {
            let table_only = [
                ("hash_key", keys.hash_key.as_ref().map(|k| k.span())),
                ("range_key", keys.range_key.as_ref().map(|k| k.span())),
                ("pk", keys.pk.as_ref().map(|k| k.span())),
                ("sk", keys.sk.as_ref().map(|k| k.span())),
                ("entity", entity.as_ref().map(|k| k.span())),
                ("gsi", gsis.first().map(|g| g.span())),
                ("lsi", lsis.first().map(|l| l.span())),
                ("vector_index", vectors.first().map(|v| v.span())),
            ];
            for (key, span) in table_only {
                if let Some(span) = span {
                    self.errors.push(
                        Error::custom(format!(
                            "`{key}` needs `table`: without it the struct is a nested document"
                        ))
                        .with_span(&span),
                    );
                }
            }
            return None;
        };
        check_resource_name(self.errors, "table", table);
        // Every key is checked even when an earlier one failed, so all errors show at once.
        let hash = match self.key(&keys, true, "pk", None) {
            Some(Some(hash)) => Some(hash),
            Some(None) => {
                self.errors.push(
                    Error::custom(
                        "a table model needs `hash_key = \"<field>\"` or a key template `pk = \"...\"`",
                    )
                    .with_span(&table.span()),
                );
                return None;
            }
            None => None,
        };
        let range = self.key(&keys, false, "sk", None);
        let mut indexes: Vec<IndexDef> = Vec::new();
        for (receivers, local) in [(gsis, false), (lsis, true)] {
            for receiver in receivers {
                if let Some(index) =
                    self.index(receiver, local, &hash, matches!(range, Some(Some(_))))
                {
                    indexes.push(index);
                }
            }
        }
        self.check_unique_indexes(&indexes);
        let vector_indexes: Vec<VectorIndexDef> = vectors
            .iter()
            .filter_map(|receiver| self.vector_index(receiver))
            .collect();
        self.check_vector_indexes(&indexes, &vector_indexes);
        let mut table = TableDef {
            name: table.as_str().to_owned(),
            consistent_read: false,
            hash_key: hash?,
            range_key: range?,
            indexes,
            entity: None,
            max_size: None,
            stream: None,
            vector_indexes,
        };
        let templated = table.has_key_templates()
            || table.indexes.iter().any(|i| {
                i.hash_key.template().is_some()
                    || i.range_key.as_ref().is_some_and(|r| r.template().is_some())
            });
        if templated || entity.is_some() || entity_attribute.is_some() {
            table.entity = Some(EntityDef {
                attribute: entity_attribute
                    .as_ref()
                    .map_or("_type".to_owned(), |a| a.as_str().to_owned()),
                name: entity
                    .as_ref()
                    .map_or(self.ident.to_string(), |e| e.as_str().to_owned()),
            });
        }
        for name in table.managed_attributes() {
            if let Some(field) = self.fields.iter().find(|f| !f.skip && f.attribute == name) {
                self.errors.push(
                    Error::custom(format!(
                        "`{}` is stored as `{name}`, an attribute the client writes itself (a templated key or the entity type)",
                        field.ident
                    ))
                    .with_span(&field.ident),
                );
            }
        }
        Some(table)
    }

    /// The partition (`hash`) or sort key: a field (`hash_key`/`range_key`) or a template
    /// (`pk`/`sk`). `None`: an error; `Some(None)`: not declared (sort keys only).
    #[allow(clippy::option_option)]
    fn key(
        &mut self,
        keys: &KeyOptions<'_>,
        hash: bool,
        default_attribute: &str,
        index: Option<(&str, &str)>,
    ) -> Option<Option<KeyDef>> {
        let (field_option, field, template, attribute) = if hash {
            ("hash_key", keys.hash_key, keys.pk, keys.pk_attribute)
        } else {
            ("range_key", keys.range_key, keys.sk, keys.sk_attribute)
        };
        // The template options are named like the attributes they default to: `pk`, `sk`.
        let template_option = default_attribute;
        let what = |option: &str| match index {
            None => option.to_owned(),
            Some((kind, _)) => format!("{kind} {option}"),
        };
        match (field, template) {
            (Some(_), Some(template)) => {
                self.errors.push(
                    Error::custom(format!(
                        "`{field_option}` and `{template_option}` both declare the key: keep one"
                    ))
                    .with_span(&template.span()),
                );
                None
            }
            (Some(field), None) => {
                if let Some(attribute) = attribute {
                    self.errors.push(
                        Error::custom(format!(
                            "`{template_option}_attribute` names the attribute of a key template; this key is the field `{}`",
                            field.as_str()
                        ))
                        .with_span(&attribute.span()),
                    );
                }
                self.key_field(&what(field_option), field)
                    .map(|p| Some(KeyDef::Field(p)))
            }
            (None, Some(template)) => {
                let attribute = attribute.as_ref().map_or_else(
                    || match index {
                        None => default_attribute.to_owned(),
                        Some((_, name)) => format!("{name}_{default_attribute}"),
                    },
                    |a| a.as_str().to_owned(),
                );
                self.template(&what(template_option), template, attribute)
                    .map(|t| Some(KeyDef::Template(t)))
            }
            (None, None) => Some(None),
        }
    }

    /// A key template, its parts resolved to fields.
    fn template(
        &mut self,
        what: &str,
        text: &SpannedValue<String>,
        attribute: String,
    ) -> Option<TemplateDef> {
        let raw = match crate::template::split(text) {
            Ok(raw) => raw,
            Err(message) => {
                self.errors
                    .push(Error::custom(message).with_span(&text.span()));
                return None;
            }
        };
        let mut segments = Vec::with_capacity(raw.len());
        let mut ok = true;
        for segment in raw {
            match segment {
                RawSegment::Literal(literal) => segments.push(SegmentDef::Literal(literal)),
                RawSegment::Part { name, width } => {
                    let name = SpannedValue::new(name, text.span());
                    match self.key_field(&format!("{what} template"), &name) {
                        Some(field) => segments.push(SegmentDef::Part { field, width }),
                        None => ok = false,
                    }
                }
            }
        }
        ok.then(|| TemplateDef {
            attribute,
            text: text.as_str().to_owned(),
            segments,
        })
    }

    /// The field a key names, by Rust name or attribute name; reports one that names none,
    /// is skipped, or uses a custom codec.
    fn key_field(&mut self, what: &str, name: &SpannedValue<String>) -> Option<usize> {
        let position = self
            .fields
            .iter()
            .position(|f| f.ident == name.as_str() || f.attribute == name.as_str());
        let Some(position) = position else {
            let names = self.fields.iter().map(|f| f.attribute.as_str());
            let fields: Vec<String> = self
                .fields
                .iter()
                .filter(|f| !f.skip)
                .map(|f| format!("`{}`", f.ident))
                .collect();
            self.errors.push(
                Error::custom(format!(
                    "`{what}` names no field of `{}`: `{}`{} (its fields: {})",
                    self.ident,
                    name.as_str(),
                    suggestion(name, names),
                    fields.join(", ")
                ))
                .with_span(&name.span()),
            );
            return None;
        };
        let field = &self.fields[position];
        if field.skip {
            self.errors.push(
                Error::custom(format!(
                    "`{what}` names `{}`, which is skipped: a key attribute must be stored",
                    field.ident
                ))
                .with_span(&name.span()),
            );
            return None;
        }
        if field.flatten {
            self.errors.push(
                Error::custom(format!(
                    "`{what}` names `{}`, which is flattened: a key names a field of the model itself",
                    field.ident
                ))
                .with_span(&name.span()),
            );
            return None;
        }
        if let Some(codec) = &field.with {
            self.errors.push(
                Error::custom(format!(
                    "`{what}` names `{}`, which is stored with `{}`: a key's type must implement `KeyAttribute` instead",
                    field.ident,
                    codec.option()
                ))
                .with_span(&name.span()),
            );
            return None;
        }
        if let Some(role @ (Role::Version | Role::Counter | Role::Ttl)) = field.role {
            self.errors.push(
                Error::custom(format!(
                    "`{what}` names `{}`, a `{}` field: the client changes it on every write, and a key never changes",
                    field.ident,
                    role.option()
                ))
                .with_span(&name.span()),
            );
            return None;
        }
        Some(position)
    }

    fn index(
        &mut self,
        index: &SpannedValue<IndexReceiver>,
        local: bool,
        table_hash: &Option<KeyDef>,
        table_has_range: bool,
    ) -> Option<IndexDef> {
        let kind = if local { "lsi" } else { "gsi" };
        check_resource_name(self.errors, "index", &index.name);
        let (hash_first, hash_more) = split_key_names(index.hash_key.as_ref());
        let (range_first, range_more) = split_key_names(index.range_key.as_ref());
        let keys = KeyOptions {
            hash_key: &hash_first,
            range_key: &range_first,
            pk: &index.pk,
            sk: &index.sk,
            pk_attribute: &index.pk_attribute,
            sk_attribute: &index.sk_attribute,
        };
        let hash_key = if local {
            if let Some(span) = hash_first.as_ref().or(index.pk.as_ref()).map(|h| h.span()) {
                self.errors.push(
                    Error::custom(
                        "an `lsi` shares the table's partition key; remove `hash_key`/`pk`",
                    )
                    .with_span(&span),
                );
            }
            if !table_has_range {
                self.errors.push(
                    Error::custom("an `lsi` needs a table with a sort key (`range_key` or `sk`)")
                        .with_span(&index.span()),
                );
            }
            table_hash.clone()
        } else {
            match self.key(&keys, true, "pk", Some((kind, index.name.as_str()))) {
                Some(Some(hash)) => Some(hash),
                Some(None) => {
                    self.errors.push(
                        Error::custom(format!(
                            "`gsi` `{}` needs a `hash_key` or a `pk` template",
                            index.name.as_str()
                        ))
                        .with_span(&index.span()),
                    );
                    None
                }
                None => None,
            }
        };
        let range_key = match self.key(&keys, false, "sk", Some((kind, index.name.as_str())))? {
            Some(range) => Some(range),
            None if local => {
                self.errors.push(
                    Error::custom(format!(
                        "`lsi` `{}` needs a `range_key` or an `sk` template",
                        index.name.as_str()
                    ))
                    .with_span(&index.span()),
                );
                return None;
            }
            None => None,
        };
        let projection = match index.projection.as_deref() {
            None | Some(ProjectionSpec::All) => Projection::All,
            Some(ProjectionSpec::KeysOnly) => Projection::KeysOnly,
            Some(ProjectionSpec::Include(names)) => Projection::Include(
                names
                    .iter()
                    .filter_map(|n| self.attribute_named(n))
                    .collect(),
            ),
        };
        let more_hash = self.more_key_fields(index, "hash_key", &hash_more, local)?;
        let more_range = self.more_key_fields(index, "range_key", &range_more, local)?;
        let templated = hash_key.as_ref().is_some_and(|h| h.template().is_some())
            || range_key.as_ref().is_some_and(|r| r.template().is_some());
        if templated && !(more_hash.is_empty() && more_range.is_empty()) {
            self.errors.push(
                Error::custom(format!(
                    "`gsi` `{}`: a multi-attribute key is made of plain fields; it cannot be combined with a `pk`/`sk` template",
                    index.name.as_str()
                ))
                .with_span(&index.span()),
            );
            return None;
        }
        let index = IndexDef {
            name: index.name.as_str().to_owned(),
            span: index.name.span(),
            local,
            hash_key: hash_key?,
            range_key,
            more_hash,
            more_range,
            projection,
        };
        let keys: Vec<usize> = index
            .partition_fields()
            .into_iter()
            .chain(index.sort_fields())
            .collect();
        if let Some(twice) = keys
            .iter()
            .enumerate()
            .find_map(|(at, field)| keys[..at].contains(field).then_some(*field))
        {
            self.errors.push(
                Error::custom(format!(
                    "`gsi` `{}`: `{}` is named twice in its key; each key attribute is one field",
                    index.name, self.fields[twice].ident
                ))
                .with_span(&index.span),
            );
            return None;
        }
        Some(index)
    }

    /// The fields of a multi-attribute key after its first: only on a `gsi`, at most four
    /// in all, each once.
    fn more_key_fields(
        &mut self,
        index: &SpannedValue<IndexReceiver>,
        option: &str,
        more: &[SpannedValue<String>],
        local: bool,
    ) -> Option<Vec<usize>> {
        let Some(first_extra) = more.first() else {
            return Some(Vec::new());
        };
        let name = index.name.as_str();
        if local {
            self.errors.push(
                Error::custom(format!(
                    "`lsi` `{name}`: multi-attribute keys are for a `gsi`; a local index has one sort key"
                ))
                .with_span(&first_extra.span()),
            );
            return None;
        }
        if more.len() > 3 {
            self.errors.push(
                Error::custom(format!(
                    "`gsi` `{name}`: `{option}` names {} fields; DynamoDB allows at most 4",
                    more.len() + 1
                ))
                .with_span(&more[3].span()),
            );
            return None;
        }
        let what = format!("gsi {option}");
        more.iter()
            .map(|field| self.key_field(&what, field))
            .collect()
    }

    /// A vector index: its fields resolved, its distance function known, at least one
    /// dimension.
    fn vector_index(
        &mut self,
        index: &SpannedValue<VectorIndexReceiver>,
    ) -> Option<VectorIndexDef> {
        const DISTANCES: [(&str, &str); 3] = [
            ("cosine", "Cosine"),
            ("euclidean", "Euclidean"),
            ("dot_product", "DotProduct"),
        ];
        check_resource_name(self.errors, "index", &index.name);
        let name = index.name.as_str();
        let field = self.key_field(
            &format!("vector_index `{name}` attribute"),
            &index.attribute,
        );
        let wanted = index.distance.as_str().to_ascii_lowercase();
        let distance = DISTANCES
            .iter()
            .find(|(d, _)| *d == wanted)
            .map(|(_, v)| *v);
        if distance.is_none() {
            self.errors.push(
                Error::custom(format!(
                    "unknown distance function `{}`: expected \"cosine\", \"euclidean\" or \"dot_product\"",
                    index.distance.as_str()
                ))
                .with_span(&index.distance.span()),
            );
        }
        if *index.dimensions == 0 {
            self.errors.push(
                Error::custom("a vector has at least one dimension")
                    .with_span(&index.dimensions.span()),
            );
        }
        let partition = match &index.partition {
            Some(partition) => {
                Some(self.key_field(&format!("vector_index `{name}` partition"), partition)?)
            }
            None => None,
        };
        let mut filters = Vec::new();
        for filter in index.filters.iter().flat_map(|names| names.0.iter()) {
            let filter = SpannedValue::new(filter.value(), filter.span());
            filters.push(self.key_field(&format!("vector_index `{name}` filters"), &filter)?);
        }
        Some(VectorIndexDef {
            name: name.to_owned(),
            span: index.name.span(),
            field: field?,
            dimensions: *index.dimensions,
            distance: distance?,
            partition,
            filters,
        })
    }

    /// Vector index names are unique among all the table's indexes; a table has at most 5.
    fn check_vector_indexes(&mut self, indexes: &[IndexDef], vectors: &[VectorIndexDef]) {
        for (position, vector) in vectors.iter().enumerate() {
            let taken = indexes.iter().any(|i| i.name == vector.name)
                || vectors[..position].iter().any(|v| v.name == vector.name);
            if taken {
                self.errors.push(
                    Error::custom(format!("index `{}` is defined more than once", vector.name))
                        .with_span(&vector.span),
                );
            }
        }
        if let Some(sixth) = vectors.get(5) {
            self.errors.push(
                Error::custom(format!(
                    "DynamoDB allows at most 5 vector indexes per table; `{}` declares {}",
                    self.ident,
                    vectors.len()
                ))
                .with_span(&sixth.span),
            );
        }
    }

    /// The attribute name of the stored field a projection names.
    fn attribute_named(&mut self, name: &syn::LitStr) -> Option<String> {
        let value = name.value();
        let field = self
            .fields
            .iter()
            .filter(|f| !f.skip)
            .find(|f| f.ident == value || f.attribute == value);
        if field.is_none() {
            let names = self.fields.iter().map(|f| f.attribute.as_str());
            self.errors.push(
                Error::custom(format!(
                    "projection names no stored field: `{value}`{}",
                    suggestion(&value, names)
                ))
                .with_span(&name.span()),
            );
        }
        field.map(|f| f.attribute.clone())
    }

    fn check_unique_indexes(&mut self, indexes: &[IndexDef]) {
        for (position, index) in indexes.iter().enumerate() {
            let earlier = &indexes[..position];
            if earlier.iter().any(|e| e.name == index.name) {
                self.errors.push(
                    Error::custom(format!("index `{}` is defined more than once", index.name))
                        .with_span(&index.span),
                );
            } else if let Some(clash) = earlier
                .iter()
                .find(|e| e.const_name() == index.const_name())
            {
                self.errors.push(
                    Error::custom(format!(
                        "indexes `{}` and `{}` would share the handle `{}`",
                        clash.name,
                        index.name,
                        index.const_name()
                    ))
                    .with_span(&index.span),
                );
            }
        }
        let locals = indexes.iter().filter(|i| i.local).count();
        let globals = indexes.len() - locals;
        if locals > 5 {
            self.errors.push(
                Error::custom(format!(
                    "DynamoDB allows at most 5 local secondary indexes; `{}` declares {locals}",
                    self.ident
                ))
                .with_span(self.ident),
            );
        }
        if globals > 20 {
            self.errors.push(
                Error::custom(format!(
                    "DynamoDB allows at most 20 global secondary indexes; `{}` declares {globals}",
                    self.ident
                ))
                .with_span(self.ident),
            );
        }
    }
}
