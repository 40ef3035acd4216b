//! `#[dynamo(projection_of = "Parent")]`: `impl Projected` and `impl Load`, and the
//! compile-time checks that each field is a field of the parent, of the same type and
//! attribute name, and that a query reads it only from an index projecting its fields.
//!
//! For the last check, a table model declares one marker type per field, in a hidden module
//! beside it (`__dynamo_User::email`), and says which of them the table and each index
//! return (`Projects<marker>`); a projection is `ReadableFrom<S>` for the schemas `S` that
//! return each of its fields.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use super::meta::{handle_type, projected_attributes};
use crate::model::{GenericParts, Model};

/// The hidden module of the field markers of the model named `ident`.
fn markers_module(ident: &syn::Ident) -> syn::Ident {
    format_ident!("__dynamo_{}", ident)
}

/// A table model's field markers (outside the `const _` block, so projections name them).
pub(super) fn markers(model: &Model) -> TokenStream {
    if model.table.is_none() {
        return TokenStream::new();
    }
    let vis = &model.vis;
    let module = markers_module(&model.ident);
    let markers = model.stored().map(|field| {
        let marker = &field.ident;
        quote!(pub struct #marker;)
    });
    quote! {
        #[doc(hidden)]
        #[allow(non_snake_case, non_camel_case_types, missing_debug_implementations, unreachable_pub)]
        #vis mod #module {
            #(#markers)*
        }
    }
}

/// Which field markers the table and each of its indexes return.
pub(super) fn schema_impls(model: &Model) -> TokenStream {
    let Some(table) = &model.table else {
        return TokenStream::new();
    };
    let ident = &model.ident;
    let krate = &model.krate;
    let private = quote!(#krate::__private);
    let module = markers_module(ident);
    let GenericParts {
        impl_generics,
        ty_generics,
        where_clause,
        ..
    } = model.generic_parts(&private);
    let projects = |schema: TokenStream, returned: Option<Vec<String>>| {
        let fields = model.stored().filter(|field| {
            returned
                .as_ref()
                .is_none_or(|names| names.contains(&field.attribute))
        });
        let impls = fields.map(|field| {
            let marker = &field.ident;
            quote!(impl #impl_generics #private::Projects<#module::#marker> for #schema #where_clause {})
        });
        quote!(#(#impls)*)
    };
    let table_impls = projects(quote!(#ident #ty_generics), None);
    let index_impls = table.indexes.iter().map(|index| {
        let handle = handle_type(model, index);
        projects(quote!(#handle), projected_attributes(model, index))
    });
    quote! {
        #table_impls
        #(#index_impls)*
    }
}

/// The path of the parent's marker module: the parent's path, its last segment replaced.
fn parent_markers(parent: &syn::Path) -> syn::Path {
    let mut path = parent.clone();
    if let Some(last) = path.segments.last_mut() {
        last.ident = markers_module(&last.ident);
        last.arguments = syn::PathArguments::None;
    }
    path
}

pub(super) fn expand(model: &Model) -> TokenStream {
    let Some(parent) = &model.projection_of else {
        return TokenStream::new();
    };
    let ident = &model.ident;
    let krate = &model.krate;
    let private = quote!(#krate::__private);
    let parent_name = quote!(#parent).to_string().replace(' ', "");

    let same_types = model.stored().filter(|f| f.is_accessible()).map(|field| {
        let field_ident = &field.ident;
        let ty = field.accessor_type(&private);
        quote_spanned!(field_ident.span()=>
            let _: #private::core::marker::PhantomData<#ty> = #private::field_type(&__parent.#field_ident);
        )
    });
    let same_names = model.stored().map(|field| {
        let attribute = &field.attribute;
        let message = format!(
            "`{ident}.{}` is stored as `{attribute}`, an attribute `{parent_name}` does not store: give the field the parent's attribute name (`rename`)",
            field.ident
        );
        quote_spanned!(field.ident.span()=>
            #private::core::assert!(
                #private::stores_attribute(<#parent as #private::DynamoModel>::ATTRIBUTES, #attribute),
                #message,
            );
        )
    });

    let markers = parent_markers(parent);
    let returned = model.stored().map(|field| {
        let marker = &field.ident;
        quote_spanned!(field.ident.span()=> __S: #private::Projects<#markers::#marker>,)
    });

    quote_spanned! {parent.span()=>
        impl #private::Projected for #ident {
            type Of = #parent;
        }

        impl #private::Readable for #ident {
            type Table = #parent;

            fn projection() -> #private::core::option::Option<#krate::expr::Projection<#parent>> {
                #private::core::option::Option::Some(<Self as #private::Projected>::projection())
            }
        }

        impl<__S> #private::ReadableFrom<__S> for #ident where #(#returned)* {}

        #[automatically_derived]
        impl #private::Load for #ident {
            fn load(__item: #private::Item, _hooks: bool) -> #private::Result<Self> {
                #private::load_projection::<Self>(__item)
            }
        }

        const _: () = {
            #[allow(dead_code)]
            fn __fields_of_the_parent(__parent: <#parent as #private::DynamoModel>::Fields) {
                #(#same_types)*
            }
            #(#same_names)*
        };
    }
}
