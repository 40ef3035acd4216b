//! PartiQL on the embedded store: `SELECT`, `INSERT`, `UPDATE` and `DELETE` statements, one
//! item at a time for writes, with `?` parameters.
//!
//! A statement is tokenized, its `WHERE` and `SET` parts are rewritten into DynamoDB's own
//! expression syntax (names and values as placeholders) and run through the same parser,
//! evaluator and single-item operations as `Query`, `PutItem`, `UpdateItem` and
//! `DeleteItem`, so both languages share one set of semantics.

use std::collections::HashMap;

use aws_sdk_dynamodb::operation::{
    batch_execute_statement, delete_item, execute_statement, put_item, update_item,
};
use aws_sdk_dynamodb::types::{
    AttributeValue, BatchStatementError, BatchStatementErrorCodeEnum, BatchStatementResponse,
};

use super::{eval, parse, MemoryBackend};
use crate::error::{Error, ErrorKind, Result};
use crate::value::Item;

const OP: &str = "ExecuteStatement";

#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// A bare word: a keyword, a function or an attribute name.
    Word(String),
    /// A `"quoted"` identifier.
    Quoted(String),
    /// A `'string'` literal.
    Text(String),
    Number(String),
    Param,
    Symbol(&'static str),
}

const SYMBOLS: [&str; 19] = [
    "<>", "!=", "<=", ">=", "<<", ">>", "=", "<", ">", "(", ")", "[", "]", "{", "}", ",", ".", ":",
    "*",
];

fn tokenize(text: &str) -> std::result::Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c.is_whitespace() {
            rest = &rest[c.len_utf8()..];
        } else if c == '"' || c == '\'' {
            let (content, after) = quoted(rest, c)?;
            tokens.push(if c == '"' {
                Token::Quoted(content)
            } else {
                Token::Text(content)
            });
            rest = after;
        } else if c == '?' {
            tokens.push(Token::Param);
            rest = &rest[1..];
        } else if c.is_ascii_digit()
            || (c == '-' && rest[1..].starts_with(|d: char| d.is_ascii_digit()))
        {
            let end = rest[1..]
                .find(|d: char| !(d.is_ascii_alphanumeric() || d == '.' || d == '+' || d == '-'))
                .map_or(rest.len(), |i| i + 1);
            tokens.push(Token::Number(rest[..end].to_owned()));
            rest = &rest[end..];
        } else if c.is_alphabetic() || c == '_' {
            let end = rest
                .find(|d: char| !(d.is_alphanumeric() || d == '_'))
                .unwrap_or(rest.len());
            tokens.push(Token::Word(rest[..end].to_owned()));
            rest = &rest[end..];
        } else if let Some(symbol) = SYMBOLS.iter().find(|s| rest.starts_with(**s)) {
            tokens.push(Token::Symbol(symbol));
            rest = &rest[symbol.len()..];
        } else if c == '+' || c == '-' {
            tokens.push(Token::Symbol(if c == '+' { "+" } else { "-" }));
            rest = &rest[1..];
        } else {
            return Err(format!("unexpected character {c:?}"));
        }
    }
    Ok(tokens)
}

/// The content of a quoted token (the quote doubled inside it stands for itself), and the
/// text after it.
fn quoted(text: &str, quote: char) -> std::result::Result<(String, &str), String> {
    let mut content = String::new();
    let mut chars = text.char_indices().skip(1).peekable();
    while let Some((i, c)) = chars.next() {
        if c == quote {
            if chars.peek().is_some_and(|(_, next)| *next == quote) {
                chars.next();
                content.push(quote);
            } else {
                return Ok((content, &text[i + 1..]));
            }
        } else {
            content.push(c);
        }
    }
    Err(format!("unterminated {quote}quoted{quote} text"))
}

fn is_keyword(token: &Token, keyword: &str) -> bool {
    matches!(token, Token::Word(w) if w.eq_ignore_ascii_case(keyword))
}

