//! Read transactions: `TransactGetItems`, every item read as of one moment. Up to 11 gets of
//! any models resolve to a tuple with an `Option<M>` per get; from the 12th get on (up to
//! 100), or from [`Dynamo::transact_get_items`], to [`TransactItems`], read by position;
//! gets of one model, to a `Vec` ([`Dynamo::transact_get_many`]).

use std::any::Any;
use std::future::IntoFuture;

use aws_sdk_dynamodb::operation::transact_get_items;
use aws_sdk_dynamodb::types::{Get as TransactGetItem, TransactGetItem as GetEntry};

use super::prepare::key_item;
use super::transact::{BoxFuture, MAX_TRANSACTION_ITEMS};
use super::Dynamo;
use crate::error::{Error, Result};
use crate::key::IntoKey;
use crate::model::{Projected, Readable, Table};
use crate::value::Item;

impl Dynamo {
    /// A read transaction; each `get` adds an `Option<M>` to the result tuple, up to 11;
    /// a 12th get (up to 100) makes the result a [`TransactItems`], read by position.
    pub fn transact_get(&self) -> TransactGet<'_, ()> {
        TransactGet {
            db: self,
            gets: Ok(Vec::new()),
            decoders: Vec::new(),
            _results: std::marker::PhantomData,
        }
    }

    /// A read transaction of up to 100 gets of any models, built in a loop if need be,
    /// resolving to a [`TransactItems`] read by position:
    ///
    /// ```
    /// # use dynamo_model::{Dynamo, DynamoModel};
    /// # #[derive(Debug, PartialEq, DynamoModel)]
    /// # #[dynamo(table = "users", hash_key = "id")]
    /// # struct User { id: String }
    /// # #[derive(Debug, PartialEq, DynamoModel)]
    /// # #[dynamo(table = "orders", hash_key = "id")]
    /// # struct Order { id: String }
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # let db = Dynamo::memory();
    /// # db.create_table::<User>().await?;
    /// # db.create_table::<Order>().await?;
    /// db.put(&User { id: "u1".into() }).await?;
    /// let mut read = db.transact_get_items().get::<Order>("o1");
    /// for id in ["u1", "u2"] {
    ///     read = read.get::<User>(id);
    /// }
    /// let mut items = read.await?;
    /// assert_eq!(items.take::<Order>(0)?, None);
    /// assert_eq!(items.take::<User>(1)?, Some(User { id: "u1".into() }));
    /// assert!(items.take::<Order>(2).is_err(), "get 2 read a User");
    /// # Ok::<(), dynamo_model::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn transact_get_items(&self) -> TransactGet<'_, TransactItems> {
        TransactGet {
            db: self,
            gets: Ok(Vec::new()),
            decoders: Vec::new(),
            _results: std::marker::PhantomData,
        }
    }
}

/// A model read by a transaction, type-erased until it is taken (`None`: no item).
type AnyModel = Option<Box<dyn Any + Send>>;

/// How the list form decodes one position of a read transaction: into the model the get
/// named, type-erased until [`TransactItems::take`] asks for it.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct Decoder {
    model: &'static str,
    decode: fn(Option<Item>) -> Result<AnyModel>,
}

fn decode_any<M: Readable + Send + 'static>(
    item: Option<Item>,
) -> Result<Option<Box<dyn Any + Send>>> {
    Ok(live::<M>(item)?.map(|model| Box::new(model) as Box<dyn Any + Send>))
}

/// The items of a read transaction in the list form, one per get, in order: take each as
/// the model its get named.
pub struct TransactItems {
    /// Each get's model, and its item (`None` once taken).
    items: Vec<(&'static str, Option<AnyModel>)>,
}

impl std::fmt::Debug for TransactItems {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let gets: Vec<&str> = self.items.iter().map(|(model, _)| *model).collect();
        f.debug_struct("TransactItems")
            .field("gets", &gets)
            .finish()
    }
}

impl TransactItems {
    /// The number of gets.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when the transaction made no get.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The item of get number `position` (from 0) as model `M`, `None` when there is none;
    /// each get's item is taken once.
    ///
    /// # Errors
    ///
    /// A position past the last get, a get of another model, or an item already taken.
    pub fn take<M: Readable + 'static>(&mut self, position: usize) -> Result<Option<M>> {
        let count = self.items.len();
        let refused = |message: String| Err(Error::invalid_operation("TransactGet", message));
        let Some((model, slot)) = self.items.get_mut(position) else {
            return refused(format!(
                "the transaction made {count} gets (0 to {}); there is no get {position}",
                count.saturating_sub(1)
            ));
        };
        if *model != M::NAME {
            return refused(format!(
                "get {position} read a `{model}`, not a `{}`: take it as `{model}`",
                M::NAME
            ));
        }
        let Some(item) = slot.take() else {
            return refused(format!("the item of get {position} was already taken"));
        };
        match item.map(|boxed| boxed.downcast::<M>()) {
            None => Ok(None),
            Some(Ok(model)) => Ok(Some(*model)),
            Some(Err(_)) => refused(format!(
                "get {position} read a model named `{model}` of another type than the one asked for"
            )),
        }
    }
}

