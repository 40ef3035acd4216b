//! Attributes stored as S3 objects (feature `s3`): a field of type [`Offloaded<T, OVER>`]
//! whose value is larger than `OVER` bytes is uploaded to the client's S3 store when the
//! item is written, and the item keeps a small [`S3Pointer`] in its place (bucket, key,
//! size, SHA-256 and content type). A value of at most `OVER` bytes stays in the item.
//!
//! Encoding runs synchronously, so a value to offload is left pending in the encoded item
//! and uploaded by the client's write path before any request is sent; encoded outside the
//! client (`to_item`), a value stays in the item whatever its size.
//!
//! The object holds bytes as they are (`Vec<u8>`, `bytes::Bytes`), strings as UTF-8, and
//! any other value in this crate's binary form, so a presigned URL serves files and text
//! directly.

use std::cell::Cell;
use std::collections::HashMap;
use std::fmt;

use aws_sdk_dynamodb::primitives::Blob;

use super::{
    value_size, AttributeValue, DynamoAttribute, FromAttributeValue, Problems, ToAttributeValue,
};
use crate::value::path::{AttrPath, Field};

/// The attribute name of a pointer's map: an item's attribute holding a map with this one
/// key is a pointer to an S3 object.
pub(crate) const POINTER_KEY: &str = "$s3";
/// The size a pointer takes in an item, at most, counted for a value still to upload.
pub(crate) const POINTER_SIZE: usize = 512;

/// Whether `bytes` are a value waiting for its upload.
pub(crate) fn is_pending(bytes: &[u8]) -> bool {
    bytes.starts_with(pending_tag())
}

/// Whether `values` (an item, or an update's values) hold a value waiting for its upload.
pub(crate) fn any_pending<'v>(values: impl IntoIterator<Item = &'v AttributeValue>) -> bool {
    values.into_iter().any(|value| match value {
        AttributeValue::B(b) => is_pending(b.as_ref()),
        AttributeValue::M(map) => any_pending(map.values()),
        AttributeValue::L(list) => any_pending(list),
        _ => false,
    })
}

/// Beside [`POINTER_KEY`] in a pointer read eagerly (never stored): the object's value.
pub(crate) const LOADED_KEY: &str = "$value";

/// How an object holds its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjectForm {
    /// The value's bytes as they are (a B value).
    Bytes,
    /// The value's text as UTF-8 (an S value).
    Text,
    /// Any other value, in this crate's binary form.
    Value,
}

impl ObjectForm {
    fn as_str(self) -> &'static str {
        match self {
            ObjectForm::Bytes => "bytes",
            ObjectForm::Text => "text",
            ObjectForm::Value => "value",
        }
    }

    fn parse(form: &str) -> Option<Self> {
        match form {
            "bytes" => Some(ObjectForm::Bytes),
            "text" => Some(ObjectForm::Text),
            "value" => Some(ObjectForm::Value),
            _ => None,
        }
    }

    /// The object's body for `value`, and its form.
    pub(crate) fn body_of(value: AttributeValue) -> (Vec<u8>, ObjectForm) {
        match value {
            AttributeValue::B(blob) => (blob.into_inner(), ObjectForm::Bytes),
            AttributeValue::S(text) => (text.into_bytes(), ObjectForm::Text),
            other => (super::wire::encode(&other), ObjectForm::Value),
        }
    }

    /// The value an object's body holds.
    pub(crate) fn value_of(self, body: Vec<u8>) -> Result<AttributeValue, String> {
        match self {
            ObjectForm::Bytes => Ok(AttributeValue::B(Blob::new(body))),
            ObjectForm::Text => String::from_utf8(body)
                .map(AttributeValue::S)
                .map_err(|_| "the object is not UTF-8 text".to_owned()),
            ObjectForm::Value => super::wire::decode(&body),
        }
    }

    /// The content type of an object without one given.
    pub(crate) fn default_content_type(self) -> &'static str {
        match self {
            ObjectForm::Bytes => "application/octet-stream",
            ObjectForm::Text => "text/plain; charset=utf-8",
            ObjectForm::Value => "application/vnd.dynamo-model.value",
        }
    }
}

/// Where an offloaded value is: what an item stores in its place.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct S3Pointer {
    /// The bucket.
    pub bucket: String,
    /// The object's key.
    pub key: String,
    /// The object's size in bytes.
    pub size: u64,
    /// The object's SHA-256, in lowercase hex.
    pub sha256: String,
    /// The object's content type.
    pub content_type: String,
    /// How the object holds the value.
    pub form: ObjectForm,
}