/// A statement's tokens, read front to back, with its parameters and the expression
/// placeholders it produces.
struct Reader<'a> {
    tokens: Vec<Token>,
    at: usize,
    parameters: &'a [AttributeValue],
    next_parameter: usize,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    /// The placeholder maps the statement produced, moved out for a request.
    #[allow(clippy::type_complexity)]
    fn take_placeholders(
        &mut self,
    ) -> (
        Option<HashMap<String, String>>,
        Option<HashMap<String, AttributeValue>>,
    ) {
        let values = std::mem::take(&mut self.values);
        (
            Some(std::mem::take(&mut self.names)),
            (!values.is_empty()).then_some(values),
        )
    }

    fn at_keyword(&self, keyword: &str) -> bool {
        self.peek().is_some_and(|t| is_keyword(t, keyword))
    }

    fn expect_keyword(&mut self, keyword: &str) -> std::result::Result<(), String> {
        if self.at_keyword(keyword) {
            self.at += 1;
            Ok(())
        } else {
            Err(format!("expected {keyword}, found {:?}", self.peek()))
        }
    }

    fn expect(&mut self, symbol: &str) -> std::result::Result<(), String> {
        match self.next() {
            Some(Token::Symbol(s)) if s == symbol => Ok(()),
            other => Err(format!("expected `{symbol}`, found {other:?}")),
        }
    }

    /// A table or index name: quoted or bare.
    fn name(&mut self) -> std::result::Result<String, String> {
        match self.next() {
            Some(Token::Quoted(name) | Token::Word(name)) => Ok(name),
            other => Err(format!("expected a name, found {other:?}")),
        }
    }

    fn parameter(&mut self) -> std::result::Result<AttributeValue, String> {
        let value = self
            .parameters
            .get(self.next_parameter)
            .cloned()
            .ok_or("the statement has more ? than parameters")?;
        self.next_parameter += 1;
        Ok(value)
    }

    /// A literal value: `?`, `'text'`, a number, `true`/`false`/`null`, `{'name': value}`,
    /// `[value, ...]` or `<<value, ...>>` (a set).
    fn literal(&mut self) -> std::result::Result<AttributeValue, String> {
        match self.next() {
            Some(Token::Param) => self.parameter(),
            Some(Token::Text(s)) => Ok(AttributeValue::S(s)),
            Some(Token::Number(n)) => Ok(AttributeValue::N(n)),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("true") => {
                Ok(AttributeValue::Bool(true))
            }
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("false") => {
                Ok(AttributeValue::Bool(false))
            }
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("null") => {
                Ok(AttributeValue::Null(true))
            }
            Some(Token::Symbol("{")) => {
                let mut map = HashMap::new();
                while self.peek() != Some(&Token::Symbol("}")) {
                    let name = match self.next() {
                        Some(Token::Text(name) | Token::Quoted(name)) => name,
                        other => {
                            return Err(format!("expected an attribute name, found {other:?}"))
                        }
                    };
                    self.expect(":")?;
                    map.insert(name, self.literal()?);
                    if self.peek() == Some(&Token::Symbol(",")) {
                        self.at += 1;
                    }
                }
                self.expect("}")?;
                Ok(AttributeValue::M(map))
            }
            Some(Token::Symbol(open @ ("[" | "<<"))) => {
                let close = if open == "[" { "]" } else { ">>" };
                let mut values = Vec::new();
                while self.peek() != Some(&Token::Symbol(close)) {
                    values.push(self.literal()?);
                    if self.peek() == Some(&Token::Symbol(",")) {
                        self.at += 1;
                    }
                }
                self.expect(close)?;
                if open == "[" {
                    Ok(AttributeValue::L(values))
                } else {
                    set_of(values)
                }
            }
            other => Err(format!("expected a value, found {other:?}")),
        }
    }

    /// A placeholder for an attribute name.
    fn name_placeholder(&mut self, name: String) -> String {
        let placeholder = format!("#q{}", self.names.len());
        self.names.insert(placeholder.clone(), name);
        placeholder
    }

    fn value_placeholder(&mut self, value: AttributeValue) -> String {
        let placeholder = format!(":q{}", self.values.len());
        self.values.insert(placeholder.clone(), value);
        placeholder
    }

    /// Rewrites PartiQL up to one of `stops` (at depth 0) into expression syntax: names and
    /// values become placeholders, `IS [NOT] MISSING` becomes `attribute_[not_]exists`,
    /// `IN [..]` becomes `IN (..)`.
    fn expression(&mut self, stops: &[&str]) -> std::result::Result<String, String> {
        let mut out: Vec<String> = Vec::new();
        let mut path_start: Option<usize> = None;
        let mut depth = 0usize;
        let mut in_list = false;
        while let Some(token) = self.peek().cloned() {
            if depth == 0
                && (stops.iter().any(|stop| is_keyword(&token, stop))
                    || (stops.contains(&",") && token == Token::Symbol(",")))
            {
                break;
            }
            self.at += 1;
            match token {
                Token::Word(word) if is_operator_word(&word) => {
                    if word.eq_ignore_ascii_case("is") {
                        let negated = self.at_keyword("not");
                        if negated {
                            self.at += 1;
                        }
                        self.expect_keyword("missing")?;
                        let start = path_start.ok_or("IS MISSING needs an attribute")?;
                        let path: String = out.drain(start..).collect();
                        let function = if negated {
                            "attribute_exists"
                        } else {
                            "attribute_not_exists"
                        };
                        out.push(format!("{function}({path})"));
                    } else {
                        out.push(format!(" {} ", word.to_ascii_uppercase()));
                    }
                    path_start = None;
                    continue;
                }
                Token::Word(word) if self.peek() == Some(&Token::Symbol("(")) => {
                    out.push(word.to_ascii_lowercase());
                }
                Token::Word(word)
                    if ["true", "false", "null"]
                        .iter()
                        .any(|w| word.eq_ignore_ascii_case(w)) =>
                {
                    self.at -= 1;
                    let value = self.literal()?;
                    let placeholder = self.value_placeholder(value);
                    out.push(placeholder);
                }
                Token::Word(name) | Token::Quoted(name) => {
                    let joined = out.last().is_some_and(|last| last == ".");
                    if !joined {
                        path_start = Some(out.len());
                    }
                    let placeholder = self.name_placeholder(name);
                    out.push(placeholder);
                    continue;
                }
                Token::Param | Token::Text(_) | Token::Number(_) | Token::Symbol("{" | "<<") => {
                    self.at -= 1;
                    let value = self.literal()?;
                    let placeholder = self.value_placeholder(value);
                    out.push(placeholder);
                }
                Token::Symbol("[") if out.last().is_some_and(|l| l.trim() == "IN") => {
                    out.push("(".into());
                    in_list = true;
                }
                Token::Symbol("]") if in_list => {
                    out.push(")".into());
                    in_list = false;
                }
                Token::Symbol("[") => {
                    match self.next() {
                        Some(Token::Number(n)) => out.push(format!("[{n}]")),
                        other => return Err(format!("expected a list index, found {other:?}")),
                    }
                    self.expect("]")?;
                    continue;
                }
                Token::Symbol(symbol) => {
                    match symbol {
                        "(" => depth += 1,
                        ")" => depth = depth.saturating_sub(1),
                        _ => {}
                    }
                    out.push(if symbol == "!=" { "<>" } else { symbol }.to_owned());
                    if symbol == "." {
                        continue;
                    }
                }
            }
            path_start = None;
        }
        if out.is_empty() {
            return Err("expected an expression".into());
        }
        Ok(out.join(" ").replace(" . ", ".").replace(" [", "["))
    }
}

