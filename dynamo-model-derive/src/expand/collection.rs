//! `impl Collection` and `impl Load` for an enum of models: one variant per entity type.

use darling::{Error, Result};
use proc_macro2::TokenStream;
use quote::quote;

use crate::receiver::CollectionReceiver;

pub(super) fn expand(input: CollectionReceiver) -> Result<TokenStream> {
    let mut errors = Error::accumulator();
    if !input.generics.params.is_empty() {
        errors.push(
            Error::custom("`DynamoCollection` cannot be derived for a generic enum")
                .with_span(&input.generics),
        );
    }
    let variants = match input.data {
        darling::ast::Data::Enum(variants) => variants,
        darling::ast::Data::Struct(_) => {
            return Err(Error::custom(
                "`DynamoCollection` needs an enum with one variant per model: `enum Shop { User(User), Order(Order) }`",
            )
            .with_span(&input.ident));
        }
    };
    let mut models = Vec::new();
    for variant in &variants {
        match variant.fields.fields.as_slice() {
            [only] if variant.fields.style.is_tuple() => models.push((&variant.ident, &only.ty)),
            _ => errors.push(
                Error::custom(format!(
                    "variant `{}` must hold one model: `{}(Model)`",
                    variant.ident, variant.ident
                ))
                .with_span(&variant.ident),
            ),
        }
    }
    if variants.is_empty() {
        errors
            .push(Error::custom("a collection needs at least one variant").with_span(&input.ident));
    }
    errors.finish()?;

    let ident = &input.ident;
    let name = ident.to_string();
    let krate = input
        .krate
        .unwrap_or_else(|| syn::parse_quote!(::dynamo_model));
    let private = quote!(#krate::__private);
    let metas = models
        .iter()
        .map(|(_, ty)| quote!(<#ty as #private::Table>::meta()));
    let arms = models.iter().enumerate().map(|(position, (variant, ty))| {
        quote! {
            #position => #private::core::result::Result::Ok(
                #ident::#variant(<#ty as #private::Load>::load(__item, __hooks)?)
            ),
        }
    });
    Ok(quote! {
        #[automatically_derived]
        impl #private::Load for #ident {
            fn load(__item: #private::Item, __hooks: bool) -> #private::Result<Self> {
                let __variant = #private::entity_variant(#name, &__item, &[#(#metas),*])?;
                match __variant {
                    #(#arms)*
                    _ => #private::core::result::Result::Err(#private::collection_error(#name)),
                }
            }
        }

        #[automatically_derived]
        impl #private::Collection for #ident {
            const NAME: &'static str = #name;
        }
    })
}
