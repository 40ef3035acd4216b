//! Enums whose variants hold data (`#[derive(DynamoAttribute)]`), in serde's three tagged
//! forms: the wire form is serde_dynamo's for the same type, both ways (property tests), and
//! such fields round-trip and take conditions on both backends.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use dynamo_model::value::{FromAttributeValue, ToAttributeValue};
use dynamo_model::{DynamoAttribute, DynamoModel};
use dynamo_model_tests::conformance;
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynamoModel)]
struct Point {
    x: i32,
    y: i32,
}

/// Externally tagged (the default): every variant kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynamoAttribute)]
#[serde(rename_all = "snake_case")]
enum Shape {
    Empty,
    Circle(f64),
    Segment(Point, Point),
    Rect {
        width: u32,
        height: u32,
    },
    Labelled {
        #[serde(rename = "text")]
        label: String,
        at: Point,
    },
}

/// Internally tagged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynamoAttribute)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Payment {
    Card { last4: String, month: u8 },
    Transfer { iban: String },
    Voucher(Point),
    Cash,
}

/// Adjacently tagged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynamoAttribute)]
#[serde(tag = "t", content = "c")]
enum Event {
    Opened,
    Moved(i64),
    Resized(u16, u16),
    Renamed { from: String, to: String },
}

/// The same forms given with our own attributes, as serde would write them.
#[derive(Debug, Clone, PartialEq, DynamoAttribute)]
#[dynamo(tag = "type", content = "value", rename_all = "kebab-case")]
enum Setting {
    DarkMode(bool),
    FontSize { points: u8 },
    Reset,
}

/// Numbers compared by value: serde_dynamo writes `2` where our float codec writes `2.0`.
fn normal(value: AttributeValue) -> AttributeValue {
    match value {
        AttributeValue::N(text) if text.contains(['.', 'e', 'E']) => {
            AttributeValue::N(text.parse::<f64>().map_or(text, |f| f.to_string()))
        }
        AttributeValue::M(map) => {
            AttributeValue::M(map.into_iter().map(|(k, v)| (k, normal(v))).collect())
        }
        AttributeValue::L(list) => AttributeValue::L(list.into_iter().map(normal).collect()),
        other => other,
    }
}

fn same_as_serde_dynamo<T>(value: &T) -> Result<(), TestCaseError>
where
    T: ToAttributeValue
        + FromAttributeValue
        + Serialize
        + serde::de::DeserializeOwned
        + PartialEq
        + std::fmt::Debug,
{
    let ours = value
        .to_attribute_value()
        .expect("a data enum always has a form");
    let theirs: AttributeValue = serde_dynamo::to_attribute_value(value).unwrap();
    prop_assert_eq!(normal(ours.clone()), normal(theirs.clone()));
    prop_assert_eq!(&T::from_attribute_value(theirs).unwrap(), value);
    let back: T = serde_dynamo::from_attribute_value(ours).unwrap();
    prop_assert_eq!(&back, value);
    Ok(())
}

fn points() -> impl Strategy<Value = Point> {
    (any::<i32>(), any::<i32>()).prop_map(|(x, y)| Point { x, y })
}

fn shapes() -> impl Strategy<Value = Shape> {
    prop_oneof![
        Just(Shape::Empty),
        (-1000i32..1000).prop_map(|n| Shape::Circle(f64::from(n) / 4.0)),
        (points(), points()).prop_map(|(a, b)| Shape::Segment(a, b)),
        (any::<u32>(), any::<u32>()).prop_map(|(width, height)| Shape::Rect { width, height }),
        (".{0,8}", points()).prop_map(|(label, at)| Shape::Labelled { label, at }),
    ]
}

fn payments() -> impl Strategy<Value = Payment> {
    prop_oneof![
        (".{0,4}", any::<u8>()).prop_map(|(last4, month)| Payment::Card { last4, month }),
        ".{0,8}".prop_map(|iban| Payment::Transfer { iban }),
        points().prop_map(Payment::Voucher),
        Just(Payment::Cash),
    ]
}

