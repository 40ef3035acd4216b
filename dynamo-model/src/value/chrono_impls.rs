//! chrono: date-times as S in RFC 3339 with nine fraction digits, so UTC values sort as strings.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, SecondsFormat, Utc};

use super::{
    leaf_attribute, AttributeValue, FromAttributeValue, KeyAttribute, Problems, ScalarType,
    ToAttributeValue,
};

fn parse<T>(
    value: AttributeValue,
    what: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Result<T, Problems> {
    match value {
        AttributeValue::S(text) => {
            parse(&text).ok_or_else(|| Problems::single(format!("the stored text is not {what}")))
        }
        other => Err(Problems::mismatch("S", &other)),
    }
}

macro_rules! string_codec {
    ($ty:ty, $what:literal, |$v:ident| $encode:expr, |$s:ident| $decode:expr) => {
        impl ToAttributeValue for $ty {
            fn to_attribute_value(&self) -> Option<AttributeValue> {
                let $v = self;
                Some(AttributeValue::S($encode))
            }
        }

        impl FromAttributeValue for $ty {
            fn from_attribute_value(value: AttributeValue) -> Result<Self, Problems> {
                parse(value, $what, |$s| $decode)
            }
        }

        impl KeyAttribute for $ty {
            const SCALAR_TYPE: ScalarType = ScalarType::S;
        }

        leaf_attribute!($ty);
    };
}

string_codec!(
    DateTime<Utc>,
    "an RFC 3339 date-time",
    |v| v.to_rfc3339_opts(SecondsFormat::Nanos, true),
    |s| DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.with_timezone(&Utc))
);
string_codec!(
    DateTime<FixedOffset>,
    "an RFC 3339 date-time",
    |v| v.to_rfc3339_opts(SecondsFormat::Nanos, false),
    |s| DateTime::parse_from_rfc3339(s).ok()
);
string_codec!(
    NaiveDate,
    "a date (YYYY-MM-DD)",
    |v| v.format("%Y-%m-%d").to_string(),
    |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
);
string_codec!(
    NaiveDateTime,
    "a date-time (YYYY-MM-DDTHH:MM:SS.fffffffff)",
    |v| v.format("%Y-%m-%dT%H:%M:%S%.9f").to_string(),
    |s| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").ok()
);