/// The `attribute = value` conjuncts at the top of a condition.
fn equalities(condition: &parse::Condition, found: &mut Vec<(String, AttributeValue)>) {
    use parse::{Comparator, Condition, Operand, Step};
    match condition {
        Condition::And(left, right) => {
            equalities(left, found);
            equalities(right, found);
        }
        Condition::Compare(Operand::Path(path), Comparator::Eq, Operand::Value(value))
        | Condition::Compare(Operand::Value(value), Comparator::Eq, Operand::Path(path)) => {
            if let [Step::Name(name)] = path.as_slice() {
                found.push((name.clone(), value.clone()));
            }
        }
        _ => {}
    }
}

fn is_operator_word(word: &str) -> bool {
    ["and", "or", "not", "between", "in", "is"]
        .iter()
        .any(|w| word.eq_ignore_ascii_case(w))
}

fn set_of(values: Vec<AttributeValue>) -> std::result::Result<AttributeValue, String> {
    let mut strings = Vec::new();
    let mut numbers = Vec::new();
    let mut binaries = Vec::new();
    for value in values {
        match value {
            AttributeValue::S(s) => strings.push(s),
            AttributeValue::N(n) => numbers.push(n),
            AttributeValue::B(b) => binaries.push(b),
            _ => return Err("a set holds strings, numbers or binaries".into()),
        }
    }
    match (strings.is_empty(), numbers.is_empty(), binaries.is_empty()) {
        (false, true, true) => Ok(AttributeValue::Ss(strings)),
        (true, false, true) => Ok(AttributeValue::Ns(numbers)),
        (true, true, false) => Ok(AttributeValue::Bs(binaries)),
        _ => Err("a set holds values of one type, and at least one".into()),
    }
}

