//! Pydantic-like validation: field and model validators, codec checks (non-finite floats),
//! nested models, and every failure reported in one error.

use std::collections::HashMap;

use dynamo_model::{AttributeValue, DynamoModel, ErrorKind, Problems};

fn non_empty(value: &str) -> Result<(), String> {
    if value.trim().is_empty() {
        Err("must not be empty".into())
    } else {
        Ok(())
    }
}

fn adult(age: &u32) -> Result<(), &'static str> {
    if *age < 18 {
        Err("must be 18 or over")
    } else {
        Ok(())
    }
}

fn zip_matches_city(address: &Address) -> Result<(), Problems> {
    if address.city == "London" && !address.zip.starts_with(['E', 'N', 'S', 'W']) {
        return Err(Problems::at("zip", "is not a London postcode"));
    }
    Ok(())
}

fn scores_sum(account: &Account) -> Result<(), String> {
    let total: f64 = account.scores.iter().sum();
    if total > 100.0 {
        return Err(format!("scores add up to {total}, over 100"));
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(validate = "zip_matches_city")]
struct Address {
    #[dynamo(validate = "non_empty")]
    city: String,
    zip: String,
}

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "accounts", hash_key = "id", validate = "scores_sum")]
struct Account {
    #[dynamo(validate = "non_empty")]
    id: String,
    #[dynamo(validate = "adult")]
    age: u32,
    scores: Vec<f64>,
    ratio: f32,
    home: Address,
    #[dynamo(default)]
    previous: Vec<Address>,
}

fn valid() -> Account {
    Account {
        id: "a1".into(),
        age: 30,
        scores: vec![1.5, 2.5],
        ratio: 0.5,
        home: Address {
            city: "London".into(),
            zip: "N1".into(),
        },
        previous: vec![],
    }
}

fn problems(error: &dynamo_model::Error) -> Vec<String> {
    let mut list: Vec<String> = error
        .field_errors()
        .iter()
        .map(ToString::to_string)
        .collect();
    list.sort();
    list
}

#[test]
fn a_valid_model_passes_every_check() {
    let account = valid();
    account.validate().unwrap();
    let item = account.try_to_item().unwrap();
    assert_eq!(Account::from_item(item).unwrap(), account);
}

#[test]
fn every_failure_is_reported_at_once_with_paths() {
    let account = Account {
        id: " ".into(),
        age: 12,
        scores: vec![1.0, f64::NAN, 200.0],
        ratio: f32::INFINITY,
        home: Address {
            city: "".into(),
            zip: "N1".into(),
        },
        previous: vec![
            Address {
                city: "Leeds".into(),
                zip: "LS1".into(),
            },
            Address {
                city: "London".into(),
                zip: "X9".into(),
            },
        ],
    };
    let error = account.try_to_item().unwrap_err();
    assert!(error.is_validation());
    // The scores sum to NaN, which compares false, so the model validator passes.
    assert_eq!(
        problems(&error),
        [
            "age: must be 18 or over",
            "home.city: must not be empty",
            "id: must not be empty",
            "previous[1].zip: is not a London postcode",
            "ratio: inf cannot be stored: DynamoDB numbers are finite",
            "scores[1]: NaN cannot be stored: DynamoDB numbers are finite",
        ]
    );
    let message = error.to_string();
    assert!(
        message.starts_with("`Account` failed validation: 6 problems"),
        "{message}"
    );
    match error.into_kind() {
        ErrorKind::Validation {
            model, problems, ..
        } => {
            assert_eq!(model, "Account");
            assert_eq!(problems.len(), 6);
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[test]
fn model_validators_run_after_field_validators() {
    let account = Account {
        scores: vec![60.0, 50.0],
        ..valid()
    };
    let error = account.validate().unwrap_err();
    assert_eq!(problems(&error), ["scores add up to 110, over 100"]);
}

#[test]
fn reads_are_validated_after_decoding() {
    let mut item = valid().to_item();
    item.insert("age".into(), AttributeValue::N("5".into()));
    let error = Account::from_item(item).unwrap_err();
    assert!(error.is_validation(), "{error}");
    assert_eq!(problems(&error), ["age: must be 18 or over"]);

    let mut item = valid().to_item();
    item.insert("home".into(), AttributeValue::M(HashMap::new()));
    let error = Account::from_item(item).unwrap_err();
    assert!(
        error.is_decode(),
        "decode problems come before validation: {error}"
    );
    assert_eq!(
        problems(&error),
        [
            "home.city: missing required attribute",
            "home.zip: missing required attribute"
        ]
    );
}

#[test]
fn decode_item_skips_validators() {
    let mut item = valid().to_item();
    item.insert("age".into(), AttributeValue::N("5".into()));
    assert_eq!(Account::decode_item(item).unwrap().age, 5);
}

#[test]
fn non_finite_floats_are_rejected_before_writing() {
    let account = Account {
        ratio: f32::NEG_INFINITY,
        ..valid()
    };
    assert!(account.try_to_item().is_err());
    // The raw encoder still produces an item (for raw SDK use); DynamoDB would reject it.
    assert_eq!(account.to_item()["ratio"], AttributeValue::N("NaN".into()));
}

fn no_spaces(value: &str) -> Result<(), String> {
    if value.contains(' ') {
        return Err("must not contain spaces".into());
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "handles", hash_key = "id")]
struct Handle {
    id: String,
    /// Two validators on one field: both run, and both report.
    #[dynamo(validate = "non_empty", validate = "no_spaces")]
    name: String,
}

#[test]
fn a_field_takes_several_validators_and_each_reports() {
    let blank = Handle {
        id: "h1".into(),
        name: " ".into(),
    };
    let error = blank.validate().unwrap_err();
    assert_eq!(
        problems(&error),
        ["name: must not be empty", "name: must not contain spaces"]
    );
    let fine = Handle {
        id: "h1".into(),
        name: "ada".into(),
    };
    fine.validate().unwrap();
    // The values a typed update sets go through both too, before anything is sent.
    use dynamo_model::blocking::Wait;
    let db = dynamo_model::blocking::Dynamo::memory().unwrap();
    let error = db
        .update::<Handle>("h1")
        .set(&Handle::fields().name, "a b")
        .wait()
        .unwrap_err();
    assert_eq!(problems(&error), ["name: must not contain spaces"]);
}

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "ledgers", hash_key = "id")]
struct Wide {
    id: String,
    big: i128,
    unsigned: u128,
}

#[test]
fn integers_past_38_significant_digits_are_refused_before_sending() {
    let wide = Wide {
        id: "w".into(),
        big: i128::MAX,
        unsigned: 10u128.pow(38),
    };
    let error = wide.validate().unwrap_err();
    assert_eq!(
        problems(&error),
        ["big: has 39 significant digits; DynamoDB numbers hold at most 38"]
    );
    // Trailing zeros are not significant: 10^38 is one digit.
    Wide {
        id: "w".into(),
        big: -(10i128.pow(37)),
        unsigned: 10u128.pow(38),
    }
    .validate()
    .unwrap();
}
