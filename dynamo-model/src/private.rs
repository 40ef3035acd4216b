//! Items used only by the code `#[derive(DynamoModel)]` and `#[derive(DynamoAttribute)]`
//! generate. Not public API: anything here may change in any release.

pub use core;
pub use serde;
pub use std;

pub use crate::error::Result;
pub use crate::expr::{
    InlineFilterOf, KeyCondition, KeyField, KeySchema, MultiAttributePartition, RangeKeyOf,
    SearchPartitionOf, SortAttributeOf, SortKeyPrefix, TemplatePartition,
};
pub use crate::key::KeyArg;
pub use crate::lifecycle::{Ulid, UuidV4, UuidV7};
pub use crate::meta::template::{KeyTemplate, Part, Segment};
pub use crate::meta::{Distance, VectorIndexMeta};
pub use crate::meta::{
    Entity, Generated, IndexKind, IndexMeta, KeyMeta, Lifecycle, Projection, StreamView, TableMeta,
};
pub use crate::model::collection::{entity_variant, Collection, Load};
pub use crate::model::VectorIndex;
pub use crate::model::{
    DynamoModel, Flatten, Hooks, Index, Projected, Projects, Readable, ReadableFrom, Table,
};
pub use crate::value::path::{AttrPath, Field};
pub use crate::value::vector::{Dimensions, VectorAttribute};
pub use crate::value::{
    AttributeValue, DynamoAttribute, FromAttributeValue, IndexKeyAttribute, Item, KeyAttribute,
    Newtype, PathStep, Problems, ScalarType, SetElement, ToAttributeValue,
};

/// What `extra = "..."` asked for attributes the struct does not declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extra {
    /// Unknown attributes are dropped.
    Ignore,
    /// Unknown attributes are decode errors, but for these, which the client writes itself
    /// (templated keys, the entity type).
    Forbid(&'static [&'static str]),
}

/// Writes field `name` into `item` unless its value has no attribute (None, empty set).
// Always inlined: one call per field on the hottest path, where the call and the move of
// the `Option<AttributeValue>` measurably cost (see benches/codec.rs).
#[inline(always)]
pub fn put_attr<T: DynamoAttribute>(item: &mut Item, name: &'static str, value: &T) {
    if let Some(value) = value.to_attribute_value() {
        item.insert(name.to_owned(), value);
    }
}

/// Writes a field through a `with = "module"` codec.
#[inline]
pub fn put_attr_with(item: &mut Item, name: &'static str, value: Option<AttributeValue>) {
    if let Some(value) = value {
        item.insert(name.to_owned(), value);
    }
}

/// Moves the attributes named in `names` out of `item` into slots, in `names` order.
///
/// Unknown attributes are reported when `extra` is `Forbid`.
#[inline]
pub fn take_attributes<const N: usize>(
    item: Item,
    names: &[&str; N],
    extra: Extra,
    problems: &mut Problems,
) -> [Option<AttributeValue>; N] {
    let mut slots = [const { None }; N];
    for (name, value) in item {
        match names.iter().position(|known| *known == name) {
            Some(index) => slots[index] = Some(value),
            None if matches!(extra, Extra::Forbid(managed) if !managed.contains(&name.as_str())) => {
                problems.absorb(
                    PathStep::Name(&name),
                    Problems::single("unknown attribute (the model forbids extra attributes)"),
                );
            }
            None => {}
        }
    }
    slots
}

/// As [`take_attributes`] for a model with flattened fields: the attributes not named are
/// kept, for the flattened structs to decode.
#[inline]
pub fn take_attributes_keeping_rest<const N: usize>(
    mut item: Item,
    names: &[&str; N],
) -> ([Option<AttributeValue>; N], Item) {
    let slots = names.map(|name| item.remove(name));
    (slots, item)
}

/// Writes a flattened struct's attributes at the top level of `item`.
#[inline]
pub fn put_flattened<T: Flatten>(item: &mut Item, value: &T) {
    item.extend(value.to_item());
}