fn malformed(message: impl std::fmt::Display) -> Error {
    super::validation(
        OP,
        format!("Statement wasn't well formed, can't be processed: {message}"),
    )
}

/// What a statement returned: the items of a `SELECT`, and where the next page starts.
struct Outcome {
    items: Vec<Item>,
    next_token: Option<String>,
}

impl Outcome {
    /// A write's outcome: no rows.
    fn nothing() -> Self {
        Outcome {
            items: Vec::new(),
            next_token: None,
        }
    }
}

impl MemoryBackend {
    pub(super) fn execute_statement(
        &self,
        input: execute_statement::ExecuteStatementInput,
    ) -> Result<execute_statement::ExecuteStatementOutput> {
        let parameters = input.parameters.unwrap_or_default();
        let outcome = self.run_statement(
            input.statement.as_deref().unwrap_or_default(),
            &parameters,
            input.limit,
            input.next_token.as_deref(),
        )?;
        Ok(execute_statement::ExecuteStatementOutput::builder()
            .set_items(Some(outcome.items))
            .set_next_token(outcome.next_token)
            .build())
    }

    pub(super) fn batch_execute_statement(
        &self,
        input: batch_execute_statement::BatchExecuteStatementInput,
    ) -> Result<batch_execute_statement::BatchExecuteStatementOutput> {
        const BATCH: &str = "BatchExecuteStatement";
        let statements = input.statements.unwrap_or_default();
        if statements.is_empty() || statements.len() > 25 {
            return Err(super::validation(
                BATCH,
                "1 validation error detected: Value at 'statements' failed to satisfy constraint: Member must have length less than or equal to 25",
            ));
        }
        let responses = statements
            .into_iter()
            .map(|request| {
                let parameters = request.parameters.unwrap_or_default();
                let result = self.run_statement(&request.statement, &parameters, None, None);
                match result {
                    Ok(outcome) => BatchStatementResponse::builder()
                        .set_item(outcome.items.into_iter().next())
                        .build(),
                    Err(error) => BatchStatementResponse::builder()
                        .error(batch_error(&error))
                        .build(),
                }
            })
            .collect();
        Ok(
            batch_execute_statement::BatchExecuteStatementOutput::builder()
                .set_responses(Some(responses))
                .build(),
        )
    }

    fn run_statement(
        &self,
        statement: &str,
        parameters: &[AttributeValue],
        limit: Option<i32>,
        next_token: Option<&str>,
    ) -> Result<Outcome> {
        let mut reader = Reader {
            tokens: tokenize(statement).map_err(malformed)?,
            at: 0,
            parameters,
            next_parameter: 0,
            names: HashMap::new(),
            values: HashMap::new(),
        };
        let outcome = match reader.next() {
            Some(t) if is_keyword(&t, "select") => self.select(&mut reader, limit, next_token),
            Some(t) if is_keyword(&t, "insert") => self.insert(&mut reader),
            Some(t) if is_keyword(&t, "update") => self.update_statement(&mut reader),
            Some(t) if is_keyword(&t, "delete") => self.delete_statement(&mut reader),
            other => Err(malformed(format!(
                "expected SELECT, INSERT, UPDATE or DELETE, found {other:?}"
            ))),
        }?;
        if reader.next_parameter != parameters.len() {
            return Err(super::validation(
                OP,
                format!(
                    "Number of parameters in request and statement don't match: {} and {}",
                    parameters.len(),
                    reader.next_parameter
                ),
            ));
        }
        Ok(outcome)
    }

