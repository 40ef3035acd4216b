//! Compile-time guarantees: every mistake in a model is a spanned compile error
//! (`ui/fail/*.rs`, expected output beside each in `.stderr`), and every attribute compiles
//! (`ui/pass/*.rs`). The expected output is tied to the toolchain in `rust-toolchain.toml`.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui/fail/*.rs");
    cases.pass("ui/pass/*.rs");
}
