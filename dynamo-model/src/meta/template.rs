//! Key templates: composite key attributes such as `pk = "USER#{user_id}"` or
//! `sk = "ORDER#{created_at:10}#{order_id}"`, rendered from a model's fields on every write
//! and parsed back into typed parts.
//!
//! A template is literal text (kept as written: case and delimiters) and parts in braces,
//! each naming a field. A numeric part with a width (`{created_at:10}`) is zero-padded to
//! that many digits so that keys sort by number; it must then be a non-negative integer
//! that fits. A string part may not contain the literal that follows it, so that every key
//! parses back into the values it was made of.

use aws_sdk_dynamodb::types::AttributeValue;

use crate::value::{Item, ScalarType};

/// A key attribute built from fields: `USER#{user_id}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyTemplate {
    /// The template as declared.
    pub text: &'static str,
    /// Literal text and parts, in order.
    pub segments: &'static [Segment],
}

/// A piece of a [`KeyTemplate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Segment {
    /// Text kept as written.
    Literal(&'static str),
    /// The value of a field.
    Part(Part),
}

/// A field inside a key template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Part {
    /// The field's attribute name.
    pub attribute: &'static str,
    /// The field's scalar type (`S` or `N`).
    pub scalar_type: ScalarType,
    /// Digits a number is zero-padded to (`{field:10}`).
    pub width: Option<u8>,
}

impl KeyTemplate {
    /// The parts, in order.
    pub fn parts(&self) -> impl Iterator<Item = &'static Part> + '_ {
        self.segments.iter().filter_map(|segment| match segment {
            Segment::Part(part) => Some(part),
            Segment::Literal(_) => None,
        })
    }

    /// The key from the attributes of `item`; `Ok(None)` when a part is absent or null (an
    /// `Option` field that is `None`: a sparse index gets no key).
    ///
    /// # Errors
    ///
    /// A message when a value cannot be part of the key (see the module docs).
    pub fn render(&self, item: &Item) -> Result<Option<String>, String> {
        let mut values = Vec::with_capacity(self.segments.len());
        for part in self.parts() {
            match item.get(part.attribute) {
                None | Some(AttributeValue::Null(_)) => return Ok(None),
                Some(value) => values.push(value),
            }
        }
        self.render_prefix(&values).map(Some)
    }

    /// The key from the values of its parts, in order.
    ///
    /// # Errors
    ///
    /// As [`KeyTemplate::render`].
    pub fn render_values(&self, values: &[&AttributeValue]) -> Result<String, String> {
        let count = self.parts().count();
        if values.len() != count {
            return Err(format!(
                "the key template `{}` has {count} parts, {} given",
                self.text,
                values.len()
            ));
        }
        self.render_prefix(values)
    }

    /// The start of the key made of its first `values.len()` parts: the text up to the next
    /// part (`ORDER#0000000005#` for one part of `ORDER#{created_at:10}#{order_id}`), or the
    /// whole key when every part is given. What a sort-key `begins_with` compares.
    ///
    /// # Errors
    ///
    /// As [`KeyTemplate::render`], and when more values than parts are given.
    pub fn render_prefix(&self, values: &[&AttributeValue]) -> Result<String, String> {
        let mut out = String::new();
        let mut values = values.iter();
        for (position, segment) in self.segments.iter().enumerate() {
            match segment {
                Segment::Literal(text) => out.push_str(text),
                Segment::Part(part) => match values.next() {
                    Some(value) => {
                        let next = match self.segments.get(position + 1) {
                            Some(Segment::Literal(text)) => Some(*text),
                            _ => None,
                        };
                        render_part(part, value, next, &mut out)?;
                    }
                    None => return Ok(out),
                },
            }
        }
        match values.next() {
            None => Ok(out),
            Some(_) => Err(format!(
                "the key template `{}` has fewer parts than values given",
                self.text
            )),
        }
    }

