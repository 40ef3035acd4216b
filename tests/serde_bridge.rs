//! The serde bridge: fields whose types implement only serde's traits (`#[dynamo(serde)]`),
//! stored in serde_dynamo's wire form. On both backends: round trips, typed conditions and
//! updates on such fields, and items written by serde_dynamo read back. Without a server:
//! the wire form of arbitrary values against serde_dynamo's, both ways.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::types::AttributeValue;
use dynamo_model::value::serde_form::{self, Serde};
use dynamo_model::{Dynamo, DynamoModel};
use dynamo_model_tests::conformance;
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

/// As a type from another crate would be: serde's traits only. Internally tagged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Payment {
    Card { last4: String, expiry: (u8, u16) },
    Transfer { iban: String },
    Cash,
}

/// Adjacently tagged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", content = "c")]
enum Note {
    Text(String),
    Rating(u8),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Address {
    street: String,
    city: String,
    zip: Option<String>,
}

fn short_note(note: &Note) -> Result<(), String> {
    match note {
        Note::Text(text) if text.len() > 20 => Err("a note has at most 20 characters".into()),
        _ => Ok(()),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynamoModel)]
#[dynamo(table = "serde_orders", hash_key = "id")]
struct Order {
    id: String,
    #[dynamo(serde)]
    payment: Payment,
    #[dynamo(serde)]
    shipping: Option<Address>,
    #[dynamo(serde)]
    lines: BTreeMap<String, u32>,
    #[dynamo(serde, validate = "short_note")]
    note: Note,
}

fn order(id: &str, payment: Payment) -> Order {
    Order {
        id: id.into(),
        payment,
        shipping: Some(Address {
            street: "1 Main St".into(),
            city: "Lyon".into(),
            zip: None,
        }),
        lines: BTreeMap::from([("apple".into(), 3), ("pear".into(), 1)]),
        note: Note::Text("leave at the door".into()),
    }
}

fn card() -> Payment {
    Payment::Card {
        last4: "4242".into(),
        expiry: (12, 2030),
    }
}

async fn stored(db: &Dynamo, id: &str) -> HashMap<String, AttributeValue> {
    db.get::<Order>(id).item().await.unwrap().unwrap()
}

conformance! {
    async fn serde_fields_round_trip_in_serde_dynamos_form(db: Dynamo) {
        db.create_table::<Order>().await.unwrap();
        let first = order("o1", card());
        db.put(&first).await.unwrap();
        assert_eq!(db.get::<Order>("o1").await.unwrap(), Some(first.clone()));

        // Each field is stored as serde_dynamo stores the same value.
        let item = stored(&db, "o1").await;
        let theirs: AttributeValue = serde_dynamo::to_attribute_value(&first.payment).unwrap();
        assert_eq!(item["payment"], theirs);
        let AttributeValue::M(payment) = &item["payment"] else { panic!("{item:?}") };
        assert_eq!(payment["kind"], AttributeValue::S("card".into()));
        let theirs: AttributeValue = serde_dynamo::to_attribute_value(&first.note).unwrap();
        assert_eq!(item["note"], theirs);

        // An absent optional field reads as None; its NULL form too.
        let mut bare = order("o2", Payment::Cash);
        bare.shipping = None;
        db.put(&bare).await.unwrap();
        assert_eq!(stored(&db, "o2").await["shipping"], AttributeValue::Null(true));
        assert_eq!(db.get::<Order>("o2").await.unwrap(), Some(bare));
    }

    async fn serde_fields_take_typed_conditions_and_updates(db: Dynamo) {
        db.create_table::<Order>().await.unwrap();
        let f = Order::fields();
        db.put(&order("o1", card())).await.unwrap();
        db.put(&order("o2", Payment::Cash)).await.unwrap();

        let cash = db.scan::<Order>().filter(f.payment.eq(&Payment::Cash)).await.unwrap();
        assert_eq!(cash.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(), ["o2"]);

        let moved = Address { street: "2 Quai".into(), city: "Paris".into(), zip: Some("75001".into()) };
        let updated = db
            .update::<Order>("o1")
            .set(&f.shipping, Some(moved.clone()))
            .set(&f.payment, Payment::Transfer { iban: "FR76".into() })
            .condition(f.payment.eq(card()))
            .return_all_new()
            .await
            .unwrap();
        assert_eq!(updated.shipping, Some(moved));
        assert_eq!(updated.payment, Payment::Transfer { iban: "FR76".into() });

        // The condition now fails: the payment changed.
        let refused = db
            .update::<Order>("o1")
            .set(&f.note, Note::Rating(5))
            .condition(f.payment.eq(card()))
            .await
            .unwrap_err();
        assert!(refused.is_conditional_check_failed(), "{refused}");

        // Presence conditions work as on any field.
        let shipped = db.scan::<Order>().filter(f.shipping.exists()).await.unwrap();
        assert_eq!(shipped.len(), 2);
    }

    async fn serde_fields_are_validated_on_every_write(db: Dynamo) {
        db.create_table::<Order>().await.unwrap();
        let f = Order::fields();
        let mut long = order("o1", Payment::Cash);
        long.note = Note::Text("a note much longer than twenty characters".into());
        let error = db.put(&long).await.unwrap_err();
        assert!(error.to_string().contains("note: a note has at most 20 characters"), "{error}");

        db.put(&order("o1", Payment::Cash)).await.unwrap();
        let error = db
            .update::<Order>("o1")
            .set(&f.note, Note::Text("a note much longer than twenty characters".into()))
            .await
            .unwrap_err();
        assert!(error.to_string().contains("a note has at most 20 characters"), "{error}");

        // A value serde cannot store is refused before sending, with its path.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynamoModel)]
        #[dynamo(table = "serde_orders", hash_key = "id")]
        struct Scored {
            id: String,
            #[dynamo(serde)]
            scores: Vec<f64>,
        }
        let error = db.put(&Scored { id: "s".into(), scores: vec![1.0, f64::NAN] }).await.unwrap_err();
        assert!(error.to_string().contains("scores[1]: NaN cannot be stored"), "{error}");
        assert!(db.get::<Order>("s").item().await.unwrap().is_none(), "nothing was written");
    }

    async fn items_written_by_serde_dynamo_read_back(db: Dynamo) {
        db.create_table::<Order>().await.unwrap();
        let original = order("o9", Payment::Transfer { iban: "DE89".into() });
        let item: HashMap<String, AttributeValue> = serde_dynamo::to_item(&original).unwrap();
        dynamo_model_tests::put_raw::<Order>(&db, item).await;
        assert_eq!(db.get::<Order>("o9").await.unwrap(), Some(original.clone()));

        // And what the model writes, serde_dynamo reads.
        db.put(&order("o10", card())).await.unwrap();
        let theirs: Order = serde_dynamo::from_item(stored(&db, "o10").await).unwrap();
        assert_eq!(theirs, order("o10", card()));
    }
}

/// Every serde shape the data model has, in one value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Everything {
    flag: bool,
    small: i8,
    wide: u64,
    signed: i64,
    ratio: f64,
    letter: char,
    text: String,
    maybe: Option<i32>,
    list: Vec<i16>,
    pair: (String, u32),
    by_name: BTreeMap<String, bool>,
    by_number: BTreeMap<u16, String>,
    unit: (),
    marker: Marker,
    wrapped: Wrapped,
    shape: Shape,
    payment: Payment,
    note: Note,
    either: Either,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Marker;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Wrapped(u32);

/// Externally tagged, every variant kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Shape {
    Point,
    Circle(f64),
    Segment(i32, i32),
    Rect { width: u32, height: u32 },
}

