//! Generic models: type parameters with the bounds the derive infers from the fields (as
//! serde does) or the ones `bound` states; generic documents nested in concrete table
//! models, and generic table models whose instances share one table, on both backends; and
//! the wire form against serde_dynamo's.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::types::AttributeValue;
use dynamo_model::{DynamoAttribute, DynamoModel};
use dynamo_model_tests::conformance;
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

/// A page of anything: the bound `Vec<T>: DynamoAttribute` is inferred.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynamoModel)]
struct Page<T> {
    items: Vec<T>,
    next: Option<String>,
}

/// Two parameters, one of them in a map, with bounds given by hand.
#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(bound = "B: DynamoAttribute + Clone, H: DynamoAttribute")]
struct Envelope<B, H> {
    body: B,
    headers: BTreeMap<String, H>,
}

/// A serde field of a parameter type: serde's traits are inferred for it.
#[derive(Debug, Clone, PartialEq, DynamoModel)]
struct Tagged<T> {
    label: String,
    #[dynamo(serde)]
    value: T,
}

/// A parameter flattened into the document: `T: Flatten` is inferred.
#[derive(Debug, Clone, PartialEq, DynamoModel)]
struct Versioned<T> {
    version: u32,
    #[dynamo(flatten)]
    data: T,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynamoModel)]
struct Message {
    from: String,
    text: String,
}

#[derive(Debug, Clone, PartialEq, DynamoModel)]
struct Profile {
    name: String,
    age: u8,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Coordinates(f64, f64);

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "generic_inboxes", hash_key = "id")]
struct Inbox {
    id: String,
    page: Page<Message>,
    counts: Page<u32>,
    envelope: Envelope<String, i64>,
    place: Tagged<Coordinates>,
    profile: Versioned<Profile>,
}

fn inbox(id: &str) -> Inbox {
    Inbox {
        id: id.into(),
        page: Page {
            items: vec![Message {
                from: "ada".into(),
                text: "hello".into(),
            }],
            next: Some("p2".into()),
        },
        counts: Page {
            items: vec![1, 2, 3],
            next: None,
        },
        envelope: Envelope {
            body: "body".into(),
            headers: BTreeMap::from([("retries".into(), 2)]),
        },
        place: Tagged {
            label: "home".into(),
            value: Coordinates(48.85, 2.35),
        },
        profile: Versioned {
            version: 3,
            data: Profile {
                name: "Ada".into(),
                age: 36,
            },
        },
    }
}

#[test]
fn typed_paths_go_through_the_parameters() {
    let f = Inbox::fields();
    assert_eq!(f.page().items.path().to_string(), "page.items");
    assert_eq!(f.profile().data.name.path().to_string(), "profile.name");
    let _: &dynamo_model::Field<Inbox, Vec<u32>> = &f.counts().items;
}

#[test]
fn a_generic_document_decodes_with_paths_in_errors() {
    let mut item = inbox("i1").to_item();
    let AttributeValue::M(counts) = item.get_mut("counts").unwrap() else {
        panic!()
    };
    counts.insert(
        "items".into(),
        AttributeValue::L(vec![AttributeValue::S("x".into())]),
    );
    let error = Inbox::from_item(item).unwrap_err().to_string();
    assert!(
        error.contains("counts.items[0]: expected N, found S"),
        "{error}"
    );
}

proptest! {
    /// A generic document is stored as serde_dynamo stores the same type.
    #[test]
    fn a_generic_document_is_stored_as_serde_dynamo_stores_it(
        items in proptest::collection::vec(any::<u32>(), 0..5),
        next in proptest::option::of(".{0,6}"),
    ) {
        use dynamo_model::value::ToAttributeValue;
        let page = Page { items, next };
        let ours = page.to_attribute_value().unwrap();
        let mut theirs: HashMap<String, AttributeValue> = serde_dynamo::to_item(&page).unwrap();
        // serde_dynamo writes `None` as NULL; the model leaves the attribute out.
        theirs.retain(|_, v| !matches!(v, AttributeValue::Null(true)));
        prop_assert_eq!(ours, AttributeValue::M(theirs));
    }
}

/// One table for every payload type: the key and the version do not depend on `T`.
#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "generic_cache", hash_key = "key", range_key = "kind")]
struct CacheEntry<T> {
    key: String,
    kind: String,
    value: T,
    #[dynamo(version)]
    version: u64,
}

conformance! {
    async fn generic_table_models_share_their_table(db: Dynamo) {
        db.create_table::<CacheEntry<Message>>().await.unwrap();
        let message = CacheEntry {
            key: "k1".into(),
            kind: "message".into(),
            value: Message { from: "ada".into(), text: "hi".into() },
            version: 0,
        };
        let count = CacheEntry { key: "k1".into(), kind: "count".into(), value: 7_u32, version: 0 };
        db.put(&message).await.unwrap();
        db.put(&count).await.unwrap();

        let read = db.get::<CacheEntry<Message>>(("k1", "message")).await.unwrap().unwrap();
        assert_eq!((read.value.text.as_str(), read.version), ("hi", 1));
        let f = CacheEntry::<u32>::fields();
        let counts = db.query::<CacheEntry<u32>>("k1").range(f.kind.eq("count")).await.unwrap();
        assert_eq!(counts.iter().map(|c| c.value).collect::<Vec<_>>(), [7]);

        // Typed updates and version checks work per instance.
        let bumped = db
            .update::<CacheEntry<u32>>(("k1", "count"))
            .increment(&f.value, 1)
            .return_all_new()
            .await
            .unwrap();
        assert_eq!((bumped.value, bumped.version), (8, 2));
        let stale = db.put(&count).await.unwrap_err();
        assert!(stale.is_version_conflict(), "{stale}");

        // An item of another instance does not decode as this one, naming the item.
        let wrong = db.get::<CacheEntry<u32>>(("k1", "message")).await.unwrap_err();
        assert!(wrong.to_string().contains("value: expected N, found M"), "{wrong}");
    }

    async fn generic_documents_round_trip_and_take_conditions(db: Dynamo) {
        db.create_table::<Inbox>().await.unwrap();
        let f = Inbox::fields();
        db.put(&inbox("i1")).await.unwrap();
        assert_eq!(db.get::<Inbox>("i1").await.unwrap(), Some(inbox("i1")));
        let updated = db
            .update::<Inbox>("i1")
            .append(&f.counts().items, [4_u32])
            .set(&f.profile().data.age, 37_u8)
            .condition(f.page().next.eq("p2"))
            .return_all_new()
            .await
            .unwrap();
        assert_eq!(updated.counts.items, [1, 2, 3, 4]);
        assert_eq!(updated.profile.data.age, 37);
    }
}
