//! Conditional writes: create-only puts, guarded updates, and reading the item that made a
//! condition fail. `cargo run --example conditions`

use dynamo_model::DynamoModel;

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "accounts", hash_key = "id")]
struct Account {
    id: String,
    balance: i64,
    frozen: bool,
}

#[tokio::main]
async fn main() -> Result<(), dynamo_model::Error> {
    let db = dynamo_model_examples::database().await;
    db.create_table::<Account>().await?;
    let f = Account::fields();
    let account = Account {
        id: "a1".into(),
        balance: 100,
        frozen: false,
    };

    // Create only: a second put with the same key fails.
    db.put(&account).condition(f.id.not_exists()).await?;
    let again = db
        .put(&account)
        .condition(f.id.not_exists())
        .await
        .expect_err("the account exists already");
    println!(
        "second create: conditional check failed = {}",
        again.is_conditional_check_failed()
    );

    // Withdraw only with enough money on an account that is not frozen.
    let withdraw = |amount: i64| {
        db.update::<Account>("a1")
            .decrement(&f.balance, amount)
            .condition(f.balance.ge(amount) & f.frozen.eq(false))
            .return_item_on_condition_failure()
            .return_all_new()
    };
    println!("after withdrawing 30: {}", withdraw(30).await?.balance);
    let refused = withdraw(500).await.expect_err("there are not 500 coins");
    let current = refused
        .current_item()
        .cloned()
        .map(Account::from_item)
        .transpose()?;
    println!(
        "withdrawing 500 refused; the account holds {:?}",
        current.map(|a| a.balance)
    );
    Ok(())
}
