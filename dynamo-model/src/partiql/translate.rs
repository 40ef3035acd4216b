//! Rendered expressions (`#name`, `:value` placeholders) rewritten as PartiQL: names as
//! `"quoted"` identifiers, values as `?` parameters in order, `attribute_exists(a)` as
//! `a IS NOT MISSING`, `IN (..)` as `IN [..]`, and an update's `SET a, b` as `SET a SET b`.

use aws_sdk_dynamodb::types::AttributeValue;

use crate::expr::Rendered;

/// A PartiQL fragment and the parameters its `?` take, in order.
#[derive(Debug, Default)]
pub(crate) struct Fragment {
    pub(crate) text: String,
    pub(crate) parameters: Vec<AttributeValue>,
}

/// `"name"`: a quoted identifier (a `"` inside doubled).
pub(crate) fn identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Name(String),
    Value(String),
    Word(String),
    Symbol(char),
}

fn pieces(expression: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut chars = expression.chars().peekable();
    while let Some(c) = chars.next() {
        let mut word = |first: Option<char>| {
            let mut text: String = first.into_iter().collect();
            while let Some(&next) = chars.peek() {
                if next.is_alphanumeric() || next == '_' {
                    text.push(next);
                    chars.next();
                } else {
                    break;
                }
            }
            text
        };
        match c {
            c if c.is_whitespace() => {}
            '#' => pieces.push(Piece::Name(format!("#{}", word(None)))),
            ':' => pieces.push(Piece::Value(format!(":{}", word(None)))),
            c if c.is_alphanumeric() || c == '_' => pieces.push(Piece::Word(word(Some(c)))),
            c => pieces.push(Piece::Symbol(c)),
        }
    }
    pieces
}

