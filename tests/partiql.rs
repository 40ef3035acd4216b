//! PartiQL on both backends: typed and raw statements with parameters, rows decoded into
//! models, pagination, index reads, conditional writes and batches.

use dynamo_model::partiql::Statement;
use dynamo_model::{AttributeValue, DynamoModel, Item};
use dynamo_model_tests::conformance;

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(
    table = "songs",
    hash_key = "artist",
    range_key = "title",
    gsi(name = "by_genre", hash_key = "genre", range_key = "year")
)]
struct Song {
    artist: String,
    title: String,
    genre: String,
    year: u32,
    plays: u64,
    note: Option<String>,
}

fn song(artist: &str, title: &str, year: u32) -> Song {
    Song {
        artist: artist.into(),
        title: title.into(),
        genre: if year < 2000 { "rock" } else { "pop" }.into(),
        year,
        plays: 0,
        note: Some("new".into()),
    }
}

fn table(db: &dynamo_model::Dynamo) -> String {
    db.table_name::<Song>()
}

conformance! {
    async fn typed_statements_insert_select_update_delete(db: Dynamo) {
        db.create_table::<Song>().await.unwrap();
        let songs = db.statements::<Song>();
        for (title, year) in [("a", 1990), ("b", 1995), ("c", 2005)] {
            db.execute::<Song>(songs.insert(&song("acme", title, year))).await.unwrap();
        }
        let duplicate = db
            .execute::<Song>(songs.insert(&song("acme", "a", 1990)))
            .await
            .unwrap_err();
        assert!(duplicate.is_duplicate_item(), "{duplicate:?}");

        let f = Song::fields();
        let old = db
            .execute::<Song>(songs.select().filter(f.artist.eq("acme") & f.year.lt(2000u32)))
            .all()
            .await
            .unwrap();
        let mut titles: Vec<_> = old.iter().map(|s| s.title.as_str()).collect();
        titles.sort();
        assert_eq!(titles, ["a", "b"]);

        db.execute::<Song>(
            songs
                .update(("acme", "a"))
                .set(&f.plays, 10u64)
                .remove(&f.note)
                .condition(f.year.eq(1990u32)),
        )
        .await
        .unwrap();
        let a = db.get::<Song>(("acme", "a")).await.unwrap().unwrap();
        assert_eq!((a.plays, a.note.as_deref()), (10, None));

        let failed = db
            .execute::<Song>(songs.update(("acme", "a")).set(&f.plays, 11u64).condition(f.year.eq(1800u32)))
            .await
            .unwrap_err();
        assert!(failed.is_conditional_check_failed(), "{failed:?}");
        let missing = db
            .execute::<Song>(songs.update(("acme", "zzz")).set(&f.plays, 1u64))
            .await
            .unwrap_err();
        assert!(missing.is_conditional_check_failed(), "an update needs the item: {missing:?}");
        assert!(db.get::<Song>(("acme", "zzz")).await.unwrap().is_none());

        let kept = db
            .execute::<Song>(songs.delete(("acme", "b")).condition(f.plays.gt(100u64)))
            .await
            .unwrap_err();
        assert!(kept.is_conditional_check_failed(), "{kept:?}");
        db.execute::<Song>(songs.delete(("acme", "b"))).await.unwrap();
        db.execute::<Song>(songs.delete(("acme", "never"))).await.unwrap();
        assert!(db.get::<Song>(("acme", "b")).await.unwrap().is_none());

        let pop = db
            .execute::<Song>(songs.select().index(Song::BY_GENRE).filter(f.genre.eq("pop")))
            .all()
            .await
            .unwrap();
        assert_eq!(pop.iter().map(|s| s.title.as_str()).collect::<Vec<_>>(), ["c"]);
    }

    async fn raw_statements_bind_parameters_and_paginate(db: Dynamo) {
        db.create_table::<Song>().await.unwrap();
        let name = table(&db);
        for i in 0..7u32 {
            let insert = Statement::new(format!(
                r#"INSERT INTO "{name}" VALUE {{'artist': ?, 'title': ?, 'genre': 'rock', 'year': ?, 'plays': 0}}"#
            ))
            .bind("band")
            .bind(format!("t{i}"))
            .bind(1990 + i);
            db.execute::<Item>(insert).await.unwrap();
        }
        let select = || {
            Statement::new(format!(r#"SELECT * FROM "{name}" WHERE "artist" = ? AND "year" >= ?"#))
                .bind("band")
                .bind(1992u32)
        };
        let first = db.execute::<Song>(select()).limit(3).await.unwrap();
        assert!(first.next_token.is_some());
        let mut seen: Vec<String> = first.items.iter().map(|s| s.title.clone()).collect();
        let mut token = first.next_token;
        while let Some(next) = token {
            let page = db.execute::<Song>(select()).limit(3).next_token(next).await.unwrap();
            seen.extend(page.items.into_iter().map(|s| s.title));
            token = page.next_token;
        }
        seen.sort();
        assert_eq!(seen, ["t2", "t3", "t4", "t5", "t6"]);
        assert_eq!(db.execute::<Song>(select()).all().await.unwrap().len(), 5);

        let update = Statement::new(format!(
            r#"UPDATE "{name}" SET "plays" = "plays" + ? SET "note" = ? WHERE "artist" = ? AND "title" = ?"#
        ))
        .bind(5u64)
        .bind("hit")
        .bind("band")
        .bind("t0");
        db.execute::<Item>(update).await.unwrap();
        let rows = db
            .execute::<Item>(
                Statement::new(format!(r#"SELECT "plays", "note" FROM "{name}" WHERE "artist" = ? AND "title" = ?"#))
                    .bind("band")
                    .bind("t0"),
            )
            .await
            .unwrap()
            .items;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].get("plays"), Some(&AttributeValue::N("5".into())));
        assert_eq!(rows[0].get("note"), Some(&AttributeValue::S("hit".into())));
        assert!(!rows[0].contains_key("genre"), "the projection keeps only what was named");

        let short = Statement::new(format!(r#"SELECT * FROM "{name}" WHERE "artist" = ?"#));
        assert!(db.execute::<Item>(short).await.is_err(), "a ? without a parameter is refused");
    }

    async fn batches_report_every_statement(db: Dynamo) {
        db.create_table::<Song>().await.unwrap();
        let songs = db.statements::<Song>();
        db.put(&song("x", "taken", 1999)).await.unwrap();
        let results = db
            .batch_execute::<Song>(vec![
                songs.insert(&song("x", "one", 2001)),
                songs.insert(&song("x", "taken", 1999)),
                songs.insert(&song("x", "two", 2002)),
            ])
            .await
            .unwrap();
        assert_eq!(results.len(), 3);
        assert!(results[0].is_ok() && results[2].is_ok(), "{results:?}");
        let error = results[1].as_ref().unwrap_err();
        assert!(error.is_duplicate_item(), "{error:?}");

        let f = Song::fields();
        let reads = db
            .batch_execute::<Song>(vec![
                songs.select().filter(f.artist.eq("x") & f.title.eq("one")),
                songs.select().filter(f.artist.eq("x") & f.title.eq("missing")),
            ])
            .await
            .unwrap();
        assert_eq!(reads[0].as_ref().unwrap().as_ref().map(|s| s.year), Some(2001));
        assert!(reads[1].as_ref().unwrap().is_none());

        let too_many: Vec<_> = (0..26).map(|i| songs.delete(("x", format!("{i}")))).collect();
        let refused = db.batch_execute::<Song>(too_many).await.unwrap_err();
        assert!(refused.to_string().contains("1 to 25"), "{refused}");
    }
}

#[test]
fn typed_statements_quote_names_and_bind_values() {
    let db = dynamo_model::Dynamo::memory().with_table_prefix("dev_");
    let songs = db.statements::<Song>();
    let f = Song::fields();
    let select = dynamo_model::partiql::IntoStatement::into_statement(
        songs
            .select()
            .filter(f.artist.eq("it's \"x\"") & f.note.exists()),
    )
    .unwrap();
    assert_eq!(
        select.text(),
        r#"SELECT * FROM "dev_songs" WHERE "artist" = ? AND "note" IS NOT MISSING"#
    );
    assert_eq!(
        select.parameters(),
        [AttributeValue::S("it's \"x\"".into())]
    );
    let update = dynamo_model::partiql::IntoStatement::into_statement(
        songs.update(("a", "t")).set(&f.plays, 1u64).remove(&f.note),
    )
    .unwrap();
    assert_eq!(
        update.text(),
        r#"UPDATE "dev_songs" SET "plays" = ? REMOVE "note" WHERE "artist" = ? AND "title" = ?"#
    );
    let key_change = dynamo_model::partiql::IntoStatement::into_statement(
        songs.update(("a", "t")).set(f.title, "u"),
    );
    assert!(key_change.is_err());
    let add = dynamo_model::partiql::IntoStatement::into_statement(
        songs
            .update(("a", "t"))
            .with(dynamo_model::expr::Update::new().add(&f.plays, 1u64)),
    );
    assert!(add.unwrap_err().to_string().contains("no ADD"));
}