    /// The values of the parts of `key`, in order, as attribute values of each part's type
    /// (numbers without their padding).
    ///
    /// # Errors
    ///
    /// A message saying where `key` does not fit the template.
    pub fn parse(&self, key: &str) -> Result<Vec<AttributeValue>, String> {
        let mismatch = |why: String| format!("the stored key does not fit `{}`: {why}", self.text);
        let mut rest = key;
        let mut values = Vec::new();
        for (position, segment) in self.segments.iter().enumerate() {
            match segment {
                Segment::Literal(text) => {
                    rest = rest
                        .strip_prefix(text)
                        .ok_or_else(|| mismatch(format!("expected `{text}`")))?;
                }
                Segment::Part(part) => {
                    let end = match (self.segments.get(position + 1), part.width) {
                        (Some(Segment::Literal(text)), _) => rest.find(text),
                        (None, _) => Some(rest.len()),
                        (Some(Segment::Part(_)), Some(width)) => {
                            Some(usize::from(width)).filter(|w| rest.is_char_boundary(*w))
                        }
                        (Some(Segment::Part(_)), None) => None,
                    }
                    .ok_or_else(|| {
                        mismatch(format!("cannot find the end of `{}`", part.attribute))
                    })?;
                    let (text, after) = rest.split_at(end);
                    values.push(parse_part(part, text).map_err(mismatch)?);
                    rest = after;
                }
            }
        }
        if rest.is_empty() {
            Ok(values)
        } else {
            Err(mismatch(format!(
                "{} characters are left over",
                rest.chars().count()
            )))
        }
    }
}

fn render_part(
    part: &Part,
    value: &AttributeValue,
    next_literal: Option<&str>,
    out: &mut String,
) -> Result<(), String> {
    let attribute = part.attribute;
    match (value, part.width) {
        (AttributeValue::S(_), Some(width)) => {
            return Err(format!(
                "`{attribute}` is a string; only numbers are padded (to {width} digits here)"
            ))
        }
        (AttributeValue::S(text), None) => {
            if text.is_empty() {
                return Err(format!("`{attribute}` is empty; a key part cannot be"));
            }
            if let Some(literal) = next_literal.filter(|l| text.contains(*l)) {
                return Err(format!(
                    "`{attribute}` contains `{literal}`, the text that ends it in the key, so the key could not be parsed back"
                ));
            }
            out.push_str(text);
        }
        (AttributeValue::N(number), None) => out.push_str(number),
        (AttributeValue::N(number), Some(width)) => {
            let digits = number.trim_start_matches('0');
            let digits = if digits.is_empty() { "0" } else { digits };
            if !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!(
                    "`{attribute}` is padded to {width} digits, so it must be a non-negative integer"
                ));
            }
            if digits.len() > usize::from(width) {
                return Err(format!(
                    "`{attribute}` has more than {width} digits, the width its key part is padded to"
                ));
            }
            out.extend(std::iter::repeat_n('0', usize::from(width) - digits.len()));
            out.push_str(digits);
        }
        _ => {
            return Err(format!(
                "`{attribute}` is not a string or a number, so it cannot be part of a key"
            ))
        }
    }
    Ok(())
}

fn parse_part(part: &Part, text: &str) -> Result<AttributeValue, String> {
    let attribute = part.attribute;
    if text.is_empty() {
        return Err(format!("`{attribute}` is empty"));
    }
    match part.scalar_type {
        ScalarType::S => Ok(AttributeValue::S(text.to_owned())),
        ScalarType::N => {
            let trimmed = if part.width.is_some() {
                let digits = text.trim_start_matches('0');
                if digits.is_empty() {
                    "0"
                } else {
                    digits
                }
            } else {
                text
            };
            crate::value::decimal::Number::parse(trimmed)
                .ok_or_else(|| format!("`{attribute}` is not a number"))?;
            Ok(AttributeValue::N(trimmed.to_owned()))
        }
        ScalarType::B => Err(format!(
            "`{attribute}` is binary, which a key template cannot hold"
        )),
    }
}

/// The attributes a model's key is made of, in the order of its key tuple: the parts of the
/// partition key's template, then those of the sort key's that are not already in it.
pub(crate) fn key_parts(meta: &crate::meta::TableMeta) -> Vec<&'static str> {
    let mut parts: Vec<&'static str> = Vec::new();
    for key in std::iter::once(meta.hash_key).chain(meta.range_key) {
        match key.template {
            Some(template) => {
                for part in template.parts() {
                    if !parts.contains(&part.attribute) {
                        parts.push(part.attribute);
                    }
                }
            }
            None => parts.push(key.attribute),
        }
    }
    parts
}

