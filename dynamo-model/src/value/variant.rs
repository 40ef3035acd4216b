//! Enums whose variants hold data (`#[derive(DynamoAttribute)]`), stored as maps in serde's
//! three tagged forms, so serde_dynamo reads what we write and the other way round:
//!
//! - external (the default): `{"Circle": <content>}`, a unit variant its name alone (S);
//! - internal (`tag = "type"`): `{"type": "Circle", <the variant's fields>}`;
//! - adjacent (`tag = "t", content = "c"`): `{"t": "Circle", "c": <content>}`.
//!
//! The content of a newtype variant is its value, of a tuple variant a list (L), of a struct
//! variant a map (M) of its fields. The derive generates one match per direction; these
//! functions do the rest.

use std::collections::HashMap;

use super::{
    decode_present, to_value_or_null, type_name, AttributeValue, FromAttributeValue, Item,
    PathStep, Problems, ToAttributeValue,
};

/// Where an enum writes its variant's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tagging {
    /// `{"Circle": <content>}`; a unit variant is its name (S).
    External,
    /// `{"<tag>": "Circle", <fields>}`: struct variants, unit variants, and newtype variants
    /// of a map or a nested model.
    Internal {
        /// The attribute holding the variant's name.
        tag: &'static str,
    },
    /// `{"<tag>": "Circle", "<content>": <content>}`; a unit variant has no content.
    Adjacent {
        /// The attribute holding the variant's name.
        tag: &'static str,
        /// The attribute holding the variant's content.
        content: &'static str,
    },
}

/// What a variant holds, encoded.
#[derive(Debug, Clone, PartialEq)]
pub enum VariantContent {
    /// Nothing (a unit variant).
    Unit,
    /// One value: a newtype variant's value, or a tuple variant's list.
    Value(AttributeValue),
    /// A struct variant's fields.
    Fields(Item),
}

impl Tagging {
    /// The path step of a variant's content below the enum's value: the variant's name,
    /// the content attribute, or none (internal: the fields sit beside the tag).
    fn content_step(self, variant: &str) -> Option<PathStep<'_>> {
        match self {
            Tagging::External => Some(PathStep::Name(variant)),
            Tagging::Internal { .. } => None,
            Tagging::Adjacent { content, .. } => Some(PathStep::Name(content)),
        }
    }
}

/// The stored form of variant `name` holding `content`; `None` when the form cannot hold
/// it (an internally tagged newtype of something other than a map), which
/// [`check_internal_content`] reports before any write.
pub fn encode_variant(
    tagging: Tagging,
    name: &'static str,
    content: VariantContent,
) -> Option<AttributeValue> {
    let tagged = |tag: &'static str, mut map: Item| {
        map.insert(tag.to_owned(), AttributeValue::S(name.to_owned()));
        AttributeValue::M(map)
    };
    Some(match (tagging, content) {
        (Tagging::External, VariantContent::Unit) => AttributeValue::S(name.to_owned()),
        (Tagging::External, VariantContent::Value(value)) => {
            AttributeValue::M(HashMap::from([(name.to_owned(), value)]))
        }
        (Tagging::External, VariantContent::Fields(fields)) => {
            AttributeValue::M(HashMap::from([(
                name.to_owned(),
                AttributeValue::M(fields),
            )]))
        }
        (Tagging::Internal { tag }, VariantContent::Unit) => tagged(tag, Item::with_capacity(1)),
        (Tagging::Internal { tag }, VariantContent::Fields(fields)) => tagged(tag, fields),
        (Tagging::Internal { tag }, VariantContent::Value(AttributeValue::M(map))) => {
            tagged(tag, map)
        }
        (Tagging::Internal { .. }, VariantContent::Value(_)) => return None,
        (Tagging::Adjacent { tag, .. }, VariantContent::Unit) => {
            tagged(tag, Item::with_capacity(1))
        }
        (Tagging::Adjacent { tag, content }, VariantContent::Value(value)) => {
            tagged(tag, HashMap::from([(content.to_owned(), value)]))
        }
        (Tagging::Adjacent { tag, content }, VariantContent::Fields(fields)) => tagged(
            tag,
            HashMap::from([(content.to_owned(), AttributeValue::M(fields))]),
        ),
    })
}

/// The content of a newtype or tuple variant: its value, `NULL` for an absent one.
#[inline]
pub fn content_value<T: ToAttributeValue + ?Sized>(value: &T) -> AttributeValue {
    to_value_or_null(value)
}

/// Reports an internally tagged newtype variant whose value is not a map: the form has
/// nowhere to put it.
pub fn check_internal_content<T: ToAttributeValue>(
    problems: &mut Problems,
    variant: &'static str,
    value: &T,
) {
    if let Some(other) = value
        .to_attribute_value()
        .filter(|v| !matches!(v, AttributeValue::M(_)))
    {
        problems.push(format!(
            "variant `{variant}` holds a {} value, and an internally tagged variant can hold only a map or a nested model: use `content = \"...\"` for adjacent tagging",
            type_name(&other)
        ));
    }
}

