//! Rendering: every attribute name and value of an expression goes through a placeholder
//! (`#c0`, `:c1`), so names with dots, spaces, `#`, `:` or reserved words are safe and nothing
//! is spliced into the text. Each kind of expression has its own prefix, so a condition, a
//! filter, a key condition and an update merge into one request without collisions.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::value::path::{AttrPath, PathElement};

/// An expression rendered for a request: the text, its name placeholders and its values.
///
/// This is what every builder's `render()` returns, for inspection, snapshot tests and raw
/// SDK calls (`expression_attribute_names` / `expression_attribute_values`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Rendered {
    /// The expression text, with placeholders only.
    pub expression: String,
    /// `#placeholder` -> attribute name.
    pub names: HashMap<String, String>,
    /// `:placeholder` -> value.
    pub values: HashMap<String, AttributeValue>,
}

impl Rendered {
    /// Moves the placeholders into the maps of a request (several expressions share them).
    pub fn merge_into(
        self,
        names: &mut HashMap<String, String>,
        values: &mut HashMap<String, AttributeValue>,
    ) -> String {
        // The first expression of a request gives its maps as they are, without rehashing.
        if names.is_empty() {
            *names = self.names;
        } else {
            names.extend(self.names);
        }
        if values.is_empty() {
            *values = self.values;
        } else {
            values.extend(self.values);
        }
        self.expression
    }
}

/// The placeholder prefix of each kind of expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Prefix {
    Condition,
    Filter,
    Key,
    Update,
    Projection,
}

impl Prefix {
    fn as_str(self) -> &'static str {
        match self {
            Prefix::Condition => "c",
            Prefix::Filter => "f",
            Prefix::Key => "k",
            Prefix::Update => "u",
            Prefix::Projection => "p",
        }
    }
}

/// Hands out placeholders for one expression; the same name always gets the same one.
pub(crate) struct Placeholders {
    prefix: &'static str,
    /// How many names were given a placeholder (raw ones not counted).
    next_name: usize,
    rendered: Rendered,
    next_value: usize,
}

/// `#c0`, `:u3`: a sigil, the expression's prefix and a number, without `format!`.
fn placeholder(sigil: char, prefix: &str, number: usize) -> String {
    let mut text = String::with_capacity(1 + prefix.len() + 3);
    text.push(sigil);
    text.push_str(prefix);
    text.push_str(itoa::Buffer::new().format(number));
    text
}

impl Placeholders {
    pub(crate) fn new(prefix: Prefix) -> Self {
        Placeholders {
            prefix: prefix.as_str(),
            next_name: 0,
            rendered: Rendered::default(),
            next_value: 0,
        }
    }

    /// The placeholder of an attribute name (`#c0`).
    pub(crate) fn name(&mut self, name: &str) -> String {
        // An expression names few attributes: searching its map by name is cheap. Raw
        // placeholders (`#cr0_n`) stay the caller's own.
        let typed =
            |placeholder: &str| placeholder.as_bytes().get(1 + self.prefix.len()) != Some(&b'r');
        if let Some((placeholder, _)) = self
            .rendered
            .names
            .iter()
            .find(|(placeholder, known)| *known == name && typed(placeholder))
        {
            return placeholder.clone();
        }
        let placeholder = placeholder('#', self.prefix, self.next_name);
        self.next_name += 1;
        self.rendered
            .names
            .insert(placeholder.clone(), name.to_owned());
        placeholder
    }

    /// The placeholder of a value (`:c0`); every value gets its own.
    pub(crate) fn value(&mut self, value: AttributeValue) -> String {
        let placeholder = placeholder(':', self.prefix, self.next_value);
        self.next_value += 1;
        self.rendered.values.insert(placeholder.clone(), value);
        placeholder
    }

    /// The placeholder of an operand compared with or written to `path`, or why the value
    /// cannot be stored, naming the attribute.
    pub(crate) fn operand(
        &mut self,
        operand: &Result<AttributeValue, String>,
        path: &AttrPath,
    ) -> Result<String, String> {
        match operand {
            Ok(value) => Ok(self.value(value.clone())),
            Err(problem) => Err(format!("the value for `{path}`: {problem}")),
        }
    }

    /// A document path with a placeholder per name: `#c0.#c1[2]`.
    pub(crate) fn path(&mut self, path: &AttrPath) -> String {
        // The common case, a top-level attribute, is its placeholder alone.
        if let [PathElement::Name(name)] = path.elements() {
            return self.name(name);
        }
        let mut text = String::new();
        for element in path.elements().iter() {
            match element {
                PathElement::Name(name) => {
                    if !text.is_empty() {
                        text.push('.');
                    }
                    let placeholder = self.name(name);
                    text.push_str(&placeholder);
                }
                PathElement::Index(index) => {
                    text.push('[');
                    text.push_str(itoa::Buffer::new().format(*index));
                    text.push(']');
                }
            }
        }
        text
    }

    /// Registers a raw name placeholder chosen by the caller (already made unique).
    pub(crate) fn raw_name(&mut self, placeholder: String, name: String) {
        self.rendered.names.insert(placeholder, name);
    }

    /// Registers a raw value placeholder chosen by the caller (already made unique).
    pub(crate) fn raw_value(&mut self, placeholder: String, value: AttributeValue) {
        self.rendered.values.insert(placeholder, value);
    }

    /// The prefix for raw placeholders, unique within this expression.
    pub(crate) fn raw_prefix(&mut self) -> String {
        let prefix = format!("{}r{}_", self.prefix, self.next_value);
        self.next_value += 1;
        prefix
    }

    pub(crate) fn finish(mut self, expression: String) -> Rendered {
        self.rendered.expression = expression;
        self.rendered
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_shared_and_values_are_not() {
        let mut placeholders = Placeholders::new(Prefix::Filter);
        let a = placeholders.path(&AttrPath::top("status"));
        let b = placeholders.path(&AttrPath::top("status"));
        let nested = placeholders.path(&AttrPath::top("a.b").index(3).child("status"));
        let v0 = placeholders.value(AttributeValue::N("1".into()));
        let v1 = placeholders.value(AttributeValue::N("1".into()));
        assert_eq!((a.as_str(), b.as_str()), ("#f0", "#f0"));
        assert_eq!(nested, "#f1[3].#f0");
        assert_eq!((v0.as_str(), v1.as_str()), (":f0", ":f1"));
        let rendered = placeholders.finish(format!("{a} = {v0}"));
        assert_eq!(rendered.names["#f1"], "a.b");
        assert_eq!(rendered.values.len(), 2);
    }
}
