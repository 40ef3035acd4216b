//! `#[derive(DynamoAttribute)]` on an enum whose variants hold data: stored as a map in one
//! of serde's three tagged forms (the runtime's `value::variant` module does the work).

use darling::{Error, Result};
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::case::RenameRule;
use crate::receiver::{AttributeReceiver, SerdeHints, VariantFieldReceiver, VariantReceiver};

/// Where the variant's name goes.
enum Form {
    External,
    Internal(String),
    Adjacent(String, String),
}

/// What a variant holds.
enum Shape<'a> {
    Unit,
    Newtype(&'a syn::Type),
    Tuple(Vec<&'a syn::Type>),
    /// Each field: its identifier, type and attribute name.
    Struct(Vec<(&'a syn::Ident, &'a syn::Type, String)>),
}

struct Variant<'a> {
    ident: &'a syn::Ident,
    name: String,
    shape: Shape<'a>,
}

pub(super) fn expand(
    input: &AttributeReceiver,
    variants: &[VariantReceiver],
    rule: Option<RenameRule>,
    container_serde: &SerdeHints,
    private: &TokenStream,
) -> Result<TokenStream> {
    let mut errors = Error::accumulator();
    let form = form(&mut errors, input, container_serde);
    let mut parsed: Vec<Variant<'_>> = Vec::new();
    for variant in variants {
        let name = super::attribute::variant_name(&mut errors, variant, rule);
        if let Some(other) = parsed.iter().find(|v| v.name == name) {
            errors.push(
                Error::custom(format!(
                    "variants `{}` and `{}` are both stored as `{name}`",
                    other.ident, variant.ident
                ))
                .with_span(&variant.ident),
            );
        }
        let shape = shape(&mut errors, variant);
        if let (Form::Internal(tag), Shape::Tuple(_)) = (&form, &shape) {
            errors.push(
                Error::custom(format!(
                    "an internally tagged enum (`tag = \"{tag}\"`) cannot store the tuple variant `{}`: add `content = \"...\"` for adjacent tagging, or drop `tag` for the external form",
                    variant.ident
                ))
                .with_span(&variant.ident),
            );
        }
        if let (Form::Internal(tag), Shape::Struct(fields)) = (&form, &shape) {
            if let Some((field, _, _)) = fields.iter().find(|(_, _, name)| name == tag) {
                errors.push(
                    Error::custom(format!(
                        "the field `{field}` is stored as `{tag}`, the attribute that holds the variant's name: rename one of them"
                    ))
                    .with_span(field),
                );
            }
        }
        parsed.push(Variant {
            ident: &variant.ident,
            name,
            shape,
        });
    }
    let codec = generate(&input.ident, &form, &parsed, private);
    let paths = paths(&input.ident, &input.vis, &form, &parsed, private);
    errors.finish_with(quote!(#codec #paths))
}

/// The form, from `tag` and `content` (ours win over serde's).
fn form(
    errors: &mut darling::error::Accumulator,
    input: &AttributeReceiver,
    serde: &SerdeHints,
) -> Form {
    if serde.untagged {
        errors.push(
            Error::custom("untagged enums cannot be stored: a stored value must say its variant; use `tag = \"...\"` or the default external form")
                .with_span(&input.ident),
        );
    }
    let tag = input
        .tag
        .as_ref()
        .map(|t| t.as_str().to_owned())
        .or_else(|| serde.tag.as_ref().map(syn::LitStr::value));
    let content = input
        .content
        .as_ref()
        .map(|c| c.as_str().to_owned())
        .or_else(|| serde.content.as_ref().map(syn::LitStr::value));
    match (tag, content) {
        (None, None) => Form::External,
        (Some(tag), None) => Form::Internal(tag),
        (Some(tag), Some(content)) if tag == content => {
            errors.push(
                Error::custom(format!(
                    "`tag` and `content` are both `{tag}`: give them two names"
                ))
                .with_span(&input.ident),
            );
            Form::Adjacent(tag, content)
        }
        (Some(tag), Some(content)) => Form::Adjacent(tag, content),
        (None, Some(_)) => {
            errors.push(
                Error::custom("`content` needs `tag`: the attribute that names the variant")
                    .with_span(&input.ident),
            );
            Form::External
        }
    }
}

fn shape<'a>(errors: &mut darling::error::Accumulator, variant: &'a VariantReceiver) -> Shape<'a> {
    let fields: &[VariantFieldReceiver] = &variant.fields.fields;
    match variant.fields.style {
        darling::ast::Style::Unit => Shape::Unit,
        darling::ast::Style::Tuple if fields.len() == 1 => Shape::Newtype(&fields[0].ty),
        darling::ast::Style::Tuple => Shape::Tuple(fields.iter().map(|f| &f.ty).collect()),
        darling::ast::Style::Struct => Shape::Struct(
            fields
                .iter()
                .filter_map(|field| {
                    let ident = field.ident.as_ref()?;
                    let serde = errors
                        .handle(SerdeHints::from_attrs(&field.attrs))
                        .unwrap_or_default();
                    let name = match (&field.rename, &serde.rename) {
                        (Some(rename), _) => rename.as_str().to_owned(),
                        (None, Some(rename)) => rename.value(),
                        (None, None) => ident.to_string().trim_start_matches("r#").to_owned(),
                    };
                    Some((ident, &field.ty, name))
                })
                .collect(),
        ),
    }
}

