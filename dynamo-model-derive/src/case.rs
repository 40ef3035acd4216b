//! `rename_all` rules: how Rust field and variant names become attribute names.

/// A `rename_all` rule.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum RenameRule {
    Lower,
    Upper,
    Pascal,
    Camel,
    Snake,
    ScreamingSnake,
    Kebab,
    ScreamingKebab,
}

/// Every accepted spelling, for "did you mean" suggestions.
pub(crate) const RULE_NAMES: &[&str] = &[
    "lowercase",
    "UPPERCASE",
    "PascalCase",
    "camelCase",
    "snake_case",
    "SCREAMING_SNAKE_CASE",
    "kebab-case",
    "SCREAMING-KEBAB-CASE",
];

impl RenameRule {
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        let rule = match name {
            "lowercase" => RenameRule::Lower,
            "UPPERCASE" => RenameRule::Upper,
            "PascalCase" => RenameRule::Pascal,
            "camelCase" => RenameRule::Camel,
            "snake_case" => RenameRule::Snake,
            "SCREAMING_SNAKE_CASE" => RenameRule::ScreamingSnake,
            "kebab-case" => RenameRule::Kebab,
            "SCREAMING-KEBAB-CASE" => RenameRule::ScreamingKebab,
            _ => return None,
        };
        Some(rule)
    }

    /// Applies the rule to a name given in any Rust case (`snake_case` field or
    /// `PascalCase` variant).
    pub(crate) fn apply(self, name: &str) -> String {
        let words = split_words(name);
        let joined = |sep: &str, word: fn(&str) -> String| {
            words.iter().map(|w| word(w)).collect::<Vec<_>>().join(sep)
        };
        match self {
            RenameRule::Lower => joined("", |w| w.to_lowercase()),
            RenameRule::Upper => joined("", |w| w.to_uppercase()),
            RenameRule::Pascal => joined("", capitalize),
            RenameRule::Camel => {
                let pascal = joined("", capitalize);
                let mut chars = pascal.chars();
                chars
                    .next()
                    .map(|first| first.to_lowercase().chain(chars).collect())
                    .unwrap_or_default()
            }
            RenameRule::Snake => joined("_", |w| w.to_lowercase()),
            RenameRule::ScreamingSnake => joined("_", |w| w.to_uppercase()),
            RenameRule::Kebab => joined("-", |w| w.to_lowercase()),
            RenameRule::ScreamingKebab => joined("-", |w| w.to_uppercase()),
        }
    }
}

fn capitalize(word: &str) -> String {
    let lower = word.to_lowercase();
    let mut chars = lower.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Splits `snake_case`, `PascalCase` or `camelCase` into words.
pub(crate) fn split_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.trim_start_matches("r#").chars() {
        if c == '_' {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::RenameRule::*;

    #[test]
    fn rules_apply_to_fields_and_variants() {
        assert_eq!(Camel.apply("created_at"), "createdAt");
        assert_eq!(Pascal.apply("created_at"), "CreatedAt");
        assert_eq!(ScreamingSnake.apply("OnHold"), "ON_HOLD");
        assert_eq!(Kebab.apply("OnHold"), "on-hold");
        assert_eq!(Snake.apply("OnHold"), "on_hold");
        assert_eq!(Lower.apply("OnHold"), "onhold");
        assert_eq!(Upper.apply("on_hold"), "ONHOLD");
        assert_eq!(ScreamingKebab.apply("user_id2"), "USER-ID2");
    }
}
