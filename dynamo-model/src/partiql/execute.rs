//! Running PartiQL: `ExecuteStatement` page by page and `BatchExecuteStatement`, rows
//! decoded into a model, a collection or raw items.

use std::future::IntoFuture;
use std::marker::PhantomData;

use aws_sdk_dynamodb::operation::{batch_execute_statement, execute_statement};
use aws_sdk_dynamodb::types::{BatchStatementErrorCodeEnum, BatchStatementRequest};

use super::{IntoStatement, Statement};
use crate::client::{BoxFuture, Dynamo};
use crate::error::{Error, ErrorKind, Result};
use crate::model::collection::Load;

/// The most statements one `BatchExecuteStatement` takes.
pub const MAX_BATCH_STATEMENTS: usize = 25;

/// One page of a statement's rows, and the token of the next page.
#[derive(Debug, Clone)]
pub struct StatementPage<O> {
    /// The rows, decoded.
    pub items: Vec<O>,
    /// Where the next page starts; `None` on the last page.
    pub next_token: Option<String>,
}

/// Runs a PartiQL statement; see [`Dynamo::execute`].
#[must_use = "an operation does nothing until awaited"]
pub struct Execute<'a, O> {
    db: &'a Dynamo,
    statement: Result<Statement>,
    limit: Option<i32>,
    consistent_read: Option<bool>,
    next_token: Option<String>,
    _output: PhantomData<fn() -> O>,
}

impl Dynamo {
    /// Runs a PartiQL statement (`ExecuteStatement`) and decodes the rows of a `SELECT` into
    /// `O`: a model, a [`Collection`](crate::Collection), or [`Item`](crate::value::Item)
    /// for raw rows. Resolves to one page; [`Execute::all`] follows the pages.
    pub fn execute<O: Load>(&self, statement: impl IntoStatement) -> Execute<'_, O> {
        Execute {
            db: self,
            statement: statement.into_statement(),
            limit: None,
            consistent_read: None,
            next_token: None,
            _output: PhantomData,
        }
    }

    /// Runs up to 25 statements in one `BatchExecuteStatement` (all reads of single items,
    /// or all writes): one result per statement, in order, each a row (for a `SELECT`) or
    /// the statement's own error. Nothing is retried or dropped.
    ///
    /// # Errors
    ///
    /// Over 25 statements, or a statement a builder refused (before sending); a failure
    /// of the whole request.
    pub fn batch_execute<O: Load>(
        &self,
        statements: impl IntoIterator<Item = impl IntoStatement>,
    ) -> BatchExecute<'_, O> {
        BatchExecute {
            db: self,
            requests: self.batch_requests(statements),
            _output: PhantomData,
        }
    }

    fn batch_requests(
        &self,
        statements: impl IntoIterator<Item = impl IntoStatement>,
    ) -> Result<Vec<BatchStatementRequest>> {
        let statements: Vec<Statement> = statements
            .into_iter()
            .map(IntoStatement::into_statement)
            .collect::<Result<_>>()?;
        if statements.is_empty() || statements.len() > MAX_BATCH_STATEMENTS {
            return Err(Error::invalid_operation(
                "BatchExecuteStatement",
                format!(
                    "{} statements; a batch takes 1 to {MAX_BATCH_STATEMENTS}",
                    statements.len()
                ),
            ));
        }
        statements
            .into_iter()
            .map(|statement| {
                let (text, parameters) = statement.into_parts();
                BatchStatementRequest::builder()
                    .statement(text)
                    .set_parameters(parameters)
                    .build()
                    .map_err(|e| Error::invalid_operation("BatchExecuteStatement", e.to_string()))
            })
            .collect()
    }
}

/// A failed statement of a batch as an [`Error`]: a failed condition is
/// [`ErrorKind::ConditionalCheckFailed`], anything else a service error with its code.
fn statement_error(error: aws_sdk_dynamodb::types::BatchStatementError) -> Error {
    let message = error.message.unwrap_or_default();
    match error.code {
        Some(BatchStatementErrorCodeEnum::ConditionalCheckFailed) => {
            ErrorKind::ConditionalCheckFailed {
                operation: "BatchExecuteStatement",
                item: error.item,
                model: None,
                key: None,
            }
            .into()
        }
        code => ErrorKind::Service {
            operation: "BatchExecuteStatement",
            code: code.map(|c| format!("{}Exception", c.as_str())),
            source: message.clone().into(),
            message,
        }
        .into(),
    }
}