/// Decodes a flattened struct from the attributes its parent did not take; its problems
/// keep their top-level paths.
#[inline]
pub fn decode_flattened<T: Flatten>(problems: &mut Problems, rest: Item) -> Option<T> {
    match T::decode_item(rest) {
        Ok(value) => Some(value),
        Err(mut child) => {
            problems.absorb_all(&mut child);
            None
        }
    }
}

/// Records the checks of a flattened struct, at top-level paths.
#[inline]
pub fn check_flattened<T: Flatten>(problems: &mut Problems, value: &T) {
    value.check(problems);
}

/// Decodes the field `name` from its slot; a problem is recorded and `None` returned when
/// it is missing (and has no default) or does not decode.
#[inline]
pub fn decode_field<T: DynamoAttribute>(
    problems: &mut Problems,
    name: &'static str,
    slot: Option<AttributeValue>,
) -> Option<T> {
    let decoded = match slot {
        Some(value) => T::from_attribute_value(value),
        None => T::from_missing_attribute().ok_or_else(missing),
    };
    keep(problems, name, decoded)
}

/// A field stored transformed (compressed, encrypted): `decode` for a present attribute,
/// the type's own rule (`None` for an `Option`) for a missing one.
#[inline]
pub fn decode_transformed<T: DynamoAttribute>(
    problems: &mut Problems,
    name: &'static str,
    slot: Option<AttributeValue>,
    decode: impl FnOnce(AttributeValue) -> Result<T, Problems>,
) -> Option<T> {
    let decoded = match slot {
        Some(value) => decode(value),
        None => T::from_missing_attribute().ok_or_else(missing),
    };
    keep(problems, name, decoded)
}

/// As [`decode_field`], with `default` for a missing attribute.
#[inline]
pub fn decode_field_or<T: DynamoAttribute>(
    problems: &mut Problems,
    name: &'static str,
    slot: Option<AttributeValue>,
    default: impl FnOnce() -> T,
) -> Option<T> {
    match slot {
        Some(value) => keep(problems, name, T::from_attribute_value(value)),
        None => Some(default()),
    }
}

/// Decodes a field through a `with = "module"` codec (`module::from_attribute_value`);
/// `default` (when given) answers for a missing attribute.
#[inline]
pub fn decode_field_with<T>(
    problems: &mut Problems,
    name: &'static str,
    slot: Option<AttributeValue>,
    decode: impl FnOnce(AttributeValue) -> Result<T, Problems>,
    default: Option<fn() -> T>,
) -> Option<T> {
    let decoded = match (slot, default) {
        (Some(value), _) => decode(value),
        (None, Some(default)) => Ok(default()),
        (None, None) => Err(missing()),
    };
    keep(problems, name, decoded)
}

fn missing() -> Problems {
    Problems::single_of(
        crate::value::ProblemReason::Missing,
        "missing required attribute",
    )
}

fn keep<T>(problems: &mut Problems, name: &'static str, decoded: Result<T, Problems>) -> Option<T> {
    match decoded {
        Ok(value) => Some(value),
        Err(child) => {
            problems.absorb(PathStep::Name(name), child);
            None
        }
    }
}

/// Writes a `#[dynamo(serde)]` field in serde_dynamo's wire form.
#[inline]
pub fn put_serde<T: serde::Serialize + ?Sized>(item: &mut Item, name: &'static str, value: &T) {
    crate::value::serde_form::put_field(item, name, value);
}

/// Records what keeps a `#[dynamo(serde)]` field from serializing.
#[inline]
pub fn check_serde<T: serde::Serialize + ?Sized>(
    problems: &mut Problems,
    name: &'static str,
    value: &T,
) {
    crate::value::serde_form::check_field(problems, name, value);
}

/// Reads a `#[dynamo(serde)]` field (`default`: the `default` option's function).
#[inline]
pub fn decode_serde<T: serde::de::DeserializeOwned>(
    problems: &mut Problems,
    name: &'static str,
    slot: Option<AttributeValue>,
    default: Option<fn() -> T>,
) -> Option<T> {
    keep(
        problems,
        name,
        crate::value::serde_form::decode_field(slot, default),
    )
}