fn generate(
    ident: &syn::Ident,
    form: &Form,
    variants: &[Variant<'_>],
    private: &TokenStream,
) -> TokenStream {
    let tagging = match form {
        Form::External => quote!(#private::Tagging::External),
        Form::Internal(tag) => quote!(#private::Tagging::Internal { tag: #tag }),
        Form::Adjacent(tag, content) => {
            quote!(#private::Tagging::Adjacent { tag: #tag, content: #content })
        }
    };
    let internal = matches!(form, Form::Internal(_));
    let encode_arms = variants.iter().map(|v| encode_arm(ident, v, private));
    let check_arms = variants
        .iter()
        .map(|v| check_arm(ident, v, internal, private));
    let decode_arms = variants.iter().map(|v| decode_arm(ident, v, private));
    let names = variants.iter().map(|v| &v.name);
    let fields_ident = format_ident!("{}Fields", ident);
    quote! {
        const _: () = {
            const __TAGGING: #private::Tagging = #tagging;

            #[automatically_derived]
            impl #private::ToAttributeValue for #ident {
                fn to_attribute_value(&self) -> #private::core::option::Option<#private::AttributeValue> {
                    let (__name, __content): (&'static str, #private::VariantContent) = match self {
                        #(#encode_arms)*
                    };
                    #private::encode_variant(__TAGGING, __name, __content)
                }

                fn check_value(&self, __problems: &mut #private::Problems) {
                    let __mark = __problems.len();
                    let __name: &'static str = match self {
                        #(#check_arms)*
                    };
                    #private::nest_content(__problems, __mark, __TAGGING, __name);
                }
            }

            #[automatically_derived]
            impl #private::FromAttributeValue for #ident {
                fn from_attribute_value(
                    __value: #private::AttributeValue,
                ) -> #private::core::result::Result<Self, #private::Problems> {
                    let (__name, __content) = #private::decode_variant(__TAGGING, __value)?;
                    match __name.as_str() {
                        #(#decode_arms)*
                        _ => #private::core::result::Result::Err(
                            #private::unknown_variant(&__name, &[#(#names),*]),
                        ),
                    }
                }
            }

            #[automatically_derived]
            impl #private::DynamoAttribute for #ident {
                type Fields<__M> = #fields_ident<__M>;

                fn fields_at<__M>(__path: #private::AttrPath) -> Self::Fields<__M> {
                    #fields_ident {
                        __path,
                        __model: #private::core::marker::PhantomData,
                    }
                }
            }
        };
    }
}