/// The key item of `values` (one per key part, in [`key_parts`] order), templates rendered.
pub(crate) fn key_item(
    meta: &crate::meta::TableMeta,
    values: Vec<AttributeValue>,
) -> Result<Item, String> {
    let mut item = Item::with_capacity(2);
    let keys = std::iter::once(meta.hash_key).chain(meta.range_key);
    if keys.clone().all(|key| key.template.is_none()) {
        for (key, value) in keys.zip(values) {
            item.insert(key.attribute.to_owned(), value);
        }
        return Ok(item);
    }
    let names = key_parts(meta);
    if names.len() != values.len() {
        return Err(format!(
            "the key has {} parts, {} given",
            names.len(),
            values.len()
        ));
    }
    for key in keys {
        let value = match key.template {
            Some(template) => {
                let parts: Vec<&AttributeValue> = template
                    .parts()
                    .filter_map(|part| {
                        let position = names.iter().position(|n| *n == part.attribute)?;
                        values.get(position)
                    })
                    .collect();
                AttributeValue::S(template.render_values(&parts)?)
            }
            None => {
                let position = names.iter().position(|n| *n == key.attribute);
                match position.and_then(|p| values.get(p)) {
                    Some(value) => value.clone(),
                    None => continue,
                }
            }
        };
        item.insert(key.attribute.to_owned(), value);
    }
    Ok(item)
}

/// The values of the key parts (in [`key_parts`] order) in the key attributes `hash` and
/// `range` of a table.
pub(crate) fn parse_key(
    meta: &crate::meta::TableMeta,
    hash: &str,
    range: Option<&str>,
) -> Result<Vec<AttributeValue>, String> {
    let names = key_parts(meta);
    let mut values: Vec<Option<AttributeValue>> = vec![None; names.len()];
    let keys = [(Some(meta.hash_key), Some(hash)), (meta.range_key, range)];
    for (key, text) in keys {
        let (Some(key), Some(text)) = (key, text) else {
            continue;
        };
        let parsed: Vec<(&str, AttributeValue)> = match key.template {
            Some(template) => {
                let attributes = template.parts().map(|p| p.attribute);
                attributes.zip(template.parse(text)?).collect()
            }
            None => {
                let part = Part {
                    attribute: key.attribute,
                    scalar_type: key.scalar_type,
                    width: None,
                };
                vec![(key.attribute, parse_part(&part, text)?)]
            }
        };
        for (attribute, value) in parsed {
            if let Some(slot) = names
                .iter()
                .position(|n| *n == attribute)
                .and_then(|p| values.get_mut(p))
            {
                *slot = Some(value);
            }
        }
    }
    names
        .iter()
        .zip(values)
        .map(|(name, value)| value.ok_or_else(|| format!("no key attribute holds `{name}`")))
        .collect()
}

/// True when a key of the table or of an index is a template.
pub(crate) fn has_templates(meta: &crate::meta::TableMeta) -> bool {
    // Without allocating: every put and update of every model asks.
    let index_keys = meta
        .indexes
        .iter()
        .flat_map(|index| std::iter::once(index.hash_key).chain(index.range_key));
    std::iter::once(meta.hash_key)
        .chain(meta.range_key)
        .chain(index_keys)
        .any(|key| key.template.is_some())
}

/// Every key attribute of the table and its indexes that has a template, each once.
pub(crate) fn templated_keys(
    meta: &crate::meta::TableMeta,
) -> impl Iterator<Item = (&'static str, &'static KeyTemplate)> {
    // `key_attributes` already lists each attribute once.
    meta.key_attributes()
        .into_iter()
        .filter_map(|key| key.template.map(|t| (key.attribute, t)))
}

