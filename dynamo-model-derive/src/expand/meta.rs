//! `impl Table`: the table's metadata as statics, the key, and the index handles.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::model::{IndexDef, Model, Projection, TableDef};

/// Public items: `Model::fields()` and, for tables, `Model::meta()`, `Model::BY_X` and the
/// index handle types.
pub(super) fn expand_public(model: &Model) -> TokenStream {
    let ident = &model.ident;
    let vis = &model.vis;
    let krate = &model.krate;
    let private = quote!(#krate::__private);
    let fields_ident = format_ident!("{}Fields", ident);

    let Some(table) = &model.table else {
        return quote! {
            #[automatically_derived]
            #[allow(dead_code)]
            impl #ident {
                /// Typed accessors of this model's attributes.
                #vis fn fields() -> #fields_ident<#ident> {
                    <#ident as #private::DynamoModel>::fields()
                }
            }
        };
    };
    let handle_types: Vec<_> = table
        .indexes
        .iter()
        .map(|i| handle_type(model, i))
        .collect();
    let handles = table.indexes.iter().zip(&handle_types).map(|(index, ty)| {
        let name = format_ident!("{}", index.const_name(), span = index.span);
        let doc = format!(" The {} `{}`.", kind(index), index.name);
        quote!(#[doc = #doc] #vis const #name: #ty = #ty;)
    });
    let handle_structs = table.indexes.iter().zip(&handle_types).map(|(index, ty)| {
        let doc = format!(
            " The handle of {} `{}` of [`{ident}`].",
            kind(index),
            index.name
        );
        quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            #vis struct #ty;

            #[automatically_derived]
            #[allow(dead_code)]
            impl #ty {
                /// The index name.
                #vis fn name(self) -> &'static str {
                    #private::Index::meta(self).name
                }

                /// The index's metadata.
                #vis fn meta(self) -> &'static #private::IndexMeta {
                    #private::Index::meta(self)
                }
            }
        }
    });
    quote! {
        #(#handle_structs)*

        #[automatically_derived]
        #[allow(dead_code)]
        impl #ident {
            /// Typed accessors of this model's attributes.
            #vis fn fields() -> #fields_ident<#ident> {
                <#ident as #private::DynamoModel>::fields()
            }

            /// The table's metadata: name, key schema, indexes.
            #vis fn meta() -> &'static #private::TableMeta {
                <#ident as #private::Table>::meta()
            }

            #(#handles)*
        }
    }
}

fn kind(index: &IndexDef) -> &'static str {
    if index.local {
        "local secondary index"
    } else {
        "global secondary index"
    }
}

fn handle_type(model: &Model, index: &IndexDef) -> syn::Ident {
    format_ident!(
        "{}{}Index",
        model.ident,
        index.type_name(),
        span = index.span
    )
}

