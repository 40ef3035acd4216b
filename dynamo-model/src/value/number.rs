//! Numbers (N): integers exactly, floats only when finite.
//!
//! DynamoDB sends numbers as decimal strings. Integers are parsed directly (no float round
//! trip); the canonical forms DynamoDB may return for whole numbers (`1E+2`, `100.0`) are
//! accepted too.

use super::{
    leaf_attribute, AttributeValue, FromAttributeValue, KeyAttribute, Problems, ScalarType,
    ToAttributeValue,
};

macro_rules! integer {
    ($($ty:ty),*) => {$(
        impl ToAttributeValue for $ty {
            #[inline]
            fn to_attribute_value(&self) -> Option<AttributeValue> {
                Some(AttributeValue::N(itoa::Buffer::new().format(*self).to_owned()))
            }

            /// Only 128-bit integers can pass DynamoDB's 38 significant digits.
            fn check_value(&self, problems: &mut Problems) {
                if <$ty>::BITS > 64 {
                    check_significant_digits(itoa::Buffer::new().format(*self), problems);
                }
            }
        }

        impl FromAttributeValue for $ty {
            #[inline]
            fn from_attribute_value(value: AttributeValue) -> Result<Self, Problems> {
                match value {
                    AttributeValue::N(n) => parse_integer::<$ty>(&n),
                    other => Err(Problems::mismatch("N", &other)),
                }
            }
        }

        impl KeyAttribute for $ty {
            const SCALAR_TYPE: ScalarType = ScalarType::N;
        }

        leaf_attribute!($ty);
    )*};
}

integer!(i8, i16, i32, i64, i128, isize, u16, u32, u64, u128, usize);

/// The most significant digits a DynamoDB number holds.
const MAX_SIGNIFICANT_DIGITS: usize = 38;

/// Reports an integer DynamoDB cannot store: over 38 significant digits (trailing zeros
/// are not significant).
fn check_significant_digits(text: &str, problems: &mut Problems) {
    let digits = text.trim_start_matches('-').trim_end_matches('0');
    if digits.len() > MAX_SIGNIFICANT_DIGITS {
        problems.push(format!(
            "has {} significant digits; DynamoDB numbers hold at most {MAX_SIGNIFICANT_DIGITS}",
            digits.len()
        ));
    }
}

// `u8` is written apart: a `Vec<u8>` is binary (B), not a list of numbers.
impl ToAttributeValue for u8 {
    #[inline]
    fn to_attribute_value(&self) -> Option<AttributeValue> {
        Some(AttributeValue::N(
            itoa::Buffer::new().format(*self).to_owned(),
        ))
    }

    fn __encode_slice(items: &[Self]) -> AttributeValue {
        AttributeValue::B(aws_smithy_types::Blob::new(items))
    }
}

impl FromAttributeValue for u8 {
    #[inline]
    fn from_attribute_value(value: AttributeValue) -> Result<Self, Problems> {
        match value {
            AttributeValue::N(n) => parse_integer::<u8>(&n),
            other => Err(Problems::mismatch("N", &other)),
        }
    }

    fn __decode_vec(value: AttributeValue) -> Result<Vec<Self>, Problems> {
        match value {
            AttributeValue::B(blob) => Ok(blob.into_inner()),
            other => Err(Problems::mismatch("B", &other)),
        }
    }
}

impl KeyAttribute for u8 {
    const SCALAR_TYPE: ScalarType = ScalarType::N;
}

leaf_attribute!(u8);

/// Parses a DynamoDB number as the integer type `T`, exactly.
pub(crate) fn parse_integer<T>(text: &str) -> Result<T, Problems>
where
    T: std::str::FromStr + TryFrom<i128> + TryFrom<u128>,
{
    if let Ok(value) = text.parse::<T>() {
        return Ok(value);
    }
    let not_integer = || {
        Problems::single(format!(
            "the stored number does not fit {}",
            std::any::type_name::<T>()
        ))
    };
    let (negative, magnitude) = whole_number(text).ok_or_else(not_integer)?;
    if negative {
        let signed = i128::try_from(magnitude)
            .ok()
            .and_then(|m| m.checked_neg())
            .ok_or_else(not_integer)?;
        T::try_from(signed).map_err(|_| not_integer())
    } else {
        T::try_from(magnitude).map_err(|_| not_integer())
    }
}

