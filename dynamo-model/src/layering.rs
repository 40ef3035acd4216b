//! The layering rule of the runtime, checked on its own source: each top-level module
//! belongs to one layer and refers only to modules of its own layer or of layers before it.
//!
//! codec → errors → metadata → expressions → model → backends → client → extras, with the
//! generated code's facade (`__private`, in `private.rs`) on top. A module added to the crate
//! must be given a layer here, or this test fails.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The layers, lowest first, and the top-level modules of each.
const LAYERS: &[(&str, &[&str])] = &[
    ("codec", &["value", "compress", "encryption", "kms"]),
    ("errors", &["error"]),
    ("metadata", &["meta", "key", "lifecycle"]),
    ("expressions", &["expr"]),
    ("model", &["model"]),
    ("backends", &["backend"]),
    ("client", &["client"]),
    (
        "extras",
        &["blocking", "lock", "partiql", "cursor", "changes"],
    ),
    ("generated code's facade", &["private"]),
];

/// Files that are not modules of a layer: the crate root and this test.
const OUTSIDE: &[&str] = &["lib", "layering"];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS
        .iter()
        .position(|(_, modules)| modules.contains(&module))
}

/// The source without comments and without the unit-test module at its end.
fn code_of(text: &str) -> String {
    let code: Vec<&str> = text
        .lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect();
    let code = code.join("\n");
    match code.find("#[cfg(test)]\nmod tests {") {
        Some(at) => code[..at].to_owned(),
        None => code,
    }
}

/// Every name that follows the crate-root keyword, `crate::NAME`, and the names of grouped
/// imports, `use crate::{a::.., b}`.
fn referenced_names(code: &str) -> BTreeSet<String> {
    let root = concat!("crate", "::");
    let mut names = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find(root) {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + root.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find(';').unwrap_or(group.len());
            let mut depth = 0;
            let mut start_of_name = true;
            for (i, c) in group[..end].char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start_of_name = true,
                    c if start_of_name && (c.is_alphanumeric() || c == '_') && depth == 0 => {
                        let name: String = group[i..]
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        names.insert(name);
                        start_of_name = false;
                    }
                    _ => {}
                }
            }
            continue;
        }
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            names.insert(name);
        }
    }
    names
}

/// The crate root's re-exports, `pub use module::{Name, ..}`, so that `crate::Name` counts
/// as a reference to the module it comes from.
fn root_reexports(lib: &str) -> BTreeMap<String, String> {
    let mut owners = BTreeMap::new();
    for statement in code_of(lib).split(';') {
        let Some(path) = statement.trim().strip_prefix("pub use ") else {
            continue;
        };
        let module: String = path
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let names = path
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|word| !word.is_empty());
        for name in names.skip(1) {
            owners.insert(name.to_owned(), module.clone());
        }
    }
    owners
}

fn rust_files(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("the crate's src directory is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn every_module_refers_only_to_its_layer_and_the_ones_before() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("lib.rs");
    let owners = root_reexports(&lib);
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut modules = BTreeSet::new();
    let mut problems = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).expect("under src");
        let first = relative
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .expect("a UTF-8 file name");
        let module = first.strip_suffix(".rs").unwrap_or(first);
        if OUTSIDE.contains(&module) {
            continue;
        }
        modules.insert(module.to_owned());
        let Some(layer) = layer_of(module) else {
            problems.push(format!("`{module}` is in no layer: add it to LAYERS"));
            continue;
        };
        let text = std::fs::read_to_string(file).expect("a readable source file");
        for name in referenced_names(&code_of(&text)) {
            let target = owners.get(&name).cloned().unwrap_or(name);
            let Some(target_layer) = layer_of(&target) else {
                continue;
            };
            if target_layer > layer {
                problems.push(format!(
                    "{}: `{module}` ({}) refers to `{target}` ({}), a higher layer",
                    relative.display(),
                    LAYERS[layer].0,
                    LAYERS[target_layer].0
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The rule is only as good as the module list: every module was seen.
    for (_, layer) in LAYERS {
        for module in *layer {
            assert!(
                modules.contains(*module),
                "LAYERS names `{module}`, which does not exist"
            );
        }
    }
}

#[test]
fn the_reference_scanner_sees_paths_groups_and_reexports() {
    let names = referenced_names(concat!(
        "use crate",
        "::{value::Item, error::{Error, Result}, Dynamo};\nlet x = crate",
        "::meta::TableMeta; mycrate",
        "::ignored;"
    ));
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    assert_eq!(names, ["Dynamo", "error", "meta", "value"]);
    let owners = root_reexports("pub use client::{Dynamo, Put};\npub use error::Error;");
    assert_eq!(owners.get("Dynamo").map(String::as_str), Some("client"));
    assert_eq!(owners.get("Error").map(String::as_str), Some("error"));
}
