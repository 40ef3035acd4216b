//! The distributed lock on both backends: two holders contending never both hold it, a
//! lease that ends lets another owner in and the old holder learns it lost the lock, a
//! heartbeat keeps the lease, an acquire times out while the lease lasts.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use dynamo_model::lock::LockClient;
use dynamo_model::ErrorKind;
use dynamo_model_tests::conformance;

conformance! {
    async fn two_holders_contending_never_overlap(db: Dynamo) {
        LockClient::new(&db, "locks").create_table().await.unwrap();
        let inside = Arc::new(AtomicUsize::new(0));
        let acquired = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..2 {
            let locks = LockClient::new(&db, "locks")
                .lease(Duration::from_secs(5))
                .retry_every(Duration::from_millis(5));
            let (inside, acquired) = (Arc::clone(&inside), Arc::clone(&acquired));
            tasks.push(tokio::spawn(async move {
                for _ in 0..8 {
                    let lock = locks.acquire("shared", Duration::from_secs(20)).await.unwrap();
                    assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0, "two holders at once");
                    acquired.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    inside.fetch_sub(1, Ordering::SeqCst);
                    lock.release().await.unwrap();
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(acquired.load(Ordering::SeqCst), 16);
    }

    async fn an_ended_lease_is_taken_over_and_the_old_holder_finds_out(db: Dynamo) {
        // A lease long enough that a loaded machine's requests do not outlast it.
        let first = LockClient::new(&db, "locks").lease(Duration::from_millis(2000));
        first.create_table().await.unwrap();
        let second = LockClient::new(&db, "locks").lease(Duration::from_secs(5));
        let held = first.acquire("job", Duration::ZERO).await.unwrap();
        let waited = second.acquire("job", Duration::from_millis(100)).await.unwrap_err();
        assert!(matches!(waited.kind(), ErrorKind::LockTimeout { .. }), "{waited:?}");
        held.heartbeat().await.unwrap();

        tokio::time::sleep(Duration::from_millis(2300)).await;
        let taken = second.acquire("job", Duration::ZERO).await.unwrap();
        let lost = held.heartbeat().await.unwrap_err();
        assert!(matches!(lost.kind(), ErrorKind::LockLost { .. }), "{lost:?}");
        assert!(!held.is_held());
        assert!(matches!(held.release().await.unwrap_err().kind(), ErrorKind::LockLost { .. }));
        assert!(taken.is_held());
        taken.release().await.unwrap();
        first.acquire("job", Duration::ZERO).await.unwrap().release().await.unwrap();
    }

    async fn a_heartbeat_keeps_the_lease(db: Dynamo) {
        // The other owner waits 1.5 leases, so without heartbeats it would get in; a
        // heartbeat may take most of a lease (1.75 s) on a loaded machine before that shows.
        let holder = LockClient::new(&db, "locks").lease(Duration::from_millis(2000));
        holder.create_table().await.unwrap();
        let lock = holder
            .acquire("kept", Duration::ZERO)
            .await
            .unwrap()
            .keep_alive(Duration::from_millis(250))
            .unwrap();
        let other = LockClient::new(&db, "locks");
        let refused = other.acquire("kept", Duration::from_millis(3000)).await.unwrap_err();
        assert!(matches!(refused.kind(), ErrorKind::LockTimeout { .. }), "{refused:?}");
        assert!(lock.is_held());
        lock.release().await.unwrap();
        other.acquire("kept", Duration::ZERO).await.unwrap();
    }
}
