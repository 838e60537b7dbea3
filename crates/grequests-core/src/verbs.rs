//! The module-level verbs (`grequests::get`, …), sent on a shared client on the default
//! backend (feature `hyper`).

use std::sync::OnceLock;

use crate::client::refusing;
use crate::{Client, IntoMethod, IntoUrl, RequestBuilder};

/// The client behind the verbs. It keeps no cookies between requests, like grequests'
/// per-call sessions; use a [`Client`] for a session.
fn shared() -> &'static Client {
    static SHARED: OnceLock<Client> = OnceLock::new();
    SHARED.get_or_init(|| {
        Client::builder()
            .cookie_store(false)
            .build()
            .unwrap_or_else(refusing)
    })
}

macro_rules! verbs {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        ///
        /// Sent on the shared default client, which keeps no cookies between requests.
        pub fn $name(url: impl IntoUrl) -> RequestBuilder {
            shared().$name(url)
        }
    )*};
}

verbs! {
    /// An unsent `GET` request: grequests' `grequests.get(url)`.
    get;
    /// An unsent `POST` request.
    post;
    /// An unsent `PUT` request.
    put;
    /// An unsent `PATCH` request.
    patch;
    /// An unsent `DELETE` request.
    delete;
    /// An unsent `HEAD` request.
    head;
    /// An unsent `OPTIONS` request.
    options;
}

/// An unsent request with any method (an [`http::Method`] or its name in any case, as
/// `grequests.request('post', url)`), on the shared default client.
pub fn request(method: impl IntoMethod, url: impl IntoUrl) -> RequestBuilder {
    shared().request(method, url)
}