/// Writes every templated key attribute of `item` (table and indexes) rendered from its
/// parts, as `to_item` does: a key with an absent part is not written (a sparse index), and
/// one that cannot be rendered is left out ([`write_keys`] says why).
pub(crate) fn put_keys(meta: &crate::meta::TableMeta, item: &mut Item) {
    for (attribute, template) in templated_keys(meta) {
        if let Ok(Some(key)) = template.render(item) {
            item.insert(attribute.to_owned(), AttributeValue::S(key));
        }
    }
}

/// As [`put_keys`] on the write path: a key that cannot be rendered is an error.
pub(crate) fn write_keys(meta: &crate::meta::TableMeta, item: &mut Item) -> Result<(), String> {
    if !has_templates(meta) {
        return Ok(());
    }
    for (attribute, template) in templated_keys(meta) {
        let rendered = template
            .render(item)
            .map_err(|why| format!("key `{attribute}` (`{}`): {why}", template.text))?;
        if let Some(key) = rendered {
            item.insert(attribute.to_owned(), AttributeValue::S(key));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORDER_SK: KeyTemplate = KeyTemplate {
        text: "ORDER#{created_at:10}#{order_id}",
        segments: &[
            Segment::Literal("ORDER#"),
            Segment::Part(Part {
                attribute: "created_at",
                scalar_type: ScalarType::N,
                width: Some(10),
            }),
            Segment::Literal("#"),
            Segment::Part(Part {
                attribute: "order_id",
                scalar_type: ScalarType::S,
                width: None,
            }),
        ],
    };

    fn s(text: &str) -> AttributeValue {
        AttributeValue::S(text.to_owned())
    }

    fn n(text: &str) -> AttributeValue {
        AttributeValue::N(text.to_owned())
    }

    #[test]
    fn renders_pads_and_parses_back() {
        let key = ORDER_SK.render_values(&[&n("42"), &s("o-1")]).unwrap();
        assert_eq!(key, "ORDER#0000000042#o-1");
        assert_eq!(ORDER_SK.parse(&key).unwrap(), vec![n("42"), s("o-1")]);
        assert_eq!(ORDER_SK.render_prefix(&[]).unwrap(), "ORDER#");
        assert_eq!(
            ORDER_SK.render_prefix(&[&n("7")]).unwrap(),
            "ORDER#0000000007#"
        );
    }

    #[test]
    fn refuses_what_would_not_parse_back_or_sort() {
        let error = |values: &[&AttributeValue]| ORDER_SK.render_values(values).unwrap_err();
        assert!(error(&[&n("-1"), &s("o")]).contains("non-negative integer"));
        assert!(error(&[&n("1.5"), &s("o")]).contains("non-negative integer"));
        assert!(error(&[&n("12345678901"), &s("o")]).contains("more than 10 digits"));
        assert!(error(&[&n("1"), &s("")]).contains("empty"));
        assert!(error(&[&n("1")]).contains("2 parts, 1 given"));
        let last_part_may_hold_delimiters = ORDER_SK.render_values(&[&n("1"), &s("a#b")]);
        assert_eq!(
            last_part_may_hold_delimiters.unwrap(),
            "ORDER#0000000001#a#b"
        );
    }

    #[test]
    fn parse_reports_where_a_key_does_not_fit_without_its_value() {
        for bad in ["USER#1", "ORDER#", "ORDER#abc#o1", "ORDER#0000000001"] {
            let error = ORDER_SK.parse(bad).unwrap_err();
            assert!(
                error.starts_with("the stored key does not fit `ORDER#"),
                "{error}"
            );
            let in_template = "ORDER#{created_at:10}#{order_id}".contains(bad);
            assert!(
                in_template || !error.contains(bad),
                "a stored key in a message: {error}"
            );
        }
    }

    #[test]
    fn absent_parts_give_no_key() {
        let mut item = Item::new();
        item.insert("created_at".into(), n("3"));
        assert_eq!(ORDER_SK.render(&item), Ok(None));
        item.insert("order_id".into(), AttributeValue::Null(true));
        assert_eq!(ORDER_SK.render(&item), Ok(None));
        item.insert("order_id".into(), s("o"));
        assert_eq!(
            ORDER_SK.render(&item).unwrap().as_deref(),
            Some("ORDER#0000000003#o")
        );
    }
}
