//! The memory backend's parsers on arbitrary text: update, condition, key-condition and
//! projection expressions, and PartiQL statements. Each answers or returns an error, never
//! panics, and expressions past 4 KB or 32 levels are refused without recursion.
#![no_main]

use std::future::IntoFuture;
use std::sync::OnceLock;

use aws_sdk_dynamodb::operation::execute_statement::ExecuteStatementInput;
use dynamo_model::value::AttributeValue;
use dynamo_model::Dynamo;
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/fuzz_inputs.rs"]
mod fuzz_inputs;
use fuzz_inputs::{parse_everywhere, Thing};

/// One runtime and one store for the whole run: each input is a few requests on it.
fn store() -> &'static (tokio::runtime::Runtime, Dynamo) {
    static STORE: OnceLock<(tokio::runtime::Runtime, Dynamo)> = OnceLock::new();
    STORE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime");
        let db = Dynamo::memory();
        runtime
            .block_on(db.create_table::<Thing>().into_future())
            .expect("a table");
        (runtime, db)
    })
}

fuzz_target!(|text: &str| {
    let (runtime, db) = store();
    runtime.block_on(async {
        parse_everywhere(db, text).await;
        let _ = db
            .backend()
            .execute_statement(
                ExecuteStatementInput::builder()
                    .statement(text)
                    .parameters(AttributeValue::S("k".into())),
            )
            .await;
    });
});
