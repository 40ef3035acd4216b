//! Bytes that come back from the server or a client: cursors, compressed attributes and
//! encrypted attributes. Each decodes or returns an error, never panics, and nothing
//! decompresses past its limit.
#![no_main]

use std::sync::Once;

use dynamo_model::value::AttributeValue;
use dynamo_model::{compress, cursor, encryption};
use libfuzzer_sys::fuzz_target;

fn key_provider() {
    static SET: Once = Once::new();
    SET.call_once(|| encryption::set_key_provider(encryption::LocalKey::new("k1", [7; 32])));
}

fuzz_target!(|bytes: &[u8]| {
    key_provider();
    let _ = cursor::decode(&String::from_utf8_lossy(bytes));
    let stored = || AttributeValue::B(bytes.to_vec().into());
    let _ = compress::decompress_value::<String>(stored());
    let _ = compress::decompress_value::<Vec<AttributeValue>>(stored());
    let _ = encryption::decrypt_value::<String>(stored(), "secret");
    // A valid header, then the fuzzer's bytes: reaches each algorithm's decoder.
    for algorithm in [b'z', b'l', b'g'] {
        let mut framed = b"DMZ".to_vec();
        framed.push(algorithm);
        framed.extend_from_slice(bytes);
        let _ = compress::decompress_value::<String>(AttributeValue::B(framed.into()));
    }
});