pub use crate::value::serde_form::Serde;
pub use crate::value::variant::{
    check_element, check_internal_content, content_value, decode_content, decode_element,
    decode_variant, encode_variant, nest_content, newtype_content, struct_content, tuple_content,
    Tagging, VariantContent,
};

/// Decodes an item as the projection `P` (`#[dynamo(projection_of = "...")]`).
///
/// # Errors
///
/// Decode and validation errors, naming the item's key.
#[inline]
pub fn load_projection<P: Projected>(item: Item) -> Result<P> {
    crate::model::load_projection(item)
}

/// The value type of a field accessor: a projection's fields are checked against their
/// parent's with it.
#[inline]
pub fn field_type<M, T, K>(_field: &Field<M, T, K>) -> core::marker::PhantomData<T> {
    core::marker::PhantomData
}

/// True when `attributes` holds `name` (a projection's attribute names are checked against
/// their parent's with it, at compile time).
pub const fn stores_attribute(attributes: &[&str], name: &str) -> bool {
    crate::value::path::names_one_of(attributes, name)
}

/// Records the codec checks of field `name` (NaN floats and the like, nested validators).
#[inline]
pub fn check_field<T: DynamoAttribute>(problems: &mut Problems, name: &'static str, value: &T) {
    let mark = problems.len();
    value.check_value(problems);
    problems.nest_since(mark, PathStep::Name(name));
}

/// What a validator may return as its error: a message, or [`Problems`] with paths of its own.
pub trait ValidationFailure {
    /// Records the failure.
    fn record(self, problems: &mut Problems);
}

impl ValidationFailure for Problems {
    fn record(mut self, problems: &mut Problems) {
        problems.absorb_all(&mut self);
    }
}

impl ValidationFailure for String {
    fn record(self, problems: &mut Problems) {
        problems.push(self);
    }
}

impl ValidationFailure for &str {
    fn record(self, problems: &mut Problems) {
        problems.push(self);
    }
}

impl ValidationFailure for std::borrow::Cow<'_, str> {
    fn record(self, problems: &mut Problems) {
        problems.push(self.into_owned());
    }
}

/// A validator of a field of type `T`: a function taking the field by reference (or its
/// borrowed form `U`: `&str` for a `String`) and returning `Result<(), E>`. A function of
/// another shape given to `#[dynamo(validate = ..)]` is an error that says which shape is
/// expected.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a validator of a `{T}` field",
    label = "expected a `fn(&{T}) -> Result<(), E>`",
    note = "a validator takes the field by reference (`&{T}`, or a form it borrows as, such as `&str` for a `String`) and returns `Result<(), E>`, where `E` is a `String`, a `&str` or `Problems`"
)]
pub trait Validator<T: ?Sized, U: ?Sized, E> {
    /// Runs the check.
    ///
    /// # Errors
    ///
    /// What the validator found.
    fn check(self, value: &U) -> Result<(), E>;
}

impl<T, U, E, F> Validator<T, U, E> for F
where
    F: FnOnce(&U) -> Result<(), E>,
    T: std::borrow::Borrow<U> + ?Sized,
    U: ?Sized,
    E: ValidationFailure,
{
    #[inline]
    fn check(self, value: &U) -> Result<(), E> {
        self(value)
    }
}

/// Runs the validator of field `name`; it may take the field's borrowed form (`&str` for a
/// `String`, `&[T]` for a `Vec<T>`).
#[inline]
pub fn validate_field<T, U, E>(
    problems: &mut Problems,
    name: &'static str,
    value: &T,
    validator: impl Validator<T, U, E>,
) where
    T: std::borrow::Borrow<U> + ?Sized,
    U: ?Sized,
    E: ValidationFailure,
{
    if let Err(failure) = validator.check(value.borrow()) {
        let mark = problems.len();
        failure.record(problems);
        problems.nest_since(mark, PathStep::Name(name));
    }
}

