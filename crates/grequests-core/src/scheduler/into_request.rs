use crate::model::Request;

/// What a batch accepts: a [`Request`], or a `(Request, data)` pair whose data of any type
/// comes back beside its response or error.
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
pub trait IntoRequest {
    /// The data carried beside the request.
    type Data;
    /// How a result is handed back: `T` for a bare request, `(Data, T)` for a pair.
    type Out<T>;

    /// Splits into the request and its data.
    fn into_request(self) -> (Request, Self::Data);

    /// Puts a result beside its data.
    fn wrap<T>(data: Self::Data, value: T) -> Self::Out<T>;
}

impl IntoRequest for Request {
    type Data = ();
    type Out<T> = T;

    fn into_request(self) -> (Request, ()) {
        (self, ())
    }

    fn wrap<T>(_: (), value: T) -> T {
        value
    }
}

impl<U> IntoRequest for (Request, U) {
    type Data = U;
    type Out<T> = (U, T);

    fn into_request(self) -> (Request, U) {
        self
    }

    fn wrap<T>(data: U, value: T) -> (U, T) {
        (data, value)
    }
}