/// Typed results of a read transaction: a tuple that grows with each `get`, up to 11, then
/// [`TransactItems`].
pub trait GetResults: Sized {
    /// The results with one more get.
    type Push<M>;
    #[doc(hidden)]
    fn decode(items: &mut std::vec::IntoIter<Option<Item>>, decoders: &[Decoder]) -> Result<Self>;
}

/// `TransactGetItems`: resolves to a tuple with an `Option<M>` per `get`, in order.
#[must_use = "an operation does nothing until awaited"]
pub struct TransactGet<'a, T> {
    pub(crate) db: &'a Dynamo,
    gets: Result<Vec<GetEntry>>,
    /// Each get's decoder, for the list form.
    decoders: Vec<Decoder>,
    _results: std::marker::PhantomData<fn() -> T>,
}

impl<'a, T: GetResults> TransactGet<'a, T> {
    /// Reads the item with `key`, as model `M` or as a projection of it (`get::<UserCard>`
    /// reads only the card's attributes).
    pub fn get<M: Readable + Send + 'static>(
        mut self,
        key: impl IntoKey<<M::Table as Table>::Key>,
    ) -> TransactGet<'a, T::Push<M>> {
        let table = self.db.table_name::<M::Table>();
        let gets = self.gets.and_then(|mut gets| {
            gets.push(get_entry::<M>(table, key_item::<M::Table>(key))?);
            Ok(gets)
        });
        self.decoders.push(Decoder {
            model: M::NAME,
            decode: decode_any::<M>,
        });
        TransactGet {
            db: self.db,
            gets,
            decoders: self.decoders,
            _results: std::marker::PhantomData,
        }
    }

    /// The request this read sends (a dry run).
    ///
    /// # Errors
    ///
    /// Key errors, no `get` or more than 100.
    pub fn to_request(&self) -> Result<transact_get_items::builders::TransactGetItemsInputBuilder> {
        get_request(&self.gets)
    }

    async fn send(self) -> Result<T> {
        let items = read(self.db, self.to_request()?).await?;
        let opened = self.db.keys().open::<T>(items.iter().flatten()).await;
        opened.scope(|| T::decode(&mut items.into_iter(), &self.decoders))
    }
}

/// A `TransactGetItems` request of `gets`: 1 to 100 of them.
pub(crate) fn get_request(
    gets: &Result<Vec<GetEntry>>,
) -> Result<transact_get_items::builders::TransactGetItemsInputBuilder> {
    let gets = gets.as_ref().map_err(Error::clone)?;
    if gets.is_empty() || gets.len() > MAX_TRANSACTION_ITEMS {
        return Err(Error::invalid_operation(
            "TransactGet",
            format!(
                "a transaction holds 1 to {MAX_TRANSACTION_ITEMS} items, not {}",
                gets.len()
            ),
        ));
    }
    Ok(transact_get_items::TransactGetItemsInput::builder().set_transact_items(Some(gets.clone())))
}

/// One `Get` of a read transaction, with the projection of `M` if it is one.
fn get_entry<M: Readable>(table: String, key: Result<Item>) -> Result<GetEntry> {
    let projection = M::projection().map(|p| p.render()).transpose()?;
    let get = TransactGetItem::builder()
        .table_name(table)
        .set_key(Some(key?))
        .set_projection_expression(projection.as_ref().map(|p| p.expression.clone()))
        .set_expression_attribute_names(projection.map(|p| p.names))
        .build()
        .map_err(|e| Error::invalid_request(M::NAME, e.to_string()))?;
    Ok(GetEntry::builder().get(get).build())
}

/// Sends a read transaction; one item (or none) per get, in order.
async fn read(
    db: &Dynamo,
    request: transact_get_items::builders::TransactGetItemsInputBuilder,
) -> Result<Vec<Option<Item>>> {
    let output = db.backend().transact_get_items(request).await?;
    Ok(output
        .responses
        .unwrap_or_default()
        .into_iter()
        .map(|r| r.item.filter(|i| !i.is_empty()))
        .collect())
}

/// `TransactGetItems` of items of one model: resolves to an `Option<O>` per key, in the
/// order of the keys (up to 100); `O` is the model or a [projection](TransactGetMany::project)
/// of it.
#[must_use = "an operation does nothing until awaited"]
pub struct TransactGetMany<'a, M, O = M> {
    pub(crate) db: &'a Dynamo,
    keys: Result<Vec<Item>>,
    _model: std::marker::PhantomData<fn() -> (M, O)>,
}