/// Runs the validator of field `name` on an encoded value of it (a value a typed update
/// sets): the field's [`ValueValidator`](crate::value::path::ValueValidator). A value that
/// does not decode as the field is left to the codec's own checks.
pub fn validate_encoded<T, U, E>(
    value: &AttributeValue,
    name: &'static str,
    validator: impl Validator<T, U, E>,
) -> Problems
where
    T: FromAttributeValue + std::borrow::Borrow<U>,
    U: ?Sized,
    E: ValidationFailure,
{
    let mut problems = Problems::new();
    if let Ok(decoded) = T::from_attribute_value(value.clone()) {
        validate_field(&mut problems, name, &decoded, validator);
    }
    problems
}

/// Runs a model-level validator (its messages belong to the whole model).
#[inline]
pub fn validate_model<T, E: ValidationFailure>(
    problems: &mut Problems,
    value: &T,
    validator: impl FnOnce(&T) -> Result<(), E>,
) {
    if let Err(failure) = validator(value) {
        failure.record(problems);
    }
}

/// A nested model as a map attribute.
#[inline]
pub fn model_to_value<T: DynamoModel>(model: &T) -> Option<AttributeValue> {
    Some(AttributeValue::M(model.to_item()))
}

/// A nested model from a map attribute.
#[inline]
pub fn model_from_value<T: DynamoModel>(value: AttributeValue) -> Result<T, Problems> {
    match value {
        AttributeValue::M(item) => T::decode_item(item),
        other => Err(Problems::mismatch("M", &other)),
    }
}

/// `Default::default()` for a field type, named so generated code reads plainly.
#[inline]
pub fn default_value<T: Default>() -> T {
    T::default()
}

/// A string attribute value.
#[inline]
pub fn string_value(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_owned())
}

/// The text of a string attribute (a unit enum's stored form).
#[inline]
pub fn variant_text(value: AttributeValue) -> Result<String, Problems> {
    String::from_attribute_value(value)
}

/// The problem of an unknown unit enum variant, naming the allowed ones.
pub fn unknown_variant(text: &str, allowed: &[&str]) -> Problems {
    let _ = text; // a stored value: never in a message
    let allowed: Vec<String> = allowed.iter().map(|name| format!("`{name}`")).collect();
    Problems::single(format!(
        "the stored text is no variant of the enum: expected one of {}",
        allowed.join(", ")
    ))
}

/// A string set (SS) of values whose attribute is S (unit enums).
pub fn encode_string_set<'a, T: ToAttributeValue + 'a>(
    members: impl Iterator<Item = &'a T>,
) -> AttributeValue {
    AttributeValue::Ss(
        members
            .filter_map(|m| match m.to_attribute_value() {
                Some(AttributeValue::S(text)) => Some(text),
                _ => None,
            })
            .collect(),
    )
}

/// Decodes a string set (SS) member by member through `T`'s codec.
pub fn decode_string_set<T: FromAttributeValue, C: FromIterator<T>>(
    value: AttributeValue,
) -> Result<C, Problems> {
    let members: Vec<String> = <String as SetElement>::decode_set(value)?;
    crate::value::decode_text_members(members, |member| {
        T::from_attribute_value(AttributeValue::S(member))
    })
}

/// The accessor of attribute `name`, top-level or inside `prefix`.
#[inline]
pub fn field_at<M, T, K>(prefix: Option<&AttrPath>, name: &'static str) -> Field<M, T, K> {
    match prefix {
        None => Field::top(name),
        Some(prefix) => Field::new(prefix.child(name)),
    }
}

/// `created_at`/`updated_at`: now, in the field's encoding.
pub fn timestamp_now<T: crate::lifecycle::Timestamp>() -> AttributeValue {
    T::at(std::time::SystemTime::now())
        .to_attribute_value()
        .unwrap_or(AttributeValue::Null(true))
}

/// `created_at`: true when the stored value was never set.
pub fn timestamp_is_unset<T: crate::lifecycle::Timestamp>(value: Option<&AttributeValue>) -> bool {
    unset_by::<T>(value, T::is_unset)
}

/// `auto_id`: a fresh id from generator `G`.
pub fn new_id<T: crate::lifecycle::AutoIdField<G>, G: crate::lifecycle::IdGenerator>(
) -> AttributeValue {
    AttributeValue::S(G::generate())
}

