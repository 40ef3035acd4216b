//! Transactions: all or nothing, with one typed reason per item when cancelled, and typed
//! reads. `cargo run --example transactions`

use dynamo_model::DynamoModel;

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "wallets", hash_key = "owner")]
struct Wallet {
    owner: String,
    coins: i64,
}

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "transfers", hash_key = "id")]
struct Transfer {
    id: String,
    from: String,
    to: String,
    coins: i64,
}

#[tokio::main]
async fn main() -> Result<(), dynamo_model::Error> {
    let db = dynamo_model_examples::database().await;
    db.create_table::<Wallet>().await?;
    db.create_table::<Transfer>().await?;
    db.put(&Wallet {
        owner: "ann".into(),
        coins: 10,
    })
    .await?;
    db.put(&Wallet {
        owner: "bob".into(),
        coins: 0,
    })
    .await?;
    let f = Wallet::fields();

    let transfer = |id: &str, coins: i64| {
        let record = Transfer {
            id: id.into(),
            from: "ann".into(),
            to: "bob".into(),
            coins,
        };
        // The transaction borrows the record until it has run (its `after_save` hook
        // runs on it then), so the future owns the record.
        let (db, f) = (&db, &f);
        async move {
            db.transact_write()
                .update::<Wallet>("ann", |u| {
                    u.decrement(&f.coins, coins).condition(f.coins.ge(coins))
                })
                .update::<Wallet>("bob", |u| u.increment(&f.coins, coins))
                .put_with(&record, |p| p.condition(Transfer::fields().id.not_exists()))
                .await
        }
    };
    transfer("t1", 7).await?;
    let error = transfer("t2", 7)
        .await
        .expect_err("ann has only 3 coins left");
    let codes: Vec<&str> = error.reasons().iter().map(|r| r.code.as_str()).collect();
    println!("second transfer cancelled: {codes:?}");

    let (ann, bob, t1) = db
        .transact_get()
        .get::<Wallet>("ann")
        .get::<Wallet>("bob")
        .get::<Transfer>("t1")
        .await?;
    println!(
        "ann {:?}, bob {:?}, transfer {:?}",
        ann.map(|w| w.coins),
        bob.map(|w| w.coins),
        t1.map(|t| t.coins)
    );
    Ok(())
}
