//! Differential test: random sequences of puts, conditional updates, deletes and filtered
//! queries run against DynamoDB Local and the memory backend; every response and the final
//! table contents must be identical.

use std::collections::BTreeSet;

use dynamo_model::{Dynamo, DynamoModel, Error};
use proptest::prelude::*;

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(
    table = "cells",
    hash_key = "row",
    range_key = "col",
    gsi(name = "by_colour", hash_key = "colour", range_key = "score"),
    gsi(
        name = "by_colour_row",
        hash_key = ["colour", "row"],
        range_key = ["score", "col"]
    )
)]
struct Cell {
    row: String,
    col: u8,
    score: i64,
    #[dynamo(default)]
    colour: Option<String>,
    #[dynamo(default)]
    marks: BTreeSet<String>,
}

#[derive(Debug, Clone)]
enum Op {
    Put {
        row: u8,
        col: u8,
        score: i64,
        colour: Option<u8>,
    },
    PutIfAbsent {
        row: u8,
        col: u8,
        score: i64,
    },
    UpdateIfScore {
        row: u8,
        col: u8,
        expected: i64,
        add: i64,
    },
    Mark {
        row: u8,
        col: u8,
        mark: u8,
    },
    DeleteIfBelow {
        row: u8,
        col: u8,
        below: i64,
    },
    QueryFiltered {
        row: u8,
        min_score: i64,
        limit: Option<i32>,
        forward: bool,
    },
    QueryColour {
        colour: u8,
    },
    /// A query of the multi-attribute index: both partition attributes, then nothing, an
    /// equality on `score`, a range on `score`, or an equality on `score` and a range on
    /// `col`.
    QueryColourRow {
        colour: u8,
        row: u8,
        score: Option<i64>,
        col_from: Option<u8>,
        limit: Option<i32>,
        forward: bool,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let row = 0_u8..3;
    let col = 0_u8..5;
    let score = -3_i64..4;
    prop_oneof![
        (
            row.clone(),
            col.clone(),
            score.clone(),
            proptest::option::of(0_u8..2)
        )
            .prop_map(|(row, col, score, colour)| Op::Put {
                row,
                col,
                score,
                colour
            }),
        (row.clone(), col.clone(), score.clone()).prop_map(|(row, col, score)| Op::PutIfAbsent {
            row,
            col,
            score
        }),
        (row.clone(), col.clone(), score.clone(), -2_i64..3).prop_map(
            |(row, col, expected, add)| Op::UpdateIfScore {
                row,
                col,
                expected,
                add
            }
        ),
        (row.clone(), col.clone(), 0_u8..3).prop_map(|(row, col, mark)| Op::Mark {
            row,
            col,
            mark
        }),
        (row.clone(), col, score.clone()).prop_map(|(row, col, below)| Op::DeleteIfBelow {
            row,
            col,
            below
        }),
        (row, score, proptest::option::of(1_i32..4), any::<bool>()).prop_map(
            |(row, min_score, limit, forward)| Op::QueryFiltered {
                row,
                min_score,
                limit,
                forward
            }
        ),
        (0_u8..2).prop_map(|colour| Op::QueryColour { colour }),
        (
            0_u8..2,
            0_u8..3,
            proptest::option::of(-3_i64..4),
            proptest::option::of(0_u8..5),
            proptest::option::of(1_i32..4),
            any::<bool>()
        )
            .prop_map(|(colour, row, score, col_from, limit, forward)| {
                Op::QueryColourRow {
                    colour,
                    row,
                    score,
                    col_from,
                    limit,
                    forward,
                }
            }),
    ]
}

/// What one operation answered, in a form both backends must agree on.
#[derive(Debug, PartialEq)]
enum Outcome {
    Done,
    ConditionFailed,
    Items(Vec<Cell>, bool),
    Error(String),
}

fn outcome<T>(result: Result<T, Error>, items: impl FnOnce(T) -> Outcome) -> Outcome {
    match result {
        Ok(value) => items(value),
        Err(error) if error.is_conditional_check_failed() => Outcome::ConditionFailed,
        Err(error) => Outcome::Error(error.to_string()),
    }
}

async fn run(db: &Dynamo, op: &Op) -> Outcome {
    let f = Cell::fields();
    let row = |r: &u8| format!("r{r}");
    match op {
        Op::Put {
            row: r,
            col,
            score,
            colour,
        } => {
            let cell = Cell {
                row: row(r),
                col: *col,
                score: *score,
                colour: colour.map(|c| format!("c{c}")),
                marks: BTreeSet::new(),
            };
            outcome(db.put(&cell).await, |_| Outcome::Done)
        }
        Op::PutIfAbsent { row: r, col, score } => {
            let cell = Cell {
                row: row(r),
                col: *col,
                score: *score,
                colour: None,
                marks: BTreeSet::new(),
            };
            outcome(db.put(&cell).condition(f.row.not_exists()).await, |_| {
                Outcome::Done
            })
        }
        Op::UpdateIfScore {
            row: r,
            col,
            expected,
            add,
        } => outcome(
            db.update::<Cell>((row(r).as_str(), *col))
                .increment(&f.score, *add)
                .condition(f.score.eq(*expected))
                .return_all_new()
                .await,
            |cell| Outcome::Items(vec![cell], false),
        ),
        Op::Mark { row: r, col, mark } => outcome(
            db.update::<Cell>((row(r).as_str(), *col))
                .add(&f.marks, [format!("m{mark}")])
                .condition(f.row.exists())
                .return_all_new()
                .await,
            |cell| Outcome::Items(vec![cell], false),
        ),
        Op::DeleteIfBelow { row: r, col, below } => outcome(
            db.delete_by_key::<Cell>((row(r).as_str(), *col))
                .condition(f.score.lt(*below))
                .return_old()
                .await,
            |old| Outcome::Items(old.into_iter().collect(), false),
        ),
        Op::QueryFiltered {
            row: r,
            min_score,
            limit,
            forward,
        } => {
            let mut query = db
                .query::<Cell>(row(r))
                .filter(f.score.ge(*min_score))
                .scan_forward(*forward);
            if let Some(limit) = limit {
                query = query.page_size(*limit);
            }
            outcome(query.page().await, |page| {
                Outcome::Items(page.items, page.last_evaluated_key.is_some())
            })
        }
        // DynamoDB leaves the order of index items with equal sort keys unspecified (DynamoDB
        // Local and the memory backend differ there), so ties are put in table-key order.
        Op::QueryColour { colour } => outcome(
            db.query((Cell::BY_COLOUR, format!("c{colour}")))
                .all()
                .await,
            |mut items| {
                items.sort_by(|a, b| (a.score, &a.row, a.col).cmp(&(b.score, &b.row, b.col)));
                Outcome::Items(items, false)
            },
        ),
        Op::QueryColourRow {
            colour,
            row: r,
            score,
            col_from,
            limit,
            forward,
        } => {
            let key = Cell::BY_COLOUR_ROW.key(format!("c{colour}"), row(r));
            let query = match (score, col_from) {
                (None, None) => db.query(key),
                (Some(score), None) => db.query(key.sort_eq(&f.score, *score)),
                (None, Some(from)) => db.query(key.sort(f.score.ge(i64::from(*from) - 2))),
                (Some(score), Some(from)) => {
                    db.query(key.sort_eq(&f.score, *score).sort(f.col.ge(*from)))
                }
            };
            let mut query = query.scan_forward(*forward);
            if let Some(limit) = limit {
                query = query.page_size(*limit);
            }
            outcome(query.page().await, |page| {
                Outcome::Items(page.items, page.last_evaluated_key.is_some())
            })
        }
    }
}

async fn contents(db: &Dynamo) -> Vec<Cell> {
    let mut all = db.scan::<Cell>().all().await.unwrap();
    all.sort_by(|a, b| (&a.row, a.col).cmp(&(&b.row, b.col)));
    all
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn both_backends_answer_alike(ops in proptest::collection::vec(op(), 1..25)) {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        runtime.block_on(async {
            let local = dynamo_model_tests::local();
            let memory = Dynamo::memory();
            local.create_table::<Cell>().await.unwrap();
            memory.create_table::<Cell>().await.unwrap();
            for (step, op) in ops.iter().enumerate() {
                let (on_local, on_memory) = (run(&local, op).await, run(&memory, op).await);
                prop_assert_eq!(on_local, on_memory, "step {} {:?}", step, op);
            }
            prop_assert_eq!(contents(&local).await, contents(&memory).await);
            Ok(())
        })?;
    }
}

/// An input at or past one of DynamoDB's limits, sent as a raw request to both backends.
#[derive(Debug, Clone)]
enum Edge {
    /// A partition key of this many bytes (DynamoDB takes 1 to 2048).
    KeyBytes(usize),
    /// A number attribute: `digits` significant digits times ten to `exponent`.
    Number {
        digits: usize,
        exponent: i32,
        negative: bool,
    },
    /// A string or number set; `duplicate` repeats its first member (numbers as `1` and
    /// `1.0`).
    Set {
        numbers: bool,
        members: usize,
        duplicate: bool,
    },
    /// Maps nested this deep below an attribute (DynamoDB stores 31).
    Nesting(usize),
    /// A query's `Limit`.
    Limit(i32),
    /// A transaction's client token of this many characters (1 to 36).
    Token(usize),
}

fn edge() -> impl Strategy<Value = Edge> {
    prop_oneof![
        (2040_usize..2056).prop_map(Edge::KeyBytes),
        (1_usize..42, -135_i32..132, any::<bool>()).prop_map(|(digits, exponent, negative)| {
            Edge::Number {
                digits,
                exponent,
                negative,
            }
        }),
        (any::<bool>(), 1_usize..4, any::<bool>()).prop_map(|(numbers, members, duplicate)| {
            Edge::Set {
                numbers,
                members,
                duplicate,
            }
        }),
        (28_usize..35).prop_map(Edge::Nesting),
        (-2_i32..3).prop_map(Edge::Limit),
        // Not 0: DynamoDB Local takes an empty token as a token (DynamoDB's minimum is 1,
        // which the memory backend and the client enforce). Not 1 either: every token is
        // fresh (see `fresh_token`), and one character has too few.
        (2_usize..40).prop_map(Edge::Token),
    ]
}

/// A token of `length` characters used by no earlier case: the backends remember tokens
/// across tables (DynamoDB Local for minutes), so a reused one would test that instead.
fn fresh_token(length: usize) -> String {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    (0..length)
        .map(|_| {
            let digit = DIGITS[n % DIGITS.len()];
            n /= DIGITS.len();
            char::from(digit)
        })
        .collect()
}

/// How a raw request ended: done (with what a read of the item gives), or refused with
/// the error's kind and code.
#[derive(Debug, PartialEq)]
enum RawOutcome {
    Done(Option<dynamo_model::Item>),
    Refused(String),
}

fn refused(error: &Error) -> RawOutcome {
    match error.kind() {
        dynamo_model::ErrorKind::Service { code, .. } => RawOutcome::Refused(format!("{code:?}")),
        kind => RawOutcome::Refused(
            format!("{kind:?}")
                .split([' ', '{'])
                .next()
                .unwrap_or_default()
                .to_owned(),
        ),
    }
}

async fn run_edge(db: &Dynamo, edge: &Edge) -> RawOutcome {
    use aws_sdk_dynamodb::operation::{
        get_item::GetItemInput, put_item::PutItemInput, query::QueryInput,
    };
    use dynamo_model::AttributeValue as V;
    let table = db.table_name::<Cell>();
    let key = |row: String| {
        PutItemInput::builder()
            .table_name(&table)
            .item("row", V::S(row))
            .item("col", V::N("1".into()))
            .item("score", V::N("0".into()))
    };
    let table_ref = &table;
    let put = |request: aws_sdk_dynamodb::operation::put_item::builders::PutItemInputBuilder,
               row: String| async move {
        match db.backend().put_item(request).await {
            Err(error) => refused(&error),
            Ok(_) => {
                let get = GetItemInput::builder()
                    .table_name(table_ref)
                    .key("row", V::S(row))
                    .key("col", V::N("1".into()))
                    .consistent_read(true);
                RawOutcome::Done(db.backend().get_item(get).await.ok().and_then(|o| o.item))
            }
        }
    };
    match edge {
        Edge::KeyBytes(bytes) => put(key("k".repeat(*bytes)), "k".repeat(*bytes)).await,
        Edge::Number {
            digits,
            exponent,
            negative,
        } => {
            let sign = if *negative { "-" } else { "" };
            let number = format!("{sign}{}E{exponent}", "7".repeat(*digits));
            put(key("n".into()).item("extra", V::N(number)), "n".into()).await
        }
        Edge::Set {
            numbers,
            members,
            duplicate,
        } => {
            let mut texts: Vec<String> = (0..*members).map(|m| format!("{}", m + 1)).collect();
            if *duplicate {
                texts.push(if *numbers {
                    "1.0".to_owned()
                } else {
                    "1".to_owned()
                });
            }
            let set = if *numbers { V::Ns(texts) } else { V::Ss(texts) };
            put(key("s".into()).item("extra", set), "s".into()).await
        }
        Edge::Nesting(depth) => {
            let nested = (0..*depth).fold(V::S("x".into()), |inner, _| {
                V::M([("a".to_owned(), inner)].into())
            });
            put(key("d".into()).item("extra", nested), "d".into()).await
        }
        Edge::Limit(limit) => {
            let query = QueryInput::builder()
                .table_name(&table)
                .key_condition_expression("#r = :r")
                .expression_attribute_names("#r", "row")
                .expression_attribute_values(":r", V::S("n".into()))
                .limit(*limit);
            match db.backend().query(query).await {
                Ok(output) => {
                    RawOutcome::Done(output.items.and_then(|items| items.into_iter().next()))
                }
                Err(error) => refused(&error),
            }
        }
        Edge::Token(length) => {
            let write = aws_sdk_dynamodb::types::TransactWriteItem::builder()
                .put(
                    aws_sdk_dynamodb::types::Put::builder()
                        .table_name(&table)
                        .item("row", V::S("t".into()))
                        .item("col", V::N("1".into()))
                        .item("score", V::N("0".into()))
                        .build()
                        .unwrap(),
                )
                .build();
            let request = aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsInput::builder()
                .transact_items(write)
                .client_request_token(fresh_token(*length));
            match db.backend().transact_write_items(request).await {
                Ok(_) => RawOutcome::Done(None),
                Err(error) => refused(&error),
            }
        }
    }
}

/// Cases of the edge-input test: `DIFF_CASES`, 64 by default (as CI runs it).
fn edge_cases() -> u32 {
    std::env::var("DIFF_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

/// Edge inputs sent so far, to each backend (printed with `--nocapture`).
static EDGES_RUN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

proptest! {
    #![proptest_config(ProptestConfig { cases: edge_cases(), ..ProptestConfig::default() })]

    /// Inputs at and past DynamoDB's limits: each gets the same answer from both backends,
    /// the same item stored or an error of the same kind and code.
    #[test]
    fn both_backends_refuse_alike(edges in proptest::collection::vec(edge(), 1..12)) {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        // One memory backend for every case, as there is one DynamoDB Local: transaction
        // tokens are remembered across tables by both.
        static MEMORY: std::sync::OnceLock<Dynamo> = std::sync::OnceLock::new();
        runtime.block_on(async {
            let local = dynamo_model_tests::local();
            let memory = MEMORY.get_or_init(Dynamo::memory).with_table_prefix(dynamo_model_tests::unique_prefix());
            local.create_table::<Cell>().await.unwrap();
            memory.create_table::<Cell>().await.unwrap();
            for (step, edge) in edges.iter().enumerate() {
                let (on_local, on_memory) = (run_edge(&local, edge).await, run_edge(&memory, edge).await);
                prop_assert_eq!(on_local, on_memory, "step {} {:?}", step, edge);
            }
            let total = EDGES_RUN.fetch_add(edges.len(), std::sync::atomic::Ordering::Relaxed) + edges.len();
            eprintln!("edge inputs agreed so far: {total}");
            Ok(())
        })?;
    }
}
