//! Compressed attributes: `#[dynamo(compress = "zstd" | "lz4" | "gzip")]` stores a field's
//! value compressed, as B, once its encoded form reaches a threshold
//! (`compress_min`, 256 bytes by default); smaller values stay as they are. Reading accepts
//! both, so a threshold can change at any time. Each algorithm is behind the cargo feature
//! of its name.
//!
//! A compressed value starts with the 4 bytes `DMZ` + the algorithm, then the compressed
//! [binary form](crate::value) of the attribute value. Decompression stops at 64 MB.

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;

use crate::value::{FromAttributeValue, Problems, ToAttributeValue};

/// The default `compress_min`: values whose encoded form is shorter stay uncompressed.
pub const DEFAULT_MIN_BYTES: usize = 256;

/// The largest value decompression produces, against decompression bombs.
pub const MAX_DECOMPRESSED: usize = 64 * 1024 * 1024;

const MAGIC: &[u8; 3] = b"DMZ";

/// A compression algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// zstd (feature `zstd`).
    Zstd,
    /// LZ4 (feature `lz4`).
    Lz4,
    /// gzip (feature `gzip`).
    Gzip,
}

impl Compression {
    fn tag(self) -> u8 {
        match self {
            Compression::Zstd => b'z',
            Compression::Lz4 => b'l',
            Compression::Gzip => b'g',
        }
    }

    fn from_tag(tag: u8) -> Option<Self> {
        match tag {
            b'z' => Some(Compression::Zstd),
            b'l' => Some(Compression::Lz4),
            b'g' => Some(Compression::Gzip),
            _ => None,
        }
    }

    fn compress(self, bytes: &[u8]) -> Result<Vec<u8>, String> {
        let _ = bytes;
        match self {
            #[cfg(feature = "zstd")]
            Compression::Zstd => zstd::bulk::compress(bytes, 3).map_err(|e| e.to_string()),
            #[cfg(feature = "lz4")]
            Compression::Lz4 => Ok(lz4_flex::compress_prepend_size(bytes)),
            #[cfg(feature = "gzip")]
            Compression::Gzip => {
                use std::io::Write;
                let mut encoder =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                encoder.write_all(bytes).map_err(|e| e.to_string())?;
                encoder.finish().map_err(|e| e.to_string())
            }
            #[allow(unreachable_patterns)]
            other => Err(format!("{other:?} compression needs its cargo feature")),
        }
    }

    fn decompress(self, bytes: &[u8]) -> Result<Vec<u8>, String> {
        let _ = bytes;
        match self {
            #[cfg(feature = "zstd")]
            Compression::Zstd => {
                // The frame header declares the size (compress_value always writes it):
                // the buffer is exactly that, not the 64 MB limit on every read.
                let declared = match zstd::zstd_safe::get_frame_content_size(bytes) {
                    Ok(Some(size)) => usize::try_from(size).unwrap_or(usize::MAX),
                    Ok(None) => return Err("the zstd frame does not declare its size".into()),
                    Err(_) => return Err("not a zstd frame".into()),
                };
                if declared > MAX_DECOMPRESSED {
                    return Err(format!(
                        "claims {declared} bytes (at most {MAX_DECOMPRESSED})"
                    ));
                }
                zstd::bulk::decompress(bytes, declared).map_err(|e| e.to_string())
            }
            #[cfg(feature = "lz4")]
            Compression::Lz4 => {
                // The size comes first and the decoder allocates (and zeroes) that much
                // before it reads a byte, so a claim the data cannot back is refused here.
                let (claimed, block) = match bytes.split_first_chunk::<4>() {
                    Some((size, block)) => (u32::from_le_bytes(*size) as usize, block),
                    None => return Err("no size before the LZ4 block".to_owned()),
                };
                let limit = lz4_expansion_limit(block.len()).min(MAX_DECOMPRESSED);
                if claimed > limit {
                    return Err(format!(
                        "claims {claimed} bytes from a {} byte LZ4 block (at most {limit})",
                        block.len()
                    ));
                }
                lz4_flex::decompress_size_prepended(bytes).map_err(|e| e.to_string())
            }
            #[cfg(feature = "gzip")]
            Compression::Gzip => {
                use std::io::Read;
                let mut out = Vec::new();
                flate2::read::GzDecoder::new(bytes)
                    .take(MAX_DECOMPRESSED as u64 + 1)
                    .read_to_end(&mut out)
                    .map_err(|e| e.to_string())?;
                if out.len() > MAX_DECOMPRESSED {
                    return Err(format!("over {MAX_DECOMPRESSED} bytes decompressed"));
                }
                Ok(out)
            }
            #[allow(unreachable_patterns)]
            other => Err(format!("{other:?} compression needs its cargo feature")),
        }
    }
}

/// The most bytes an LZ4 block of `block_len` bytes can decode to: past the first few,
/// each input byte extends a match by at most 255 bytes.
#[cfg(feature = "lz4")]
fn lz4_expansion_limit(block_len: usize) -> usize {
    block_len.saturating_mul(255).saturating_add(64)
}

/// Encodes `value`, compressed when its encoded form has at least `min_bytes`. A value
/// that cannot be compressed (an algorithm without its feature) is stored as it is.
pub fn compress_value<T: ToAttributeValue + ?Sized>(
    value: &T,
    algorithm: Compression,
    min_bytes: usize,
) -> Option<AttributeValue> {
    let plain = value.to_attribute_value()?;
    let bytes = crate::value::wire::encode(&plain);
    if bytes.len() < min_bytes {
        return Some(plain);
    }
    match algorithm.compress(&bytes) {
        Ok(compressed) => {
            let mut stored = Vec::with_capacity(compressed.len() + 4);
            stored.extend_from_slice(MAGIC);
            stored.push(algorithm.tag());
            stored.extend_from_slice(&compressed);
            Some(AttributeValue::B(Blob::new(stored)))
        }
        Err(_) => Some(plain),
    }
}

/// Decodes a value [`compress_value`] stored: decompressed when it is compressed, as it
/// is otherwise.
///
/// # Errors
///
/// Corrupt compressed data, or a value that does not fit `T`.
pub fn decompress_value<T: FromAttributeValue>(value: AttributeValue) -> Result<T, Problems> {
    let stored = match &value {
        AttributeValue::B(blob) => blob.as_ref(),
        _ => return T::from_attribute_value(value),
    };
    let algorithm = match stored {
        [b'D', b'M', b'Z', tag, ..] => Compression::from_tag(*tag),
        _ => None,
    };
    let Some(algorithm) = algorithm else {
        return T::from_attribute_value(value);
    };
    let plain = algorithm
        .decompress(&stored[4..])
        .and_then(|bytes| crate::value::wire::decode(&bytes))
        .map_err(|why| {
            Problems::single(format!("cannot be decompressed ({algorithm:?}): {why}"))
        })?;
    T::from_attribute_value(plain)
}
