//! DynamoDB's expression grammar: conditions (and key conditions and filters), updates and
//! projections, parsed from the text a request carries, with `#name` and `:value`
//! placeholders resolved against the request's maps.

use std::collections::{HashMap, HashSet};

use aws_sdk_dynamodb::types::AttributeValue;

/// One step of a document path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    Name(String),
    Index(usize),
}

pub(crate) type Path = Vec<Step>;

/// A value in an expression: an attribute, a literal, or a function of them.
#[derive(Debug, Clone)]
pub(crate) enum Operand {
    Path(Path),
    Value(AttributeValue),
    Size(Path),
    IfNotExists(Path, Box<Operand>),
    ListAppend(Box<Operand>, Box<Operand>),
    Plus(Box<Operand>, Box<Operand>),
    Minus(Box<Operand>, Box<Operand>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Comparator {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone)]
pub(crate) enum Condition {
    Compare(Operand, Comparator, Operand),
    Between(Operand, Operand, Operand),
    In(Operand, Vec<Operand>),
    Exists(Path),
    NotExists(Path),
    Type(Path, Operand),
    BeginsWith(Operand, Operand),
    Contains(Operand, Operand),
    And(Box<Condition>, Box<Condition>),
    Or(Box<Condition>, Box<Condition>),
    Not(Box<Condition>),
}

#[derive(Debug, Clone)]
pub(crate) enum UpdateAction {
    Set(Path, Operand),
    Remove(Path),
    Add(Path, AttributeValue),
    Delete(Path, AttributeValue),
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Name(String),
    Value(String),
    Ident(String),
    Int(usize),
    Punct(&'static str),
}

/// The placeholders of one request, and which of them the expressions used.
pub(crate) struct Placeholders<'a> {
    names: &'a HashMap<String, String>,
    values: &'a HashMap<String, AttributeValue>,
    pub(crate) used_names: HashSet<String>,
    pub(crate) used_values: HashSet<String>,
}

impl<'a> Placeholders<'a> {
    pub(crate) fn new(
        names: &'a HashMap<String, String>,
        values: &'a HashMap<String, AttributeValue>,
    ) -> Self {
        Placeholders {
            names,
            values,
            used_names: HashSet::new(),
            used_values: HashSet::new(),
        }
    }