impl S3Pointer {
    /// The attribute value an item stores for this pointer.
    pub(crate) fn to_value(&self) -> AttributeValue {
        let fields = HashMap::from([
            ("bucket".to_owned(), AttributeValue::S(self.bucket.clone())),
            ("key".to_owned(), AttributeValue::S(self.key.clone())),
            ("size".to_owned(), AttributeValue::N(self.size.to_string())),
            ("sha256".to_owned(), AttributeValue::S(self.sha256.clone())),
            (
                "content_type".to_owned(),
                AttributeValue::S(self.content_type.clone()),
            ),
            (
                "form".to_owned(),
                AttributeValue::S(self.form.as_str().to_owned()),
            ),
        ]);
        AttributeValue::M(HashMap::from([(
            POINTER_KEY.to_owned(),
            AttributeValue::M(fields),
        )]))
    }

    /// A pointer with the value its object holds, as an eager read hands it to decoding.
    pub(crate) fn with_loaded(&self, value: AttributeValue) -> AttributeValue {
        let mut pointer = self.to_value();
        if let AttributeValue::M(outer) = &mut pointer {
            outer.insert(LOADED_KEY.to_owned(), value);
        }
        pointer
    }

    /// The pointer an attribute value holds, if it is one.
    pub(crate) fn from_value(value: &AttributeValue) -> Option<S3Pointer> {
        let AttributeValue::M(outer) = value else {
            return None;
        };
        if outer.len() != 1 && !(outer.len() == 2 && outer.contains_key(LOADED_KEY)) {
            return None;
        }
        let AttributeValue::M(fields) = outer.get(POINTER_KEY)? else {
            return None;
        };
        let text = |name: &str| match fields.get(name) {
            Some(AttributeValue::S(s)) => Some(s.clone()),
            _ => None,
        };
        let size = match fields.get("size") {
            Some(AttributeValue::N(n)) => n.parse().ok()?,
            _ => return None,
        };
        Some(S3Pointer {
            bucket: text("bucket")?,
            key: text("key")?,
            size,
            sha256: text("sha256")?,
            content_type: text("content_type")?,
            form: ObjectForm::parse(&text("form")?)?,
        })
    }
}

/// A value stored in S3 when it is larger than `OVER` bytes (DynamoDB's size of the
/// encoded value), in the item otherwise. See the [module](self).
///
/// Read back, it holds the value when the item held it or the client read the object
/// eagerly ([`S3Store::eager`](crate::S3Store::eager)), and only the pointer otherwise:
/// [`Dynamo::load`](crate::Dynamo::load) reads it then.
#[derive(Clone, PartialEq)]
pub struct Offloaded<T, const OVER: usize = 0> {
    state: State<T>,
    content_type: Option<String>,
}

#[derive(Clone, PartialEq)]
enum State<T> {
    /// A value to write, or read from the item itself.
    Value(T),
    /// In S3, not read yet.
    Stored(S3Pointer),
    /// In S3, and read.
    Loaded(T, S3Pointer),
}

impl<T, const OVER: usize> Offloaded<T, OVER> {
    /// A value to write.
    pub fn new(value: T) -> Self {
        Offloaded {
            state: State::Value(value),
            content_type: None,
        }
    }

    /// The content type its object is stored with (by default `application/octet-stream`
    /// for bytes, `text/plain; charset=utf-8` for text).
    #[must_use]
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// A value read as a pointer, not loaded yet.
    pub fn stored(pointer: S3Pointer) -> Self {
        Offloaded {
            state: State::Stored(pointer),
            content_type: None,
        }
    }

    /// The value, when it is at hand (written, read from the item, or loaded).
    pub fn value(&self) -> Option<&T> {
        match &self.state {
            State::Value(value) | State::Loaded(value, _) => Some(value),
            State::Stored(_) => None,
        }
    }

    /// The value, when it is at hand.
    pub fn into_value(self) -> Option<T> {
        match self.state {
            State::Value(value) | State::Loaded(value, _) => Some(value),
            State::Stored(_) => None,
        }
    }

