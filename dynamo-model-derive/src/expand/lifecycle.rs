//! The lifecycle attributes of a table model: their `Lifecycle` metadata, the checks of
//! their field types, and `__refresh_generated` for `Dynamo::save`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::model::{Field, Model, Role};

/// The `lifecycle: Lifecycle { .. }` value of the table's metadata.
pub(super) fn metadata(model: &Model, private: &TokenStream) -> TokenStream {
    if model.fields.iter().all(|f| f.role.is_none()) {
        return quote!(#private::Lifecycle::NONE);
    }
    let none = quote!(#private::core::option::Option::None);
    let some = |value: TokenStream| quote!(#private::core::option::Option::Some(#value));
    let attribute_of = |role: Role| {
        model.with_role(role).map_or(none.clone(), |f| {
            let attribute = &f.attribute;
            some(quote!(#attribute))
        })
    };
    let timestamp_of = |role: Role| {
        model
            .with_role(role)
            .map_or(none.clone(), |f| some(timestamp(f, private)))
    };
    let version = attribute_of(Role::Version);
    let ttl = attribute_of(Role::Ttl);
    let created_at = timestamp_of(Role::CreatedAt);
    let updated_at = timestamp_of(Role::UpdatedAt);
    let counters = model
        .fields
        .iter()
        .filter(|f| f.role == Some(Role::Counter))
        .map(|f| &f.attribute);
    let auto_ids = model.fields.iter().filter_map(|f| match f.role {
        Some(Role::AutoId(kind)) => {
            let ty = &f.ty;
            let attribute = &f.attribute;
            let generator = format_ident!("{}", kind.generator());
            Some(quote_spanned!(ty.span()=> #private::Generated {
                attribute: #attribute,
                generate: #private::new_id::<#ty, #private::#generator>,
                is_empty: #private::id_is_unset::<#ty, #private::#generator>,
            }))
        }
        _ => None,
    });
    quote!(#private::Lifecycle {
        version: #version,
        created_at: #created_at,
        updated_at: #updated_at,
        ttl: #ttl,
        counters: &[#(#counters),*],
        auto_ids: &[#(#auto_ids),*],
    })
}

fn timestamp(field: &Field, private: &TokenStream) -> TokenStream {
    let ty = &field.ty;
    let attribute = &field.attribute;
    quote_spanned!(ty.span()=> #private::Generated {
        attribute: #attribute,
        generate: #private::timestamp_now::<#ty>,
        is_empty: #private::timestamp_is_unset::<#ty>,
    })
}

/// Compile-time checks of the field types of `version` and `counter` (the other roles are
/// checked where their metadata names their type).
pub(super) fn type_checks(model: &Model, private: &TokenStream) -> TokenStream {
    let checks = model.fields.iter().filter_map(|f| {
        let ty = &f.ty;
        let check = match f.role? {
            Role::Version => quote!(require_version),
            Role::Counter => quote!(require_counter),
            _ => return None,
        };
        Some(quote_spanned!(ty.span()=> const _: fn() = #private::#check::<#ty>;))
    });
    quote!(#(#checks)*)
}

/// `Table::__refresh_generated`, when the model has generated attributes.
pub(super) fn refresh(model: &Model, private: &TokenStream) -> TokenStream {
    let name = model.ident.to_string();
    let refreshes: Vec<_> = model
        .fields
        .iter()
        .filter(|f| f.role.is_some_and(Role::is_generated))
        .map(|f| {
            let ident = &f.ident;
            let ty = &f.ty;
            let attribute = &f.attribute;
            quote_spanned!(ty.span()=>
                #private::refresh_field::<#ty>(#name, &mut self.#ident, __item, #attribute)?;
            )
        })
        .collect();
    if refreshes.is_empty() {
        return TokenStream::new();
    }
    quote! {
        fn __refresh_generated(&mut self, __item: &#private::Item) -> #private::Result<()> {
            #(#refreshes)*
            #private::core::result::Result::Ok(())
        }
    }
}
