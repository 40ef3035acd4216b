//! Expansion snapshots of two representative models (proptest-macro style: the generator is
//! a plain function, so no nightly or cargo-expand is needed). Review changes with
//! `cargo insta review`.

use crate::expand::expand_to_string;

#[test]
fn table_model_with_indexes() {
    let input = syn::parse_quote! {
        #[dynamo(
            table = "orders",
            hash_key = "customer_id",
            range_key = "order_id",
            lsi(name = "by_created", range_key = "created_at"),
            gsi(name = "by_status", hash_key = "status", projection = "keys_only"),
            validate = "check_order",
        )]
        pub struct Order {
            customer_id: String,
            order_id: String,
            #[dynamo(rename = "createdAt")]
            created_at: String,
            #[dynamo(default)]
            status: Option<String>,
            #[dynamo(skip)]
            cached: bool,
        }
    };
    insta::assert_snapshot!(expand_to_string(input));
}

#[test]
fn nested_document_with_codecs() {
    let input = syn::parse_quote! {
        #[dynamo(rename_all = "camelCase", extra = "forbid", crate = "odm")]
        struct Address {
            street_name: String,
            #[dynamo(with = "zip_codec", default = "no_zip")]
            zip: u32,
            #[dynamo(validate = "non_empty")]
            city: String,
        }
    };
    insta::assert_snapshot!(expand_to_string(input));
}

#[test]
fn lifecycle_attributes() {
    let input = syn::parse_quote! {
        #[dynamo(table = "documents", hash_key = "id")]
        struct Document {
            #[dynamo(auto_id = "ulid")]
            id: String,
            #[dynamo(version)]
            version: u64,
            #[dynamo(created_at)]
            created: String,
            #[dynamo(updated_at)]
            updated: Option<i64>,
            #[dynamo(ttl)]
            expires: Option<std::time::SystemTime>,
            #[dynamo(counter, default)]
            edits: u32,
        }
    };
    insta::assert_snapshot!(expand_to_string(input));
}

#[test]
fn single_table_model_with_key_templates() {
    let input = syn::parse_quote! {
        #[dynamo(
            table = "shop",
            pk = "USER#{user_id}",
            sk = "ORDER#{created_at:10}#{order_id}",
            entity = "order",
            gsi(name = "by_status", pk = "STATUS#{status}", sk = "{created_at:10}"),
        )]
        pub struct Order {
            user_id: String,
            order_id: String,
            created_at: u64,
            status: Option<String>,
        }
    };
    insta::assert_snapshot!(expand_to_string(input));
}
