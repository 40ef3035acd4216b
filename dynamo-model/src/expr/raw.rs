//! Hand-written expression text: the escape hatch for what the typed builders cannot say.
//!
//! The caller's placeholders are renamed to a prefix unique within the expression, so they
//! never collide with generated placeholders or with another expression of the request.
//! Every placeholder used must be defined, and every one defined must be used (DynamoDB
//! rejects both mistakes; here they fail before any request).

use std::collections::BTreeMap;

use aws_sdk_dynamodb::types::AttributeValue;

use super::operand::Operand;
use super::render::Placeholders;

#[derive(Debug, Clone)]
pub(crate) struct Unchecked {
    expression: String,
    names: BTreeMap<String, String>,
    values: BTreeMap<String, Operand>,
}

fn is_placeholder_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

impl Unchecked {
    pub(crate) fn new(expression: String) -> Self {
        Unchecked {
            expression,
            names: BTreeMap::new(),
            values: BTreeMap::new(),
        }
    }

    pub(crate) fn name(&mut self, placeholder: String, name: String) {
        self.names.insert(placeholder, name);
    }

    pub(crate) fn value(&mut self, placeholder: String, value: Operand) {
        self.values.insert(placeholder, value);
    }

    /// Writes the expression with renamed placeholders into `out`.
    pub(crate) fn render(
        &self,
        placeholders: &mut Placeholders,
        out: &mut String,
    ) -> Result<(), String> {
        let prefix = placeholders.raw_prefix();
        let mut used_names = BTreeMap::<&str, String>::new();
        let mut used_values = BTreeMap::<&str, String>::new();
        let text = &self.expression;
        let mut rest = text.as_str();
        while let Some(at) = rest.find(['#', ':']) {
            out.push_str(&rest[..at]);
            let sigil = &rest[at..=at];
            let tail = &rest[at + 1..];
            let end = tail.find(|c| !is_placeholder_char(c)).unwrap_or(tail.len());
            let token = &rest[at..at + 1 + end];
            if end == 0 {
                return Err(format!(
                    "unchecked expression `{text}`: `{sigil}` starts no placeholder"
                ));
            }
            let renamed = format!("{sigil}{prefix}{}", &tail[..end]);
            if sigil == "#" {
                if !self.names.contains_key(token) {
                    return Err(format!(
                        "unchecked expression `{text}`: name placeholder `{token}` is not defined"
                    ));
                }
                used_names.insert(token, renamed.clone());
            } else {
                if !self.values.contains_key(token) {
                    return Err(format!(
                        "unchecked expression `{text}`: value placeholder `{token}` is not defined"
                    ));
                }
                used_values.insert(token, renamed.clone());
            }
            out.push_str(&renamed);
            rest = &tail[end..];
        }
        out.push_str(rest);
        for (placeholder, name) in &self.names {
            let renamed = used_names.get(placeholder.as_str()).ok_or_else(|| {
                format!("unchecked expression `{text}`: name placeholder `{placeholder}` is defined but not used")
            })?;
            placeholders.raw_name(renamed.clone(), name.clone());
        }
        for (placeholder, value) in &self.values {
            let renamed = used_values.get(placeholder.as_str()).ok_or_else(|| {
                format!("unchecked expression `{text}`: value placeholder `{placeholder}` is defined but not used")
            })?;
            let value: AttributeValue = value.clone().map_err(|e| {
                format!("unchecked expression `{text}`: value `{placeholder}`: {e}")
            })?;
            placeholders.raw_value(renamed.clone(), value);
        }
        Ok(())
    }
}