    fn select(
        &self,
        reader: &mut Reader<'_>,
        limit: Option<i32>,
        next_token: Option<&str>,
    ) -> Result<Outcome> {
        let projection = if reader.peek() == Some(&Token::Symbol("*")) {
            reader.at += 1;
            None
        } else {
            let mut paths = Vec::new();
            loop {
                paths.push(reader.expression(&["from", ","]).map_err(malformed)?);
                if reader.peek() != Some(&Token::Symbol(",")) {
                    break;
                }
                reader.at += 1;
            }
            Some(paths.join(", "))
        };
        reader.expect_keyword("from").map_err(malformed)?;
        let table_name = reader.name().map_err(malformed)?;
        let index_name = if reader.peek() == Some(&Token::Symbol(".")) {
            reader.at += 1;
            Some(reader.name().map_err(malformed)?)
        } else {
            None
        };
        let filter = if reader.at_keyword("where") {
            reader.at += 1;
            Some(reader.expression(&[]).map_err(malformed)?)
        } else {
            None
        };
        if let Some(extra) = reader.peek() {
            return Err(malformed(format!("unexpected {extra:?}")));
        }
        let mut placeholders = parse::Placeholders::new(&reader.names, &reader.values);
        let filter = filter
            .map(|f| parse::condition(&f, &mut placeholders))
            .transpose()
            .map_err(malformed)?;
        let projection = projection
            .map(|p| parse::projection(&p, &mut placeholders))
            .transpose()
            .map_err(malformed)?;
        let store = self.lock();
        let table = store.table(OP, &Some(table_name))?;
        let items: Vec<Item> = match &index_name {
            Some(name) => {
                let index = table.index(name).ok_or_else(|| {
                    super::validation(
                        OP,
                        format!("The table does not have the specified index: {name}"),
                    )
                })?;
                table
                    .index_items(index, None)
                    .into_iter()
                    .map(|(_, item)| item)
                    .collect()
            }
            None => table.all_items().cloned().collect(),
        };
        drop(store);
        let start: usize = match next_token {
            Some(token) => token
                .parse()
                .map_err(|_| super::validation(OP, "Invalid NextToken"))?,
            None => 0,
        };
        let evaluated = limit.map_or(usize::MAX, |l| usize::try_from(l.max(1)).unwrap_or(1));
        let end = start.saturating_add(evaluated).min(items.len());
        let selected = items
            .get(start..end)
            .unwrap_or_default()
            .iter()
            .filter(|item| filter.as_ref().is_none_or(|f| eval::holds(item, f)))
            .map(|item| match &projection {
                Some(paths) => eval::project(item, paths),
                None => item.clone(),
            })
            .collect();
        Ok(Outcome {
            items: selected,
            next_token: (end < items.len()).then(|| end.to_string()),
        })
    }

    fn insert(&self, reader: &mut Reader<'_>) -> Result<Outcome> {
        reader.expect_keyword("into").map_err(malformed)?;
        let table_name = reader.name().map_err(malformed)?;
        reader.expect_keyword("value").map_err(malformed)?;
        let AttributeValue::M(item) = reader.literal().map_err(malformed)? else {
            return Err(malformed("INSERT takes a map value {'name': value, ...}"));
        };
        if let Some(extra) = reader.peek() {
            return Err(malformed(format!("unexpected {extra:?}")));
        }
        let hash = {
            let store = self.lock();
            let table = store.table(OP, &Some(table_name.clone()))?;
            table.hash.name.clone()
        };
        let mut request = put_item::PutItemInput::builder()
            .table_name(table_name)
            .set_item(Some(item));
        request = request
            .condition_expression("attribute_not_exists(#k)")
            .expression_attribute_names("#k", hash);
        let request = request.build().map_err(|e| malformed(e.to_string()))?;
        match self.put(request) {
            Err(error) if error.is_conditional_check_failed() => Err(ErrorKind::Service {
                operation: OP,
                code: Some("DuplicateItemException".into()),
                message: "Duplicate primary key exists in table".into(),
                source: "Duplicate primary key exists in table".into(),
            }
            .into()),
            Err(error) => Err(error),
            Ok(_) => Ok(Outcome::nothing()),
        }
    }

