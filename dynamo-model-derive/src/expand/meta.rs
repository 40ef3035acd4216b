//! `impl Table`: the table's metadata as statics, the key, and the index handles.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::model::{
    EntityDef, GenericParts, IndexDef, KeyDef, Model, Projection, SegmentDef, TableDef,
    VectorIndexDef,
};

/// Public items: `Model::fields()` and, for tables, `Model::meta()`, `Model::BY_X` and the
/// index handle types.
pub(super) fn expand_public(model: &Model) -> TokenStream {
    let ident = &model.ident;
    let vis = &model.vis;
    let krate = &model.krate;
    let private = quote!(#krate::__private);
    let fields_ident = format_ident!("{}Fields", ident);

    let Some(table) = &model.table else {
        let GenericParts {
            impl_generics,
            ty_generics,
            where_clause,
            params,
        } = model.generic_parts(&private);
        return quote! {
            #[automatically_derived]
            #[allow(dead_code)]
            impl #impl_generics #ident #ty_generics #where_clause {
                /// Typed accessors of this model's attributes.
                #vis fn fields() -> #fields_ident<#(#params,)* #ident #ty_generics> {
                    <#ident #ty_generics as #private::DynamoModel>::fields()
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
        let partition = index.is_composite().then(|| {
            let fields: Vec<&crate::model::Field> = index
                .partition_fields()
                .into_iter()
                .map(|position| &model.fields[position])
                .collect();
            let names = fields.iter().map(|f| &f.ident);
            let values = fields.iter().map(|f| &f.ident);
            let types = fields.iter().map(|f| {
                let field_ty = &f.ty;
                quote_spanned!(field_ty.span()=> impl #private::KeyArg<<#field_ty as #private::IndexKeyAttribute>::Key>)
            });
            let attributes: Vec<String> = fields.iter().map(|f| format!("`{}`", f.attribute)).collect();
            let doc = format!(
                " The partition of this index whose attributes {} have these values; then \
                 `sort_eq` and `sort` on its sort attributes, in order.",
                attributes.join(", ")
            );
            quote! {
                #[doc = #doc]
                #vis fn key(self, #(#names: #types),*) -> #private::KeyCondition<#ty> {
                    #private::multi_attribute_partition::<#ty>(
                        #private::std::vec![#(#private::KeyArg::into_key_value(#values)),*]
                    )
                }
            }
        });
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

                #partition
            }
        }
    });
    let vector_handles = table.vector_indexes.iter().map(|index| {
        let ty = vector_handle_type(model, index);
        let name = format_ident!("{}", index.const_name(), span = index.span);
        let doc = format!(" The vector index `{}`.", index.name);
        let struct_doc = format!(
            " The handle of vector index `{}` of [`{ident}`]: `db.search::<{ident}>(..)`.",
            index.name
        );
        (
            quote!(#[doc = #doc] #vis const #name: #ty = #ty;),
            quote! {
                #[doc = #struct_doc]
                #[derive(Debug, Clone, Copy, PartialEq, Eq)]
                #vis struct #ty;
            },
        )
    });
    let (vector_consts, vector_structs): (Vec<_>, Vec<_>) = vector_handles.unzip();
    let patterns = access_patterns(model, table, &private);
    let GenericParts {
        impl_generics,
        ty_generics,
        where_clause,
        params,
    } = model.generic_parts(&private);
    quote! {
        #(#handle_structs)*
        #(#vector_structs)*

        #[automatically_derived]
        #[allow(dead_code)]
        impl #impl_generics #ident #ty_generics #where_clause {
            /// Typed accessors of this model's attributes.
            #vis fn fields() -> #fields_ident<#(#params,)* #ident #ty_generics> {
                <#ident #ty_generics as #private::DynamoModel>::fields()
            }

            /// The table's metadata: name, key schema, indexes.
            #vis fn meta() -> &'static #private::TableMeta {
                <#ident #ty_generics as #private::Table>::meta()
            }

            #(#handles)*
            #(#vector_consts)*

            #patterns
        }
    }
}