impl<'a, O: Load + Send + 'a> Execute<'a, O> {
    /// Evaluates at most `limit` items for this page (DynamoDB's `Limit`).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(i32::try_from(limit).unwrap_or(i32::MAX));
        self
    }

    /// Strongly consistent reads (`ConsistentRead`).
    pub fn consistent_read(mut self, consistent: bool) -> Self {
        self.consistent_read = Some(consistent);
        self
    }

    /// Starts from the page a previous [`StatementPage::next_token`] pointed at.
    pub fn next_token(mut self, token: impl Into<String>) -> Self {
        self.next_token = Some(token.into());
        self
    }

    /// The request this statement sends (a dry run).
    ///
    /// # Errors
    ///
    /// What the statement builder refused.
    pub fn to_request(&self) -> Result<execute_statement::builders::ExecuteStatementInputBuilder> {
        let statement = self.statement.as_ref().map_err(Error::clone)?.clone();
        let (text, parameters) = statement.into_parts();
        Ok(execute_statement::ExecuteStatementInput::builder()
            .statement(text)
            .set_parameters(parameters)
            .set_limit(self.limit)
            .set_consistent_read(self.consistent_read)
            .set_next_token(self.next_token.clone()))
    }

    /// Every row of every page.
    ///
    /// # Errors
    ///
    /// As one page's.
    pub async fn all(mut self) -> Result<Vec<O>> {
        let mut rows = Vec::new();
        loop {
            let page = self.page().await?;
            rows.extend(page.items);
            match page.next_token {
                Some(token) => self.next_token = Some(token),
                None => return Ok(rows),
            }
        }
    }

    async fn page(&self) -> Result<StatementPage<O>> {
        let request = self.to_request()?;
        let output = self.db.backend().execute_statement(request).await?;
        let items = self
            .db
            .keys()
            .load_all::<O>(output.items.unwrap_or_default(), true)
            .await?;
        Ok(StatementPage {
            items,
            next_token: output.next_token,
        })
    }
}

impl<'a, O: Load + Send + 'a> IntoFuture for Execute<'a, O> {
    type Output = Result<StatementPage<O>>;
    type IntoFuture = BoxFuture<'a, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move { self.page().await })
    }
}

crate::client::operation!(Execute<O>);

/// `BatchExecuteStatement`: up to 25 statements in one request; see
/// [`Dynamo::batch_execute`].
#[must_use = "an operation does nothing until awaited"]
pub struct BatchExecute<'a, O> {
    db: &'a Dynamo,
    requests: Result<Vec<BatchStatementRequest>>,
    _output: PhantomData<fn() -> O>,
}

impl<O: Load> BatchExecute<'_, O> {
    /// The request this sends (a dry run).
    ///
    /// # Errors
    ///
    /// Over 25 statements, or a statement a builder refused.
    pub fn to_request(
        &self,
    ) -> Result<batch_execute_statement::builders::BatchExecuteStatementInputBuilder> {
        Ok(
            batch_execute_statement::BatchExecuteStatementInput::builder()
                .set_statements(Some(self.requests.clone()?)),
        )
    }

    async fn send(self) -> Result<Vec<Result<Option<O>>>> {
        let request = self.to_request()?;
        let count = self.requests.as_ref().map_or(0, Vec::len);
        let output = self.db.backend().batch_execute_statement(request).await?;
        let responses = output.responses.unwrap_or_default();
        if responses.len() != count {
            return Err(Error::invalid_operation(
                "BatchExecuteStatement",
                format!("{count} statements sent, {} responses", responses.len()),
            ));
        }
        let opened = self
            .db
            .keys()
            .open::<O>(responses.iter().filter_map(|r| r.item.as_ref()))
            .await;
        Ok(opened.scope(|| {
            responses
                .into_iter()
                .map(|response| match response.error {
                    Some(error) => Err(statement_error(error)),
                    None => response.item.map(|item| O::load(item, true)).transpose(),
                })
                .collect()
        }))
    }
}

impl<'a, O: Load + Send + 'a> IntoFuture for BatchExecute<'a, O> {
    type Output = Result<Vec<Result<Option<O>>>>;
    type IntoFuture = BoxFuture<'a, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

crate::client::operation!(BatchExecute<O>);
