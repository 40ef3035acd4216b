//! time: date-times as S in RFC 3339 (UTC, nine fraction digits, so they sort as strings).

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime, UtcOffset};

use super::{
    leaf_attribute, AttributeValue, FromAttributeValue, KeyAttribute, Problems, ScalarType,
    ToAttributeValue,
};

const UTC_DATE_TIME: &[time::format_description::BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:9]Z");
const LOCAL_DATE_TIME: &[time::format_description::BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:9]");
const DATE: &[time::format_description::BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]");

fn text(value: AttributeValue) -> Result<String, Problems> {
    match value {
        AttributeValue::S(text) => Ok(text),
        other => Err(Problems::mismatch("S", &other)),
    }
}

fn bad(what: &str) -> Problems {
    Problems::single(format!("the stored text is not {what}"))
}

macro_rules! string_key {
    ($($ty:ty),*) => {$(
        impl KeyAttribute for $ty {
            const SCALAR_TYPE: ScalarType = ScalarType::S;
        }
        leaf_attribute!($ty);
    )*};
}

impl ToAttributeValue for OffsetDateTime {
    fn to_attribute_value(&self) -> Option<AttributeValue> {
        self.to_offset(UtcOffset::UTC)
            .format(UTC_DATE_TIME)
            .ok()
            .map(AttributeValue::S)
    }

    fn check_value(&self, problems: &mut Problems) {
        if self
            .to_offset(UtcOffset::UTC)
            .format(UTC_DATE_TIME)
            .is_err()
        {
            problems
                .push("the date-time cannot be written as RFC 3339 (its year is outside 0..=9999)");
        }
    }
}

impl FromAttributeValue for OffsetDateTime {
    fn from_attribute_value(value: AttributeValue) -> Result<Self, Problems> {
        let text = text(value)?;
        OffsetDateTime::parse(&text, &Rfc3339).map_err(|_| bad("an RFC 3339 date-time"))
    }
}

impl ToAttributeValue for PrimitiveDateTime {
    fn to_attribute_value(&self) -> Option<AttributeValue> {
        self.format(LOCAL_DATE_TIME).ok().map(AttributeValue::S)
    }
}

impl FromAttributeValue for PrimitiveDateTime {
    fn from_attribute_value(value: AttributeValue) -> Result<Self, Problems> {
        let text = text(value)?;
        PrimitiveDateTime::parse(&text, LOCAL_DATE_TIME)
            .map_err(|_| bad("a date-time (YYYY-MM-DDTHH:MM:SS.fffffffff)"))
    }
}

impl ToAttributeValue for Date {
    fn to_attribute_value(&self) -> Option<AttributeValue> {
        self.format(DATE).ok().map(AttributeValue::S)
    }
}

impl FromAttributeValue for Date {
    fn from_attribute_value(value: AttributeValue) -> Result<Self, Problems> {
        let text = text(value)?;
        Date::parse(&text, DATE).map_err(|_| bad("a date (YYYY-MM-DD)"))
    }
}

string_key!(OffsetDateTime, PrimitiveDateTime, Date);