/// `auto_id`: true when the field holds no id yet.
pub fn id_is_unset<T: crate::lifecycle::AutoIdField<G>, G>(value: Option<&AttributeValue>) -> bool {
    unset_by::<T>(value, |id| id.is_unset())
}

fn unset_by<T: DynamoAttribute>(value: Option<&AttributeValue>, unset: fn(&T) -> bool) -> bool {
    match value {
        None | Some(AttributeValue::Null(_)) => true,
        Some(value) => T::from_attribute_value(value.clone()).is_ok_and(|v| unset(&v)),
    }
}

/// Compile-time check of a `#[dynamo(version)]` field's type.
pub fn require_version<T: crate::lifecycle::VersionNumber>() {}

/// Compile-time check of a `#[dynamo(counter)]` field's type.
pub fn require_counter<T: crate::expr::Numeric>() {}

/// Writes a `#[dynamo(ttl)]` field as epoch seconds (nothing for `None`).
#[inline]
pub fn put_expiry<T: crate::lifecycle::ExpiryTime>(item: &mut Item, name: &'static str, value: &T) {
    if let Some(seconds) = value.epoch_seconds() {
        item.insert(name.to_owned(), AttributeValue::N(seconds.to_string()));
    }
}

/// Reads a `#[dynamo(ttl)]` field from epoch seconds.
#[inline]
pub fn decode_expiry<T: crate::lifecycle::ExpiryTime>(
    problems: &mut Problems,
    name: &'static str,
    slot: Option<AttributeValue>,
) -> Option<T> {
    let decoded = match slot {
        None | Some(AttributeValue::Null(_)) => T::when_absent().ok_or_else(missing),
        Some(AttributeValue::N(text)) => crate::client::parse_epoch_seconds(&text)
            .and_then(T::from_epoch_seconds)
            .ok_or_else(|| {
                Problems::single(format!("`{text}` is not an expiry time in epoch seconds"))
            }),
        Some(other) => Err(Problems::mismatch("N", &other)),
    };
    keep(problems, name, decoded)
}

/// Copies a generated attribute of a written item back into its field (`Dynamo::save`).
pub fn refresh_field<T: DynamoAttribute>(
    model: &'static str,
    field: &mut T,
    item: &Item,
    name: &'static str,
) -> Result<()> {
    let Some(value) = item.get(name) else {
        return Ok(());
    };
    let mut problems = Problems::new();
    if let Some(value) = keep(&mut problems, name, T::from_attribute_value(value.clone())) {
        *field = value;
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(crate::error::Error::decode(model, problems.into_vec()))
    }
}

/// Writes what the client adds to every item of a table model: its entity type and the
/// keys rendered from templates.
pub fn put_managed(item: &mut Item, meta: &TableMeta) {
    if let Some(entity) = meta.entity {
        item.insert(
            entity.attribute.to_owned(),
            AttributeValue::S(entity.name.to_owned()),
        );
    }
    crate::meta::template::put_keys(meta, item);
}

/// Records a problem when `item` carries the entity type of another model.
pub fn check_entity(item: &Item, meta: &TableMeta, problems: &mut Problems) {
    let Some(entity) = meta.entity else { return };
    match item.get(entity.attribute) {
        None => {}
        Some(AttributeValue::S(name)) if name == entity.name => {}
        Some(AttributeValue::S(name)) => problems.absorb(
            PathStep::Name(entity.attribute),
            Problems::single(format!("the item is a `{name}`, not a `{}`", entity.name)),
        ),
        Some(_) => problems.absorb(
            PathStep::Name(entity.attribute),
            Problems::single("the entity type is not a string"),
        ),
    }
}

/// The key condition on the partition of `S` whose key template is rendered from `values`.
pub fn template_partition<S: KeySchema>(values: Vec<AttributeValue>) -> KeyCondition<S> {
    KeyCondition::from_template_parts(values)
}

/// The key condition on the partition of the multi-attribute index `S` whose attributes
/// have `values`, in order.
pub fn multi_attribute_partition<S: KeySchema>(values: Vec<AttributeValue>) -> KeyCondition<S> {
    KeyCondition::from_partition(values)
}

