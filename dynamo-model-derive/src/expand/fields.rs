//! `{Model}Fields<M>`: the typed accessors, one `Field<M, T>` per stored field, plus a method
//! per field for the paths inside it (`User::fields().address().city()`).

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::model::{GenericParts, Model};

pub(super) fn expand(model: &Model) -> TokenStream {
    let ident = &model.ident;
    let vis = &model.vis;
    let krate = &model.krate;
    let private = quote!(#krate::__private);
    let fields_ident = format_ident!("{}Fields", ident);
    // `with`, `compress`, `encrypt` and `ttl` fields are stored in another form than their
    // type's codec, so typed values of their Rust type would not match what is stored: they
    // get no accessor. `serde` fields get one typed `Serde<T>`, whose codec is the stored form.
    let accessible: Vec<_> = model.stored().filter(|f| f.is_accessible()).collect();

    let declarations = model.fields.iter().enumerate().filter(|(_, f)| f.is_accessible()).map(|(position, field)| {
        let field_ident = &field.ident;
        let ty = field.accessor_type(&private);
        let doc = format!(" The attribute `{}`.", field.attribute);
        let marker = model
            .is_key(position)
            .then(|| quote!(, #private::KeyField<#position>));
        quote_spanned!(field.ty.span()=> #[doc = #doc] #vis #field_ident: #private::Field<__M, #ty #marker>,)
    });
    let initializers = accessible.iter().map(|field| {
        let field_ident = &field.ident;
        let attribute = &field.attribute;
        let ty = field.accessor_type(&private);
        // A validated field checks the values typed updates set, through the same
        // validator as whole items (a non-capturing closure, so a plain `fn`).
        let mut checks = field.validate.iter().map(|validator| {
            quote_spanned!(validator.span()=>
                #private::validate_encoded::<#ty, _, _>(__value, #attribute, #validator)
            )
        });
        let validated = checks.next().map(|first| {
            let rest: Vec<_> = checks.collect();
            if rest.is_empty() {
                quote!(.validated_by(|__value| #first))
            } else {
                quote! {
                    .validated_by(|__value| {
                        let mut __problems = #first;
                        #(__problems.absorb_all(&mut #rest);)*
                        __problems
                    })
                }
            }
        });
        quote!(#field_ident: #private::field_at(__prefix.as_ref(), #attribute) #validated,)
    });
    let nested = accessible.iter().map(|field| {
        let field_ident = &field.ident;
        let ty = field.accessor_type(&private);
        let doc = format!(
            " The paths inside `{}` (for a nested model, its fields; otherwise the field itself).",
            field.attribute
        );
        quote_spanned!(field.ty.span()=>
            #[doc = #doc]
            #vis fn #field_ident(&self) -> <#ty as #private::DynamoAttribute>::Fields<__M> {
                <#ty as #private::DynamoAttribute>::fields_at(self.#field_ident.path().clone())
            }
        )
    });
    let doc = format!(
        " Typed accessors of the attributes of [`{ident}`], for paths rooted at model `M`."
    );

    let GenericParts {
        ty_generics,
        where_clause,
        params,
        ..
    } = model.generic_parts(&private);
    let declared_params = model.generics.params.iter();
    let mut fields_generics = model.generics.clone();
    fields_generics.params.push(syn::parse_quote!(__M));
    let (fields_impl_generics, fields_ty_generics, _) = fields_generics.split_for_impl();
    // The model's type parameters are used by the accessors' types, or by this marker.
    let phantom = if params.is_empty() {
        quote!(__M)
    } else {
        quote!((__M, #(#params,)*))
    };
    let flat_declarations = model.flattened().map(|field| {
        let (field_ident, ty) = (&field.ident, &field.ty);
        let doc = format!(" The fields of `{field_ident}`, flattened into the item.");
        quote_spanned!(ty.span()=>
            #[doc = #doc]
            #vis #field_ident: <#ty as #private::DynamoAttribute>::Fields<__M>,
        )
    });
    let flat_initializers = model.flattened().map(|field| {
        let (field_ident, ty) = (&field.ident, &field.ty);
        quote_spanned!(ty.span()=>
            #field_ident: <#ty as #private::Flatten>::fields_under::<__M>(
                #private::core::clone::Clone::clone(&__prefix),
            ),
        )
    });

    quote! {
        #[doc = #doc]
        #[automatically_derived]
        #[allow(missing_debug_implementations)]
        #vis struct #fields_ident<#(#declared_params,)* __M = #ident #ty_generics> #where_clause {
            #(#declarations)*
            #(#flat_declarations)*
            #[doc(hidden)]
            #vis __model: #private::core::marker::PhantomData<fn() -> #phantom>,
        }

        #[automatically_derived]
        #[allow(dead_code)]
        impl #fields_impl_generics #fields_ident #fields_ty_generics #where_clause {
            #[doc(hidden)]
            #vis fn __at(__prefix: #private::core::option::Option<#private::AttrPath>) -> Self {
                #fields_ident {
                    #(#initializers)*
                    #(#flat_initializers)*
                    __model: #private::core::marker::PhantomData,
                }
            }

            #(#nested)*
        }
    }
}