fn events() -> impl Strategy<Value = Event> {
    prop_oneof![
        Just(Event::Opened),
        any::<i64>().prop_map(Event::Moved),
        (any::<u16>(), any::<u16>()).prop_map(|(w, h)| Event::Resized(w, h)),
        (".{0,6}", ".{0,6}").prop_map(|(from, to)| Event::Renamed { from, to }),
    ]
}

proptest! {
    #[test]
    fn externally_tagged_enums_are_stored_as_serde_dynamo_stores_them(shape in shapes()) {
        same_as_serde_dynamo(&shape)?;
    }

    #[test]
    fn internally_tagged_enums_are_stored_as_serde_dynamo_stores_them(payment in payments()) {
        same_as_serde_dynamo(&payment)?;
    }

    #[test]
    fn adjacently_tagged_enums_are_stored_as_serde_dynamo_stores_them(event in events()) {
        same_as_serde_dynamo(&event)?;
    }
}

fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_owned())
}

fn map(entries: &[(&str, AttributeValue)]) -> AttributeValue {
    AttributeValue::M(
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

#[test]
fn each_form_has_its_shape() {
    assert_eq!(Shape::Empty.to_attribute_value(), Some(s("empty")));
    assert_eq!(
        Shape::Rect {
            width: 2,
            height: 3
        }
        .to_attribute_value(),
        Some(map(&[(
            "rect",
            map(&[
                ("width", AttributeValue::N("2".into())),
                ("height", AttributeValue::N("3".into()))
            ])
        )]))
    );
    assert_eq!(
        Payment::Transfer {
            iban: "FR76".into()
        }
        .to_attribute_value(),
        Some(map(&[("kind", s("transfer")), ("iban", s("FR76"))]))
    );
    assert_eq!(
        Event::Opened.to_attribute_value(),
        Some(map(&[("t", s("Opened"))]))
    );
    assert_eq!(
        Setting::FontSize { points: 12 }.to_attribute_value(),
        Some(map(&[
            ("type", s("font-size")),
            ("value", map(&[("points", AttributeValue::N("12".into()))]))
        ]))
    );
    assert_eq!(
        Setting::from_attribute_value(map(&[
            ("type", s("dark-mode")),
            ("value", AttributeValue::Bool(true))
        ]))
        .unwrap(),
        Setting::DarkMode(true)
    );
    assert_eq!(
        Setting::from_attribute_value(map(&[("type", s("reset"))])).unwrap(),
        Setting::Reset
    );
}

#[test]
fn a_stored_value_of_the_wrong_shape_names_its_path() {
    let problems = Shape::from_attribute_value(map(&[("rect", map(&[("width", s("wide"))]))]))
        .unwrap_err()
        .into_vec();
    let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "rect.width: expected N, found S",
            "rect.height: missing required attribute"
        ]
    );

    let unknown = Payment::from_attribute_value(map(&[("kind", s("crypto"))])).unwrap_err();
    assert!(unknown.into_vec()[0]
        .message
        .contains("`card`, `transfer`, `voucher`, `cash`"));

    let untagged = Payment::from_attribute_value(map(&[("iban", s("x"))])).unwrap_err();
    assert_eq!(
        untagged.into_vec()[0].message,
        "missing the tag attribute `kind` that names the variant"
    );

    let nested = Event::from_attribute_value(map(&[
        ("t", s("Resized")),
        (
            "c",
            AttributeValue::L(vec![AttributeValue::N("1".into()), s("x")]),
        ),
    ]))
    .unwrap_err()
    .into_vec();
    assert_eq!(nested[0].to_string(), "c[1]: expected N, found S");
}

#[test]
fn values_dynamodb_cannot_hold_are_found_before_writing() {
    let mut problems = dynamo_model::Problems::new();
    Shape::Circle(f64::NAN).check_value(&mut problems);
    let found: Vec<String> = problems
        .into_vec()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(found.len(), 1);
    assert!(found[0].starts_with("circle: "), "{found:?}");
}

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "drawings", hash_key = "id")]
struct Drawing {
    id: String,
    shape: Shape,
    payment: Option<Payment>,
    history: Vec<Event>,
}

