//! The Lambda function's entry point: `cargo lambda deploy`, or any zip of this binary as
//! `bootstrap`, with the function's role allowed to write the counter tables and its
//! event source mapping on the `orders` stream set to `ReportBatchItemFailures`.

use dynamo_model::changes::lambda::{StreamEvent, StreamEventResponse};
use dynamo_model::Dynamo;
use lambda_runtime::{service_fn, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let db = Dynamo::from_env().await?;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<StreamEvent>| {
        let db = db.clone();
        async move {
            Ok::<StreamEventResponse, Error>(
                dynamo_model_example_lambda::handle(&db, &event.payload).await,
            )
        }
    }))
    .await
}
