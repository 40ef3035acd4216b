//! The text of a key template, `USER#{user_id}` or `ORDER#{created_at:10}#{order_id}`, split
//! into literal text and named parts (resolved to fields by `validate`).

/// A piece of a template before its names are resolved.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum RawSegment {
    Literal(String),
    Part { name: String, width: Option<u8> },
}

/// The widest a padded number can be: DynamoDB numbers have 38 digits of precision.
const MAX_WIDTH: u8 = 38;

/// Splits `text`; the message says what is wrong with it.
pub(crate) fn split(text: &str) -> Result<Vec<RawSegment>, String> {
    let mut segments = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        match rest.find(['{', '}']) {
            None => {
                segments.push(RawSegment::Literal(rest.to_owned()));
                rest = "";
            }
            Some(start) if rest[start..].starts_with('}') => {
                return Err(format!("`}}` without `{{` in key template `{text}`"));
            }
            Some(start) => {
                if start > 0 {
                    segments.push(RawSegment::Literal(rest[..start].to_owned()));
                }
                let after = &rest[start + 1..];
                let end = after
                    .find('}')
                    .ok_or_else(|| format!("`{{` without `}}` in key template `{text}`"))?;
                segments.push(part(&after[..end], text)?);
                rest = &after[end + 1..];
            }
        }
    }
    if segments.is_empty() {
        return Err("a key template cannot be empty".to_owned());
    }
    for pair in segments.windows(2) {
        if let [RawSegment::Part { name, width: None }, RawSegment::Part { name: next, .. }] = pair
        {
            return Err(format!(
                "`{{{name}}}` and `{{{next}}}` need text between them (or a width on `{name}`, `{{{name}:10}}`) so the key can be parsed back"
            ));
        }
    }
    Ok(segments)
}

fn part(inside: &str, text: &str) -> Result<RawSegment, String> {
    let (name, width) = match inside.split_once(':') {
        None => (inside, None),
        Some((name, width)) => {
            let width: u8 = width
                .parse()
                .ok()
                .filter(|w| (1..=MAX_WIDTH).contains(w))
                .ok_or_else(|| {
                    format!("the width of `{name}` in `{text}` must be a number of digits from 1 to {MAX_WIDTH}, not `{width}`")
                })?;
            (name, Some(width))
        }
    };
    let name = name.trim();
    if name.is_empty() || name.contains('{') {
        return Err(format!("a part of key template `{text}` names no field"));
    }
    Ok(RawSegment::Part {
        name: name.to_owned(),
        width,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn literal(text: &str) -> RawSegment {
        RawSegment::Literal(text.to_owned())
    }

    fn named(name: &str, width: Option<u8>) -> RawSegment {
        RawSegment::Part {
            name: name.to_owned(),
            width,
        }
    }

    #[test]
    fn splits_literals_and_parts() {
        assert_eq!(
            split("ORDER#{created_at:10}#{order_id}").unwrap(),
            vec![
                literal("ORDER#"),
                named("created_at", Some(10)),
                literal("#"),
                named("order_id", None)
            ]
        );
        assert_eq!(split("PROFILE").unwrap(), vec![literal("PROFILE")]);
        assert_eq!(
            split("{year:4}{id}").unwrap(),
            vec![named("year", Some(4)), named("id", None)]
        );
    }

    #[test]
    fn reports_bad_templates() {
        for (text, message) in [
            ("", "cannot be empty"),
            ("A#{id", "without `}`"),
            ("A#id}", "without `{`"),
            ("A#{}", "names no field"),
            ("A#{id:0}", "from 1 to 38"),
            ("A#{id:x}", "from 1 to 38"),
            ("{a}{b}", "need text between them"),
        ] {
            let error = split(text).unwrap_err();
            assert!(error.contains(message), "{text}: {error}");
        }
    }
}
