//! Implementation detail of the `dynamo-model` crate: use `dynamo_model::DynamoModel` and
//! `dynamo_model::DynamoAttribute`, which re-export these derives with their documentation.

mod case;
mod expand;
mod model;
mod receiver;
mod template;
mod validate;

#[cfg(test)]
mod snapshot_tests;

use proc_macro::TokenStream;

/// Derives `dynamo_model::DynamoModel` (and, with `table`, `dynamo_model::Table`).
#[proc_macro_derive(DynamoModel, attributes(dynamo))]
pub fn derive_dynamo_model(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    expand::derive_model(&input).into()
}

/// Derives the codec of a newtype (as its inner value), a unit enum (as S) or an enum with
/// data (as a map in one of serde's tagged forms).
#[proc_macro_derive(DynamoAttribute, attributes(dynamo))]
pub fn derive_dynamo_attribute(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    expand::derive_attribute(&input).into()
}

/// Derives `dynamo_model::Collection` for an enum of models told apart by entity type.
#[proc_macro_derive(DynamoCollection, attributes(dynamo))]
pub fn derive_dynamo_collection(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    expand::derive_collection(&input).into()
}