/// The access patterns of templated partitions (`query_by_user_id(..)`, `query_by_status(..)`)
/// and `parse_key` for a model with templated keys.
fn access_patterns(model: &Model, table: &TableDef, private: &TokenStream) -> TokenStream {
    let vis = &model.vis;
    let ident = &model.ident;
    let pattern = |fn_name: syn::Ident, schema: TokenStream, key: &KeyDef, what: String| {
        let template = key.template()?;
        let parts: Vec<usize> = template.parts().collect();
        let params = parts.iter().map(|p| {
            let name = &model.fields[*p].ident;
            let arg = part_arg(model, *p, private);
            quote!(#name: impl #private::KeyArg<#arg>)
        });
        let values = parts.iter().map(|p| {
            let name = &model.fields[*p].ident;
            quote!(#private::KeyArg::into_key_value(#name))
        });
        let doc = format!(
            " The key condition on the partition `{}` of {what}, for `db.query(..)`; add a sort-key condition with `sk_begins_with` or `sk_between`.",
            template.text
        );
        Some(quote! {
            #[doc = #doc]
            #vis fn #fn_name(#(#params),*) -> #private::KeyCondition<#schema> {
                #private::template_partition::<#schema>(#private::std::vec![#(#values),*])
            }
        })
    };
    let table_pattern = {
        let names: Vec<String> = table
            .hash_key
            .parts()
            .iter()
            .map(|p| {
                model.fields[*p]
                    .ident
                    .to_string()
                    .trim_start_matches("r#")
                    .to_owned()
            })
            .collect();
        let fn_name = if names.is_empty() {
            format_ident!("query_partition")
        } else {
            format_ident!("query_by_{}", names.join("_and_"))
        };
        pattern(
            fn_name,
            quote!(#ident),
            &table.hash_key,
            "the table".to_owned(),
        )
    };
    let index_patterns = table.indexes.iter().filter_map(|index| {
        let handle = handle_type(model, index);
        let name = crate::case::RenameRule::Snake.apply(&index.type_name());
        let fn_name = format_ident!("query_{}", name.trim_start_matches('_'));
        pattern(
            fn_name,
            quote!(#handle),
            &index.hash_key,
            format!("index `{}`", index.name),
        )
    });
    let parse_key = table.has_key_templates().then(|| {
        let parts = table.key_parts();
        let decodes = parts.iter().map(|p| {
            let f = &model.fields[*p];
            let (ty, attribute) = (&f.ty, &f.attribute);
            quote! {
                #private::decode_key_part::<#ty>(
                    <Self as #private::DynamoModel>::NAME,
                    #attribute,
                    __values.next().unwrap_or(#private::AttributeValue::Null(true)),
                )
            }
        });
        let value = if parts.len() == 1 {
            quote!(#(#decodes)*)
        } else {
            quote!(#private::core::result::Result::Ok((#(#decodes?),*)))
        };
        let (sk_param, sk_arg) = if table.range_key.is_some() {
            (
                quote!(, sk: &str),
                quote!(#private::core::option::Option::Some(sk)),
            )
        } else {
            (quote!(), quote!(#private::core::option::Option::None))
        };
        quote! {
            /// Parses the key attributes of an item back into the fields its key is made of.
            ///
            /// # Errors
            ///
            /// `InvalidRequest` when a string does not fit its template, `Decode` when a
            /// part does not decode as its field.
            #vis fn parse_key(pk: &str #sk_param) -> #private::Result<<Self as #private::Table>::Key> {
                let mut __values = #private::parse_template_key(
                    <Self as #private::DynamoModel>::NAME,
                    <Self as #private::Table>::meta(),
                    pk,
                    #sk_arg,
                )?
                .into_iter();
                #value
            }
        }
    });
    quote!(#table_pattern #(#index_patterns)* #parse_key)
}

fn kind(index: &IndexDef) -> &'static str {
    if index.local {
        "local secondary index"
    } else {
        "global secondary index"
    }
}

/// `UserByEmbeddingIndex`: the type of a vector index's handle.
pub(super) fn vector_handle_type(model: &Model, index: &VectorIndexDef) -> syn::Ident {
    format_ident!(
        "{}{}Index",
        model.ident,
        index.type_name(),
        span = index.span
    )
}

pub(super) fn handle_type(model: &Model, index: &IndexDef) -> syn::Ident {
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

    let TableDef {
        vector_indexes,
        name,
        consistent_read,
        hash_key,
        range_key,
        indexes,
        entity,
        max_size,
        stream,
    } = table;
    let GenericParts {
        impl_generics,
        ty_generics,
        where_clause,
        ..
    } = model.generic_parts(&private);
    let hooks = (!model.custom_hooks).then(|| {
        quote! {
            #[automatically_derived]
            impl #impl_generics #private::Hooks for #ident #ty_generics #where_clause {}
        }
    });
    // Table keys must be `KeyAttribute`; index keys may also be `Option` (sparse indexes).
    let hash_meta = key_meta(model, hash_key, "KeyAttribute", &private);
    let range_meta = optional_key(model, range_key.as_ref(), "KeyAttribute", &private);
    let index_metas = indexes.iter().map(|index| {
        let index_name = &index.name;
        let kind = if index.local {
            quote!(#private::IndexKind::Local)
        } else {
            quote!(#private::IndexKind::Global)
        };
        let hash = key_meta(model, &index.hash_key, "IndexKeyAttribute", &private);
        let range = optional_key(
            model,
            index.range_key.as_ref(),
            "IndexKeyAttribute",
            &private,
        );
        let projection = match &index.projection {
            Projection::All => quote!(#private::Projection::All),
            Projection::KeysOnly => quote!(#private::Projection::KeysOnly),
            Projection::Include(names) => quote!(#private::Projection::Include(&[#(#names),*])),
        };
        let more = |fields: &[usize]| {
            let metas = fields.iter().map(|position| {
                key_meta(
                    model,
                    &KeyDef::Field(*position),
                    "IndexKeyAttribute",
                    &private,
                )
            });
            quote!(&[#(#metas),*])
        };
        let (more_hash, more_range) = (more(&index.more_hash), more(&index.more_range));
        quote!(#private::IndexMeta {
            name: #index_name,
            kind: #kind,
            hash_key: #hash,
            range_key: #range,
            more_hash_keys: #more_hash,
            more_range_keys: #more_range,
            projection: #projection,
        })
    });
    let index_count = indexes.len();
    let attributes = model.stored().map(|f| &f.attribute);
    let model_name = ident.to_string();
    let lifecycle = super::lifecycle::metadata(model, &private);
    let lifecycle_checks = super::lifecycle::type_checks(model, &private);
    let refresh = super::lifecycle::refresh(model, &private);
    let entity = match entity {
        Some(EntityDef { attribute, name }) => quote!(#private::core::option::Option::Some(
            #private::Entity { attribute: #attribute, name: #name }
        )),
        None => quote!(#private::core::option::Option::None),
    };
    let stream = match stream {
        Some(view) => {
            let view = format_ident!("{}", view);
            quote!(#private::core::option::Option::Some(#private::StreamView::#view))
        }
        None => quote!(#private::core::option::Option::None),
    };
    let max_size = match max_size {
        Some(size) => quote!(#private::core::option::Option::Some(#size)),
        None => quote!(#private::core::option::Option::None),
    };

    let key_parts = table.key_parts();
    let part_types: Vec<&syn::Type> = key_parts.iter().map(|p| &field(*p).ty).collect();
    let part_idents: Vec<&syn::Ident> = key_parts.iter().map(|p| &field(*p).ident).collect();
    let key_type = match part_types.as_slice() {
        [single] => quote!(#single),
        many => quote!((#(#many),*)),
    };
    let key_value = match part_idents.as_slice() {
        [single] => quote!(#private::core::clone::Clone::clone(&self.#single)),
        many => quote!((#(#private::core::clone::Clone::clone(&self.#many)),*)),
    };
    let item_key = if table.has_key_templates() {
        quote!(<Self as #private::Table>::key_item(<Self as #private::Table>::key(self)))
    } else {
        let key_puts = key_parts.iter().map(|position| {
            let key_field = field(*position);
            let (key_ident, attribute, ty) =
                (&key_field.ident, &key_field.attribute, &key_field.ty);
            quote!(#private::put_attr::<#ty>(&mut __item, #attribute, &self.#key_ident);)
        });
        quote! {
            let mut __item = #private::Item::with_capacity(2);
            #(#key_puts)*
            __item
        }
    };
    let range_key_of = |schema: &TokenStream, range: Option<&KeyDef>| {
        range.and_then(KeyDef::field).map(|position| {
            quote! {
                #[automatically_derived]
                impl #impl_generics #private::RangeKeyOf<#schema> for #private::KeyField<#position> #where_clause {}
            }
        })
    };
    let table_range_key = range_key_of(&quote!(#ident #ty_generics), range_key.as_ref());
    let table_hash_ty = partition_type(model, hash_key, &quote!(#ident), true, &private);
    let table_prefixes = sort_prefixes(model, range_key.as_ref(), &quote!(#ident), &private);
    let vector_count = vector_indexes.len();
    let vector_metas = vector_indexes.iter().map(|index| {
        let attribute = &field(index.field).attribute;
        let (name, dimensions) = (&index.name, index.dimensions);
        let distance = format_ident!("{}", index.distance);
        let partition = match index.partition {
            Some(position) => {
                let attribute = &field(position).attribute;
                quote!(#private::core::option::Option::Some(#attribute))
            }
            None => quote!(#private::core::option::Option::None),
        };
        let filters = index
            .filters
            .iter()
            .map(|position| &field(*position).attribute);
        quote!(#private::VectorIndexMeta {
            name: #name,
            attribute: #attribute,
            dimensions: #dimensions,
            distance: #private::Distance::#distance,
            partition: #partition,
            filters: &[#(#filters),*],
        })
    });
    let vector_impls = vector_indexes.iter().enumerate().map(|(position, index)| {
        let handle = vector_handle_type(model, index);
        let vector = field(index.field);
        let vector_ty = &vector.ty;
        let dimensions = index.dimensions;
        let mismatch = format!(
            "vector index `{}` declares {} dimensions, and the array of field `{}` has another length",
            index.name, dimensions, vector.ident
        );
        let partition = index.partition.map(|at| {
            quote! {
                #[automatically_derived]
                impl #impl_generics #private::SearchPartitionOf<#handle> for #private::KeyField<#at> #where_clause {}
            }
        });
        let filters = index.filters.iter().map(|at| {
            quote! {
                #[automatically_derived]
                impl #impl_generics #private::InlineFilterOf<#handle> for #private::KeyField<#at> #where_clause {}
            }
        });
        quote! {
            #[automatically_derived]
            impl #private::VectorIndex for #handle {
                type Model = #ident;
                const DIMENSIONS: usize = #dimensions;

                fn meta(self) -> &'static #private::VectorIndexMeta {
                    &__VECTOR_INDEXES[#position]
                }
            }

            #[automatically_derived]
            impl #private::Dimensions<#dimensions> for #handle {}

            const _: () = #private::check_vector_dimensions(
                <#vector_ty as #private::VectorAttribute>::DIMENSIONS,
                #dimensions,
                #mismatch,
            );

            #partition
            #(#filters)*
        }
    });
    let index_impls = indexes.iter().enumerate().map(|(position, index)| {
        let handle = handle_type(model, index);
        let name = &index.name;
        let hash_schema = if index.local {
            quote!(#ident)
        } else {
            quote!(#handle)
        };
        let hash_ty = if index.more_hash.is_empty() {
            partition_type(model, &index.hash_key, &hash_schema, index.local, &private)
        } else {
            quote!(#private::MultiAttributePartition<#handle>)
        };

        // A multi-attribute sort key is given attribute by attribute (`sort_eq`, `sort`);
        // `range` names the one sort attribute of other keys.
        let range_key = if index.more_range.is_empty() {
            range_key_of(&quote!(#handle), index.range_key.as_ref())
        } else {
            None
        };
        let more_keys = index.is_composite().then(|| {
            quote! {
                fn more_hash_keys() -> &'static [#private::KeyMeta] {
                    __INDEXES[#position].more_hash_keys
                }

                fn more_range_keys() -> &'static [#private::KeyMeta] {
                    __INDEXES[#position].more_range_keys
                }
            }
        });
        let sort_attributes = if index.is_composite() {
            index.sort_fields()
        } else {
            Vec::new()
        };
        let sort_attributes = sort_attributes.iter().enumerate().map(|(at, position)| {
            quote! {
                #[automatically_derived]
                impl #impl_generics #private::SortAttributeOf<#handle, #at> for #private::KeyField<#position> #where_clause {}
            }
        });
        let prefixes = sort_prefixes(model, index.range_key.as_ref(), &quote!(#handle), &private);
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
                type HashKey = #hash_ty;

                fn index_name() -> #private::core::option::Option<&'static str> {
                    #private::core::option::Option::Some(#name)
                }

                fn hash_key() -> #private::KeyMeta {
                    __INDEXES[#position].hash_key
                }

                fn range_key() -> #private::core::option::Option<#private::KeyMeta> {
                    __INDEXES[#position].range_key
                }

                #more_keys
            }

            #range_key
            #(#sort_attributes)*
            #prefixes
        }
    });

    quote! {
        static __INDEXES: [#private::IndexMeta; #index_count] = [#(#index_metas),*];
        static __VECTOR_INDEXES: [#private::VectorIndexMeta; #vector_count] = [#(#vector_metas),*];
        static __META: #private::TableMeta = #private::TableMeta {
            model: #model_name,
            table: #name,
            hash_key: #hash_meta,
            range_key: #range_meta,
            indexes: &__INDEXES,
            attributes: &[#(#attributes),*],
            consistent_read: #consistent_read,
            lifecycle: #lifecycle,
            entity: #entity,
            max_size: #max_size,
            stream: #stream,
            vector_indexes: &__VECTOR_INDEXES,
        };
        #lifecycle_checks

        #hooks

        #[automatically_derived]
        impl #impl_generics #private::Table for #ident #ty_generics #where_clause {
            type Key = #key_type;

            fn meta() -> &'static #private::TableMeta {
                &__META
            }

            fn key(&self) -> Self::Key {
                #key_value
            }

            fn item_key(&self) -> #private::Item {
                #item_key
            }

            #refresh
        }

        #[automatically_derived]
        impl #impl_generics #private::KeySchema for #ident #ty_generics #where_clause {
            type Model = #ident #ty_generics;
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
        #table_prefixes

        #(#index_impls)*
        #(#vector_impls)*
    }
}

/// The `KeyMeta` of a key: a field's attribute and type, or a template's.
fn key_meta(model: &Model, key: &KeyDef, trait_name: &str, private: &TokenStream) -> TokenStream {
    let key_trait = format_ident!("{}", trait_name);
    match key {
        KeyDef::Field(position) => {
            let f = &model.fields[*position];
            let attribute = &f.attribute;
            let ty = &f.ty;
            quote_spanned!(ty.span()=> #private::KeyMeta {
                attribute: #attribute,
                scalar_type: <#ty as #private::#key_trait>::SCALAR_TYPE,
                template: #private::core::option::Option::None,
            })
        }
        KeyDef::Template(template) => {
            let attribute = &template.attribute;
            let text = &template.text;
            let segments = template.segments.iter().map(|segment| match segment {
                SegmentDef::Literal(literal) => quote!(#private::Segment::Literal(#literal)),
                SegmentDef::Part { field, width } => {
                    let f = &model.fields[*field];
                    let (part_attribute, ty) = (&f.attribute, &f.ty);
                    let width = match width {
                        Some(w) => quote!(#private::core::option::Option::Some(#w)),
                        None => quote!(#private::core::option::Option::None),
                    };
                    quote_spanned!(ty.span()=> #private::Segment::Part(#private::Part {
                        attribute: #part_attribute,
                        scalar_type: <#ty as #private::#key_trait>::SCALAR_TYPE,
                        width: #width,
                    }))
                }
            });
            quote!(#private::KeyMeta {
                attribute: #attribute,
                scalar_type: #private::ScalarType::S,
                template: #private::core::option::Option::Some(&#private::KeyTemplate {
                    text: #text,
                    segments: &[#(#segments),*],
                }),
            })
        }
    }
}

fn optional_key(
    model: &Model,
    key: Option<&KeyDef>,
    trait_name: &str,
    private: &TokenStream,
) -> TokenStream {
    match key {
        Some(key) => {
            let meta = key_meta(model, key, trait_name, private);
            quote!(#private::core::option::Option::Some(#meta))
        }
        None => quote!(#private::core::option::Option::None),
    }
}

/// What a query of the partition takes: the key field's type, or, for a template, a type
/// no value converts to (the access pattern renders it instead).
fn partition_type(
    model: &Model,
    key: &KeyDef,
    schema: &TokenStream,
    own_key: bool,
    private: &TokenStream,
) -> TokenStream {
    match key {
        // The table's own key field is a `KeyAttribute` (checked with its span elsewhere).
        KeyDef::Field(position) if own_key => {
            let ty = &model.fields[*position].ty;
            quote!(#ty)
        }
        KeyDef::Field(position) => {
            let ty = &model.fields[*position].ty;
            quote!(<#ty as #private::IndexKeyAttribute>::Key)
        }
        KeyDef::Template(_) => quote!(#private::TemplatePartition<#schema>),
    }
}

/// The value type a query takes for a template part: `T` for a field of type `T` or
/// `Option<T>`.
fn part_arg(model: &Model, position: usize, private: &TokenStream) -> TokenStream {
    let ty = &model.fields[position].ty;
    quote_spanned!(ty.span()=> <#ty as #private::IndexKeyAttribute>::Key)
}

/// `impl SortKeyPrefix<(..)>` for every prefix of a templated sort key's fields.
fn sort_prefixes(
    model: &Model,
    range: Option<&KeyDef>,
    schema: &TokenStream,
    private: &TokenStream,
) -> TokenStream {
    let Some(template) = range.and_then(KeyDef::template) else {
        return TokenStream::new();
    };
    let parts: Vec<usize> = template.parts().collect();
    let impls = (0..=parts.len()).map(|count| {
        let generics: Vec<_> = (0..count).map(|i| format_ident!("__A{}", i)).collect();
        let values: Vec<_> = (0..count).map(|i| format_ident!("__a{}", i)).collect();
        let bounds = parts[..count].iter().zip(&generics).map(|(part, generic)| {
            let arg = part_arg(model, *part, private);
            quote!(#generic: #private::KeyArg<#arg>)
        });
        let pattern = quote!((#(#values,)*));
        let tuple = quote!((#(#generics,)*));
        let unused = (count == 0).then(|| quote!(let _ = __prefix;));
        let body = if count == 0 {
            quote!(#unused #private::std::vec::Vec::new())
        } else {
            quote! {
                let #pattern = __prefix;
                #private::std::vec![#(#private::KeyArg::into_key_value(#values)),*]
            }
        };
        quote! {
            #[automatically_derived]
            impl<#(#bounds),*> #private::SortKeyPrefix<#tuple> for #schema {
                fn prefix_values(__prefix: #tuple) -> #private::std::vec::Vec<#private::AttributeValue> {
                    #body
                }
            }
        }
    });
    quote!(#(#impls)*)
}

/// The attributes a read of `index` returns, when it does not project all: the table's and
/// the index's key attributes, then the included ones.
pub(super) fn projected_attributes(model: &Model, index: &IndexDef) -> Option<Vec<String>> {
    let included: &[String] = match &index.projection {
        Projection::All => return None,
        Projection::KeysOnly => &[],
        Projection::Include(names) => names,
    };
    let table = model.table.as_ref()?;
    let keys = [Some(&table.hash_key), table.range_key.as_ref()]
        .into_iter()
        .chain([Some(&index.hash_key), index.range_key.as_ref()])
        .flatten()
        .map(|key| match key {
            KeyDef::Field(position) => model.fields[*position].attribute.clone(),
            KeyDef::Template(template) => template.attribute.clone(),
        })
        .chain(
            index
                .more_hash
                .iter()
                .chain(&index.more_range)
                .map(|position| model.fields[*position].attribute.clone()),
        );
    let mut names: Vec<String> = Vec::new();
    for name in keys.chain(included.iter().cloned()) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    Some(names)
}
