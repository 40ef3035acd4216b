//! `Option<T>` (absent or NULL reads as `None`; `None` is not written) and smart pointers.

use std::rc::Rc;
use std::sync::Arc;

use super::{AttributeValue, DynamoAttribute, FromAttributeValue, Problems, ToAttributeValue};
use crate::value::path::AttrPath;

impl<T: ToAttributeValue> ToAttributeValue for Option<T> {
    #[inline]
    fn to_attribute_value(&self) -> Option<AttributeValue> {
        self.as_ref().and_then(T::to_attribute_value)
    }

    fn check_value(&self, problems: &mut Problems) {
        if let Some(value) = self {
            value.check_value(problems);
        }
    }
}

impl<T: FromAttributeValue> FromAttributeValue for Option<T> {
    #[inline]
    fn from_attribute_value(value: AttributeValue) -> Result<Self, Problems> {
        match value {
            AttributeValue::Null(_) => Ok(None),
            value => T::from_attribute_value(value).map(Some),
        }
    }

    fn from_missing_attribute() -> Option<Self> {
        Some(None)
    }
}

/// Paths inside an optional value are the paths inside the value.
impl<T: DynamoAttribute> DynamoAttribute for Option<T> {
    type Fields<M> = T::Fields<M>;

    fn fields_at<M>(path: AttrPath) -> Self::Fields<M> {
        T::fields_at(path)
    }
}

macro_rules! pointer {
    ($($ptr:ident),*) => {$(
        impl<T: ToAttributeValue + ?Sized> ToAttributeValue for $ptr<T> {
            #[inline]
            fn to_attribute_value(&self) -> Option<AttributeValue> {
                (**self).to_attribute_value()
            }

            fn check_value(&self, problems: &mut Problems) {
                (**self).check_value(problems);
            }
        }

        impl<T: FromAttributeValue> FromAttributeValue for $ptr<T> {
            #[inline]
            fn from_attribute_value(value: AttributeValue) -> Result<Self, Problems> {
                T::from_attribute_value(value).map($ptr::new)
            }

            fn from_missing_attribute() -> Option<Self> {
                T::from_missing_attribute().map($ptr::new)
            }
        }

        impl<T: DynamoAttribute> DynamoAttribute for $ptr<T> {
            type Fields<M> = T::Fields<M>;

            fn fields_at<M>(path: AttrPath) -> Self::Fields<M> {
                T::fields_at(path)
            }
        }
    )*};
}

pointer!(Box, Arc, Rc);