/// Prefixes the problems recorded since `mark` (of variant `name`'s content) with the
/// content's path step.
pub fn nest_content(problems: &mut Problems, mark: usize, tagging: Tagging, name: &str) {
    if let Some(step) = tagging.content_step(name) {
        problems.nest_since(mark, step);
    }
}

/// Reads the variant's name and content from a stored value.
///
/// # Errors
///
/// A value of another shape than the form, or without a tag.
pub fn decode_variant(
    tagging: Tagging,
    value: AttributeValue,
) -> Result<(String, VariantContent), Problems> {
    match (tagging, value) {
        (Tagging::External, AttributeValue::S(name)) => Ok((name, VariantContent::Unit)),
        (Tagging::External, AttributeValue::M(map)) if map.len() == 1 => {
            let mut entries = map.into_iter();
            match entries.next() {
                Some((name, content)) => Ok((name, VariantContent::Value(content))),
                None => Err(Problems::single("expected one entry")),
            }
        }
        (Tagging::External, other) => Err(Problems::single(format!(
            "expected a variant: its name (S) or a map of one entry, its name to its content (M), found {}",
            describe(&other)
        ))),
        (Tagging::Internal { tag }, AttributeValue::M(mut map)) => {
            let name = take_tag(&mut map, tag)?;
            Ok((name, VariantContent::Fields(map)))
        }
        (Tagging::Adjacent { tag, content }, AttributeValue::M(mut map)) => {
            let name = take_tag(&mut map, tag)?;
            Ok(match map.remove(content) {
                Some(value) => (name, VariantContent::Value(value)),
                None => (name, VariantContent::Unit),
            })
        }
        (_, other) => Err(Problems::mismatch("M", &other)),
    }
}

fn describe(value: &AttributeValue) -> String {
    match value {
        AttributeValue::M(map) => format!("M with {} entries", map.len()),
        other => type_name(other).to_owned(),
    }
}

fn take_tag(map: &mut Item, tag: &str) -> Result<String, Problems> {
    match map.remove(tag) {
        Some(AttributeValue::S(name)) => Ok(name),
        Some(other) => Err(Problems::at(
            tag,
            format!(
                "expected S (the variant's name), found {}",
                type_name(&other)
            ),
        )),
        None => Err(Problems::single(format!(
            "missing the tag attribute `{tag}` that names the variant"
        ))),
    }
}

/// Decodes variant `name`'s content with `decode`, its problems under the content's path.
///
/// # Errors
///
/// What `decode` reports.
pub fn decode_content<T>(
    tagging: Tagging,
    name: &str,
    content: VariantContent,
    decode: impl FnOnce(VariantContent) -> Result<T, Problems>,
) -> Result<T, Problems> {
    decode(content).map_err(|child| {
        let mut problems = Problems::new();
        match tagging.content_step(name) {
            Some(step) => problems.absorb(step, child),
            None => problems.absorb_all(&mut { child }),
        }
        problems
    })
}

/// A newtype variant's value.
///
/// # Errors
///
/// A value that does not decode as `T`, or no content when `T` needs one.
pub fn newtype_content<T: FromAttributeValue>(content: VariantContent) -> Result<T, Problems> {
    match content {
        VariantContent::Value(value) => decode_present(value),
        VariantContent::Fields(fields) => T::from_attribute_value(AttributeValue::M(fields)),
        VariantContent::Unit => T::from_missing_attribute()
            .ok_or_else(|| Problems::single("the variant holds a value, and none is stored")),
    }
}

/// A tuple variant's values, `len` of them, as a list to decode element by element.
///
/// # Errors
///
/// Content that is not a list of `len` values.
pub fn tuple_content(content: VariantContent, len: usize) -> Result<Vec<AttributeValue>, Problems> {
    match content {
        VariantContent::Value(AttributeValue::L(values)) if values.len() == len => Ok(values),
        VariantContent::Value(AttributeValue::L(values)) => Err(Problems::single(format!(
            "expected a list of {len} values, found {}",
            values.len()
        ))),
        VariantContent::Value(other) => Err(Problems::mismatch("L", &other)),
        _ => Err(Problems::single(format!("expected a list of {len} values"))),
    }
}

/// A struct variant's fields, as an item to decode field by field.
///
/// # Errors
///
/// Content that is not a map.
pub fn struct_content(content: VariantContent) -> Result<Item, Problems> {
    match content {
        VariantContent::Fields(fields) | VariantContent::Value(AttributeValue::M(fields)) => {
            Ok(fields)
        }
        VariantContent::Value(other) => Err(Problems::mismatch("M", &other)),
        VariantContent::Unit => Ok(Item::new()),
    }
}

/// Decodes element `index` of a tuple variant, recording its problems under the index.
pub fn decode_element<T: FromAttributeValue>(
    problems: &mut Problems,
    index: usize,
    value: AttributeValue,
) -> Option<T> {
    match decode_present(value) {
        Ok(value) => Some(value),
        Err(child) => {
            problems.absorb(PathStep::Index(index), child);
            None
        }
    }
}

/// Records the codec checks of element `index` of a tuple variant.
pub fn check_element<T: ToAttributeValue>(problems: &mut Problems, index: usize, value: &T) {
    let mark = problems.len();
    value.check_value(problems);
    problems.nest_since(mark, PathStep::Index(index));
}
