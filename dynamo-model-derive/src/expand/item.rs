//! `impl DynamoModel` and the attribute codec of the model: one runtime call per field.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::model::{Codec, DefaultValue, Field, GenericParts, Model};

pub(super) fn expand(model: &Model) -> TokenStream {
    let ident = &model.ident;
    let krate = &model.krate;
    let private = quote!(#krate::__private);
    let name = ident.to_string();
    let fields_ident = format_ident!("{}Fields", ident);
    let stored: Vec<&Field> = model.stored().collect();
    let capacity = stored.len();
    let GenericParts {
        impl_generics,
        ty_generics,
        where_clause,
        params,
    } = model.generic_parts(&private);

    let puts = stored.iter().map(|field| put(field, &private));
    let attribute_names: Vec<&String> = stored.iter().map(|f| &f.attribute).collect();
    let slots: Vec<_> = (0..stored.len())
        .map(|i| format_ident!("__slot{}", i))
        .collect();
    let values: Vec<_> = (0..stored.len())
        .map(|i| format_ident!("__value{}", i))
        .collect();
    let decodes = stored
        .iter()
        .zip(&slots)
        .zip(&values)
        .map(|((field, slot), value)| {
            let decode = decode(field, slot, &private);
            quote!(let #value = #decode;)
        });
    let flattened: Vec<&Field> = model.flattened().collect();
    let flat_values: Vec<_> = (0..flattened.len())
        .map(|i| format_ident!("__flat{}", i))
        .collect();
    let flat_puts = flattened.iter().map(|field| {
        let (field_ident, ty) = (&field.ident, &field.ty);
        quote_spanned!(ty.span()=> #private::put_flattened::<#ty>(&mut __item, &self.#field_ident);)
    });
    // Each flattened struct decodes from what the model's own fields left; all but the last
    // from a copy.
    let flat_decodes = flattened.iter().zip(&flat_values).enumerate().map(|(i, (field, value))| {
        let ty = &field.ty;
        let rest = if i + 1 == flattened.len() {
            quote!(__rest)
        } else {
            quote!(#private::core::clone::Clone::clone(&__rest))
        };
        quote_spanned!(ty.span()=> let #value = #private::decode_flattened::<#ty>(&mut __problems, #rest);)
    });
    let flat_checks = flattened.iter().map(|field| {
        let (field_ident, ty) = (&field.ident, &field.ty);
        quote_spanned!(ty.span()=> #private::check_flattened::<#ty>(__problems, &self.#field_ident);)
    });
    let take = if flattened.is_empty() {
        None
    } else {
        Some(quote! {
            let ([#(#slots),*], __rest) = #private::take_attributes_keeping_rest(
                __item, &[#(#attribute_names),*],
            );
        })
    };
    let all_values: Vec<_> = values.iter().chain(&flat_values).collect();
    let mut stored_values = values.iter();
    let mut flat_iter = flat_values.iter();
    let constructors = model.fields.iter().map(|field| {
        let field_ident = &field.ident;
        let value = if field.skip {
            default_value(field, &private)
        } else if field.flatten {
            let value = flat_iter.next();
            quote!(#value)
        } else {
            let value = stored_values.next();
            quote!(#value)
        };
        quote!(#field_ident: #value)
    });
    let managed = model
        .table
        .as_ref()
        .filter(|t| t.entity.is_some())
        .map(|t| t.managed_attributes())
        .unwrap_or_default();
    let (put_managed, check_entity) = if managed.is_empty() {
        (None, None)
    } else {
        (
            Some(quote!(#private::put_managed(&mut __item, &__META);)),
            Some(quote!(#private::check_entity(&__item, &__META, &mut __problems);)),
        )
    };
    let extra = if model.forbid_extra {
        quote!(#private::Extra::Forbid(&[#(#managed),*]))
    } else {
        quote!(#private::Extra::Ignore)
    };
    let take_own = take.unwrap_or_else(|| {
        quote! {
            let [#(#slots),*] = #private::take_attributes(
                __item, &[#(#attribute_names),*], #extra, &mut __problems,
            );
        }
    });
    let checks = stored.iter().filter(|f| f.has_own_codec() || f.is_serde()).map(|field| {
        let field_ident = &field.ident;
        let attribute = &field.attribute;
        let ty = &field.ty;
        if field.is_serde() {
            quote_spanned!(ty.span()=> #private::check_serde::<#ty>(__problems, #attribute, &self.#field_ident);)
        } else {
            quote_spanned!(ty.span()=> #private::check_field::<#ty>(__problems, #attribute, &self.#field_ident);)
        }
    });
    let encrypted_checks = stored
        .iter()
        .filter(|f| matches!(f.with, Some(Codec::Encrypt)))
        .map(|field| {
            let attribute = &field.attribute;
            quote!(#private::check_encrypted(__problems, #attribute);)
        });
    let field_validators = model.fields.iter().flat_map(|field| {
        let private = &private;
        let field_ident = &field.ident;
        let attribute = &field.attribute;
        field.validate.iter().map(move |validator| {
            quote_spanned!(validator.span()=>
                #private::validate_field(__problems, #attribute, &self.#field_ident, #validator);
            )
        })
    });
    let model_validator = model.validate.as_ref().map(|validator| {
        quote_spanned!(validator.span()=> #private::validate_model(__problems, self, #validator);)
    });

    quote! {
        // Not `#[automatically_derived]`: rustc's dead-code pass skips such impls, and the
        // codec reading a field is a real use (a field that is only stored is not dead).
        impl #impl_generics #private::DynamoModel for #ident #ty_generics #where_clause {
            const NAME: &'static str = #name;
            const ATTRIBUTES: &'static [&'static str] = &[#(#attribute_names),*];
            type Fields = #fields_ident<#(#params,)* #ident #ty_generics>;

            fn fields() -> Self::Fields {
                #fields_ident::__at(#private::core::option::Option::None)
            }

            fn to_item(&self) -> #private::Item {
                let mut __item = #private::Item::with_capacity(#capacity);
                #(#puts)*
                #(#flat_puts)*
                #put_managed
                __item
            }

            fn decode_item(
                __item: #private::Item,
            ) -> #private::core::result::Result<Self, #private::Problems> {
                let mut __problems = #private::Problems::new();
                #check_entity
                #take_own
                #(#decodes)*
                #(#flat_decodes)*
                match (#(#all_values,)*) {
                    (#(#private::core::option::Option::Some(#all_values),)*) if __problems.is_empty() => {
                        #private::core::result::Result::Ok(#ident { #(#constructors),* })
                    }
                    _ => #private::core::result::Result::Err(__problems),
                }
            }

            fn check(&self, __problems: &mut #private::Problems) {
                #(#checks)*
                #(#flat_checks)*
                #(#encrypted_checks)*
                #(#field_validators)*
                #model_validator
            }
        }

        #[automatically_derived]
        impl #impl_generics #private::ToAttributeValue for #ident #ty_generics #where_clause {
            fn to_attribute_value(&self) -> #private::core::option::Option<#private::AttributeValue> {
                #private::model_to_value(self)
            }

            fn check_value(&self, __problems: &mut #private::Problems) {
                #private::DynamoModel::check(self, __problems)
            }
        }

        #[automatically_derived]
        impl #impl_generics #private::FromAttributeValue for #ident #ty_generics #where_clause {
            fn from_attribute_value(
                __value: #private::AttributeValue,
            ) -> #private::core::result::Result<Self, #private::Problems> {
                #private::model_from_value(__value)
            }
        }

        #[automatically_derived]
        impl #impl_generics #private::DynamoAttribute for #ident #ty_generics #where_clause {
            type Fields<__M> = #fields_ident<#(#params,)* __M>;

            fn fields_at<__M>(__path: #private::AttrPath) -> Self::Fields<__M> {
                #fields_ident::__at(#private::core::option::Option::Some(__path))
            }
        }

        #[automatically_derived]
        impl #impl_generics #private::Flatten for #ident #ty_generics #where_clause {
            fn fields_under<__M>(
                __prefix: #private::core::option::Option<#private::AttrPath>,
            ) -> #fields_ident<#(#params,)* __M> {
                #fields_ident::__at(__prefix)
            }
        }
    }
}

fn put(field: &Field, private: &TokenStream) -> TokenStream {
    let ident = &field.ident;
    let attribute = &field.attribute;
    if field.is_expiry() {
        let ty = &field.ty;
        return quote_spanned!(ty.span()=> #private::put_expiry::<#ty>(&mut __item, #attribute, &self.#ident););
    }
    match &field.with {
        Some(Codec::Module(module)) => quote_spanned!(module.span()=>
            #private::put_attr_with(&mut __item, #attribute, #module::to_attribute_value(&self.#ident));
        ),
        Some(Codec::Compress { algorithm, min }) => {
            let algorithm = compression(algorithm);
            quote!(
                #private::require_compression::<#private::compression_feature::#algorithm>();
                #private::put_attr_with(&mut __item, #attribute, #private::compress_value(
                    &self.#ident, #private::Compression::#algorithm, #min,
                ));
            )
        }
        Some(Codec::Encrypt) => quote!(
            #private::put_attr_with(&mut __item, #attribute, #private::encrypt_value(&self.#ident, #attribute));
        ),
        Some(Codec::Serde) => {
            let ty = &field.ty;
            quote_spanned!(ty.span()=> #private::put_serde::<#ty>(&mut __item, #attribute, &self.#ident);)
        }
        None => {
            let ty = &field.ty;
            quote_spanned!(ty.span()=> #private::put_attr::<#ty>(&mut __item, #attribute, &self.#ident);)
        }
    }
}

fn decode(field: &Field, slot: &syn::Ident, private: &TokenStream) -> TokenStream {
    let ty = &field.ty;
    let attribute = &field.attribute;
    if field.is_expiry() {
        return quote_spanned!(ty.span()=>
            #private::decode_expiry::<#ty>(&mut __problems, #attribute, #slot)
        );
    }
    if let Some(codec) = &field.with {
        let default = match &field.default {
            None => quote!(#private::core::option::Option::None),
            Some(DefaultValue::Trait) => {
                quote!(#private::core::option::Option::Some(#private::default_value::<#ty>))
            }
            Some(DefaultValue::Function(path)) => {
                quote!(#private::core::option::Option::Some(#path))
            }
        };
        let decode = match codec {
            Codec::Serde => {
                return quote_spanned!(ty.span()=>
                    #private::decode_serde::<#ty>(&mut __problems, #attribute, #slot, #default)
                )
            }
            Codec::Module(module) => quote_spanned!(module.span()=> #module::from_attribute_value),
            Codec::Compress { .. } => quote!(#private::decompress_value),
            Codec::Encrypt => {
                quote!(|__value| #private::decrypt_value(__value, #attribute))
            }
        };
        if field.default.is_none() && !matches!(codec, Codec::Module(_)) {
            return quote_spanned!(ty.span()=>
                #private::decode_transformed::<#ty>(&mut __problems, #attribute, #slot, #decode)
            );
        }
        return quote_spanned!(ty.span()=>
            #private::decode_field_with::<#ty>(
                &mut __problems, #attribute, #slot, #decode, #default,
            )
        );
    }
    match &field.default {
        None => quote_spanned!(ty.span()=>
            #private::decode_field::<#ty>(&mut __problems, #attribute, #slot)
        ),
        Some(DefaultValue::Trait) => quote_spanned!(ty.span()=>
            #private::decode_field_or::<#ty>(&mut __problems, #attribute, #slot, #private::default_value::<#ty>)
        ),
        Some(DefaultValue::Function(path)) => quote_spanned!(path.span()=>
            #private::decode_field_or::<#ty>(&mut __problems, #attribute, #slot, #path)
        ),
    }
}

/// The `Compression` variant of an algorithm name.
fn compression(algorithm: &str) -> syn::Ident {
    let name = match algorithm {
        "zstd" => "Zstd",
        "lz4" => "Lz4",
        _ => "Gzip",
    };
    syn::Ident::new(name, proc_macro2::Span::call_site())
}

fn default_value(field: &Field, private: &TokenStream) -> TokenStream {
    let ty = &field.ty;
    match &field.default {
        Some(DefaultValue::Function(path)) => quote_spanned!(path.span()=> #path()),
        _ => quote_spanned!(ty.span()=> #private::default_value::<#ty>()),
    }
}