/// `{Enum}Fields<M>`: the paths inside a stored enum. The tag's (internal and adjacent
/// forms), and per variant the paths of its content: a struct variant's fields, a newtype
/// variant's value (and the paths inside it).
fn paths(
    ident: &syn::Ident,
    vis: &syn::Visibility,
    form: &Form,
    variants: &[Variant<'_>],
    private: &TokenStream,
) -> TokenStream {
    let fields_ident = format_ident!("{}Fields", ident);
    let tag = match form {
        Form::External => None,
        Form::Internal(tag) | Form::Adjacent(tag, _) => Some(quote! {
            /// The attribute naming the variant.
            #vis fn variant_tag(&self) -> #private::Field<__M, #private::std::string::String> {
                #private::Field::new(self.__path.child(#tag))
            }
        }),
    };
    let content = |name: &str| match form {
        Form::External => quote!(self.__path.child(#name)),
        Form::Internal(_) => quote!(#private::core::clone::Clone::clone(&self.__path)),
        Form::Adjacent(_, content) => quote!(self.__path.child(#content)),
    };
    let mut variant_structs = Vec::new();
    let methods = variants.iter().filter_map(|variant| {
        let method = format_ident!(
            "{}",
            RenameRule::Snake.apply(&variant.ident.to_string()),
            span = variant.ident.span()
        );
        let at = content(&variant.name);
        match &variant.shape {
            Shape::Unit | Shape::Tuple(_) => None,
            Shape::Newtype(ty) => {
                let doc = format!(" The paths inside the value of variant `{}`.", variant.ident);
                Some(quote_spanned! {ty.span()=>
                    #[doc = #doc]
                    #vis fn #method(&self) -> <#ty as #private::DynamoAttribute>::Fields<__M> {
                        <#ty as #private::DynamoAttribute>::fields_at(#at)
                    }
                })
            }
            Shape::Struct(fields) => {
                let struct_ident = format_ident!("{}{}Fields", ident, variant.ident);
                let declarations = fields.iter().map(|(field, ty, attribute)| {
                    let doc = format!(" The attribute `{attribute}`.");
                    quote_spanned!(ty.span()=> #[doc = #doc] #vis #field: #private::Field<__M, #ty>,)
                });
                let initializers = fields.iter().map(|(field, _, attribute)| {
                    quote!(#field: #private::Field::new(__at.child(#attribute)),)
                });
                let doc = format!(" The fields of variant `{}` of [`{ident}`].", variant.ident);
                variant_structs.push(quote! {
                    #[doc = #doc]
                    #[allow(missing_debug_implementations, dead_code)]
                    #vis struct #struct_ident<__M> {
                        #(#declarations)*
                    }
                });
                let doc = format!(" The fields of variant `{}`.", variant.ident);
                Some(quote! {
                    #[doc = #doc]
                    #vis fn #method(&self) -> #struct_ident<__M> {
                        let __at: #private::AttrPath = #at;
                        #struct_ident { #(#initializers)* }
                    }
                })
            }
        }
    }).collect::<Vec<_>>();
    let doc = format!(" The paths inside a stored [`{ident}`], for paths rooted at model `M`.");
    quote! {
        #[doc = #doc]
        #[allow(missing_debug_implementations)]
        #vis struct #fields_ident<__M> {
            __path: #private::AttrPath,
            __model: #private::core::marker::PhantomData<fn() -> __M>,
        }

        #(#variant_structs)*

        #[automatically_derived]
        #[allow(dead_code)]
        impl<__M> #fields_ident<__M> {
            /// The whole value, for conditions on it (`eq`, `exists`...).
            #vis fn value(&self) -> #private::Field<__M, #ident> {
                #private::Field::new(#private::core::clone::Clone::clone(&self.__path))
            }

            #tag

            #(#methods)*
        }
    }
}

fn bindings(count: usize) -> Vec<syn::Ident> {
    (0..count).map(|i| format_ident!("__f{}", i)).collect()
}

fn encode_arm(ident: &syn::Ident, variant: &Variant<'_>, private: &TokenStream) -> TokenStream {
    let (variant_ident, name) = (variant.ident, &variant.name);
    match &variant.shape {
        Shape::Unit => quote!(#ident::#variant_ident => (#name, #private::VariantContent::Unit),),
        Shape::Newtype(_) => quote!(
            #ident::#variant_ident(__f0) => (#name, #private::VariantContent::Value(#private::content_value(__f0))),
        ),
        Shape::Tuple(types) => {
            let fields = bindings(types.len());
            quote!(
                #ident::#variant_ident(#(#fields),*) => (#name, #private::VariantContent::Value(
                    #private::AttributeValue::L(#private::std::vec![#(#private::content_value(#fields)),*]),
                )),
            )
        }
        Shape::Struct(fields) => {
            let count = fields.len();
            let bound = bindings(count);
            let idents = fields.iter().map(|(field, _, _)| field);
            let puts = fields.iter().zip(&bound).map(|((_, ty, attribute), binding)| {
                quote_spanned!(ty.span()=> #private::put_attr::<#ty>(&mut __item, #attribute, #binding);)
            });
            quote!(
                #ident::#variant_ident { #(#idents: #bound),* } => (#name, #private::VariantContent::Fields({
                    let mut __item = #private::Item::with_capacity(#count);
                    #(#puts)*
                    __item
                })),
            )
        }
    }
}