    /// Where the value is stored in S3, when it was read from there (loaded or not).
    pub fn pointer(&self) -> Option<&S3Pointer> {
        match &self.state {
            State::Value(_) => None,
            State::Stored(pointer) | State::Loaded(_, pointer) => Some(pointer),
        }
    }

    /// Whether the value is in S3 and not read yet.
    pub fn is_loaded(&self) -> bool {
        !matches!(self.state, State::Stored(_))
    }

    /// Replaces the value: the next write uploads it (when over the threshold) and, once
    /// the item is written, removes the object that held the old one.
    pub fn set(&mut self, value: T) {
        self.state = State::Value(value);
    }

    /// Keeps `value`, read from the object this points at.
    pub(crate) fn loaded(&mut self, value: T) {
        self.state = match &self.state {
            State::Stored(pointer) | State::Loaded(_, pointer) => {
                State::Loaded(value, pointer.clone())
            }
            State::Value(_) => State::Value(value),
        };
    }
}

impl<T, const OVER: usize> From<T> for Offloaded<T, OVER> {
    fn from(value: T) -> Self {
        Offloaded::new(value)
    }
}

impl<T, const OVER: usize> fmt::Debug for Offloaded<T, OVER> {
    /// The pointer, or the value's type: never the value, which may be large.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.state {
            State::Value(_) => write!(f, "Offloaded<{}>(value)", std::any::type_name::<T>()),
            State::Stored(pointer) => {
                write!(f, "Offloaded(s3://{}/{})", pointer.bucket, pointer.key)
            }
            State::Loaded(_, pointer) => {
                write!(
                    f,
                    "Offloaded(s3://{}/{}, loaded)",
                    pointer.bucket, pointer.key
                )
            }
        }
    }
}

thread_local! {
    /// Set while the client encodes an item to write: values over their threshold are
    /// left pending for the upload step.
    static OFFLOADING: Cell<bool> = const { Cell::new(false) };
    /// Values left pending since the client started encoding.
    static PENDING: Cell<usize> = const { Cell::new(0) };
}

/// Runs `encode` as the client's write path does: values over their threshold are left
/// pending; also how many were.
pub(crate) fn offloading<R>(encode: impl FnOnce() -> R) -> (R, usize) {
    PENDING.with(|count| count.set(0));
    let before = OFFLOADING.with(|on| on.replace(true));
    let result = encode();
    OFFLOADING.with(|on| on.set(before));
    (result, PENDING.with(|count| count.replace(0)))
}

/// The start of a pending value: `DMO0` and 16 random bytes drawn once per process, so no
/// stored binary value can pass for one.
fn pending_tag() -> &'static [u8; 20] {
    static TAG: std::sync::OnceLock<[u8; 20]> = std::sync::OnceLock::new();
    TAG.get_or_init(|| {
        let mut tag = [0u8; 20];
        tag[..4].copy_from_slice(b"DMO0");
        for byte in &mut tag[4..] {
            *byte = fastrand::u8(..);
        }
        tag
    })
}

/// A value waiting for its upload: the object's body, form and content type.
#[derive(Debug)]
pub(crate) struct Pending {
    pub(crate) body: Vec<u8>,
    pub(crate) form: ObjectForm,
    pub(crate) content_type: String,
}

impl Pending {
    fn encode(value: AttributeValue, content_type: Option<&str>) -> AttributeValue {
        let (body, form) = ObjectForm::body_of(value);
        let content_type = content_type.unwrap_or(form.default_content_type());
        let content_type = &content_type.as_bytes()[..content_type.len().min(255)];
        let mut bytes =
            Vec::with_capacity(pending_tag().len() + 2 + content_type.len() + body.len());
        bytes.extend_from_slice(pending_tag());
        bytes.push(match form {
            ObjectForm::Bytes => 0,
            ObjectForm::Text => 1,
            ObjectForm::Value => 2,
        });
        bytes.push(u8::try_from(content_type.len()).unwrap_or(u8::MAX));
        bytes.extend_from_slice(content_type);
        bytes.extend_from_slice(&body);
        AttributeValue::B(Blob::new(bytes))
    }

