//! Stage 3, generate: validated IR -> tokens. Nothing here can fail.

mod attribute;
mod collection;
mod data_enum;
mod fallback;
mod fields;
mod item;
mod lifecycle;
mod meta;
mod projection;

use darling::FromDeriveInput;
use proc_macro2::TokenStream;
use quote::quote;

use crate::model::Model;
use crate::receiver::{AttributeReceiver, CollectionReceiver, ModelReceiver};

/// `#[derive(DynamoModel)]`: the compile errors (all of them) plus a stub impl on failure.
pub(crate) fn derive_model(input: &syn::DeriveInput) -> TokenStream {
    let result = ModelReceiver::from_derive_input(input).and_then(Model::from_receiver);
    let tokens = match result {
        Ok(model) => generate_model(&model),
        Err(errors) => {
            let stub = fallback::model_stub(input);
            let errors = errors.write_errors();
            quote! { #errors #stub }
        }
    };
    debug_print("DynamoModel", &input.ident, &tokens);
    tokens
}

/// `#[derive(DynamoAttribute)]` for a newtype or a unit enum.
pub(crate) fn derive_attribute(input: &syn::DeriveInput) -> TokenStream {
    let tokens = match AttributeReceiver::from_derive_input(input).and_then(attribute::expand) {
        Ok(tokens) => tokens,
        Err(errors) => errors.write_errors(),
    };
    debug_print("DynamoAttribute", &input.ident, &tokens);
    tokens
}

/// `#[derive(DynamoCollection)]` for an enum of models.
pub(crate) fn derive_collection(input: &syn::DeriveInput) -> TokenStream {
    let tokens = match CollectionReceiver::from_derive_input(input).and_then(collection::expand) {
        Ok(tokens) => tokens,
        Err(errors) => errors.write_errors(),
    };
    debug_print("DynamoCollection", &input.ident, &tokens);
    tokens
}

fn generate_model(model: &Model) -> TokenStream {
    let fields_struct = fields::expand(model);
    let public = meta::expand_public(model);
    let item = item::expand(model);
    let table = meta::expand(model);
    let projection = projection::expand(model);
    let markers = projection::markers(model);
    let schema_impls = projection::schema_impls(model);
    // Items users name (`UserFields`, index handles, inherent fns) stay outside `const _`.
    quote! {
        #fields_struct
        #public
        #markers
        #[doc(hidden)]
        #[allow(non_upper_case_globals, unused_qualifications)]
        const _: () = {
            #item
            #table
            #projection
            #schema_impls
        };
    }
}

/// With `DYNAMO_MODEL_DEBUG` set, prints the expansion (like axum's `AXUM_MACROS_DEBUG`).
fn debug_print(derive: &str, ident: &syn::Ident, tokens: &TokenStream) {
    if std::env::var_os("DYNAMO_MODEL_DEBUG").is_some() {
        eprintln!("// #[derive({derive})] on `{ident}`\n{tokens}");
    }
}

/// The expansion of a model as a string, for snapshot tests.
#[cfg(test)]
pub(crate) fn expand_to_string(input: syn::DeriveInput) -> String {
    let tokens = derive_model(&input);
    let file: syn::File = syn::parse2(tokens).expect("expansion parses as a file");
    prettyplease::unparse(&file)
}
