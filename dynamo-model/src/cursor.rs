//! Cursors: a page's last evaluated key as an opaque, URL-safe string, and back, and the
//! checks a start key passes before it is sent.
//!
//! ```
//! use dynamo_model::cursor;
//! use dynamo_model::value::{AttributeValue, Item};
//!
//! let key = Item::from([("user_id".to_owned(), AttributeValue::S("ada".into()))]);
//! let text = cursor::encode(&key);
//! assert!(text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
//! assert_eq!(cursor::decode(&text)?, key);
//! assert!(cursor::decode("not a cursor").is_err());
//! # Ok::<(), dynamo_model::Error>(())
//! ```
//!
//! A cursor is not signed: a client can change it, so it is checked against the model's
//! key schema before use, like any start key.

use aws_sdk_dynamodb::types::AttributeValue;

use crate::client::{Page, Query, Scan};
use crate::error::{Error, Result};
use crate::expr::KeySchema;
use crate::model::collection::Load;
use crate::model::Table;
use crate::value::Item;

/// The format version, the first byte of every cursor.
const VERSION: u8 = 1;
/// A key has at most ten attributes: the table's two and an index's eight (four partition
/// and four sort attributes of a multi-attribute key).
const MAX_ATTRIBUTES: usize = 10;
/// DynamoDB's longest key attribute value (a partition key, 2048 bytes).
const MAX_VALUE_BYTES: usize = crate::value::MAX_PARTITION_KEY_BYTES;
/// DynamoDB's longest attribute name.
const MAX_NAME_BYTES: usize = 255;
/// The longest cursor text accepted, from the limits above.
const MAX_CURSOR_CHARS: usize =
    4 * (2 + MAX_ATTRIBUTES * (1 + MAX_NAME_BYTES + 1 + 2 + MAX_VALUE_BYTES)) / 3 + 4;

/// Encodes a key (a page's `last_evaluated_key`) as URL-safe base64 text without padding.
///
/// Keys hold only `S`, `N` and `B` attributes; any other kind of attribute is encoded as
/// its absence, which [`decode`] and the start-key checks report.
pub fn encode(key: &Item) -> String {
    let mut attributes: Vec<(&String, &AttributeValue)> = key.iter().collect();
    attributes.sort_by(|a, b| a.0.cmp(b.0));
    let mut bytes = vec![VERSION, u8::try_from(attributes.len()).unwrap_or(u8::MAX)];
    for (name, value) in attributes {
        let (tag, data): (u8, &[u8]) = match value {
            AttributeValue::S(s) => (b'S', s.as_bytes()),
            AttributeValue::N(n) => (b'N', n.as_bytes()),
            AttributeValue::B(b) => (b'B', b.as_ref()),
            _ => (b'?', &[]),
        };
        bytes.push(u8::try_from(name.len()).unwrap_or(u8::MAX));
        bytes.extend(name.as_bytes().iter().take(MAX_NAME_BYTES));
        bytes.push(tag);
        bytes.extend(u16::try_from(data.len()).unwrap_or(u16::MAX).to_be_bytes());
        bytes.extend(data.iter().take(usize::from(u16::MAX)));
    }
    to_base64url(&bytes)
}

fn to_base64url(bytes: &[u8]) -> String {
    aws_smithy_types::base64::encode(bytes)
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect()
}

fn from_base64url(text: &str) -> Result<Vec<u8>> {
    if let Some(bad) = text
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Err(invalid(format!("a cursor has no {bad:?} character")));
    }
    let mut standard: String = text
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    while !standard.len().is_multiple_of(4) {
        standard.push('=');
    }
    aws_smithy_types::base64::decode(&standard)
        .map_err(|_| invalid("the cursor is not valid base64"))
}

fn invalid(message: impl Into<String>) -> Error {
    Error::invalid_operation("cursor", message)
}

/// Decodes a cursor made by [`encode`].
///
/// # Errors
///
/// An invalid-request error for text that is not such a cursor: not base64, another
/// version, truncated, too long, or with an attribute DynamoDB keys cannot hold.
pub fn decode(text: &str) -> Result<Item> {
    if text.len() > MAX_CURSOR_CHARS {
        return Err(invalid(format!(
            "a cursor is at most {MAX_CURSOR_CHARS} characters; this one has {}",
            text.len()
        )));
    }
    let bytes = from_base64url(text)?;
    let mut reader = Reader { bytes: &bytes };
    if reader.byte()? != VERSION {
        return Err(invalid("the cursor was made by another version"));
    }
    let count = usize::from(reader.byte()?);
    if count == 0 || count > MAX_ATTRIBUTES {
        return Err(invalid(format!(
            "a cursor holds 1 to {MAX_ATTRIBUTES} key attributes, not {count}"
        )));
    }
    let mut key = Item::new();
    for _ in 0..count {
        let name_len = usize::from(reader.byte()?);
        let name = String::from_utf8(reader.take(name_len)?.to_vec())
            .map_err(|_| invalid("a cursor attribute name is not UTF-8"))?;
        if name.is_empty() {
            return Err(invalid("a cursor attribute has an empty name"));
        }
        let tag = reader.byte()?;
        let [high, low] = [reader.byte()?, reader.byte()?];
        let data = reader.take(usize::from(u16::from_be_bytes([high, low])))?;
        if data.len() > MAX_VALUE_BYTES {
            return Err(invalid(format!(
                "the cursor attribute `{name}` is over {MAX_VALUE_BYTES} bytes"
            )));
        }
        let text = || {
            String::from_utf8(data.to_vec())
                .map_err(|_| invalid(format!("the cursor attribute `{name}` is not UTF-8")))
        };
        let value = match tag {
            b'S' => AttributeValue::S(text()?),
            b'N' => AttributeValue::N(text()?),
            b'B' => AttributeValue::B(data.to_vec().into()),
            _ => {
                return Err(invalid(format!(
                    "the cursor attribute `{name}` is not a string, number or binary"
                )))
            }
        };
        if key.insert(name.clone(), value).is_some() {
            return Err(invalid(format!("the cursor names `{name}` twice")));
        }
    }
    if !reader.bytes.is_empty() {
        return Err(invalid("the cursor has bytes after its key"));
    }
    Ok(key)
}

