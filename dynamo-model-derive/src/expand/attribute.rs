//! `#[derive(DynamoAttribute)]`: newtypes stored as their inner value, unit enums as S (enums
//! with data: `data_enum`).

use darling::{Error, Result};
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::receiver::{AttributeReceiver, NewtypeFieldReceiver, SerdeHints, VariantReceiver};
use crate::validate::rename_rule;

pub(super) fn expand(input: AttributeReceiver) -> Result<TokenStream> {
    let mut errors = Error::accumulator();
    if !input.generics.params.is_empty() {
        errors.push(
            Error::custom("`DynamoAttribute` cannot be derived for a generic type yet")
                .with_span(&input.generics),
        );
    }
    let krate = input
        .krate
        .clone()
        .unwrap_or_else(|| syn::parse_quote!(::dynamo_model));
    let private = quote!(#krate::__private);
    let tokens = match &input.data {
        darling::ast::Data::Struct(fields) if fields.style.is_tuple() && fields.len() == 1 => {
            newtype(&input.ident, &fields.fields[0], &private)
        }
        darling::ast::Data::Struct(_) => {
            errors.push(
                Error::custom(
                    "`DynamoAttribute` is for newtypes (`struct Id(String);`) and unit enums; derive `DynamoModel` for a struct with named fields",
                )
                .with_span(&input.ident),
            );
            TokenStream::new()
        }
        darling::ast::Data::Enum(variants) if variants.iter().all(|v| v.fields.is_unit()) => errors
            .handle(unit_enum(&input, variants, &private))
            .unwrap_or_default(),
        darling::ast::Data::Enum(variants) => {
            let container_serde = errors
                .handle(SerdeHints::from_attrs(&input.attrs))
                .unwrap_or_default();
            let rule = rename_rule(&mut errors, input.rename_all.as_ref(), &container_serde);
            errors
                .handle(super::data_enum::expand(
                    &input,
                    variants,
                    rule,
                    &container_serde,
                    &private,
                ))
                .unwrap_or_default()
        }
    };
    errors.finish_with(tokens)
}

/// The stored name of a variant: `rename` (ours, then serde's), else the enum's rule.
pub(super) fn variant_name(
    errors: &mut darling::error::Accumulator,
    variant: &VariantReceiver,
    rule: Option<crate::case::RenameRule>,
) -> String {
    let serde = errors
        .handle(SerdeHints::from_attrs(&variant.attrs))
        .unwrap_or_default();
    let rust_name = variant.ident.to_string();
    match (&variant.rename, &serde.rename) {
        (Some(rename), _) => rename.as_str().to_owned(),
        (None, Some(rename)) => rename.value(),
        (None, None) => rule.map_or(rust_name.clone(), |r| r.apply(&rust_name)),
    }
}

/// A value stored whole, with no paths inside it: its accessor is the field itself.
fn leaf_attribute(ident: &syn::Ident, private: &TokenStream) -> TokenStream {
    quote! {
        #[automatically_derived]
        impl #private::DynamoAttribute for #ident {
            type Fields<__M> = #private::Field<__M, #ident>;

            fn fields_at<__M>(__path: #private::AttrPath) -> Self::Fields<__M> {
                #private::Field::new(__path)
            }
        }
    }
}

