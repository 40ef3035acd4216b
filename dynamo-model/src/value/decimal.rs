//! DynamoDB numbers, exactly: parsed into sign, significant digits and exponent, ordered by
//! value, added without rounding, and written in DynamoDB's normal form (`1E+2` -> `100`,
//! `3.0` -> `3`, `-0.50` -> `-0.5`).

use std::cmp::Ordering;

/// A decimal number: `0.d1 d2 d3 ... x 10^exponent`, digits without leading or trailing
/// zeros (none for zero).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Number {
    negative: bool,
    digits: Vec<u8>,
    exponent: i64,
}

impl Number {
    pub(crate) fn parse(text: &str) -> Option<Number> {
        let (negative, rest) = match text.as_bytes().first()? {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        let (mantissa, exponent) = match rest.find(['e', 'E']) {
            Some(at) => (&rest[..at], rest[at + 1..].parse::<i64>().ok()?),
            None => (rest, 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let all: Vec<u8> = int.bytes().chain(frac.bytes()).map(|b| b - b'0').collect();
        let leading = all.iter().take_while(|d| **d == 0).count();
        let digits: Vec<u8> = all[leading..].to_vec();
        let trailing = digits.iter().rev().take_while(|d| **d == 0).count();
        let digits = digits[..digits.len() - trailing].to_vec();
        let point = i64::try_from(int.len()).ok()? - i64::try_from(leading).ok()?;
        Some(Number::new(negative, digits, point.checked_add(exponent)?))
    }

    fn new(negative: bool, digits: Vec<u8>, exponent: i64) -> Number {
        if digits.is_empty() {
            return Number {
                negative: false,
                digits,
                exponent: 0,
            };
        }
        Number {
            negative,
            digits,
            exponent,
        }
    }

    fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    /// Why DynamoDB would not store this number: over 38 significant digits, or a
    /// magnitude outside 1E-130 ..= 9.99..E+125 (DynamoDB's messages).
    pub(crate) fn unstorable(&self) -> Option<&'static str> {
        if self.digits.is_empty() {
            return None;
        }
        if self.digits.len() > 38 {
            return Some("DynamoDB only supports precision up to 38 digits");
        }
        if self.exponent > 126 {
            return Some(
                "Number overflow. Attempting to store a number with magnitude larger than supported range",
            );
        }
        if self.exponent < -129 {
            return Some(
                "Number underflow. Attempting to store a number with magnitude smaller than supported range",
            );
        }
        None
    }

    /// How many base-100 digits hold this number with its decimal point between two of
    /// them: how DynamoDB counts a number's size (`1.5` is `01.50`, two).
    pub(crate) fn base_100_digits(&self) -> usize {
        let leading_pad = usize::from(self.exponent.rem_euclid(2) == 1);
        (self.digits.len() + leading_pad).div_ceil(2).max(1)
    }

    /// DynamoDB's normal form, without an exponent.
    pub(crate) fn canonical(&self) -> String {
        if self.is_zero() {
            return "0".to_owned();
        }
        let mut text = String::new();
        if self.negative {
            text.push('-');
        }
        let digits: String = self.digits.iter().map(|d| char::from(b'0' + d)).collect();
        let len = i64::try_from(digits.len()).unwrap_or(i64::MAX);
        if self.exponent <= 0 {
            text.push_str("0.");
            text.extend(std::iter::repeat_n(
                '0',
                usize::try_from(-self.exponent).unwrap_or(0),
            ));
            text.push_str(&digits);
        } else if self.exponent >= len {
            text.push_str(&digits);
            text.extend(std::iter::repeat_n(
                '0',
                usize::try_from(self.exponent - len).unwrap_or(0),
            ));
        } else {
            let point = usize::try_from(self.exponent).unwrap_or(0);
            text.push_str(&digits[..point]);
            text.push('.');
            text.push_str(&digits[point..]);
        }
        text
    }

    fn compare_magnitude(&self, other: &Number) -> Ordering {
        match (self.is_zero(), other.is_zero()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            _ => {}
        }
        self.exponent
            .cmp(&other.exponent)
            .then_with(|| self.digits.cmp(&other.digits))
    }

    /// `self + other` (or `self - other` when `subtract`), exactly.
    pub(crate) fn add(&self, other: &Number, subtract: bool) -> Number {
        let other_negative = other.negative != subtract && !other.is_zero();
        // Align both as integers scaled by 10^low.
        let low = (self.exponent - self.digits.len() as i64)
            .min(other.exponent - other.digits.len() as i64);
        let scaled = |n: &Number| -> Vec<u8> {
            // Most significant first, with trailing zeros down to `low`.
            let mut digits = n.digits.clone();
            let pad = (n.exponent - n.digits.len() as i64) - low;
            digits.extend(std::iter::repeat_n(0, usize::try_from(pad).unwrap_or(0)));
            digits
        };
        let (a, b) = (scaled(self), scaled(other));
        let (negative, digits) = if self.negative == other_negative {
            (self.negative, add_digits(&a, &b))
        } else {
            match self.compare_magnitude(other) {
                Ordering::Equal => return Number::new(false, Vec::new(), 0),
                Ordering::Greater => (self.negative, sub_digits(&a, &b)),
                Ordering::Less => (other_negative, sub_digits(&b, &a)),
            }
        };
        let leading = digits.iter().take_while(|d| **d == 0).count();
        let digits = &digits[leading..];
        let exponent = low + digits.len() as i64;
        let trailing = digits.iter().rev().take_while(|d| **d == 0).count();
        Number::new(
            negative,
            digits[..digits.len() - trailing].to_vec(),
            exponent,
        )
    }
}

fn add_digits(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut result = Vec::with_capacity(a.len().max(b.len()) + 1);
    let mut carry = 0;
    let (mut i, mut j) = (a.len(), b.len());
    while i > 0 || j > 0 || carry > 0 {
        let x = if i > 0 {
            i -= 1;
            a[i]
        } else {
            0
        };
        let y = if j > 0 {
            j -= 1;
            b[j]
        } else {
            0
        };
        let sum = x + y + carry;
        result.push(sum % 10);
        carry = sum / 10;
    }
    result.reverse();
    result
}

/// `a - b` for magnitudes with `a >= b`, both aligned at the same scale.
fn sub_digits(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut result = Vec::with_capacity(a.len());
    let mut borrow = 0_i8;
    let (mut i, mut j) = (a.len(), b.len());
    while i > 0 {
        i -= 1;
        let y = if j > 0 {
            j -= 1;
            b[j]
        } else {
            0
        };
        let mut digit = a[i] as i8 - y as i8 - borrow;
        borrow = 0;
        if digit < 0 {
            digit += 10;
            borrow = 1;
        }
        result.push(digit as u8);
    }
    result.reverse();
    result
}

impl Ord for Number {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.compare_magnitude(other),
            (true, true) => other.compare_magnitude(self),
        }
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(text: &str) -> Number {
        Number::parse(text).unwrap()
    }

    #[test]
    fn normal_forms_match_dynamodb() {
        assert_eq!(n("3.0").canonical(), "3");
        assert_eq!(n("1E+2").canonical(), "100");
        assert_eq!(n("-0.50").canonical(), "-0.5");
        assert_eq!(n("0.0015").canonical(), "0.0015");
        assert_eq!(n("-0").canonical(), "0");
        assert_eq!(n("1.5e-3").canonical(), "0.0015");
        assert_eq!(n("12345.678").canonical(), "12345.678");
        assert!(Number::parse("1.2.3").is_none());
        assert!(Number::parse("").is_none());
    }

    #[test]
    fn order_and_arithmetic_are_exact() {
        assert!(n("-10") < n("-9.5"));
        assert!(n("0.1") < n("0.11"));
        assert!(n("100") > n("99.999"));
        assert_eq!(n("3"), n("3.000"));
        assert_eq!(n("0.1").add(&n("0.2"), false).canonical(), "0.3");
        assert_eq!(n("5").add(&n("7"), true).canonical(), "-2");
        assert_eq!(n("-5").add(&n("-7"), false).canonical(), "-12");
        assert_eq!(
            n("99999999999999999999999999999999999999")
                .add(&n("1"), false)
                .canonical(),
            "100000000000000000000000000000000000000"
        );
        assert_eq!(n("1.5").add(&n("1.5"), true).canonical(), "0");
    }
}
