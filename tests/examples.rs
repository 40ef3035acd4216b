//! Every example runs to the end twice against one DynamoDB Local, with no region and no
//! credentials in its environment (a local endpoint needs neither): each run has its own
//! table prefix, so a second run against the same server succeeds too.

use std::path::PathBuf;
use std::process::Command;

/// The examples declared in `examples/Cargo.toml`.
fn example_names() -> Vec<String> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/Cargo.toml");
    let text = std::fs::read_to_string(&manifest).expect("examples/Cargo.toml");
    let mut names = Vec::new();
    let mut in_example = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_example = line == "[[example]]";
        } else if let (true, Some(name)) = (in_example, line.strip_prefix("name = ")) {
            names.push(name.trim_matches('"').to_owned());
        }
    }
    names
}

/// Where `cargo test --workspace` put the example binaries: `target/<profile>/examples`.
fn examples_dir() -> PathBuf {
    let test_binary = std::env::current_exe().expect("the test binary's path");
    let profile_dir = test_binary
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps");
    profile_dir.join("examples")
}

#[test]
fn every_example_runs_twice_against_one_dynamodb_local() {
    let names = example_names();
    assert!(names.len() >= 7, "{names:?}");
    let dir = examples_dir();
    for name in &names {
        let binary = dir.join(name);
        assert!(
            binary.is_file(),
            "{} is not built: `cargo test --workspace` builds the examples (or `cargo build -p dynamo-model-examples --examples`)",
            binary.display()
        );
        for run in 1..=2 {
            let output = Command::new(&binary)
                .env("AWS_ENDPOINT_URL_DYNAMODB", dynamo_model_tests::endpoint())
                .env_remove("AWS_REGION")
                .env_remove("AWS_DEFAULT_REGION")
                .env_remove("AWS_ACCESS_KEY_ID")
                .env_remove("AWS_SECRET_ACCESS_KEY")
                .env_remove("AWS_PROFILE")
                .output()
                .expect("the example starts");
            let stdout = String::from_utf8_lossy(&output.stdout);
            assert!(
                output.status.success(),
                "example {name}, run {run}: {}\n{stdout}\n{}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            );
            assert!(stdout.contains("on DynamoDB at"), "{name}: {stdout}");
        }
    }
}
