//! A compact binary form of one attribute value, for attributes stored as B after a
//! transformation (compression, encryption): a type tag, then lengths as little-endian u32.
//! Decoding never panics and refuses nesting deeper than DynamoDB's 32 levels.

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;

const S: u8 = 0;
const N: u8 = 1;
const B: u8 = 2;
const BOOL: u8 = 3;
const NULL: u8 = 4;
const SS: u8 = 5;
const NS: u8 = 6;
const BS: u8 = 7;
const L: u8 = 8;
const M: u8 = 9;

/// The bytes of `value`.
pub(crate) fn encode(value: &AttributeValue) -> Vec<u8> {
    let mut out = Vec::new();
    put(&mut out, value);
    out
}

fn put_len(out: &mut Vec<u8>, len: usize) {
    out.extend_from_slice(&u32::try_from(len).unwrap_or(u32::MAX).to_le_bytes());
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    put_len(out, bytes.len());
    out.extend_from_slice(bytes);
}

fn put(out: &mut Vec<u8>, value: &AttributeValue) {
    match value {
        AttributeValue::S(s) => {
            out.push(S);
            put_bytes(out, s.as_bytes());
        }
        AttributeValue::N(n) => {
            out.push(N);
            put_bytes(out, n.as_bytes());
        }
        AttributeValue::B(b) => {
            out.push(B);
            put_bytes(out, b.as_ref());
        }
        AttributeValue::Bool(b) => out.extend_from_slice(&[BOOL, u8::from(*b)]),
        AttributeValue::Ss(members) | AttributeValue::Ns(members) => {
            out.push(if matches!(value, AttributeValue::Ss(_)) {
                SS
            } else {
                NS
            });
            put_len(out, members.len());
            for member in members {
                put_bytes(out, member.as_bytes());
            }
        }
        AttributeValue::Bs(members) => {
            out.push(BS);
            put_len(out, members.len());
            for member in members {
                put_bytes(out, member.as_ref());
            }
        }
        AttributeValue::L(values) => {
            out.push(L);
            put_len(out, values.len());
            for value in values {
                put(out, value);
            }
        }
        AttributeValue::M(map) => {
            out.push(M);
            put_len(out, map.len());
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            for (name, value) in entries {
                put_bytes(out, name.as_bytes());
                put(out, value);
            }
        }
        _ => out.push(NULL),
    }
}

/// The value `bytes` hold, or why they hold none.
pub(crate) fn decode(bytes: &[u8]) -> Result<AttributeValue, String> {
    let mut reader = Reader { bytes, at: 0 };
    let value = reader.value(0)?;
    if reader.at != bytes.len() {
        return Err("trailing bytes after the value".into());
    }
    Ok(value)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, count: usize) -> Result<&[u8], String> {
        let end = self
            .at
            .checked_add(count)
            .filter(|end| *end <= self.bytes.len());
        let end = end.ok_or("the value is cut short")?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    fn len(&mut self) -> Result<usize, String> {
        let raw: [u8; 4] = self.take(4)?.try_into().map_err(|_| "bad length")?;
        Ok(u32::from_le_bytes(raw) as usize)
    }

    fn bytes(&mut self) -> Result<Vec<u8>, String> {
        let len = self.len()?;
        Ok(self.take(len)?.to_vec())
    }

    fn text(&mut self) -> Result<String, String> {
        String::from_utf8(self.bytes()?).map_err(|_| "a string is not UTF-8".to_owned())
    }

    /// How many members to expect: each takes at least one byte, so more than remain
    /// cannot be right (and no huge allocation happens).
    fn count(&mut self) -> Result<usize, String> {
        let count = self.len()?;
        if count > self.bytes.len() - self.at {
            return Err("a collection claims more members than the bytes hold".into());
        }
        Ok(count)
    }

    fn value(&mut self, depth: usize) -> Result<AttributeValue, String> {
        if depth > 32 {
            return Err("nested deeper than 32 levels".into());
        }
        let tag = *self.take(1)?.first().ok_or("empty value")?;
        Ok(match tag {
            S => AttributeValue::S(self.text()?),
            N => AttributeValue::N(self.text()?),
            B => AttributeValue::B(Blob::new(self.bytes()?)),
            BOOL => AttributeValue::Bool(self.take(1)?.first() == Some(&1)),
            NULL => AttributeValue::Null(true),
            SS | NS => {
                let count = self.count()?;
                let members = (0..count).map(|_| self.text()).collect::<Result<_, _>>()?;
                if tag == SS {
                    AttributeValue::Ss(members)
                } else {
                    AttributeValue::Ns(members)
                }
            }
            BS => {
                let count = self.count()?;
                let members = (0..count)
                    .map(|_| self.bytes().map(Blob::new))
                    .collect::<Result<_, _>>()?;
                AttributeValue::Bs(members)
            }
            L => {
                let count = self.count()?;
                let values = (0..count)
                    .map(|_| self.value(depth + 1))
                    .collect::<Result<_, _>>()?;
                AttributeValue::L(values)
            }
            M => {
                let count = self.count()?;
                let mut map = std::collections::HashMap::with_capacity(count);
                for _ in 0..count {
                    let name = self.text()?;
                    map.insert(name, self.value(depth + 1)?);
                }
                AttributeValue::M(map)
            }
            other => return Err(format!("unknown type tag {other}")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_and_garbage_is_refused() {
        let value = AttributeValue::M(
            [
                ("s".to_string(), AttributeValue::S("héllo".into())),
                ("n".to_string(), AttributeValue::N("-1.5e3".into())),
                (
                    "l".to_string(),
                    AttributeValue::L(vec![AttributeValue::Bool(true), AttributeValue::Null(true)]),
                ),
                (
                    "ss".to_string(),
                    AttributeValue::Ss(vec!["a".into(), "b".into()]),
                ),
                (
                    "bs".to_string(),
                    AttributeValue::Bs(vec![Blob::new(vec![1, 2])]),
                ),
            ]
            .into_iter()
            .collect(),
        );
        let bytes = encode(&value);
        assert_eq!(decode(&bytes).unwrap(), value);
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_err());
        }
        assert!(decode(&[L, 255, 255, 255, 255]).is_err());
        let mut deep = AttributeValue::Null(true);
        for _ in 0..40 {
            deep = AttributeValue::L(vec![deep]);
        }
        assert!(decode(&encode(&deep)).unwrap_err().contains("32"));
    }
}
