//! Generated code must not depend on names the user's crate may shadow: it reaches the
//! runtime only through absolute paths (`::dynamo_model::__private::...`), or through the
//! path given with `#[dynamo(crate = "...")]`.

// Shadow the crate name and the prelude's names at the root of this crate.
#[allow(dead_code)]
mod dynamo_model {}
#[allow(dead_code)]
mod core {}
#[allow(dead_code)]
mod std {}
#[allow(dead_code)]
struct Option;
#[allow(dead_code)]
struct Result;
#[allow(dead_code)]
struct Some;
#[allow(dead_code)]
struct Ok;
#[allow(dead_code)]
struct String;
#[allow(dead_code)]
struct Vec;
#[allow(dead_code)]
trait Clone {}
#[allow(dead_code)]
trait Default {}

mod renamed {
    // The crate under another name, as a user who re-exports it would have it.
    pub(crate) use ::dynamo_model as odm;
}

#[derive(::core::fmt::Debug, ::core::cmp::PartialEq, ::dynamo_model::DynamoModel)]
#[dynamo(
    table = "hygienic",
    hash_key = "id",
    range_key = "sort",
    gsi(name = "by_label", hash_key = "label"),
    validate = "always_ok"
)]
struct Hygienic {
    id: ::std::string::String,
    sort: u64,
    #[dynamo(default)]
    label: ::std::option::Option<::std::string::String>,
    #[dynamo(skip)]
    cache: ::std::vec::Vec<u8>,
    nested: Inner,
    status: Mode,
}

#[derive(::core::fmt::Debug, ::core::cmp::PartialEq, ::dynamo_model::DynamoModel)]
#[dynamo(crate = "crate::renamed::odm")]
struct Inner {
    value: i32,
}

#[derive(
    ::core::fmt::Debug,
    ::core::clone::Clone,
    ::core::marker::Copy,
    ::core::cmp::PartialEq,
    ::dynamo_model::DynamoAttribute,
)]
#[dynamo(crate = "crate::renamed::odm")]
enum Mode {
    On,
    Off,
}

#[derive(::core::fmt::Debug, ::core::cmp::PartialEq, ::dynamo_model::DynamoAttribute)]
struct Wrapper(::std::string::String);

fn always_ok(_: &Hygienic) -> ::core::result::Result<(), &'static str> {
    ::core::result::Result::Ok(())
}

#[test]
fn generated_code_uses_absolute_paths_only() {
    use ::dynamo_model::{DynamoModel, Table};
    let value = Hygienic {
        id: "h".into(),
        sort: 1,
        label: ::core::option::Option::None,
        cache: ::std::vec![1],
        nested: Inner { value: 2 },
        status: Mode::Off,
    };
    let item = value.try_to_item().unwrap();
    let back = Hygienic::from_item(item).unwrap();
    ::std::assert_eq!(back.cache, ::std::vec::Vec::<u8>::new());
    ::std::assert_eq!(back.nested, value.nested);
    ::std::assert_eq!(back.status, Mode::Off);
    ::std::assert_eq!(Hygienic::meta().table, "hygienic");
    ::std::assert_eq!(Hygienic::BY_LABEL.name(), "by_label");
    ::std::assert_eq!(value.key(), (::std::string::String::from("h"), 1));
    let wrapped = <Wrapper as ::dynamo_model::FromAttributeValue>::from_attribute_value(
        ::dynamo_model::AttributeValue::S("w".into()),
    );
    ::std::assert_eq!(wrapped, ::core::result::Result::Ok(Wrapper("w".into())));
}