/// Untagged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
enum Either {
    Number(i64),
    Words(Vec<String>),
}

fn shapes() -> impl Strategy<Value = Shape> {
    prop_oneof![
        Just(Shape::Point),
        any::<f64>()
            .prop_filter("finite", |r| r.is_finite())
            .prop_map(Shape::Circle),
        (any::<i32>(), any::<i32>()).prop_map(|(a, b)| Shape::Segment(a, b)),
        (any::<u32>(), any::<u32>()).prop_map(|(width, height)| Shape::Rect { width, height }),
    ]
}

fn payments() -> impl Strategy<Value = Payment> {
    prop_oneof![
        Just(Payment::Cash),
        ".{0,8}".prop_map(|iban| Payment::Transfer { iban }),
        (".{0,4}", any::<u8>(), any::<u16>()).prop_map(|(last4, month, year)| Payment::Card {
            last4,
            expiry: (month, year)
        }),
    ]
}

prop_compose! {
    fn everything()(
        flag in any::<bool>(),
        small in any::<i8>(),
        wide in any::<u64>(),
        signed in any::<i64>(),
        ratio in any::<f64>().prop_filter("finite", |r| r.is_finite()),
        letter in any::<char>(),
        text in ".{0,12}",
        maybe in any::<Option<i32>>(),
        list in proptest::collection::vec(any::<i16>(), 0..5),
        pair in (".{0,6}", any::<u32>()),
        by_name in proptest::collection::btree_map(".{0,6}", any::<bool>(), 0..4),
        by_number in proptest::collection::btree_map(any::<u16>(), ".{0,6}", 0..4),
        wrapped in any::<u32>(),
        shape in shapes(),
        payment in payments(),
        rating in proptest::option::of(any::<u8>()),
        either in prop_oneof![
            any::<i64>().prop_map(Either::Number),
            proptest::collection::vec(".{0,4}", 0..3).prop_map(Either::Words),
        ],
    ) -> Everything {
        let note = match rating {
            Some(stars) => Note::Rating(stars),
            None => Note::Text(text.clone()),
        };
        Everything {
            flag, small, wide, signed, ratio, letter, text, maybe, list, pair, by_name, by_number,
            unit: (), marker: Marker, wrapped: Wrapped(wrapped), shape, payment, note, either,
        }
    }
}

proptest! {
    /// The bridge writes exactly what serde_dynamo writes, and each reads the other's.
    #[test]
    fn the_wire_form_is_serde_dynamos(value in everything()) {
        let ours = serde_form::to_value(&value).unwrap();
        let theirs: AttributeValue = serde_dynamo::to_attribute_value(&value).unwrap();
        prop_assert_eq!(&ours, &theirs);
        prop_assert_eq!(&serde_form::from_value::<Everything>(theirs).unwrap(), &value);
        let back: Everything = serde_dynamo::from_attribute_value(ours).unwrap();
        prop_assert_eq!(&back, &value);
    }

    /// A wrapped value round-trips through the item codec.
    #[test]
    fn the_wrapper_round_trips(value in everything()) {
        use dynamo_model::value::{FromAttributeValue, ToAttributeValue};
        let stored = Serde(value.clone()).to_attribute_value().unwrap();
        prop_assert_eq!(Serde::<Everything>::from_attribute_value(stored).unwrap().0, value);
    }
}
