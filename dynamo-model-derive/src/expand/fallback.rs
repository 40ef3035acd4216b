//! The stub emitted next to the compile errors of a bad model, so one mistake does not
//! cascade into errors at every use of the type (thiserror's approach).

use proc_macro2::TokenStream;
use quote::quote;

pub(super) fn model_stub(input: &syn::DeriveInput) -> TokenStream {
    let ident = &input.ident;
    if !input.generics.params.is_empty() || !matches!(input.data, syn::Data::Struct(_)) {
        return TokenStream::new();
    }
    let private = quote!(::dynamo_model::__private);
    let declares_table = input
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("dynamo"))
        .any(|a| a.to_token_stream_string().contains("table"));
    let table = declares_table.then(|| {
        quote! {
            impl #private::Hooks for #ident {}
            impl #private::Table for #ident {
                type Key = ();
                fn meta() -> &'static #private::TableMeta { ::core::unreachable!() }
                fn key(&self) -> Self::Key { ::core::unreachable!() }
                fn item_key(&self) -> #private::Item { ::core::unreachable!() }
            }
        }
    });
    quote! {
        #[allow(unused_variables, unreachable_code)]
        const _: () = {
            impl #private::DynamoModel for #ident {
                const NAME: &'static str = "";
                type Fields = ();
                fn fields() -> Self::Fields {}
                fn to_item(&self) -> #private::Item { ::core::unreachable!() }
                fn decode_item(item: #private::Item) -> ::core::result::Result<Self, #private::Problems> {
                    ::core::unreachable!()
                }
                fn check(&self, problems: &mut #private::Problems) {}
            }
            #table
        };
    }
}

trait TokenString {
    fn to_token_stream_string(&self) -> String;
}

impl TokenString for syn::Attribute {
    fn to_token_stream_string(&self) -> String {
        quote::ToTokens::to_token_stream(self).to_string()
    }
}