/// Reads a decimal string with optional fraction and exponent (`-1.50E+2`) as a whole number:
/// `(negative, magnitude)`, or `None` when it has a fractional part or does not fit `u128`.
fn whole_number(text: &str) -> Option<(bool, u128)> {
    let (negative, unsigned) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], unsigned[at + 1..].parse::<i32>().ok()?),
        None => (unsigned, 0),
    };
    let (int_digits, frac_digits) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int_digits.is_empty() && frac_digits.is_empty() {
        return None;
    }
    let digits = int_digits.bytes().chain(frac_digits.bytes());
    // The decimal point sits `point` digits from the start of `digits`.
    let point = i64::try_from(int_digits.len()).ok()? + i64::from(exponent);
    let mut magnitude: u128 = 0;
    for (position, digit) in (0_i64..).zip(digits) {
        if !digit.is_ascii_digit() {
            return None;
        }
        let digit = u128::from(digit - b'0');
        if position >= point {
            if digit != 0 {
                return None;
            }
            continue;
        }
        magnitude = magnitude.checked_mul(10)?.checked_add(digit)?;
    }
    let total = i64::try_from(int_digits.len() + frac_digits.len()).ok()?;
    if magnitude != 0 {
        for _ in total..point {
            magnitude = magnitude.checked_mul(10)?;
        }
    }
    Some((negative, magnitude))
}

macro_rules! float {
    ($($ty:ty),*) => {$(
        /// Finite values only: NaN and infinities are reported by `check_value` (and written
        /// as `N "NaN"`, which DynamoDB rejects, when validation is bypassed).
        impl ToAttributeValue for $ty {
            #[inline]
            fn to_attribute_value(&self) -> Option<AttributeValue> {
                Some(AttributeValue::N(if self.is_finite() {
                    ryu::Buffer::new().format_finite(*self).to_owned()
                } else {
                    String::from("NaN")
                }))
            }

            fn check_value(&self, problems: &mut Problems) {
                if !self.is_finite() {
                    problems.push(format!("{self} cannot be stored: DynamoDB numbers are finite"));
                }
            }
        }

        impl FromAttributeValue for $ty {
            #[inline]
            fn from_attribute_value(value: AttributeValue) -> Result<Self, Problems> {
                match value {
                    AttributeValue::N(n) => n
                        .parse::<$ty>()
                        .ok()
                        .filter(|v| v.is_finite())
                        .ok_or_else(|| Problems::single(format!(
                            "the stored number does not fit {}", stringify!($ty)
                        ))),
                    other => Err(Problems::mismatch("N", &other)),
                }
            }
        }

        impl KeyAttribute for $ty {
            const SCALAR_TYPE: ScalarType = ScalarType::N;
        }

        leaf_attribute!($ty);
    )*};
}

float!(f32, f64);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_in_canonical_forms() {
        assert_eq!(parse_integer::<u32>("100").ok(), Some(100));
        assert_eq!(parse_integer::<u32>("1E+2").ok(), Some(100));
        assert_eq!(parse_integer::<u32>("100.00").ok(), Some(100));
        assert_eq!(parse_integer::<i64>("-1.5e1").ok(), Some(-15));
        assert_eq!(parse_integer::<i64>("12e-1").ok(), None);
        assert_eq!(parse_integer::<u8>("256").ok(), None);
        assert_eq!(parse_integer::<u8>("-1").ok(), None);
        assert_eq!(
            parse_integer::<i128>(&i128::MIN.to_string()).ok(),
            Some(i128::MIN)
        );
        assert_eq!(parse_integer::<i64>("").ok(), None);
        assert_eq!(parse_integer::<i64>(".").ok(), None);
        assert_eq!(parse_integer::<i64>("1e999999999999").ok(), None);
        assert_eq!(parse_integer::<u64>("0.000e5").ok(), Some(0));
    }

    #[test]
    fn non_finite_floats_are_reported() {
        let mut problems = Problems::new();
        f64::NAN.check_value(&mut problems);
        f32::INFINITY.check_value(&mut problems);
        1.5_f64.check_value(&mut problems);
        assert_eq!(problems.len(), 2);
    }
}
