use crate::client::{Client, RequestBuilder};
use crate::model::Request;

/// What a batch accepts: a [`RequestBuilder`] (what [`Client::get`] and friends return), a
/// [`Request::failed`], or either in a `(request, data)` pair whose data of any type comes
/// back beside its response or error.
///
/// ```no_run
/// # async fn run(client: grequests_core::Client) {
/// struct Row { id: u32 }
/// let rows = vec![Row { id: 1 }, Row { id: 2 }];
/// let requests = rows
///     .into_iter()
///     .map(|row| (client.get(format!("http://127.0.0.1:8080/anything/{}", row.id)), row));
/// for (row, response) in grequests_core::map(requests).await {
///     println!("{} -> {:?}", row.id, response);
/// }
/// # }
/// ```
///
/// A bare [`Request`] has no client to be sent with. A failed one gets its own error as its
/// result; a valid one fails with a [builder error](crate::Error::is_builder) that says to
/// pair it with a client ([`RequestBuilder::from_parts`]). Neither is sent.
pub trait IntoRequest {
    /// The data carried beside the request.
    type Data;
    /// How a result is handed back: `T` for a bare request, `(Data, T)` for a pair.
    type Out<T>;

    /// Splits into the request, the client that sends it (`None` for a request that does
    /// not go out), and its data.
    fn into_request(self) -> (Request, Option<Client>, Self::Data);

    /// Puts a result beside its data.
    fn wrap<T>(data: Self::Data, value: T) -> Self::Out<T>;
}

impl IntoRequest for RequestBuilder {
    type Data = ();
    type Out<T> = T;

    fn into_request(self) -> (Request, Option<Client>, ()) {
        let (client, request) = self.build_split();
        (request, Some(client), ())
    }

    fn wrap<T>(_: (), value: T) -> T {
        value
    }
}

impl IntoRequest for Request {
    type Data = ();
    type Out<T> = T;

    fn into_request(self) -> (Request, Option<Client>, ()) {
        (self, None, ())
    }

    fn wrap<T>(_: (), value: T) -> T {
        value
    }
}

impl<R: IntoRequest<Data = ()>, U> IntoRequest for (R, U) {
    type Data = U;
    type Out<T> = (U, T);

    fn into_request(self) -> (Request, Option<Client>, U) {
        let (request, client, ()) = self.0.into_request();
        (request, client, self.1)
    }

    fn wrap<T>(data: U, value: T) -> (U, T) {
        (data, value)
    }
}
