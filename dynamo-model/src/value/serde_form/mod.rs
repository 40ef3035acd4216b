//! A serde bridge: any `Serialize` / `Deserialize` type to and from `AttributeValue`, with no
//! JSON in between.
//!
//! This is how a field of a type from another crate is stored when the orphan rule keeps that
//! type from implementing [`ToAttributeValue`](super::ToAttributeValue):
//! mark it `#[dynamo(serde)]`, or wrap it in [`Serde`]. The functions below also convert
//! whole serde types by hand, as `serde_dynamo` does.
//!
//! The wire form is serde_dynamo's, so items written by either library read back in the
//! other:
//!
//! | serde data model                  | DynamoDB                                      |
//! |-----------------------------------|-----------------------------------------------|
//! | bool                              | `BOOL`                                        |
//! | integers, floats                  | `N` (non-finite floats are refused)           |
//! | char, string                      | `S`                                           |
//! | bytes (`serde_bytes`)             | `B`                                           |
//! | `None`, unit, unit struct         | `NULL`                                        |
//! | `Some(v)`, newtype struct         | `v`'s form                                    |
//! | sequence, tuple, tuple struct     | `L`                                           |
//! | map, struct                       | `M` (map keys: strings, chars or integers)    |
//! | unit variant                      | `S`, the variant's name                       |
//! | newtype, tuple, struct variant    | `M` with one entry, the variant's name        |
//!
//! Reading is lenient where serde_dynamo's writers differ: string, number and binary sets read
//! as sequences, and `B` reads as a sequence of bytes.
//!
//! # Examples
//!
//! ```
//! use dynamo_model::value::serde_form::{from_value, to_value};
//! use dynamo_model::value::AttributeValue;
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize, PartialEq, Debug)]
//! enum Shape {
//!     Circle { radius: f64 },
//!     Point,
//! }
//!
//! let value = to_value(&Shape::Point).unwrap();
//! assert_eq!(value, AttributeValue::S("Point".into()));
//! let circle = to_value(&Shape::Circle { radius: 1.5 }).unwrap();
//! assert_eq!(from_value::<Shape>(circle).unwrap(), Shape::Circle { radius: 1.5 });
//! ```

mod de;
mod ser;
mod wrapper;

use std::fmt;

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{AttributeValue, Item, PathStep, Problems};

pub use wrapper::Serde;
pub(crate) use wrapper::{check_field, decode_field, put_field};

/// Encodes a serde value as one attribute value.
///
/// # Errors
///
/// A value DynamoDB cannot hold (a NaN float, a map key that is not a string or an integer),
/// with the path of the part at fault.
pub fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<AttributeValue, SerdeError> {
    value.serialize(ser::ValueSerializer)
}

/// Decodes a serde value from one attribute value.
///
/// # Errors
///
/// A value of another shape than `T` expects, with the path of the part at fault.
pub fn from_value<T: DeserializeOwned>(value: AttributeValue) -> Result<T, SerdeError> {
    T::deserialize(de::ValueDeserializer::new(value))
}

/// Encodes a serde struct or map as a whole item.
///
/// # Errors
///
/// As [`to_value`], and a value that is not a map (a string, a list...).
pub fn to_item<T: Serialize + ?Sized>(value: &T) -> Result<Item, SerdeError> {
    match to_value(value)? {
        AttributeValue::M(item) => Ok(item),
        other => Err(SerdeError::message(format!(
            "an item must be a map (a struct or a map), found {}",
            super::type_name(&other)
        ))),
    }
}

/// Decodes a serde struct or map from a whole item.
///
/// # Errors
///
/// As [`from_value`].
pub fn from_item<T: DeserializeOwned>(item: Item) -> Result<T, SerdeError> {
    from_value(AttributeValue::M(item))
}

/// Why a value did not convert, with the path of each problem inside the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerdeError {
    problems: Problems,
}

impl SerdeError {
    fn message(message: impl Into<String>) -> Self {
        SerdeError {
            problems: Problems::single(message),
        }
    }

    /// The same error under one more path step (a map key or a list index).
    fn under(mut self, step: PathStep<'_>) -> Self {
        self.problems.nest_since(0, step);
        self
    }

    /// The problems, for a model's decode error.
    pub fn into_problems(self) -> Problems {
        self.problems
    }
}

impl fmt::Display for SerdeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let problems = self.problems.clone().into_vec();
        for (position, problem) in problems.iter().enumerate() {
            if position > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SerdeError {}

impl serde::ser::Error for SerdeError {
    fn custom<T: fmt::Display>(message: T) -> Self {
        SerdeError::message(message.to_string())
    }
}

impl serde::de::Error for SerdeError {
    fn custom<T: fmt::Display>(message: T) -> Self {
        SerdeError::message(message.to_string())
    }
}

impl From<SerdeError> for Problems {
    fn from(error: SerdeError) -> Self {
        error.problems
    }
}

#[cfg(test)]
mod tests;