/// Reads a cursor's bytes front to back, never past the end.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8> {
        self.take(1).map(|b| b[0])
    }

    fn take(&mut self, count: usize) -> Result<&'a [u8]> {
        if count > self.bytes.len() {
            return Err(invalid("the cursor is cut short"));
        }
        let (taken, rest) = self.bytes.split_at(count);
        self.bytes = rest;
        Ok(taken)
    }
}

/// A secret that signs cursors (HMAC-SHA-256), so that clients given a cursor cannot forge
/// another: a cursor names where a query resumes, which may be a partition the caller was
/// never shown.
///
/// A page's signed cursor is bound to the read that made it: the table (with the client's
/// prefix), the index, the model and the query's key condition. It resumes only that read:
/// not another table with the same key schema, another index or another partition. It
/// carries the id of the secret that signed it, so a key rotated with
/// [`with_previous`](CursorKey::with_previous) still accepts cursors of the old secret, and
/// optionally an expiry ([`expire_after`](CursorKey::expire_after)).
///
/// ```
/// use dynamo_model::cursor::{self, CursorKey};
/// use dynamo_model::AttributeValue;
///
/// let key = CursorKey::new(b"a secret of at least 32 bytes...")?;
/// let last = [("pk".to_owned(), AttributeValue::S("USER#1".into()))].into();
/// let signed = key.sign(&last);
/// assert_eq!(key.verify(&signed)?, last);
///
/// let forged = cursor::encode(&[("pk".to_owned(), AttributeValue::S("USER#2".into()))].into());
/// assert!(key.verify(&forged).is_err());
///
/// let rotated = CursorKey::new(b"the next secret, also 32 bytes..")?.with_previous(b"a secret of at least 32 bytes...")?;
/// assert_eq!(rotated.verify(&signed)?, last);
/// # Ok::<(), dynamo_model::Error>(())
/// ```
#[derive(Clone)]
pub struct CursorKey {
    /// The secrets, by id: the first signs, every one verifies.
    secrets: Vec<(String, hmac::Hmac<sha2::Sha256>)>,
    /// How long a cursor signed now is accepted.
    lifetime: Option<std::time::Duration>,
}

/// The shortest secret accepted, in bytes (the size of the hash).
pub const MIN_SECRET_BYTES: usize = 32;

/// What every signature covers first: the format, so no other MAC of the secret verifies.
const DOMAIN: &[u8] = b"dynamo-model cursor v2\0";

impl CursorKey {
    /// A key from a secret of at least [`MIN_SECRET_BYTES`] bytes.
    ///
    /// # Errors
    ///
    /// An invalid-request error for a shorter secret.
    pub fn new(secret: &[u8]) -> Result<CursorKey> {
        Ok(CursorKey {
            secrets: vec![secret_of(secret)?],
            lifetime: None,
        })
    }

    /// Also accepts cursors signed with `previous`, an older secret (new cursors are signed
    /// with this key's own): rotating the secret does not invalidate the cursors in flight.
    ///
    /// # Errors
    ///
    /// As [`CursorKey::new`].
    pub fn with_previous(mut self, previous: &[u8]) -> Result<CursorKey> {
        self.secrets.push(secret_of(previous)?);
        Ok(self)
    }

    /// Cursors signed from now on are accepted for `lifetime`, then refused.
    pub fn expire_after(mut self, lifetime: std::time::Duration) -> CursorKey {
        self.lifetime = Some(lifetime);
        self
    }

    /// The cursor of `key`, signed: `<cursor>.<expiry>.<key id>.<signature>`, URL-safe.
    /// Not bound to a read: a page's [`signed_cursor`](Page::signed_cursor) is.
    pub fn sign(&self, key: &Item) -> String {
        self.sign_in("", key)
    }

    /// The key of a cursor made by [`CursorKey::sign`] with one of this key's secrets.
    ///
    /// # Errors
    ///
    /// An invalid-request error for an unsigned cursor, a signature made with another
    /// secret, any change to the cursor, or an expired one; and the errors of [`decode`].
    pub fn verify(&self, cursor: &str) -> Result<Item> {
        self.verify_in("", cursor)
    }