    /// DynamoDB rejects placeholders that are defined but used by no expression.
    pub(crate) fn check_all_used(&self) -> Result<(), String> {
        let mut unused: Vec<&String> = self
            .names
            .keys()
            .filter(|k| !self.used_names.contains(*k))
            .collect();
        if !unused.is_empty() {
            unused.sort();
            return Err(format!(
                "Value provided in ExpressionAttributeNames unused in expressions: keys: {{{}}}",
                unused
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let mut unused: Vec<&String> = self
            .values
            .keys()
            .filter(|k| !self.used_values.contains(*k))
            .collect();
        if !unused.is_empty() {
            unused.sort();
            return Err(format!(
                "Value provided in ExpressionAttributeValues unused in expressions: keys: {{{}}}",
                unused
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        Ok(())
    }
}

fn lex(text: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let word = |start: usize| -> usize {
        let mut end = start;
        while end < chars.len() && (chars[end].is_alphanumeric() || chars[end] == '_') {
            end += 1;
        }
        end
    };
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let two: String = chars[i..chars.len().min(i + 2)].iter().collect();
        if let Some(p) = ["<>", "<=", ">="].into_iter().find(|p| *p == two) {
            tokens.push(Token::Punct(p));
            i += 2;
            continue;
        }
        if let Some(p) = ["(", ")", "[", "]", ",", ".", "=", "<", ">", "+", "-"]
            .into_iter()
            .find(|p| p.starts_with(c))
        {
            tokens.push(Token::Punct(p));
            i += 1;
            continue;
        }
        if c == '#' || c == ':' {
            let end = word(i + 1);
            if end == i + 1 {
                return Err(format!(
                    "Invalid syntax: `{c}` starts no placeholder in `{text}`"
                ));
            }
            let token: String = chars[i..end].iter().collect();
            tokens.push(if c == '#' {
                Token::Name(token)
            } else {
                Token::Value(token)
            });
            i = end;
            continue;
        }
        if c.is_ascii_digit() {
            let end = word(i);
            let digits: String = chars[i..end].iter().collect();
            tokens.push(Token::Int(
                digits
                    .parse()
                    .map_err(|_| format!("Invalid list index `{digits}`"))?,
            ));
            i = end;
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            let end = word(i);
            tokens.push(Token::Ident(chars[i..end].iter().collect()));
            i = end;
            continue;
        }
        return Err(format!("Invalid syntax: unexpected `{c}` in `{text}`"));
    }
    Ok(tokens)
}

/// The longest expression DynamoDB takes, 4 KB.
const MAX_EXPRESSION_BYTES: usize = 4096;

/// How deeply parentheses, `NOT`s and functions may nest in an expression: DynamoDB's
/// nesting limit, which also bounds the parser's recursion.
const MAX_EXPRESSION_NESTING: usize = 32;

struct Parser<'p, 'a> {
    tokens: Vec<Token>,
    at: usize,
    /// How many nested conditions or operands are being parsed.
    depth: usize,
    placeholders: &'p mut Placeholders<'a>,
    text: &'p str,
}

impl<'p, 'a> Parser<'p, 'a> {
    fn new(text: &'p str, placeholders: &'p mut Placeholders<'a>) -> Result<Self, String> {
        if text.len() > MAX_EXPRESSION_BYTES {
            return Err(format!(
                "Invalid expression: Expression size has exceeded the maximum allowed size; expression size: {}",
                text.len()
            ));
        }
        Ok(Parser {
            tokens: lex(text)?,
            at: 0,
            depth: 0,
            placeholders,
            text,
        })
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn syntax_error(&self) -> String {
        match self.peek() {
            Some(token) => format!(
                "Invalid syntax near {token:?} in expression `{}`",
                self.text
            ),
            None => format!(
                "Invalid syntax: unexpected end of expression `{}`",
                self.text
            ),
        }
    }

    fn punct(&mut self, p: &str) -> bool {
        if self.peek()
            == Some(&Token::Punct(match p {
                "(" => "(",
                ")" => ")",
                "[" => "[",
                "]" => "]",
                "," => ",",
                "." => ".",
                "=" => "=",
                "+" => "+",
                "-" => "-",
                _ => return false,
            }))
        {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, p: &str) -> Result<(), String> {
        if self.punct(p) {
            Ok(())
        } else {
            Err(self.syntax_error())
        }
    }

    fn keyword(&mut self, word: &str) -> bool {
        if matches!(self.peek(), Some(Token::Ident(w)) if w.eq_ignore_ascii_case(word)) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn done(&self) -> Result<(), String> {
        if self.at == self.tokens.len() {
            Ok(())
        } else {
            Err(self.syntax_error())
        }
    }

    fn name(&mut self) -> Result<String, String> {
        match self.next() {
            Some(Token::Name(placeholder)) => {
                let name = self.placeholders.names.get(&placeholder).cloned().ok_or_else(|| {
                    format!("An expression attribute name used in the document path is not defined; attribute name: {placeholder}")
                })?;
                self.placeholders.used_names.insert(placeholder);
                Ok(name)
            }
            Some(Token::Ident(name)) => Ok(name),
            _ => {
                self.at -= 1;
                Err(self.syntax_error())
            }
        }
    }

    fn path(&mut self) -> Result<Path, String> {
        let mut path = vec![Step::Name(self.name()?)];
        loop {
            if self.punct(".") {
                path.push(Step::Name(self.name()?));
            } else if self.punct("[") {
                match self.next() {
                    Some(Token::Int(index)) => path.push(Step::Index(index)),
                    _ => return Err(self.syntax_error()),
                }
                self.expect("]")?;
            } else {
                return Ok(path);
            }
        }
    }

    fn value(&mut self) -> Result<AttributeValue, String> {
        match self.next() {
            Some(Token::Value(placeholder)) => {
                let value = self.placeholders.values.get(&placeholder).cloned().ok_or_else(|| {
                    format!("An expression attribute value used in expression is not defined; attribute value: {placeholder}")
                })?;
                self.placeholders.used_values.insert(placeholder);
                Ok(value)
            }
            _ => {
                self.at -= 1;
                Err(self.syntax_error())
            }
        }
    }

    fn is_function(&self, name: &str) -> bool {
        matches!(self.peek(), Some(Token::Ident(w)) if w == name)
            && self.tokens.get(self.at + 1) == Some(&Token::Punct("("))
    }

    /// A plain operand of a condition: a path, a value, or `size(path)`.
    fn operand(&mut self) -> Result<Operand, String> {
        if matches!(self.peek(), Some(Token::Value(_))) {
            return Ok(Operand::Value(self.value()?));
        }
        if self.is_function("size") {
            self.at += 2;
            let path = self.path()?;
            self.expect(")")?;
            return Ok(Operand::Size(path));
        }
        Ok(Operand::Path(self.path()?))
    }

    /// Runs `parse` one nesting level deeper, refusing to go past the limit.
    fn nested<T>(
        &mut self,
        parse: impl FnOnce(&mut Self) -> Result<T, String>,
    ) -> Result<T, String> {
        if self.depth >= MAX_EXPRESSION_NESTING {
            return Err(format!(
                "Invalid expression: it nests more than {MAX_EXPRESSION_NESTING} levels deep in `{}`",
                self.text
            ));
        }
        self.depth += 1;
        let parsed = parse(self);
        self.depth -= 1;
        parsed
    }

    fn condition(&mut self) -> Result<Condition, String> {
        self.nested(|parser| {
            let mut left = parser.and_condition()?;
            while parser.keyword("OR") {
                left = Condition::Or(Box::new(left), Box::new(parser.and_condition()?));
            }
            Ok(left)
        })
    }

    fn and_condition(&mut self) -> Result<Condition, String> {
        let mut left = self.not_condition()?;
        while self.keyword("AND") {
            left = Condition::And(Box::new(left), Box::new(self.not_condition()?));
        }
        Ok(left)
    }

    fn not_condition(&mut self) -> Result<Condition, String> {
        if self.keyword("NOT") {
            let negated = self.nested(Self::not_condition)?;
            return Ok(Condition::Not(Box::new(negated)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Condition, String> {
        if self.punct("(") {
            let inner = self.condition()?;
            self.expect(")")?;
            return Ok(inner);
        }
        for function in [
            "attribute_exists",
            "attribute_not_exists",
            "attribute_type",
            "begins_with",
            "contains",
        ] {
            if self.is_function(function) {
                self.at += 2;
                let condition = match function {
                    "attribute_exists" => Condition::Exists(self.path()?),
                    "attribute_not_exists" => Condition::NotExists(self.path()?),
                    "attribute_type" => {
                        let path = self.path()?;
                        self.expect(",")?;
                        Condition::Type(path, self.operand()?)
                    }
                    _ => {
                        let subject = self.operand()?;
                        self.expect(",")?;
                        let value = self.operand()?;
                        if function == "begins_with" {
                            Condition::BeginsWith(subject, value)
                        } else {
                            Condition::Contains(subject, value)
                        }
                    }
                };
                self.expect(")")?;
                return Ok(condition);
            }
        }
        let left = self.operand()?;
        if self.keyword("BETWEEN") {
            let low = self.operand()?;
            if !self.keyword("AND") {
                return Err(self.syntax_error());
            }
            return Ok(Condition::Between(left, low, self.operand()?));
        }
        if self.keyword("IN") {
            self.expect("(")?;
            let mut list = vec![self.operand()?];
            while self.punct(",") {
                list.push(self.operand()?);
            }
            self.expect(")")?;
            if list.len() > 100 {
                return Err("Too many operands in the IN list: at most 100".to_owned());
            }
            return Ok(Condition::In(left, list));
        }
        let comparator = match self.next() {
            Some(Token::Punct("=")) => Comparator::Eq,
            Some(Token::Punct("<>")) => Comparator::Ne,
            Some(Token::Punct("<")) => Comparator::Lt,
            Some(Token::Punct("<=")) => Comparator::Le,
            Some(Token::Punct(">")) => Comparator::Gt,
            Some(Token::Punct(">=")) => Comparator::Ge,
            _ => {
                self.at -= 1;
                return Err(self.syntax_error());
            }
        };
        Ok(Condition::Compare(left, comparator, self.operand()?))
    }

    /// An operand of a SET action: a term, or two terms joined by `+` or `-`.
    fn set_value(&mut self) -> Result<Operand, String> {
        self.nested(Self::set_sum)
    }

    /// A term, or two terms joined by `+` or `-`.
    fn set_sum(&mut self) -> Result<Operand, String> {
        let left = self.set_term()?;
        if self.punct("+") {
            return Ok(Operand::Plus(Box::new(left), Box::new(self.set_term()?)));
        }
        if self.punct("-") {
            return Ok(Operand::Minus(Box::new(left), Box::new(self.set_term()?)));
        }
        Ok(left)
    }

    fn set_term(&mut self) -> Result<Operand, String> {
        if self.is_function("if_not_exists") {
            self.at += 2;
            let path = self.path()?;
            self.expect(",")?;
            let fallback = self.set_value()?;
            self.expect(")")?;
            return Ok(Operand::IfNotExists(path, Box::new(fallback)));
        }
        if self.is_function("list_append") {
            self.at += 2;
            let first = self.set_value()?;
            self.expect(",")?;
            let second = self.set_value()?;
            self.expect(")")?;
            return Ok(Operand::ListAppend(Box::new(first), Box::new(second)));
        }
        if matches!(self.peek(), Some(Token::Value(_))) {
            return Ok(Operand::Value(self.value()?));
        }
        Ok(Operand::Path(self.path()?))
    }

    fn update(&mut self) -> Result<Vec<UpdateAction>, String> {
        let mut actions = Vec::new();
        let mut seen_clauses = HashSet::new();
        while self.peek().is_some() {
            let clause = match self.next() {
                Some(Token::Ident(word)) => word.to_ascii_uppercase(),
                _ => return Err(self.syntax_error()),
            };
            if !seen_clauses.insert(clause.clone()) {
                return Err(format!(
                    "The \"{clause}\" section can only be used once in an update expression;"
                ));
            }
            loop {
                let action = match clause.as_str() {
                    "SET" => {
                        let path = self.path()?;
                        self.expect("=")?;
                        UpdateAction::Set(path, self.set_value()?)
                    }
                    "REMOVE" => UpdateAction::Remove(self.path()?),
                    "ADD" => {
                        let path = self.path()?;
                        UpdateAction::Add(path, self.value()?)
                    }
                    "DELETE" => {
                        let path = self.path()?;
                        UpdateAction::Delete(path, self.value()?)
                    }
                    _ => {
                        return Err(format!(
                            "Invalid UpdateExpression: Syntax error; token: \"{clause}\""
                        ))
                    }
                };
                actions.push(action);
                if !self.punct(",") {
                    break;
                }
            }
        }
        if actions.is_empty() {
            return Err("The expression can not be empty;".to_owned());
        }
        check_overlaps(&actions)?;
        Ok(actions)
    }
}

fn path_text(path: &Path) -> String {
    let steps: Vec<String> = path
        .iter()
        .map(|step| match step {
            Step::Name(name) => name.clone(),
            Step::Index(index) => format!("[{index}]"),
        })
        .collect();
    format!("[{}]", steps.join(", "))
}

/// DynamoDB rejects two actions on the same path, or on a path and one inside it.
fn check_overlaps(actions: &[UpdateAction]) -> Result<(), String> {
    let paths: Vec<&Path> = actions
        .iter()
        .map(|action| match action {
            UpdateAction::Set(path, _)
            | UpdateAction::Remove(path)
            | UpdateAction::Add(path, _)
            | UpdateAction::Delete(path, _) => path,
        })
        .collect();
    for (position, path) in paths.iter().enumerate() {
        for earlier in &paths[..position] {
            let shorter = earlier.len().min(path.len());
            if earlier[..shorter] == path[..shorter] {
                return Err(format!(
                    "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: {}, path two: {}",
                    path_text(earlier),
                    path_text(path)
                ));
            }
        }
    }
    Ok(())
}

pub(crate) fn condition(
    text: &str,
    placeholders: &mut Placeholders<'_>,
) -> Result<Condition, String> {
    let mut parser = Parser::new(text, placeholders)?;
    let condition = parser.condition()?;
    parser.done()?;
    Ok(condition)
}

pub(crate) fn update(
    text: &str,
    placeholders: &mut Placeholders<'_>,
) -> Result<Vec<UpdateAction>, String> {
    let mut parser = Parser::new(text, placeholders)?;
    parser.update()
}

pub(crate) fn projection(
    text: &str,
    placeholders: &mut Placeholders<'_>,
) -> Result<Vec<Path>, String> {
    let mut parser = Parser::new(text, placeholders)?;
    let mut paths = vec![parser.path()?];
    while parser.punct(",") {
        paths.push(parser.path()?);
    }
    parser.done()?;
    Ok(paths)
}