#[test]
fn typed_paths_reach_the_fields_of_variants_where_the_form_puts_them() {
    use dynamo_model::path::AttrPath;
    let f = Drawing::fields();
    // External: under the variant's name.
    assert_eq!(
        f.shape().rect().width.path().to_string(),
        "shape.rect.width"
    );
    assert_eq!(
        f.shape().labelled().label.path().to_string(),
        "shape.labelled.text"
    );
    assert_eq!(f.shape().circle().path().to_string(), "shape.circle");
    // Internal: beside the tag.
    assert_eq!(f.payment().variant_tag().path().to_string(), "payment.kind");
    assert_eq!(f.payment().card().last4.path().to_string(), "payment.last4");
    assert_eq!(f.payment().voucher().x.path().to_string(), "payment.x");
    // Adjacent: under the content attribute.
    let event = <Event as DynamoAttribute>::fields_at::<Drawing>(AttrPath::top("last"));
    assert_eq!(event.variant_tag().path().to_string(), "last.t");
    assert_eq!(event.renamed().to.path().to_string(), "last.c.to");
    assert_eq!(event.value().path().to_string(), "last");
}

conformance! {
    async fn typed_paths_inside_variants_take_conditions_and_updates(db: Dynamo) {
        db.create_table::<Drawing>().await.unwrap();
        let f = Drawing::fields();
        let mut card = Drawing {
            id: "d1".into(),
            shape: Shape::Rect { width: 2, height: 3 },
            payment: Some(Payment::Card { last4: "4242".into(), month: 12 }),
            history: vec![],
        };
        db.put(&card).await.unwrap();
        card.id = "d2".into();
        card.payment = Some(Payment::Cash);
        db.put(&card).await.unwrap();

        let by_card = db.scan::<Drawing>().filter(f.payment().variant_tag().eq("card")).await.unwrap();
        assert_eq!(by_card.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(), ["d1"]);
        let updated = db
            .update::<Drawing>("d1")
            .set(&f.payment().card().last4, "1111")
            .increment(&f.shape().rect().width, 5)
            .condition(f.shape().rect().height.eq(3_u32))
            .return_all_new()
            .await
            .unwrap();
        assert_eq!(updated.payment, Some(Payment::Card { last4: "1111".into(), month: 12 }));
        assert_eq!(updated.shape, Shape::Rect { width: 7, height: 3 });
    }

    async fn enums_with_data_round_trip_and_take_conditions(db: Dynamo) {
        db.create_table::<Drawing>().await.unwrap();
        let f = Drawing::fields();
        let drawing = Drawing {
            id: "d1".into(),
            shape: Shape::Labelled { label: "home".into(), at: Point { x: 1, y: -2 } },
            payment: Some(Payment::Card { last4: "4242".into(), month: 12 }),
            history: vec![Event::Opened, Event::Moved(-3), Event::Resized(4, 5), Event::Renamed { from: "a".into(), to: "b".into() }],
        };
        db.put(&drawing).await.unwrap();
        assert_eq!(db.get::<Drawing>("d1").await.unwrap(), Some(drawing.clone()));

        let mut other = drawing.clone();
        other.id = "d2".into();
        other.shape = Shape::Empty;
        other.payment = None;
        db.put(&other).await.unwrap();

        let empty = db.scan::<Drawing>().filter(f.shape.eq(Shape::Empty)).await.unwrap();
        assert_eq!(empty, [other]);
        let updated = db
            .update::<Drawing>("d1")
            .set(&f.payment, Payment::Cash)
            .condition(f.shape.ne(Shape::Empty))
            .return_all_new()
            .await
            .unwrap();
        assert_eq!(updated.payment, Some(Payment::Cash));

        let raw: HashMap<String, AttributeValue> = db.get::<Drawing>("d1").item().await.unwrap().unwrap();
        assert_eq!(raw["payment"], map(&[("kind", s("cash"))]));
    }
}
