use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[dynamo(table = "documents", hash_key = "id")]
struct Document {
    id: String,
    #[dynamo(compress = "brotli")]
    body: String,
    #[dynamo(encrypt, compress = "zstd")]
    both: String,
    #[dynamo(compress_min = 10)]
    threshold_alone: String,
}

#[derive(DynamoModel)]
#[dynamo(table = "patients", hash_key = "id")]
struct Patient {
    id: String,
    #[dynamo(encrypt)]
    diagnosis: String,
}

fn main() {
    // An encrypted attribute has no typed accessor: no condition can compare its plaintext.
    let _ = Patient::fields().diagnosis.eq("flu");
}