impl Dynamo {
    /// A read transaction of the items of `keys` (up to 100, of one model), read as of one
    /// moment: `db.transact_get_many::<User>(["u1", "u2"])`. For items of several models,
    /// [`transact_get`](Dynamo::transact_get).
    pub fn transact_get_many<M: Table>(
        &self,
        keys: impl IntoIterator<Item = impl IntoKey<M::Key>>,
    ) -> TransactGetMany<'_, M> {
        let keys = keys.into_iter().map(key_item::<M>).collect();
        TransactGetMany {
            db: self,
            keys,
            _model: std::marker::PhantomData,
        }
    }
}

impl<'a, M: Table, O: Readable<Table = M>> TransactGetMany<'a, M, O> {
    /// Reads only the attributes of the projection `P` and decodes the items as it.
    pub fn project<P: Projected<Of = M> + Readable<Table = M>>(self) -> TransactGetMany<'a, M, P> {
        TransactGetMany {
            db: self.db,
            keys: self.keys,
            _model: std::marker::PhantomData,
        }
    }

    /// The request this read sends (a dry run).
    ///
    /// # Errors
    ///
    /// Key errors, no key or more than 100.
    pub fn to_request(&self) -> Result<transact_get_items::builders::TransactGetItemsInputBuilder> {
        let table = self.db.table_name::<M>();
        let gets = self.keys.as_ref().map_err(Error::clone).and_then(|keys| {
            keys.iter()
                .map(|key| get_entry::<O>(table.clone(), Ok(key.clone())))
                .collect()
        });
        get_request(&gets)
    }

    async fn send(self) -> Result<Vec<Option<O>>> {
        let items = read(self.db, self.to_request()?).await?;
        let opened = self.db.keys().open::<O>(items.iter().flatten()).await;
        opened.scope(|| items.into_iter().map(live::<O>).collect())
    }
}

impl<'a, M: Table + Send + 'a, O: Readable<Table = M> + Send + 'a> IntoFuture
    for TransactGetMany<'a, M, O>
{
    type Output = Result<Vec<Option<O>>>;
    type IntoFuture = BoxFuture<'a, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

impl<'a, T: GetResults + Send + 'a> IntoFuture for TransactGet<'a, T> {
    type Output = Result<T>;
    type IntoFuture = BoxFuture<'a, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

fn next<M: Readable>(items: &mut std::vec::IntoIter<Option<Item>>) -> Result<Option<M>> {
    live::<M>(items.next().flatten())
}

/// The item a transaction read, decoded, unless its TTL has passed (as every read hides
/// expired items).
fn live<M: Readable>(item: Option<Item>) -> Result<Option<M>> {
    let item = super::lifecycle::ExpiryFilter::of::<M::Table>(false).keep(item);
    item.filter(|i| !i.is_empty())
        .map(|i| M::load(i, true))
        .transpose()
}

impl GetResults for () {
    type Push<M> = (Option<M>,);
    fn decode(_: &mut std::vec::IntoIter<Option<Item>>, _: &[Decoder]) -> Result<Self> {
        Ok(())
    }
}

/// The list form: each item decoded into the model its get named.
impl GetResults for TransactItems {
    type Push<M> = TransactItems;
    fn decode(items: &mut std::vec::IntoIter<Option<Item>>, decoders: &[Decoder]) -> Result<Self> {
        let items = decoders
            .iter()
            .map(|decoder| {
                Ok((
                    decoder.model,
                    Some((decoder.decode)(items.next().flatten())?),
                ))
            })
            .collect::<Result<_>>()?;
        Ok(TransactItems { items })
    }
}

macro_rules! get_results {
    ($($name:ident),+ => $next:ident) => {
        get_results!($($name),+ => $next: ($(Option<$name>,)+ Option<$next>,));
    };
    ($($name:ident),+ => $next:ident: $push:ty) => {
        impl<$($name: Readable),+> GetResults for ($(Option<$name>,)+) {
            type Push<$next> = $push;
            fn decode(
                items: &mut std::vec::IntoIter<Option<Item>>,
                _: &[Decoder],
            ) -> Result<Self> {
                Ok(($(next::<$name>(items)?,)+))
            }
        }
    };
}

get_results!(A => B);
get_results!(A, B => C);
get_results!(A, B, C => D);
get_results!(A, B, C, D => E);
get_results!(A, B, C, D, E => F);
get_results!(A, B, C, D, E, F => G);
get_results!(A, B, C, D, E, F, G => H);
get_results!(A, B, C, D, E, F, G, H => I);
get_results!(A, B, C, D, E, F, G, H, I => J);
get_results!(A, B, C, D, E, F, G, H, I, J => K);
// An 11-tuple is the largest: the 12th get makes the list form.
get_results!(A, B, C, D, E, F, G, H, I, J, K => L: TransactItems);

super::operation!(TransactGet<T>);
super::operation!(TransactGetMany<M, O>);