/// `impl Table` and `impl Index` for each handle (inside the `const _` block).
pub(super) fn expand(model: &Model) -> TokenStream {
    let Some(table) = &model.table else {
        return TokenStream::new();
    };
    let ident = &model.ident;
    let krate = &model.krate;
    let private = quote!(#krate::__private);
    let field = |position: usize| &model.fields[position];

    // Table keys must be `KeyAttribute`; index keys may also be `Option` (sparse indexes).
    let key_meta = |position: usize, trait_name: &str| {
        let f = field(position);
        let attribute = &f.attribute;
        let ty = &f.ty;
        let key_trait = format_ident!("{}", trait_name);
        quote_spanned!(ty.span()=> #private::KeyMeta {
            attribute: #attribute,
            scalar_type: <#ty as #private::#key_trait>::SCALAR_TYPE,
        })
    };
    let optional_key = |position: Option<usize>, trait_name: &str| match position {
        Some(p) => {
            let meta = key_meta(p, trait_name);
            quote!(#private::core::option::Option::Some(#meta))
        }
        None => quote!(#private::core::option::Option::None),
    };

    let TableDef {
        name,
        consistent_read,
        hash_key,
        range_key,
        indexes,
    } = table;
    let hooks = (!model.custom_hooks).then(|| {
        quote! {
            #[automatically_derived]
            impl #private::Hooks for #ident {}
        }
    });
    let hash_meta = key_meta(*hash_key, "KeyAttribute");
    let range_meta = optional_key(*range_key, "KeyAttribute");
    let index_metas = indexes.iter().map(|index| {
        let index_name = &index.name;
        let kind = if index.local {
            quote!(#private::IndexKind::Local)
        } else {
            quote!(#private::IndexKind::Global)
        };
        let hash = key_meta(index.hash_key, "IndexKeyAttribute");
        let range = optional_key(index.range_key, "IndexKeyAttribute");
        let projection = match &index.projection {
            Projection::All => quote!(#private::Projection::All),
            Projection::KeysOnly => quote!(#private::Projection::KeysOnly),
            Projection::Include(names) => quote!(#private::Projection::Include(&[#(#names),*])),
        };
        quote!(#private::IndexMeta {
            name: #index_name,
            kind: #kind,
            hash_key: #hash,
            range_key: #range,
            projection: #projection,
        })
    });
    let index_count = indexes.len();
    let attributes = model.stored().map(|f| &f.attribute);
    let model_name = ident.to_string();
    let lifecycle = super::lifecycle::metadata(model, &private);
    let lifecycle_checks = super::lifecycle::type_checks(model, &private);
    let refresh = super::lifecycle::refresh(model, &private);

    let key_puts = std::iter::once(*hash_key)
        .chain(*range_key)
        .map(|position| {
            let key_field = field(position);
            let (key_ident, attribute, ty) =
                (&key_field.ident, &key_field.attribute, &key_field.ty);
            quote!(#private::put_attr::<#ty>(&mut __item, #attribute, &self.#key_ident);)
        });
    let (key_type, key_value) = {
        let hash = field(*hash_key);
        let (hash_ident, hash_ty) = (&hash.ident, &hash.ty);
        match range_key.map(field) {
            None => (
                quote!(#hash_ty),
                quote!(#private::core::clone::Clone::clone(&self.#hash_ident)),
            ),
            Some(range) => {
                let (range_ident, range_ty) = (&range.ident, &range.ty);
                (
                    quote!((#hash_ty, #range_ty)),
                    quote!((
                        #private::core::clone::Clone::clone(&self.#hash_ident),
                        #private::core::clone::Clone::clone(&self.#range_ident),
                    )),
                )
            }
        }
    };
    let range_key_of = |schema: &TokenStream, range: Option<usize>| {
        range.map(|position| {
            quote! {
                #[automatically_derived]
                impl #private::RangeKeyOf<#schema> for #private::KeyField<#position> {}
            }
        })
    };
    let table_range_key = range_key_of(&quote!(#ident), *range_key);
    let table_hash_ty = &field(*hash_key).ty;
    let index_impls = indexes.iter().enumerate().map(|(position, index)| {
        let handle = handle_type(model, index);
        let name = &index.name;
        let hash_ty = &field(index.hash_key).ty;
        let range_key = range_key_of(&quote!(#handle), index.range_key);
        quote! {
            #[automatically_derived]
            impl #private::Index for #handle {
                type Model = #ident;

                fn meta(self) -> &'static #private::IndexMeta {
                    &__INDEXES[#position]
                }
            }

            #[automatically_derived]
            impl #private::KeySchema for #handle {
                type Model = #ident;
                type HashKey = <#hash_ty as #private::IndexKeyAttribute>::Key;

                fn index_name() -> #private::core::option::Option<&'static str> {
                    #private::core::option::Option::Some(#name)
                }

                fn hash_key() -> #private::KeyMeta {
                    __INDEXES[#position].hash_key
                }

                fn range_key() -> #private::core::option::Option<#private::KeyMeta> {
                    __INDEXES[#position].range_key
                }
            }

            #range_key
        }
    });

    quote! {
        static __INDEXES: [#private::IndexMeta; #index_count] = [#(#index_metas),*];
        static __META: #private::TableMeta = #private::TableMeta {
            model: #model_name,
            table: #name,
            hash_key: #hash_meta,
            range_key: #range_meta,
            indexes: &__INDEXES,
            attributes: &[#(#attributes),*],
            consistent_read: #consistent_read,
            lifecycle: #lifecycle,
        };
        #lifecycle_checks

        #hooks

        #[automatically_derived]
        impl #private::Table for #ident {
            type Key = #key_type;

            fn meta() -> &'static #private::TableMeta {
                &__META
            }

            fn key(&self) -> Self::Key {
                #key_value
            }

            fn item_key(&self) -> #private::Item {
                let mut __item = #private::Item::with_capacity(2);
                #(#key_puts)*
                __item
            }

            #refresh
        }

        #[automatically_derived]
        impl #private::KeySchema for #ident {
            type Model = #ident;
            type HashKey = #table_hash_ty;

            fn index_name() -> #private::core::option::Option<&'static str> {
                #private::core::option::Option::None
            }

            fn hash_key() -> #private::KeyMeta {
                __META.hash_key
            }

            fn range_key() -> #private::core::option::Option<#private::KeyMeta> {
                __META.range_key
            }
        }

        #table_range_key

        #(#index_impls)*
    }
}