/// Rewrites a condition (or an update, `update = true`) into PartiQL.
pub(crate) fn to_partiql(rendered: &Rendered, update: bool) -> Result<Fragment, String> {
    let pieces = pieces(&rendered.expression);
    let mut fragment = Fragment::default();
    let mut out: Vec<String> = Vec::new();
    // Close-bracket owed by each open parenthesis: `]` after `IN (`, `)` otherwise, and a
    // suffix (`IS NOT MISSING`) for `attribute_exists(`.
    let mut closers: Vec<String> = Vec::new();
    let mut clause = "";
    let mut index = 0;
    while let Some(piece) = pieces.get(index) {
        index += 1;
        match piece {
            Piece::Name(placeholder) => {
                let name = rendered
                    .names
                    .get(placeholder)
                    .ok_or_else(|| format!("no name for {placeholder}"))?;
                let joined = out.last().is_some_and(|last| last == ".");
                let text = identifier(name);
                if joined {
                    let dot = out.pop().unwrap_or_default();
                    let base = out.pop().unwrap_or_default();
                    out.push(format!("{base}{dot}{text}"));
                } else {
                    out.push(text);
                }
            }
            Piece::Value(placeholder) => {
                let value = rendered
                    .values
                    .get(placeholder)
                    .ok_or_else(|| format!("no value for {placeholder}"))?;
                fragment.parameters.push(value.clone());
                out.push("?".into());
            }
            Piece::Word(word) => {
                let upper = word.to_ascii_uppercase();
                match upper.as_str() {
                    "SET" | "REMOVE" if update => {
                        clause = if upper == "SET" { "SET" } else { "REMOVE" };
                        out.push(upper);
                    }
                    "ADD" | "DELETE" if update => {
                        return Err(format!(
                            "PartiQL has no {upper} clause; use set/remove in a PartiQL update"
                        ));
                    }
                    "ATTRIBUTE_EXISTS" | "ATTRIBUTE_NOT_EXISTS" => {
                        if pieces.get(index) != Some(&Piece::Symbol('(')) {
                            return Err(format!("expected `(` after {word}"));
                        }
                        index += 1;
                        let suffix = if upper == "ATTRIBUTE_EXISTS" {
                            " IS NOT MISSING"
                        } else {
                            " IS MISSING"
                        };
                        closers.push(suffix.into());
                        out.push("\u{0}".into());
                    }
                    "IF_NOT_EXISTS" => {
                        return Err("PartiQL has no if_not_exists; set the value without it".into());
                    }
                    "IN" if pieces.get(index) == Some(&Piece::Symbol('(')) => {
                        index += 1;
                        out.push("IN [".into());
                        closers.push("]".into());
                    }
                    _ => out.push(word.clone()),
                }
            }
            Piece::Symbol('(') => {
                closers.push(")".into());
                out.push("(".into());
            }
            Piece::Symbol(')') => {
                let closer = closers.pop().ok_or("unbalanced parentheses")?;
                if closer.starts_with(" IS") {
                    // attribute_exists(path): the path since the marker, then the suffix.
                    let marker = out
                        .iter()
                        .rposition(|p| p == "\u{0}")
                        .ok_or("unbalanced attribute_exists")?;
                    let path: Vec<String> = out.drain(marker..).skip(1).collect();
                    out.push(format!("{}{closer}", path.join(" ")));
                } else {
                    out.push(closer);
                }
            }
            Piece::Symbol(',') if update && clause == "SET" && closers.is_empty() => {
                out.push("SET".into());
            }
            Piece::Symbol(',') if update && clause == "REMOVE" && closers.is_empty() => {
                out.push("REMOVE".into());
            }
            Piece::Symbol('[') => {
                // A list index belongs to the path before it: `"tags"[2]`.
                let Some(Piece::Word(position)) = pieces.get(index) else {
                    return Err("expected a list index after `[`".into());
                };
                index += 2;
                let base = out.pop().unwrap_or_default();
                out.push(format!("{base}[{position}]"));
            }
            Piece::Symbol('.') => out.push(".".into()),
            Piece::Symbol(c) => out.push(c.to_string()),
        }
    }
    fragment.text = out
        .join(" ")
        .replace("( ", "(")
        .replace(" )", ")")
        .replace("[ ", "[")
        .replace(" ]", "]")
        .replace(" ,", ",");
    for function in [
        "begins_with",
        "contains",
        "size",
        "attribute_type",
        "list_append",
    ] {
        fragment.text = fragment
            .text
            .replace(&format!("{function} ("), &format!("{function}("));
    }
    Ok(fragment)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn rendered(expression: &str, names: &[(&str, &str)], values: &[(&str, &str)]) -> Rendered {
        Rendered {
            expression: expression.into(),
            names: names
                .iter()
                .map(|(p, n)| (p.to_string(), n.to_string()))
                .collect::<HashMap<_, _>>(),
            values: values
                .iter()
                .map(|(p, v)| (p.to_string(), AttributeValue::S(v.to_string())))
                .collect(),
        }
    }

    #[test]
    fn conditions_become_partiql() {
        let condition = rendered(
            "(#a = :a AND attribute_exists(#b.#c)) OR (#d IN (:x, :y) AND begins_with(#e, :z))",
            &[
                ("#a", "status"),
                ("#b", "address"),
                ("#c", "city"),
                ("#d", "say \"hi\""),
                ("#e", "name"),
            ],
            &[(":a", "open"), (":x", "1"), (":y", "2"), (":z", "A")],
        );
        let fragment = to_partiql(&condition, false).unwrap();
        assert_eq!(
            fragment.text,
            r#"("status" = ? AND "address"."city" IS NOT MISSING) OR ("say ""hi""" IN [?, ?] AND begins_with("name", ?))"#
        );
        let texts: Vec<_> = fragment
            .parameters
            .iter()
            .map(|v| v.as_s().unwrap().as_str())
            .collect();
        assert_eq!(texts, ["open", "1", "2", "A"]);
    }

    #[test]
    fn updates_repeat_their_clause_keyword() {
        let update = rendered(
            "SET #a = :a, #b = #b + :b REMOVE #c, #d[2]",
            &[
                ("#a", "name"),
                ("#b", "visits"),
                ("#c", "nickname"),
                ("#d", "tags"),
            ],
            &[(":a", "Ada"), (":b", "1")],
        );
        assert_eq!(
            to_partiql(&update, true).unwrap().text,
            r#"SET "name" = ? SET "visits" = "visits" + ? REMOVE "nickname" REMOVE "tags"[2]"#
        );
        let add = rendered("ADD #a :a", &[("#a", "n")], &[(":a", "1")]);
        assert!(to_partiql(&add, true).unwrap_err().contains("no ADD"));
        let once = rendered(
            "SET #a = if_not_exists(#a, :a)",
            &[("#a", "n")],
            &[(":a", "1")],
        );
        assert!(to_partiql(&once, true).is_err());
    }
}