fn check_arm(
    ident: &syn::Ident,
    variant: &Variant<'_>,
    internal: bool,
    private: &TokenStream,
) -> TokenStream {
    let (variant_ident, name) = (variant.ident, &variant.name);
    match &variant.shape {
        Shape::Unit => quote!(#ident::#variant_ident => #name,),
        Shape::Newtype(_) => {
            let internal_check = internal
                .then(|| quote!(#private::check_internal_content(__problems, #name, __f0);));
            quote!(#ident::#variant_ident(__f0) => {
                #private::ToAttributeValue::check_value(__f0, __problems);
                #internal_check
                #name
            })
        }
        Shape::Tuple(types) => {
            let fields = bindings(types.len());
            let checks = fields
                .iter()
                .enumerate()
                .map(|(index, field)| quote!(#private::check_element(__problems, #index, #field);));
            quote!(#ident::#variant_ident(#(#fields),*) => { #(#checks)* #name })
        }
        Shape::Struct(fields) => {
            let bound = bindings(fields.len());
            let idents = fields.iter().map(|(field, _, _)| field);
            let checks = fields.iter().zip(&bound).map(|((_, ty, attribute), binding)| {
                quote_spanned!(ty.span()=> #private::check_field::<#ty>(__problems, #attribute, #binding);)
            });
            quote!(#ident::#variant_ident { #(#idents: #bound),* } => { #(#checks)* #name })
        }
    }
}

fn decode_arm(ident: &syn::Ident, variant: &Variant<'_>, private: &TokenStream) -> TokenStream {
    let (variant_ident, name) = (variant.ident, &variant.name);
    let body = match &variant.shape {
        Shape::Unit => {
            return quote!(#name => #private::core::result::Result::Ok(#ident::#variant_ident),)
        }
        Shape::Newtype(ty) => {
            let decode = quote_spanned!(ty.span()=> #private::newtype_content::<#ty>);
            return quote!(
                #name => #private::decode_content(__TAGGING, #name, __content, #decode)
                    .map(#ident::#variant_ident),
            );
        }
        Shape::Tuple(types) => {
            let count = types.len();
            let fields = bindings(count);
            let decodes = types
                .iter()
                .zip(&fields)
                .enumerate()
                .map(|(index, (ty, field))| {
                    quote_spanned!(ty.span()=>
                        let #field = #private::decode_element::<#ty>(
                            &mut __problems,
                            #index,
                            __values.next().unwrap_or(#private::AttributeValue::Null(true)),
                        );
                    )
                });
            quote! {
                let mut __values = #private::tuple_content(__content, #count)?.into_iter();
                let mut __problems = #private::Problems::new();
                #(#decodes)*
                match (#(#fields,)*) {
                    (#(#private::core::option::Option::Some(#fields),)*) if __problems.is_empty() => {
                        #private::core::result::Result::Ok(#ident::#variant_ident(#(#fields),*))
                    }
                    _ => #private::core::result::Result::Err(__problems),
                }
            }
        }
        Shape::Struct(fields) => {
            let count = fields.len();
            let bound = bindings(count);
            let slots: Vec<_> = (0..count).map(|i| format_ident!("__slot{}", i)).collect();
            let attributes = fields.iter().map(|(_, _, attribute)| attribute);
            let idents = fields.iter().map(|(field, _, _)| field);
            let decodes = fields.iter().zip(&bound).zip(&slots).map(|(((_, ty, attribute), binding), slot)| {
                quote_spanned!(ty.span()=>
                    let #binding = #private::decode_field::<#ty>(&mut __problems, #attribute, #slot);
                )
            });
            quote! {
                let __item = #private::struct_content(__content)?;
                let mut __problems = #private::Problems::new();
                let [#(#slots),*] = #private::take_attributes(
                    __item, &[#(#attributes),*], #private::Extra::Ignore, &mut __problems,
                );
                #(#decodes)*
                match (#(#bound,)*) {
                    (#(#private::core::option::Option::Some(#bound),)*) if __problems.is_empty() => {
                        #private::core::result::Result::Ok(#ident::#variant_ident { #(#idents: #bound),* })
                    }
                    _ => #private::core::result::Result::Err(__problems),
                }
            }
        }
    };
    quote!(
        #name => #private::decode_content(__TAGGING, #name, __content, |__content| { #body }),
    )
}
