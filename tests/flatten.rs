//! `#[dynamo(flatten)]` and `#[serde(flatten)]`: a nested struct's attributes at the top level
//! of the item, its typed paths still usable; the item is the one serde_dynamo writes for
//! the same struct.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use dynamo_model::DynamoModel;
use dynamo_model_tests::conformance;
use serde::{Deserialize, Serialize};

fn not_blank(city: &str) -> Result<(), String> {
    if city.trim().is_empty() {
        Err("a city is not blank".into())
    } else {
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynamoModel)]
#[dynamo(rename_all = "camelCase")]
#[serde(rename_all = "camelCase")]
struct Address {
    street_name: String,
    #[dynamo(validate = "not_blank")]
    city: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    zip: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynamoModel)]
struct Audit {
    created_by: String,
    revision: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynamoModel)]
#[dynamo(table = "flat_customers", hash_key = "id")]
struct Customer {
    id: String,
    name: String,
    // Both spellings: ours, and serde's for serde_dynamo (which we honour too).
    #[dynamo(flatten)]
    #[serde(flatten)]
    address: Address,
    #[serde(flatten)]
    audit: Audit,
}

fn customer(id: &str, city: &str) -> Customer {
    Customer {
        id: id.into(),
        name: format!("Customer {id}"),
        address: Address {
            street_name: "Rue de la Paix".into(),
            city: city.into(),
            zip: None,
        },
        audit: Audit {
            created_by: "ada".into(),
            revision: 1,
        },
    }
}

#[test]
fn the_item_is_flat_and_the_one_serde_dynamo_writes() {
    let ada = customer("c1", "Paris");
    let item = ada.to_item();
    let mut names: Vec<&String> = item.keys().collect();
    names.sort();
    assert_eq!(
        names,
        ["city", "created_by", "id", "name", "revision", "streetName"]
    );
    let theirs: HashMap<String, AttributeValue> = serde_dynamo::to_item(&ada).unwrap();
    assert_eq!(item, theirs);
    assert_eq!(Customer::from_item(theirs).unwrap(), ada);
}

#[test]
fn typed_paths_reach_the_flattened_fields_at_the_top_level() {
    let f = Customer::fields();
    assert_eq!(f.address.city.path().to_string(), "city");
    assert_eq!(f.audit.revision.path().to_string(), "revision");
}

#[test]
fn a_flattened_structs_problems_keep_top_level_paths() {
    let mut item = customer("c1", "Paris").to_item();
    item.insert("revision".into(), AttributeValue::S("one".into()));
    item.remove("streetName");
    let error = Customer::from_item(item).unwrap_err().to_string();
    assert!(
        error.contains("streetName: missing required attribute"),
        "{error}"
    );
    assert!(error.contains("revision: expected N, found S"), "{error}");
}

conformance! {
    async fn flattened_fields_round_trip_and_take_conditions(db: Dynamo) {
        db.create_table::<Customer>().await.unwrap();
        let f = Customer::fields();
        db.put(&customer("c1", "Paris")).await.unwrap();
        db.put(&customer("c2", "Lyon")).await.unwrap();
        assert_eq!(db.get::<Customer>("c1").await.unwrap(), Some(customer("c1", "Paris")));

        let in_lyon = db.scan::<Customer>().filter(f.address.city.eq("Lyon")).await.unwrap();
        assert_eq!(in_lyon, [customer("c2", "Lyon")]);

        let moved = db
            .update::<Customer>("c1")
            .set(&f.address.city, "Nice")
            .increment(&f.audit.revision, 1)
            .condition(f.address.city.eq("Paris"))
            .return_all_new()
            .await
            .unwrap();
        assert_eq!(moved.address.city, "Nice");
        assert_eq!(moved.audit.revision, 2);

        // The flattened struct's validators run on puts and on typed updates.
        let error = db.put(&customer("c3", " ")).await.unwrap_err();
        assert!(error.to_string().contains("a city is not blank"), "{error}");
        let error = db.update::<Customer>("c1").set(&f.address.city, "").await.unwrap_err();
        assert!(error.to_string().contains("a city is not blank"), "{error}");
    }
}