    /// Signs `key` for the read `scope`.
    pub(crate) fn sign_in(&self, scope: &str, key: &Item) -> String {
        use hmac::Mac;
        let payload = encode(key);
        let expires = self
            .lifetime
            .map(|lifetime| (now_seconds() + lifetime.as_secs()).to_string())
            .unwrap_or_default();
        let (id, secret) = &self.secrets[0];
        let tag = tag(secret, scope, &expires, id, &payload)
            .finalize()
            .into_bytes();
        format!("{payload}.{expires}.{id}.{}", to_base64url(&tag))
    }

    /// The key of a cursor signed for the read `scope`.
    pub(crate) fn verify_in(&self, scope: &str, cursor: &str) -> Result<Item> {
        use hmac::Mac;
        let mut parts = cursor.rsplitn(4, '.');
        let (Some(signature), Some(id), Some(expires), Some(payload)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid("the cursor is not signed"));
        };
        let Some((_, secret)) = self.secrets.iter().find(|(known, _)| known == id) else {
            return Err(invalid(
                "the cursor was signed with a secret this key does not hold",
            ));
        };
        let signature = from_base64url(signature)?;
        tag(secret, scope, expires, id, payload)
            .verify_slice(&signature)
            .map_err(|_| {
                invalid("the cursor's signature does not match: it was changed, made with another secret, or made by another query (table, index, model or partition)")
            })?;
        if !expires.is_empty() {
            let expires: u64 = expires
                .parse()
                .map_err(|_| invalid("the cursor's expiry is not a time"))?;
            if now_seconds() > expires {
                return Err(invalid("the cursor has expired: start the listing again"));
            }
        }
        decode(payload)
    }
}

/// A secret and its id: a short MAC of a fixed text, which names the secret without
/// revealing it.
fn secret_of(secret: &[u8]) -> Result<(String, hmac::Hmac<sha2::Sha256>)> {
    use hmac::{KeyInit, Mac};
    if secret.len() < MIN_SECRET_BYTES {
        return Err(invalid(format!(
            "a cursor secret needs at least {MIN_SECRET_BYTES} bytes; this one has {}",
            secret.len()
        )));
    }
    let mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret)
        .map_err(|_| invalid("the cursor secret was refused"))?;
    let mut naming = mac.clone();
    naming.update(b"dynamo-model cursor key id");
    let id = to_base64url(&naming.finalize().into_bytes()[..6]);
    Ok((id, mac))
}

/// The MAC of a signed cursor's parts, each after the one before and a NUL.
fn tag(
    secret: &hmac::Hmac<sha2::Sha256>,
    scope: &str,
    expires: &str,
    id: &str,
    payload: &str,
) -> hmac::Hmac<sha2::Sha256> {
    use hmac::Mac;
    let mut mac = secret.clone();
    mac.update(DOMAIN);
    for part in [scope, expires, id, payload] {
        mac.update(part.as_bytes());
        mac.update(b"\0");
    }
    mac
}

fn now_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

impl std::fmt::Debug for CursorKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.secrets.iter().map(|(id, _)| id.as_str()).collect();
        f.debug_struct("CursorKey")
            .field("key_ids", &ids)
            .field("lifetime", &self.lifetime)
            .finish_non_exhaustive()
    }
}

impl<M> Page<M> {
    /// Where the next page starts, as an opaque URL-safe string for an API response
    /// (`start_from_cursor` takes it back); `None` on the last page.
    pub fn cursor(&self) -> Option<String> {
        self.last_evaluated_key.as_ref().map(encode)
    }

    /// [`cursor`](Page::cursor), signed with `key` and bound to the read that made this
    /// page (table, index, model, key condition), so that clients can neither forge one nor
    /// resume another read with it (`start_from_signed_cursor` checks both).
    pub fn signed_cursor(&self, key: &CursorKey) -> Option<String> {
        self.last_evaluated_key
            .as_ref()
            .map(|k| key.sign_in(self.cursor_scope(), k))
    }
}

/// Resuming a query or a scan from a cursor.
macro_rules! start_from_cursors {
    () => {
        /// Starts after a page's [`cursor`](Page::cursor). A cursor that cannot be read,
        /// or does not fit the key schema, fails the request before sending.
        pub fn start_from_cursor(self, cursor: &str) -> Self {
            self.start_from_decoded(decode(cursor))
        }

        /// Starts after a page's [`signed_cursor`](Page::signed_cursor), checking its
        /// signature with `key`: a forged or changed cursor, an expired one, or one made
        /// by another read (table, index, model or partition) fails the request before
        /// sending.
        pub fn start_from_signed_cursor(self, cursor: &str, key: &CursorKey) -> Self {
            let scope = self.cursor_scope();
            self.start_from_decoded(key.verify_in(&scope, cursor))
        }
    };
}

impl<M: Table, S: KeySchema<Model = M>, O: Load> Query<'_, M, S, O> {
    start_from_cursors!();
}

impl<M: Table, O: Load> Scan<'_, M, O> {
    start_from_cursors!();
}