/// Fails the build when a vector index declares other dimensions than its array field's
/// length (`found`, `None` for a `Vec`, checked before each write).
pub const fn check_vector_dimensions(found: Option<usize>, declared: usize, mismatch: &str) {
    if let Some(length) = found {
        if length != declared {
            panic!("{}", mismatch);
        }
    }
}

/// Parses templated keys back into the values of their parts, in key order.
pub fn parse_template_key(
    model: &'static str,
    meta: &TableMeta,
    hash: &str,
    range: Option<&str>,
) -> Result<Vec<AttributeValue>> {
    crate::meta::template::parse_key(meta, hash, range)
        .map_err(|why| crate::Error::invalid_request(model, why))
}

/// Decodes one part of a parsed key.
pub fn decode_key_part<T: DynamoAttribute>(
    model: &'static str,
    attribute: &'static str,
    value: AttributeValue,
) -> Result<T> {
    T::from_attribute_value(value).map_err(|problems| {
        let mut all = Problems::new();
        all.absorb(PathStep::Name(attribute), problems);
        crate::Error::decode(model, all.into_vec())
    })
}

/// The error of a collection whose entity lookup named no variant (never expected).
pub fn collection_error(collection: &'static str) -> crate::Error {
    crate::Error::decode(
        collection,
        vec![crate::FieldError::new(
            "",
            "no variant holds this entity type",
        )],
    )
}

pub use crate::compress::{compress_value, decompress_value, Compression};

/// The cargo feature of each compression algorithm, checked where a model uses it.
pub mod compression_feature {
    /// zstd
    #[derive(Debug)]
    pub struct Zstd;
    /// LZ4
    #[derive(Debug)]
    pub struct Lz4;
    /// gzip
    #[derive(Debug)]
    pub struct Gzip;
}

/// Implemented for the algorithms whose cargo feature is on.
#[diagnostic::on_unimplemented(
    message = "`compress` with {Self} needs dynamo-model's cargo feature of that algorithm (`zstd`, `lz4` or `gzip`)"
)]
pub trait CompressionEnabled {}
#[cfg(feature = "zstd")]
impl CompressionEnabled for compression_feature::Zstd {}
#[cfg(feature = "lz4")]
impl CompressionEnabled for compression_feature::Lz4 {}
#[cfg(feature = "gzip")]
impl CompressionEnabled for compression_feature::Gzip {}

/// Fails to compile for an algorithm whose feature is off.
#[inline]
pub fn require_compression<T: CompressionEnabled>() {}

#[cfg(feature = "encryption")]
pub use crate::encryption::{decrypt_value, encrypt_value};

/// Reports an encrypted field written without a key provider.
#[cfg(feature = "encryption")]
pub fn check_encrypted(problems: &mut Problems, name: &'static str) {
    let mark = problems.len();
    crate::encryption::check_provider(problems);
    problems.nest_since(mark, PathStep::Name(name));
}

/// Implemented only with the `encryption` feature.
#[diagnostic::on_unimplemented(
    message = "`#[dynamo(encrypt)]` needs dynamo-model's `encryption` cargo feature"
)]
pub trait EncryptionEnabled {}

#[cfg(not(feature = "encryption"))]
mod encryption_off {
    use super::{AttributeValue, EncryptionEnabled, Problems};

    /// Does not compile: `encrypt` without the `encryption` feature.
    pub fn encrypt_value<T: EncryptionEnabled + ?Sized>(_: &T, _: &str) -> Option<AttributeValue> {
        None
    }

    /// Does not compile: `encrypt` without the `encryption` feature.
    pub fn decrypt_value<T: EncryptionEnabled>(_: AttributeValue, _: &str) -> Result<T, Problems> {
        Err(Problems::single("encryption is off"))
    }

    /// Does nothing: the field's codec already fails to compile.
    pub fn check_encrypted(_: &mut Problems, _: &'static str) {}
}
#[cfg(not(feature = "encryption"))]
pub use encryption_off::{check_encrypted, decrypt_value, encrypt_value};