fn newtype(ident: &syn::Ident, field: &NewtypeFieldReceiver, private: &TokenStream) -> TokenStream {
    let inner = &field.ty;
    let leaf = leaf_attribute(ident, private);
    let inner_codec = quote_spanned!(inner.span()=> <#inner as #private::FromAttributeValue>);
    quote! {
        const _: () = {
            #[automatically_derived]
            impl #private::ToAttributeValue for #ident {
                #[inline]
                fn to_attribute_value(&self) -> #private::core::option::Option<#private::AttributeValue> {
                    #private::ToAttributeValue::to_attribute_value(&self.0)
                }

                fn check_value(&self, __problems: &mut #private::Problems) {
                    #private::ToAttributeValue::check_value(&self.0, __problems)
                }
            }

            #[automatically_derived]
            impl #private::FromAttributeValue for #ident {
                #[inline]
                fn from_attribute_value(
                    __value: #private::AttributeValue,
                ) -> #private::core::result::Result<Self, #private::Problems> {
                    #inner_codec::from_attribute_value(__value).map(#ident)
                }

                fn from_missing_attribute() -> #private::core::option::Option<Self> {
                    #inner_codec::from_missing_attribute().map(#ident)
                }
            }

            #leaf

            #[automatically_derived]
            impl #private::Newtype for #ident {
                type Inner = #inner;

                fn as_inner(&self) -> &#inner {
                    &self.0
                }

                fn from_inner(__inner: #inner) -> Self {
                    #ident(__inner)
                }
            }
        };
    }
}

fn unit_enum(
    input: &AttributeReceiver,
    variants: &[VariantReceiver],
    private: &TokenStream,
) -> Result<TokenStream> {
    let mut errors = Error::accumulator();
    let container_serde = errors
        .handle(SerdeHints::from_attrs(&input.attrs))
        .unwrap_or_default();
    let rule = rename_rule(&mut errors, input.rename_all.as_ref(), &container_serde);
    if variants.is_empty() {
        errors.push(
            Error::custom("an enum without variants has no value to store").with_span(&input.ident),
        );
    }
    if let Some(tag) = input.tag.as_ref() {
        errors.push(
            Error::custom("`tag` is for enums whose variants hold data: a unit enum is stored as its variant's name")
                .with_span(&tag.span()),
        );
    }
    let mut names: Vec<(syn::Ident, String)> = Vec::new();
    for variant in variants {
        let name = variant_name(&mut errors, variant, rule);
        if let Some((other, _)) = names.iter().find(|(_, n)| *n == name) {
            errors.push(
                Error::custom(format!(
                    "variants `{other}` and `{}` are both stored as `{name}`",
                    variant.ident
                ))
                .with_span(&variant.ident),
            );
        }
        names.push((variant.ident.clone(), name));
    }
    let ident = &input.ident;
    let leaf = leaf_attribute(ident, private);
    let encode_arms = names
        .iter()
        .map(|(variant, name)| quote!(#ident::#variant => #name,));
    let decode_arms = names
        .iter()
        .map(|(variant, name)| quote!(#name => #ident::#variant,));
    let all_names = names.iter().map(|(_, name)| name);
    errors.finish_with(quote! {
        const _: () = {
            #[automatically_derived]
            impl #private::ToAttributeValue for #ident {
                fn to_attribute_value(&self) -> #private::core::option::Option<#private::AttributeValue> {
                    let __name: &'static str = match self { #(#encode_arms)* };
                    #private::core::option::Option::Some(#private::string_value(__name))
                }
            }

            #[automatically_derived]
            impl #private::FromAttributeValue for #ident {
                fn from_attribute_value(
                    __value: #private::AttributeValue,
                ) -> #private::core::result::Result<Self, #private::Problems> {
                    let __text = #private::variant_text(__value)?;
                    #private::core::result::Result::Ok(match __text.as_str() {
                        #(#decode_arms)*
                        _ => return #private::core::result::Result::Err(
                            #private::unknown_variant(&__text, &[#(#all_names),*]),
                        ),
                    })
                }
            }

            #leaf

            #[automatically_derived]
            impl #private::KeyAttribute for #ident {
                const SCALAR_TYPE: #private::ScalarType = #private::ScalarType::S;
            }

            #[automatically_derived]
            impl #private::SetElement for #ident {
                fn encode_set<'__a>(
                    __members: impl #private::core::iter::Iterator<Item = &'__a Self>,
                ) -> #private::AttributeValue {
                    #private::encode_string_set(__members)
                }

                fn decode_set<__C: #private::core::iter::FromIterator<Self>>(
                    __value: #private::AttributeValue,
                ) -> #private::core::result::Result<__C, #private::Problems> {
                    #private::decode_string_set(__value)
                }
            }
        };
    })
}