    fn update_statement(&self, reader: &mut Reader<'_>) -> Result<Outcome> {
        let table_name = reader.name().map_err(malformed)?;
        let mut sets = Vec::new();
        let mut removes = Vec::new();
        while !reader.at_keyword("where") {
            let remove = match reader.next() {
                Some(t) if is_keyword(&t, "set") => false,
                Some(t) if is_keyword(&t, "remove") => true,
                other => {
                    return Err(malformed(format!(
                        "expected SET, REMOVE or WHERE, found {other:?}"
                    )))
                }
            };
            loop {
                let action = reader
                    .expression(&["set", "remove", "where", ","])
                    .map_err(malformed)?;
                if remove { &mut removes } else { &mut sets }.push(action);
                if reader.peek() != Some(&Token::Symbol(",")) {
                    break;
                }
                reader.at += 1;
            }
        }
        let mut update = String::new();
        if !sets.is_empty() {
            update.push_str(&format!("SET {}", sets.join(", ")));
        }
        if !removes.is_empty() {
            update.push_str(&format!(" REMOVE {}", removes.join(", ")));
        }
        let (key, condition) = self.where_key(reader, &table_name)?;
        let (names, values) = reader.take_placeholders();
        let request = update_item::UpdateItemInput::builder()
            .table_name(table_name)
            .set_key(Some(key))
            .update_expression(update.trim())
            .condition_expression(condition)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .build()
            .map_err(|e| malformed(e.to_string()))?;
        self.update(request)?;
        Ok(Outcome::nothing())
    }

    fn delete_statement(&self, reader: &mut Reader<'_>) -> Result<Outcome> {
        reader.expect_keyword("from").map_err(malformed)?;
        let table_name = reader.name().map_err(malformed)?;
        let (key, condition) = self.where_key(reader, &table_name)?;
        let exists = {
            let store = self.lock();
            let table = store.table(OP, &Some(table_name.clone()))?;
            let primary = table
                .key_param(&key)
                .map_err(|m| super::validation(OP, m))?;
            table.get(&primary).is_some()
        };
        if exists {
            let (names, values) = reader.take_placeholders();
            let request = delete_item::DeleteItemInput::builder()
                .table_name(table_name)
                .set_key(Some(key))
                .condition_expression(condition)
                .set_expression_attribute_names(names)
                .set_expression_attribute_values(values)
                .build()
                .map_err(|e| malformed(e.to_string()))?;
            self.delete(request)?;
        }
        Ok(Outcome::nothing())
    }

    /// The key a write's `WHERE` names (every key attribute compared with `=`), and the
    /// whole `WHERE` as a condition.
    fn where_key(&self, reader: &mut Reader<'_>, table_name: &str) -> Result<(Item, String)> {
        reader.expect_keyword("where").map_err(malformed)?;
        let condition = reader.expression(&[]).map_err(malformed)?;
        if let Some(extra) = reader.peek() {
            return Err(malformed(format!("unexpected {extra:?}")));
        }
        let mut placeholders = parse::Placeholders::new(&reader.names, &reader.values);
        let parsed = parse::condition(&condition, &mut placeholders).map_err(malformed)?;
        let mut found = Vec::new();
        equalities(&parsed, &mut found);
        let store = self.lock();
        let table = store.table(OP, &Some(table_name.to_owned()))?;
        let wanted = table.key_item(&found.iter().cloned().collect());
        let key: Item = found
            .into_iter()
            .filter(|(name, _)| wanted.contains_key(name))
            .collect();
        table.key_param(&key).map_err(|_| {
            super::validation(
                OP,
                "Where clause does not contain a mandatory equality on all key attributes",
            )
        })?;
        Ok((key, condition))
    }
}

/// A failed statement of a batch, as DynamoDB reports it.
fn batch_error(error: &Error) -> BatchStatementError {
    let (code, message) = match error.kind() {
        ErrorKind::ConditionalCheckFailed { .. } => (
            BatchStatementErrorCodeEnum::ConditionalCheckFailed,
            "The conditional request failed".to_owned(),
        ),
        ErrorKind::ResourceNotFound { message, .. } => (
            BatchStatementErrorCodeEnum::ResourceNotFound,
            message.clone(),
        ),
        ErrorKind::Service {
            code: Some(code),
            message,
            ..
        } if code == "DuplicateItemException" => {
            (BatchStatementErrorCodeEnum::DuplicateItem, message.clone())
        }
        _ => (
            BatchStatementErrorCodeEnum::ValidationError,
            error.to_string(),
        ),
    };
    BatchStatementError::builder()
        .code(code)
        .message(message)
        .build()
}