    /// The pending value `value` holds, if it is one.
    pub(crate) fn parse(value: &AttributeValue) -> Option<Pending> {
        let AttributeValue::B(blob) = value else {
            return None;
        };
        let rest = blob.as_ref().strip_prefix(pending_tag().as_slice())?;
        let (&form, rest) = rest.split_first()?;
        let (&length, rest) = rest.split_first()?;
        let (content_type, body) = rest.split_at_checked(usize::from(length))?;
        Some(Pending {
            body: body.to_vec(),
            form: match form {
                0 => ObjectForm::Bytes,
                1 => ObjectForm::Text,
                _ => ObjectForm::Value,
            },
            content_type: String::from_utf8_lossy(content_type).into_owned(),
        })
    }
}

impl<T: ToAttributeValue, const OVER: usize> ToAttributeValue for Offloaded<T, OVER> {
    fn to_attribute_value(&self) -> Option<AttributeValue> {
        match &self.state {
            // Read from S3 and unchanged: the item keeps pointing at the same object.
            State::Stored(pointer) | State::Loaded(_, pointer) => Some(pointer.to_value()),
            State::Value(value) => {
                let value = value.to_attribute_value()?;
                if !OFFLOADING.with(Cell::get) || value_size(&value) <= OVER {
                    return Some(value);
                }
                PENDING.with(|count| count.set(count.get() + 1));
                Some(Pending::encode(value, self.content_type.as_deref()))
            }
        }
    }

    fn check_value(&self, problems: &mut Problems) {
        if let State::Value(value) = &self.state {
            value.check_value(problems);
        }
    }
}

impl<T: FromAttributeValue, const OVER: usize> FromAttributeValue for Offloaded<T, OVER> {
    fn from_attribute_value(value: AttributeValue) -> Result<Self, Problems> {
        let Some(pointer) = S3Pointer::from_value(&value) else {
            return T::from_attribute_value(value).map(Offloaded::new);
        };
        let AttributeValue::M(mut outer) = value else {
            return Ok(Offloaded::stored(pointer));
        };
        match outer.remove(LOADED_KEY) {
            Some(loaded) => Ok(Offloaded {
                state: State::Loaded(T::from_attribute_value(loaded)?, pointer),
                content_type: None,
            }),
            None => Ok(Offloaded::stored(pointer)),
        }
    }

    fn from_missing_attribute() -> Option<Self> {
        T::from_missing_attribute().map(Offloaded::new)
    }
}

impl<T: DynamoAttribute, const OVER: usize> DynamoAttribute for Offloaded<T, OVER> {
    type Fields<M> = Field<M, Offloaded<T, OVER>>;

    fn fields_at<M>(path: AttrPath) -> Self::Fields<M> {
        Field::new(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_round_trip_through_their_attribute_value() {
        let pointer = S3Pointer {
            bucket: "b".into(),
            key: "docs/1".into(),
            size: 12,
            sha256: "ab".repeat(32),
            content_type: "application/pdf".into(),
            form: ObjectForm::Bytes,
        };
        let value = pointer.to_value();
        assert_eq!(S3Pointer::from_value(&value), Some(pointer.clone()));
        let read: Offloaded<Vec<u8>> = Offloaded::from_attribute_value(value).unwrap();
        assert_eq!(read.pointer(), Some(&pointer));
    }

    #[test]
    fn only_the_write_path_leaves_large_values_pending() {
        let big: Offloaded<String, 4> = Offloaded::new("more than four".into());
        let small: Offloaded<String, 4> = Offloaded::new("tiny".into());
        assert_eq!(
            big.to_attribute_value(),
            Some(AttributeValue::S("more than four".into()))
        );
        let ((pending, inline), count) = offloading(|| {
            (
                big.to_attribute_value().unwrap(),
                small.to_attribute_value(),
            )
        });
        assert_eq!(count, 1);
        assert_eq!(inline, Some(AttributeValue::S("tiny".into())));
        let pending = Pending::parse(&pending).unwrap();
        assert_eq!(
            (pending.body.as_slice(), pending.form),
            (b"more than four".as_slice(), ObjectForm::Text)
        );
        assert_eq!(pending.content_type, "text/plain; charset=utf-8");
    }

    #[test]
    fn object_bodies_hold_bytes_text_and_other_values() {
        for value in [
            AttributeValue::B(Blob::new(vec![0, 1, 2])),
            AttributeValue::S("text".into()),
            AttributeValue::L(vec![AttributeValue::N("1".into())]),
        ] {
            let (body, form) = ObjectForm::body_of(value.clone());
            assert_eq!(form.value_of(body).unwrap(), value);
        }
        assert!(ObjectForm::Text.value_of(vec![0xff]).is_err());
    }
}
