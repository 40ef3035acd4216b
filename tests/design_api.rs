//! The user-facing API of `shared/DESIGN.md`, written as it is there, run on both backends:
//! if the contract stops compiling or behaving, this fails.

use std::collections::BTreeSet;

use dynamo_model::DynamoModel;
use dynamo_model_tests::conformance;
use futures_util::StreamExt;

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(
    table = "users",
    hash_key = "user_id",
    gsi(name = "by_email", hash_key = "email")
)]
struct User {
    user_id: String,
    email: String,
    #[dynamo(rename = "fullName")]
    name: String,
    #[dynamo(default)]
    age: u32,
    #[dynamo(default, validate = "non_empty_tags")]
    tags: BTreeSet<String>,
    address: Option<Address>,
}

#[derive(Debug, Clone, PartialEq, DynamoModel)]
struct Address {
    city: String,
}

fn non_empty_tags(tags: &BTreeSet<String>) -> Result<(), String> {
    if tags.iter().any(String::is_empty) {
        return Err("a tag is empty".into());
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(
    table = "orders",
    hash_key = "customer_id",
    range_key = "order_id",
    lsi(name = "by_created", range_key = "created_at")
)]
struct Order {
    customer_id: String,
    order_id: String,
    created_at: String,
    total: f64,
}

fn new_user(id: &str, age: u32) -> User {
    User {
        user_id: id.into(),
        email: format!("{id}@example.com"),
        name: id.to_uppercase(),
        age,
        tags: BTreeSet::new(),
        address: None,
    }
}

fn order(id: &str, total: f64) -> Order {
    Order {
        customer_id: "c1".into(),
        order_id: id.into(),
        created_at: format!("2026-11-{id}"),
        total,
    }
}

conformance! {
    async fn the_design_api_runs_as_written(db: Dynamo) {
        let result: dynamo_model::Result<()> = async {
            db.create_table::<User>().await?;
            db.create_table::<Order>().await?;
            let user = new_user("u1", 30);
            db.put(&user).await?;
            let refused = db.put(&user).condition(User::fields().user_id.not_exists()).await;
            assert!(refused.unwrap_err().is_conditional_check_failed());
            let u: Option<User> = db.get::<User>("u1").await?;
            assert_eq!(u, Some(user.clone()));
            for (id, total) in [("2026-01", 5.0), ("2026-02", 50.0), ("2026-03", 80.0), ("o1", 20.0), ("o9", 1.0)] {
                db.put(&order(id, total)).await?;
            }
            let o: Option<Order> = db.get::<Order>(("c1", "o1")).consistent_read(true).await?;
            assert!(o.is_some());
            let u: User = db.update::<User>("u1")      // the item must exist; `.upsert()` may create it
                .set(User::fields().age, 31)
                .add(User::fields().tags, ["admin"])
                .condition(User::fields().age.lt(100))
                .return_all_new().await?;
            assert_eq!((u.age, u.tags.len()), (31, 1));

            let page = db.query::<Order>("c1")
                .range(Order::fields().order_id.begins_with("2026-"))
                .filter(Order::fields().total.between(10.0, 99.0))
                .page_size(25).scan_forward(false).page().await?;   // one page: items + cursor
            assert_eq!(page.items.len(), 2);
            let top10: Vec<Order> = db.query::<Order>("c1").limit(10).await?;  // at most 10 items
            assert_eq!(top10.len(), 5);
            let all: Vec<Order> = db.query::<Order>("c1").all().await?;      // follows pages
            assert_eq!(all.len(), 5);
            let mut s = db.query::<Order>("c1").index(Order::BY_CREATED).stream(); // futures::Stream
            assert!(s.next().await.is_some());
            drop(s);
            let users = db.scan::<User>().segments(4).filter(User::fields().age.gt(18)).all().await?;    // parallel scan
            assert_eq!(users.len(), 1);

            let a = new_user("u4", 40);
            db.put(&new_user("u2", 1)).await?;
            db.put(&new_user("u3", 20)).await?;
            db.transact_write()
                .put(&a).update::<User>("u2", |u| u.set(User::fields().age, 5).condition(User::fields().age.lt(9)))
                .delete::<Order>(("c1", "o1"))
                .condition_check::<User>("u3", User::fields().age.ge(18))
                .await?;                                 // failure: e.is_transaction_canceled(), reasons()
            let (u, o) = db.transact_get().get::<User>("u1").get::<Order>(("c1", "o1")).await?;
            assert!(u.is_some() && o.is_none());

            let users = vec![new_user("u5", 50), new_user("u6", 60)];
            db.batch_write().put_all(&users).delete::<Order>(("c1", "o9")).await?;
            let got: Vec<User> = db.batch_get::<User>(["u1", "u2", "u3"]).await?;
            assert_eq!(got.len(), 3);

            db.delete(&user).await?;
            db.put(&user).await?;
            db.delete_by_key::<User>("u1").condition(User::fields().age.gt(18)).await?;
            assert_eq!(db.get::<User>("u1").await?, None);
            Ok(())
        }
        .await;
        result.unwrap();
    }
}
