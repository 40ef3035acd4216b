//! Another attribute of the same item where a value goes, on both backends: comparisons
//! between two attributes in conditions and filters, and updates that copy, add or subtract
//! attributes, or start one as a copy of another.

use dynamo_model::DynamoModel;
use dynamo_model_tests::conformance;

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "invoices", hash_key = "id")]
struct Invoice {
    id: String,
    price: u32,
    tax: u32,
    paid: u32,
    total: Option<u32>,
    name: String,
    label: Option<String>,
}

fn invoice(id: &str, price: u32, paid: u32) -> Invoice {
    Invoice {
        id: id.into(),
        price,
        tax: 2,
        paid,
        total: None,
        name: format!("invoice {id}"),
        label: None,
    }
}

conformance! {
    async fn conditions_compare_two_attributes_of_the_item(db: Dynamo) {
        db.create_table::<Invoice>().await.unwrap();
        let f = Invoice::fields();
        for (id, paid) in [("open", 5), ("settled", 10), ("over", 12)] {
            db.put(&invoice(id, 10, paid)).await.unwrap();
        }
        let ids = |mut found: Vec<Invoice>| {
            found.sort_by(|a, b| a.id.cmp(&b.id));
            found.into_iter().map(|i| i.id).collect::<Vec<_>>()
        };
        assert_eq!(ids(db.scan::<Invoice>().filter(f.paid.lt(&f.price)).await.unwrap()), ["open"]);
        assert_eq!(ids(db.scan::<Invoice>().filter(f.paid.ge(&f.price)).await.unwrap()), ["over", "settled"]);
        assert_eq!(ids(db.scan::<Invoice>().filter(f.paid.ne(&f.price)).await.unwrap()), ["open", "over"]);
        assert_eq!(ids(db.scan::<Invoice>().filter(f.paid.eq(&f.price) | f.paid.gt(11)).await.unwrap()), ["over", "settled"]);

        // As a write condition: the update runs only while something is owed.
        let pay = |id: &'static str| db.update::<Invoice>(id).increment(&f.paid, 1).condition(f.paid.lt(&f.price));
        pay("open").await.unwrap();
        let refused = pay("settled").await.unwrap_err();
        assert!(refused.is_conditional_check_failed(), "{refused}");
        assert_eq!(db.get::<Invoice>("settled").await.unwrap().unwrap().paid, 10, "nothing written");

        // An optional attribute compares with a plain one; absent, the comparison is false.
        db.update::<Invoice>("open").set(&f.total, 10).await.unwrap();
        assert_eq!(ids(db.scan::<Invoice>().filter(f.total.eq(&f.price)).await.unwrap()), ["open"]);
    }

    async fn updates_copy_add_and_subtract_attributes(db: Dynamo) {
        db.create_table::<Invoice>().await.unwrap();
        let f = Invoice::fields();
        db.put(&invoice("i1", 10, 3)).await.unwrap();

        let updated = db
            .update::<Invoice>("i1")
            .set(&f.total, &f.price + &f.tax)
            .set(&f.paid, f.price.minus(&f.paid))
            .set_if_not_exists(&f.label, &f.name)
            .return_all_new()
            .await
            .unwrap();
        assert_eq!(updated.total, Some(12));
        assert_eq!(updated.paid, 7, "price - paid, from the values before the update");
        assert_eq!(updated.label.as_deref(), Some("invoice i1"));

        // A present attribute keeps its value under `if_not_exists`; a plain copy replaces it.
        db.update::<Invoice>("i1").set(&f.name, "renamed").await.unwrap();
        db.update::<Invoice>("i1").set_if_not_exists(&f.label, &f.name).await.unwrap();
        assert_eq!(db.get::<Invoice>("i1").await.unwrap().unwrap().label.as_deref(), Some("invoice i1"));
        db.update::<Invoice>("i1").set(&f.label, &f.name).set(&f.tax, f.tax.plus(3)).await.unwrap();
        let stored = db.get::<Invoice>("i1").await.unwrap().unwrap();
        assert_eq!((stored.label.as_deref(), stored.tax), (Some("renamed"), 5));

        // Operands are read before the update applies: removing `total` and adding to it in
        // one update uses the stored value. Once it is gone, adding to it fails on the
        // server, and nothing is written.
        db.update::<Invoice>("i1").remove(&f.total).set(&f.paid, f.total.plus(1)).await.unwrap();
        assert_eq!(db.get::<Invoice>("i1").await.unwrap().unwrap().paid, 13);
        let missing = db.update::<Invoice>("i1").set(&f.paid, f.total.plus(1)).await.unwrap_err();
        assert!(missing.to_string().contains("does not exist"), "{missing}");
        assert_eq!(db.get::<Invoice>("i1").await.unwrap().unwrap().paid, 13);
    }
}
